// expect: ctgrad: hadamard(A, B) needs equal shapes
// hadamard does not broadcast: a 1x3 row is not a 2x3 matrix.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", 2, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"B", 1, 3> B{};
#else
    constexpr ctgrad::matrix<"B", 2, 3> B{};
#endif
    [[maybe_unused]] constexpr auto product = hadamard(A, B);
}
