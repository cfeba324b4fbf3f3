// Poisson regression as one neuron with the exponential activation, as in the lecture:
//
//     mu = exp(Z),  Z = X w + b,   L = mean(exp(Z) - Y (.) Z)   (the Poisson negative log-likelihood
//                                                               per row, up to terms without w, b),
//
// trained by minibatch SGD (ctgrad::train) with a decaying learning rate on counts drawn from a known
// Poisson model. Prints the final loss, the learned coefficients and the deviance
// D = 2 sum_i [y_i log(y_i / mu_i) - (y_i - mu_i)] next to the null deviance (intercept only), the
// true model's and the maximum-likelihood fit's (Newton's method in plain Eigen). Exit status 1
// when SGD's deviance is more than 1 above the maximum-likelihood deviance.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/training.hpp>

#include <Eigen/Dense>
#include <fmt/core.h>

#include <cmath>
#include <cstdio>
#include <random>

namespace {

using namespace ctgrad;

constexpr int d = 2;
constexpr matrix<"X", dynamic, d> X{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr vector<"w", d> w{};
constexpr vector<"b", 1> b{};
constexpr auto Z = X * w + transpose(b);
constexpr auto mu = exp(Z);
constexpr auto L = mean(exp(Z) - hadamard(Y, Z));

// Knuth's method: count uniform draws until their product falls below e^{-mean}.
double poisson(std::mt19937_64& engine, double mean) {
    const double limit = std::exp(-mean);
    double product = 1;
    int count = -1;
    do {
        product *= double(engine() >> 11) * 0x1.0p-53;
        ++count;
    } while (product > limit);
    return count;
}

double deviance(const Eigen::VectorXd& y, const Eigen::VectorXd& mean) {
    double total = 0;
    for (Eigen::Index i = 0; i < y.size(); ++i) {
        total += (y(i) > 0 ? y(i) * std::log(y(i) / mean(i)) : 0.0) - (y(i) - mean(i));
    }
    return 2 * total;
}

}  // namespace

int main() {
    // Features uniform in [-1, 1]^2; counts with mean exp(0.8 x_1 - 0.5 x_2 + 0.3).
    constexpr Eigen::Index n = 2000;
    std::mt19937_64 engine(17);
    Eigen::Matrix<double, Eigen::Dynamic, d> x(n, d);
    Eigen::Matrix<double, Eigen::Dynamic, 1> y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        x(i, 0) = double(engine() >> 11) * 0x1.0p-52 - 1;
        x(i, 1) = double(engine() >> 11) * 0x1.0p-52 - 1;
        y(i) = poisson(engine, std::exp(0.8 * x(i, 0) - 0.5 * x(i, 1) + 0.3));
    }

    Eigen::Matrix<double, d, 1> wv = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> bv = Eigen::Matrix<double, 1, 1>::Zero();
    fmt::print("Poisson regression: mu = exp(X w + b), L = mean(exp(Z) - Y (.) Z); n = {}, mean count {:.3f}\n", n,
               y.mean());
    const auto history = train(L, parameters(param(w, wv), param(b, bv)), data(X = x, Y = y),
                               {.epochs = 60,
                                .batch_size = 32,
                                .learning_rate_at = [](int epoch) { return 0.05 / (1 + 0.25 * epoch); },
                                .seed = 2});
    fmt::print("SGD, batch 32, eta = 0.05 / (1 + epoch / 4): loss per epoch");
    for (int e : {1, 2, 5, 10, 20, 40, 60}) fmt::print("  {}: {:.4f}", e, history.loss[std::size_t(e - 1)]);
    fmt::print("\nlearned w = ({:.3f}, {:.3f}), b = {:.3f}   (true: (0.8, -0.5), 0.3)\n", wv(0), wv(1), bv(0, 0));

    const Eigen::Matrix<double, d, 1> true_w(0.8, -0.5);
    const Eigen::Matrix<double, 1, 1> true_b = Eigen::Matrix<double, 1, 1>::Constant(0.3);
    const auto fitted = bind(X = x, Y = y, w = wv, b = bv);
    const auto truth = bind(X = x, Y = y, w = true_w, b = true_b);
    const double loss = eval(L, fitted);
    const double fitted_deviance = deviance(y, eval(mu, fitted));
    const double true_deviance = deviance(y, eval(mu, truth));
    const double null_deviance = deviance(y, Eigen::VectorXd::Constant(n, y.mean()));

    // The maximum-likelihood fit by Newton's method on theta = (w, b), written independently of
    // ctgrad: gradient A^T (mu - y), Hessian A^T diag(mu) A with A = [X 1].
    Eigen::MatrixXd design(n, d + 1);
    design << x, Eigen::VectorXd::Ones(n);
    Eigen::VectorXd theta = Eigen::VectorXd::Zero(d + 1);
    for (int iteration = 0; iteration < 30; ++iteration) {
        const Eigen::VectorXd mean = (design * theta).array().exp().matrix();
        const Eigen::MatrixXd hessian = design.transpose() * mean.asDiagonal() * design;
        theta -= hessian.ldlt().solve(design.transpose() * (mean - y));
    }
    const double best_deviance = deviance(y, (design * theta).array().exp().matrix());
    fmt::print("maximum likelihood: w = ({:.3f}, {:.3f}), b = {:.3f}\n", theta(0), theta(1), theta(2));
    fmt::print("\n  deviance: SGD {:.2f}, maximum likelihood {:.2f}, true model {:.2f}, intercept only (null) {:.2f}\n",
               fitted_deviance, best_deviance, true_deviance, null_deviance);
    fmt::print("  final loss {:.5f} (true model {:.5f})\n\n", loss, eval(L, truth));

    if (!(fitted_deviance <= best_deviance + 1.0)) {
        fmt::print(stderr, "poisson_regression: FAILED: SGD's deviance is more than 1 above the maximum-likelihood fit's\n");
        return 1;
    }
    fmt::print("poisson_regression: final loss {:.5f}, deviance {:.2f} (maximum likelihood {:.2f}, null {:.2f})\n", loss,
               fitted_deviance, best_deviance, null_deviance);
    return 0;
}
