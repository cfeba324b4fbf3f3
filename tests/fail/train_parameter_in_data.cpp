// expect: ctgrad: train: a variable is both a parameter and bound in the data
// W is trained, so its value comes from param(W, w), not from the data.
#include <ctgrad/training.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"X", dynamic, 2> X{};
    constexpr matrix<"Y", dynamic, 1> Y{};
    constexpr matrix<"W", 2, 1> W{};
    constexpr auto L = mse(X * W, Y);
    Eigen::MatrixXd const x = Eigen::MatrixXd::Ones(8, 2);
    Eigen::MatrixXd const y = Eigen::MatrixXd::Ones(8, 1);
    Eigen::Matrix<double, 2, 1> w = Eigen::Matrix<double, 2, 1>::Zero();
    Eigen::Matrix<double, 2, 1> const other = Eigen::Matrix<double, 2, 1>::Zero();
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] auto const history = train(L, parameters(param(W, w)), bind(X = x, Y = y, W = other));
#else
    [[maybe_unused]] auto const history = train(L, parameters(param(W, w)), bind(X = x, Y = y));
    (void)other;
#endif
}
