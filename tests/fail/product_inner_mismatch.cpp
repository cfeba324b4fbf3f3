// expect: ctgrad: A * B: columns of A must equal rows of B
// A (2x3) times B: B must have 3 rows.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", 2, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"B", 4, 2> B{};
#else
    constexpr ctgrad::matrix<"B", 3, 2> B{};
#endif
    [[maybe_unused]] constexpr auto product = A * B;
}
