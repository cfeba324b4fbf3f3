// expect: ctgrad: from_yap(e): e calls something that is not a function in ctgrad::yap_fn
// Calling a variable's terminal (x(w)) is no ctgrad function; the yap_fn terminals are.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/yap.hpp>

int main() {
    constexpr ctgrad::matrix<"X", 4, 3> X{};
    constexpr ctgrad::matrix<"W", 3, 2> W{};
    auto const x = boost::yap::make_terminal(X);
    auto const w = boost::yap::make_terminal(W);
#ifdef CTGRAD_MISUSE
    auto const formula = ctgrad::from_yap(x(w));
#else
    auto const formula = ctgrad::from_yap(ctgrad::yap_fn::matmul(x, w));
#endif
    return formula.rows == 4 ? 0 : 1;
}
