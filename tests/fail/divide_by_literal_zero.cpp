// expect: ctgrad: A / B: division by a literal zero
// Exact literals fold while the formula is built, so 1 / 0 cannot become a number.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::literal<1> one{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::literal<0> divisor{};
#else
    constexpr ctgrad::literal<2> divisor{};
#endif
    [[maybe_unused]] constexpr auto ratio = one / divisor;
}
