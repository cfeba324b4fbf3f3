// expect: ctgrad: cross_entropy(Z, Y) needs logits Z and targets Y of equal shapes
// Logits for 3 classes need targets for 3 classes.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"Z", ctgrad::dynamic, 3> Z{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"Y", ctgrad::dynamic, 4> Y{};
#else
    constexpr ctgrad::matrix<"Y", ctgrad::dynamic, 3> Y{};
#endif
    [[maybe_unused]] constexpr auto loss = cross_entropy(Z, Y);
}
