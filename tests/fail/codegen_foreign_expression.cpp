// expect: ctgrad: codegen: cannot print this expression
// cpp_header writes C++ for ctgrad's own nodes only; a type derived from expression_base is not one.
#include <string>

#include <ctgrad/codegen.hpp>
#include <ctgrad/ctgrad.hpp>

struct my_expression : ctgrad::expression_base {
    static constexpr int rows = 1;
    static constexpr int cols = 1;
};

int main() {
    using namespace ctgrad;
    constexpr vector<"w", 2> w{};
    constexpr auto L = sum(hadamard(w, w));
#ifdef CTGRAD_MISUSE
    std::string const code = cpp_header("f", L + my_expression{}, grads(L, w));
#else
    std::string const code = cpp_header("f", L, grads(L, w));
#endif
    return code.empty() ? 1 : 0;
}
