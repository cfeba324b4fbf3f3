// expect: ctgrad: A + B and A - B need equal shapes, or a 1xk row or an nx1 column broadcast over an nxk matrix
// A (n x 3) - B: B must be n x 3, a 1x3 row or an n x 1 column; n x 2 is none of them.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", ctgrad::dynamic, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"B", ctgrad::dynamic, 2> B{};
#else
    constexpr ctgrad::matrix<"B", ctgrad::dynamic, 3> B{};
#endif
    [[maybe_unused]] constexpr auto difference = A - B;
}
