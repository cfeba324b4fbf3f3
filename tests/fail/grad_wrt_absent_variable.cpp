// expect: ctgrad: grad(L, V): the variable V does not occur in L
// L depends on W_1 only; W_2 is declared but unused.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"X", ctgrad::dynamic, 3> X{};
    constexpr ctgrad::matrix<"W_1", 3, 1> W1{};
    constexpr ctgrad::matrix<"W_2", 3, 1> W2{};
    constexpr ctgrad::matrix<"Y", ctgrad::dynamic, 1> Y{};
    constexpr auto L = mse(tanh(X * W1), Y);
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr auto g = grad(L, W2);
#else
    [[maybe_unused]] constexpr auto g = grad(L, W1);
    (void)W2;
#endif
}
