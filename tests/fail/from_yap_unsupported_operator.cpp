// expect: ctgrad: from_yap(e): e uses an operator ctgrad has no rule for
// `%` has no meaning for matrices in ctgrad: a YAP expression that uses it does not convert.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/yap.hpp>

int main() {
    constexpr ctgrad::matrix<"X", 4, 3> X{};
    constexpr ctgrad::matrix<"W", 3, 2> W{};
    auto const x = boost::yap::make_terminal(X);
    auto const w = boost::yap::make_terminal(W);
#ifdef CTGRAD_MISUSE
    auto const formula = ctgrad::from_yap(x % w);
#else
    auto const formula = ctgrad::from_yap(x * w);
#endif
    return formula.rows == 4 ? 0 : 1;
}
