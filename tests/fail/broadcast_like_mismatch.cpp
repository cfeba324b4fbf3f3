// expect: ctgrad: broadcast_like(G, A): G must be 1x1, a row as wide as A or a column as tall as A
// A 2x2 G spreads over nothing: only a number, a row or a column can be spread.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", 4, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"G", 2, 2> G{};
#else
    constexpr ctgrad::matrix<"G", 4, 1> G{};
#endif
    [[maybe_unused]] constexpr auto spread = ctgrad::broadcast_like(G, A);
}
