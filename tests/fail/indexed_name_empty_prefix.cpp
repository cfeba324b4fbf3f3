// expect: ctgrad: indexed_name<Prefix, K>: the prefix must not be empty
#include <ctgrad/ctgrad.hpp>

int main() {
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] constexpr ctgrad::matrix<ctgrad::indexed_name<"", 1>, 3, 4> W{};
#else
    [[maybe_unused]] constexpr ctgrad::matrix<ctgrad::indexed_name<"W", 1>, 3, 4> W{};
#endif
}
