// Linear regression as one neuron with the identity activation, as in the lecture:
//
//     yhat = X w + b,   L = (1/n) sum_i (yhat_i - y_i)^2 (MSE),   theta_t = theta_{t-1} - eta grad L,
//
// trained by full-batch gradient descent with ctgrad::train, then compared with the closed-form
// least-squares solution of [X 1] theta = y. Exit status 1 when they differ by more than 1e-6.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/training.hpp>

#include <Eigen/Dense>
#include <fmt/core.h>

#include <cmath>
#include <cstdio>
#include <random>

namespace {

using namespace ctgrad;

constexpr int d = 3;
constexpr matrix<"X", dynamic, d> X{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr vector<"w", d> w{};
constexpr vector<"b", 1> b{};
constexpr auto yhat = identity(X * w + transpose(b));  // sigma(z) = z
constexpr auto L = mse(yhat, Y);

constexpr double tolerance = 1e-6;

}  // namespace

int main() {
    // Data from a known line plus noise: y = 1.5 x_1 - 2 x_2 + 0.5 x_3 + 0.7 + 0.1 * noise.
    constexpr Eigen::Index n = 200;
    std::mt19937_64 engine(11);
    auto uniform = [&] { return double(engine() >> 11) * 0x1.0p-53 * 2.0 - 1.0; };  // in [-1, 1)
    Eigen::Matrix<double, Eigen::Dynamic, d> x(n, d);
    Eigen::Matrix<double, Eigen::Dynamic, 1> y(n);
    const Eigen::Vector3d truth(1.5, -2.0, 0.5);
    for (Eigen::Index i = 0; i < n; ++i) {
        for (int j = 0; j < d; ++j) x(i, j) = uniform();
        y(i) = x.row(i).dot(truth) + 0.7 + 0.1 * uniform();
    }

    // Gradient descent on the whole dataset (batch_size = 0) from theta = 0.
    Eigen::Matrix<double, d, 1> wv = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> bv = Eigen::Matrix<double, 1, 1>::Zero();
    const int epochs = 2000;
    const double eta = 0.5;
    fmt::print("Linear regression: yhat = X w + b, L = mse(yhat, Y); n = {}, d = {}\n", n, d);
    fmt::print("full-batch gradient descent, eta = {}, {} steps\n", eta, epochs);
    const auto history = train(L, parameters(param(w, wv), param(b, bv)), data(X = x, Y = y),
                               {.epochs = epochs, .batch_size = 0, .learning_rate = eta, .shuffle = false});
    for (int e : {1, 10, 100, 1000, 2000}) fmt::print("  step {:4}: L = {:.12f}\n", e, history.loss[std::size_t(e - 1)]);

    // Closed form: theta = argmin |[X 1] theta - y|^2, by a rank-revealing QR decomposition.
    Eigen::MatrixXd design(n, d + 1);
    design << x, Eigen::VectorXd::Ones(n);
    const Eigen::VectorXd exact = design.colPivHouseholderQr().solve(y);

    Eigen::VectorXd learned(d + 1);
    learned << wv, bv(0, 0);
    fmt::print("\n            w_1          w_2          w_3          b\n");
    fmt::print("  GD     ");
    for (Eigen::Index k = 0; k <= d; ++k) fmt::print(" {:12.9f}", learned(k));
    fmt::print("\n  exact  ");
    for (Eigen::Index k = 0; k <= d; ++k) fmt::print(" {:12.9f}", exact(k));
    fmt::print("\n  truth  ");
    for (Eigen::Index k = 0; k < d; ++k) fmt::print(" {:12.9f}", truth(k));
    fmt::print(" {:12.9f}\n\n", 0.7);

    const double difference = (learned - exact).cwiseAbs().maxCoeff();
    if (!(difference <= tolerance)) {
        fmt::print(stderr, "linear_regression: FAILED: gradient descent is {:.1e} away from least squares (> {:.0e})\n",
                   difference, tolerance);
        return 1;
    }
    fmt::print("linear_regression: max |theta_GD - theta_least_squares| = {:.1e} (<= {:.0e})\n", difference, tolerance);
    return 0;
}
