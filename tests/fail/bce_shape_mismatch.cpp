// expect: ctgrad: mse(yhat, Y) and bce(p, Y) need equal shapes
// Probabilities as a column against labels as a row.
#include <ctgrad/ctgrad.hpp>

int main() {
    constexpr ctgrad::matrix<"Z", 4, 1> Z{};
#ifdef CTGRAD_MISUSE
    constexpr ctgrad::matrix<"Y", 1, 4> Y{};
#else
    constexpr ctgrad::matrix<"Y", 4, 1> Y{};
#endif
    [[maybe_unused]] constexpr auto L = bce(sigmoid(Z), Y);
}
