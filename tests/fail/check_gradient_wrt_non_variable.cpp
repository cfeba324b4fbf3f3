// expect: ctgrad: check_gradient(L, V, in): V must be a variable
// Finite differences perturb the entries of a variable; X W is a subexpression.
#include <ctgrad/ctgrad.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"X", 2, 3> X{};
    constexpr matrix<"W", 3, 1> W{};
    constexpr auto L = sum(tanh(X * W));
    Eigen::Matrix<double, 2, 3> const x = Eigen::Matrix<double, 2, 3>::Ones();
    Eigen::Matrix<double, 3, 1> const w = Eigen::Matrix<double, 3, 1>::Ones();
#ifdef CTGRAD_MISUSE
    double const worst = check_gradient(L, X * W, bind(X = x, W = w));
#else
    double const worst = check_gradient(L, W, bind(X = x, W = w));
#endif
    return worst < 1e-6 ? 0 : 1;
}
