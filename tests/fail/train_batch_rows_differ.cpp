// expect: ctgrad: train: data variables with a static row count must all have the same one (the batch size)
// X is declared with 4 rows per batch and Y with 8: a batch cannot have both sizes.
#include <ctgrad/training.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"X", 4, 2> X{};
#ifdef CTGRAD_MISUSE
    constexpr matrix<"Y", 8, 1> Y{};
#else
    constexpr matrix<"Y", 4, 1> Y{};
#endif
    constexpr matrix<"W", 2, 1> W{};
    constexpr auto L = sum(X * W) + sum(Y);  // rows of X and Y never meet in the formula
    Eigen::MatrixXd const x = Eigen::MatrixXd::Ones(16, 2);
    Eigen::MatrixXd const y = Eigen::MatrixXd::Ones(16, 1);
    Eigen::Matrix<double, 2, 1> w = Eigen::Matrix<double, 2, 1>::Zero();
    [[maybe_unused]] auto const history = train(L, parameters(param(W, w)), data(X = x, Y = y));
}
