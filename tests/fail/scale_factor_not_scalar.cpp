// expect: ctgrad: scale(s, A): the factor s must be 1x1
// scale(s, A) multiplies every entry of A by one number; a vector is not a factor.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"A", 2, 3> A{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::vector<"s", 2> s{};
#else
    constexpr ctgrad::matrix<"s", 1, 1> s{};
#endif
    [[maybe_unused]] constexpr auto scaled = scale(s, A);
}
