// expect: ctgrad: GELU'(Z) comes only from the derivative of gelu and has no derivative of its own
// gelu_derivative is the node gelu's gradient prints as; differentiating it is a second derivative.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"Z", ctgrad::dynamic, 3> Z{};
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr auto g = grad(sum(ctgrad::gelu_derivative(Z)), Z);
#else
    [[maybe_unused]] constexpr auto g = grad(sum(ctgrad::gelu(Z)), Z);
#endif
}
