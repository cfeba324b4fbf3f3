// expect: ctgrad: grad(L, V): V must be a variable declared with matrix<...> or vector<...>
// Differentiate with respect to W, not with respect to the subexpression X W.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"X", ctgrad::dynamic, 3> X{};
    constexpr ctgrad::matrix<"W", 3, 1> W{};
    constexpr ctgrad::matrix<"Y", ctgrad::dynamic, 1> Y{};
    constexpr auto L = mse(X * W, Y);
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr auto g = grad(L, X * W);
#else
    [[maybe_unused]] constexpr auto g = grad(L, W);
#endif
}
