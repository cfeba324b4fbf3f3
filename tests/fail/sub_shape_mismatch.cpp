// expect: ctgrad: A + B and A - B need equal shapes, or a 1xk row B broadcast over an nxk A
// A (n x 3) - B: B must be n x 3 (or a 1x3 row); a column does not broadcast.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", ctgrad::dynamic, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"B", ctgrad::dynamic, 1> B{};
#else
    constexpr ctgrad::matrix<"B", ctgrad::dynamic, 3> B{};
#endif
    [[maybe_unused]] constexpr auto difference = A - B;
}
