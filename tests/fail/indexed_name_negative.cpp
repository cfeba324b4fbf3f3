// expect: ctgrad: indexed_name<Prefix, K>: the index K must not be negative
#include <ctgrad/ctgrad.hpp>

int main() {
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr ctgrad::matrix<ctgrad::indexed_name<"W", -1>, 3, 4> W{};
#else
    [[maybe_unused]] constexpr ctgrad::matrix<ctgrad::indexed_name<"W", 1>, 3, 4> W{};
#endif
}
