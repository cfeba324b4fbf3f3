// expect: ctgrad: grad(L, V): the variable V does not occur in L
// grads checks every variable it is asked for, not only the first.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"X", ctgrad::dynamic, 3> X{};
    constexpr ctgrad::matrix<"W", 3, 1> W{};
    constexpr ctgrad::vector<"b", 1> b{};
    constexpr ctgrad::vector<"c", 1> c{};
    constexpr ctgrad::matrix<"Y", ctgrad::dynamic, 1> Y{};
    constexpr auto L = mse(X * W + transpose(b), Y);
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr auto g = grads(L, W, c);
#else
    [[maybe_unused]] constexpr auto g = grads(L, W, b);
    (void)c;
#endif
}
