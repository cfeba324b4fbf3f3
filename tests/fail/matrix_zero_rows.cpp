// expect: ctgrad: matrix<Name, Rows, Cols>: Rows must be positive or dynamic
#include <ctgrad/ctgrad.hpp>

int main() {
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr ctgrad::matrix<"A", 0, 3> A{};
#else
    [[maybe_unused]] constexpr ctgrad::matrix<"A", 2, 3> A{};
#endif
}
