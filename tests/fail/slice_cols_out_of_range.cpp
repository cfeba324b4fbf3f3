// expect: ctgrad: slice_cols<Begin, Count>(A) needs columns Begin to Begin+Count-1 inside A, whose column count is known at compile time
// Columns 2..3 of a matrix with columns 0..2: the block runs past the last column.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", ctgrad::dynamic, 3> A{};
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr auto block = ctgrad::slice_cols<2, 2>(A);
#else
    [[maybe_unused]] constexpr auto block = ctgrad::slice_cols<1, 2>(A);
#endif
}
