// expect: ctgrad: grad(L, V): the loss L must be 1x1 (a scalar)
// X W is a matrix; reduce it to a scalar (sum, mean, a loss) before differentiating.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"X", ctgrad::dynamic, 3> X{};
    constexpr ctgrad::matrix<"W", 3, 2> W{};
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr auto g = grad(X * W, W);
#else
    [[maybe_unused]] constexpr auto g = grad(sum(X * W), W);
#endif
}
