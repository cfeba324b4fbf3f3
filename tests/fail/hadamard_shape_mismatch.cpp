// expect: ctgrad: hadamard(A, B) needs equal shapes, or a 1xk row or an nx1 column broadcast over an nxk matrix
// hadamard spreads a row or a column, but a 2x2 matrix is neither beside a 2x3 one.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", 2, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"B", 2, 2> B{};
#else
    constexpr ctgrad::matrix<"B", 2, 3> B{};
#endif
    [[maybe_unused]] constexpr auto product = hadamard(A, B);
}
