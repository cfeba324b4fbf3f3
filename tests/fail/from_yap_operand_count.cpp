// expect: ctgrad: from_yap(e): e calls a function in ctgrad::yap_fn with the wrong number of operands
// tanh takes one operand.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/yap.hpp>

int main() {
    constexpr ctgrad::matrix<"X", 4, 3> X{};
    constexpr ctgrad::matrix<"W", 3, 2> W{};
    auto const x = boost::yap::make_terminal(X);
    auto const w = boost::yap::make_terminal(W);
#ifdef CTGRAD_MISUSE
    auto const formula = ctgrad::from_yap(ctgrad::yap_fn::tanh(x, w));
#else
    auto const formula = ctgrad::from_yap(ctgrad::yap_fn::tanh(x * w));
#endif
    return formula.rows == 4 ? 0 : 1;
}
