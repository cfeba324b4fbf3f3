// Logistic regression as one neuron with the logistic sigmoid, as in the lecture:
//
//     p = sigma(X w + b),  sigma(z) = 1 / (1 + e^{-z}),  L = bce(p, Y) = -mean(Y log p + (1 - Y) log(1 - p)),
//
// trained by minibatch SGD (ctgrad::train) with a decaying learning rate on labels drawn from a known
// logistic model. Prints the final loss and the accuracy on the training set and on fresh test
// data, next to the true model and the maximum-likelihood fit (Newton's method in plain Eigen).
// Exit status 1 when SGD's training loss is more than 1e-3 above the maximum-likelihood loss.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/training.hpp>

#include <Eigen/Dense>
#include <fmt/core.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <utility>

namespace {

using namespace ctgrad;

constexpr int d = 2;
constexpr matrix<"X", dynamic, d> X{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr vector<"w", d> w{};
constexpr vector<"b", 1> b{};
constexpr auto p = sigmoid(X * w + transpose(b));
constexpr auto L = bce(p, Y);

struct sample {
    Eigen::Matrix<double, Eigen::Dynamic, d> x;
    Eigen::Matrix<double, Eigen::Dynamic, 1> y;
};

// Features uniform in [-2, 2]^2; label 1 with probability sigma(2 x_1 - 3 x_2 + 0.5).
sample draw(std::mt19937_64& engine, Eigen::Index n) {
    auto uniform01 = [&] { return double(engine() >> 11) * 0x1.0p-53; };
    sample s{decltype(sample::x)(n, d), decltype(sample::y)(n)};
    for (Eigen::Index i = 0; i < n; ++i) {
        s.x(i, 0) = 4 * uniform01() - 2;
        s.x(i, 1) = 4 * uniform01() - 2;
        const double probability = 1 / (1 + std::exp(-(2 * s.x(i, 0) - 3 * s.x(i, 1) + 0.5)));
        s.y(i) = uniform01() < probability ? 1.0 : 0.0;
    }
    return s;
}

// The share of rows where I{p > 1/2} equals the label.
double accuracy(const Eigen::VectorXd& probability, const Eigen::VectorXd& labels) {
    return ((probability.array() > 0.5).cast<double>() == labels.array()).cast<double>().mean();
}

}  // namespace

int main() {
    std::mt19937_64 engine(5);
    const sample training = draw(engine, 2000);
    const sample test = draw(engine, 2000);

    Eigen::Matrix<double, d, 1> wv = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> bv = Eigen::Matrix<double, 1, 1>::Zero();
    fmt::print("Logistic regression: p = sigmoid(X w + b), L = bce(p, Y); {} training rows, {} test rows\n",
               training.x.rows(), test.x.rows());
    const auto history = train(L, parameters(param(w, wv), param(b, bv)), data(X = training.x, Y = training.y),
                               {.epochs = 60,
                                .batch_size = 32,
                                .learning_rate_at = [](int epoch) { return 0.5 / (1 + 0.25 * epoch); },
                                .seed = 1});
    fmt::print("SGD, batch 32, eta = 0.5 / (1 + epoch / 4): loss per epoch");
    for (int e : {1, 2, 5, 10, 20, 40, 60}) fmt::print("  {}: {:.4f}", e, history.loss[std::size_t(e - 1)]);
    fmt::print("\nlearned w = ({:.3f}, {:.3f}), b = {:.3f}   (true: (2, -3), 0.5)\n", wv(0), wv(1), bv(0, 0));

    const Eigen::Matrix<double, d, 1> true_w(2.0, -3.0);
    const Eigen::Matrix<double, 1, 1> true_b = Eigen::Matrix<double, 1, 1>::Constant(0.5);
    auto evaluate = [&](const sample& s, const auto& wm, const auto& bm) {
        const auto in = bind(X = s.x, Y = s.y, w = wm, b = bm);
        const Eigen::VectorXd probability = eval(p, in);
        return std::pair{eval(L, in), accuracy(probability, s.y)};
    };
    const auto [train_loss, train_accuracy] = evaluate(training, wv, bv);
    const auto [test_loss, test_accuracy] = evaluate(test, wv, bv);
    const auto [true_loss, true_accuracy] = evaluate(test, true_w, true_b);

    // The maximum-likelihood fit by Newton's method on theta = (w, b), written independently of
    // ctgrad: gradient A^T (p - y) / n, Hessian A^T diag(p (1 - p)) A / n with A = [X 1].
    const Eigen::Index n = training.x.rows();
    Eigen::MatrixXd design(n, d + 1);
    design << training.x, Eigen::VectorXd::Ones(n);
    Eigen::VectorXd theta = Eigen::VectorXd::Zero(d + 1);
    for (int iteration = 0; iteration < 30; ++iteration) {
        const Eigen::ArrayXd q = 1 / (1 + (-(design * theta)).array().exp());
        const Eigen::MatrixXd hessian = design.transpose() * (q * (1 - q)).matrix().asDiagonal() * design;
        theta -= hessian.ldlt().solve(design.transpose() * (q.matrix() - training.y));
    }
    const Eigen::Matrix<double, d, 1> best_w = theta.head<d>();
    const Eigen::Matrix<double, 1, 1> best_b = Eigen::Matrix<double, 1, 1>::Constant(theta(d));
    const auto [best_loss, best_accuracy] = evaluate(training, best_w, best_b);
    fmt::print("maximum likelihood: w = ({:.3f}, {:.3f}), b = {:.3f}\n", theta(0), theta(1), theta(2));

    fmt::print("\n                        loss   accuracy\n");
    fmt::print("  SGD, training        {:.5f}  {:.4f}\n", train_loss, train_accuracy);
    fmt::print("  max. likelihood      {:.5f}  {:.4f}   (training rows)\n", best_loss, best_accuracy);
    fmt::print("  SGD, test            {:.5f}  {:.4f}\n", test_loss, test_accuracy);
    fmt::print("  true model, test     {:.5f}  {:.4f}\n\n", true_loss, true_accuracy);

    if (!(train_loss <= best_loss + 1e-3)) {
        fmt::print(stderr, "logistic_regression: FAILED: SGD's loss is more than 1e-3 above the maximum-likelihood loss\n");
        return 1;
    }
    fmt::print("logistic_regression: final loss {:.5f} (maximum likelihood {:.5f}), test accuracy {:.4f} (true model {:.4f})\n",
               train_loss, best_loss, test_accuracy, true_accuracy);
    return 0;
}
