// expect: ctgrad: from_yap(e): e holds a value that is neither a ctgrad variable or formula nor a number
// A terminal must hold a ctgrad variable (or formula) or a number; a string is neither.
#include <string>

#include <ctgrad/ctgrad.hpp>
#include <ctgrad/yap.hpp>

int main() {
    constexpr ctgrad::matrix<"X", 4, 3> X{};
    auto const x = boost::yap::make_terminal(X);
#ifdef CTGRAD_MISUSE
    auto const formula = ctgrad::from_yap(x + boost::yap::make_terminal(std::string("b")));
#else
    auto const formula = ctgrad::from_yap(x + boost::yap::make_terminal(0.5));
#endif
    return formula.rows == 4 ? 0 : 1;
}
