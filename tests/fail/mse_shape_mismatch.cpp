// expect: ctgrad: mse(yhat, Y) and bce(p, Y) need equal shapes
// A prediction with 2 columns against a target with 1.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"X", ctgrad::dynamic, 3> X{};
    constexpr ctgrad::matrix<"Y", ctgrad::dynamic, 1> Y{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"W", 3, 2> W{};
#else
    constexpr ctgrad::matrix<"W", 3, 1> W{};
#endif
    [[maybe_unused]] constexpr auto L = mse(X * W, Y);
}
