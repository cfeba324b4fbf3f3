// expect: ctgrad: derivation(L, V...): name at least one variable
// A derivation is of dL/dV for the variables named; with none there is nothing to derive.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/derivation_steps.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"X", 2, 3> X{};
    constexpr matrix<"W", 3, 1> W{};
    constexpr auto L = sum(tanh(X * W));
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr auto steps = derivation(L);
#else
    [[maybe_unused]] constexpr auto steps = derivation(L, W);
#endif
}
