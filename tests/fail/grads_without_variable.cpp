// expect: ctgrad: grads(L, V...): name at least one variable
#include <ctgrad/ctgrad.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"X", 2, 3> X{};
    constexpr matrix<"W", 3, 1> W{};
    constexpr auto L = sum(tanh(X * W));
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr auto all = grads(L);
#else
    [[maybe_unused]] constexpr auto all = grads(L, W);
#endif
}
