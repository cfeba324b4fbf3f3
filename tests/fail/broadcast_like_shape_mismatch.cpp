// expect: ctgrad: broadcast_like(G, A): G must be 1x1, a row as wide as A or a column as tall as A
// A 1x4 row cannot be spread over the rows of a 2x3 matrix.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", 2, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"g", 1, 4> g{};
#else
    constexpr ctgrad::matrix<"g", 1, 3> g{};
#endif
    [[maybe_unused]] constexpr auto spread = broadcast_like(g, A);
}
