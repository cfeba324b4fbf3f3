// expect: ctgrad: latex(e): e is not an expression ctgrad can print
// A type derived from expression_base passes the `expression` concept but is no ctgrad node.
#include <string>

#include <ctgrad/ctgrad.hpp>
#include <ctgrad/latex.hpp>

struct my_expression : ctgrad::expression_base {
    static constexpr int rows = 1;
    static constexpr int cols = 1;
};

int main() {
    constexpr ctgrad::matrix<"a", 1, 1> a{};
#ifdef CTGRAD_MISUSE
    std::string const shown = ctgrad::latex(my_expression{});
#else
    std::string const shown = ctgrad::latex(a);
#endif
    return shown.empty() ? 1 : 0;
}
