// expect: ctgrad: A + B and A - B need equal shapes, or a 1xk row or an nx1 column broadcast over an nxk matrix
// X W (n x 4) + transpose(b): the bias must have 4 entries, as many as X W has columns.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"X", ctgrad::dynamic, 3> X{};
    constexpr ctgrad::matrix<"W", 3, 4> W{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::vector<"b", 3> b{};
#else
    constexpr ctgrad::vector<"b", 4> b{};
#endif
    [[maybe_unused]] constexpr auto z = X * W + transpose(b);
}
