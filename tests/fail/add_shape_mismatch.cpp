// expect: ctgrad: A + B and A - B need equal shapes, or a 1xk row or an nx1 column broadcast over an nxk matrix
// A (2x3) + B: B must be 2x3 (or a 1x3 row).
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", 2, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"B", 3, 2> B{};
#else
    constexpr ctgrad::matrix<"B", 2, 3> B{};
#endif
    [[maybe_unused]] constexpr auto total = A + B;
}
