// expect: ctgrad: concat_cols(A, B) needs A and B with equal rows and column counts known at compile time
// Blocks side by side need as many rows each.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", 4, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"B", 5, 2> B{};
#else
    constexpr ctgrad::matrix<"B", 4, 2> B{};
#endif
    [[maybe_unused]] constexpr auto joined = concat_cols(A, B);
}
