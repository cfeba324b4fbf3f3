// expect: ctgrad: A / B needs equal shapes, a 1x1 side, or a 1xk row or an nx1 column broadcast over an nxk matrix
// A (n x 3) / B: an n x 2 B is neither A's shape nor a row, a column or a number.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", ctgrad::dynamic, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"B", ctgrad::dynamic, 2> B{};
#else
    constexpr ctgrad::matrix<"B", ctgrad::dynamic, 1> B{};
#endif
    [[maybe_unused]] constexpr auto quotient = A / B;
}
