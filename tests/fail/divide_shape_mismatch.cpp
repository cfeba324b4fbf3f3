// expect: ctgrad: A / B needs equal shapes, or a 1x1 side
// A (2x3) / B: B must be 2x3 (or 1x1); a 3x2 B is neither.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", 2, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"B", 3, 2> B{};
#else
    constexpr ctgrad::matrix<"B", 2, 3> B{};
#endif
    [[maybe_unused]] constexpr auto ratio = A / B;
}
