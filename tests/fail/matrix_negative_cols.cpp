// expect: ctgrad: matrix<Name, Rows, Cols>: Cols must be positive or dynamic
// -1 is not ctgrad::dynamic; write `dynamic` for a size known only at run time.
#include <ctgrad/ctgrad.hpp>

int main() {
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr ctgrad::matrix<"A", 2, -2> A{};
#else
    [[maybe_unused]] constexpr ctgrad::matrix<"A", 2, ctgrad::dynamic> A{};
#endif
}
