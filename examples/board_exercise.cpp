// The lecture's board exercise: the SGD update rules of a two-layer net,
//
//     yhat = tanh(ReLU(X W_1 + b_1^T) W_2 + b_2^T),   L = mse(yhat, Y),
//
// derived by ctgrad at compile time. The program prints the loss and the four gradients on a
// small batch, checks each gradient against central finite differences (exit status 1 when one
// disagrees), then runs a few SGD steps W_i := W_i - eta dL/dW_i, b_i := b_i - eta dL/db_i with
// the derived gradients and checks that the loss goes down. It starts with the derivation itself,
// step by step as on the board (derivation(L, W1, b1, W2, b2).text()), and writes it as LaTeX and
// Markdown to board_exercise_derivation.tex and .md.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/derivation_steps.hpp>

#include <Eigen/Core>
#include <fmt/core.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>

namespace {

using namespace ctgrad;

// Sizes: a batch of n = 8 objects with d = 3 features, H = 4 hidden units.
constexpr int d = 3;
constexpr int H = 4;
constexpr Eigen::Index n = 8;

constexpr matrix<"X", dynamic, d> X{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr matrix<"W_1", d, H> W1{};
constexpr vector<"b_1", H> b1{};
constexpr matrix<"W_2", H, 1> W2{};
constexpr vector<"b_2", 1> b2{};

constexpr auto yhat = tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2));
constexpr auto L = mse(yhat, Y);

// A gradient's derived value may differ from finite differences by rounding only; 1e-6 is far
// above that (~1e-10 here) and far below any wrong rule (errors of order 1).
constexpr double finite_difference_tolerance = 1e-6;
constexpr double learning_rate = 0.5;
constexpr int sgd_steps = 10;

std::string format_matrix(const Eigen::MatrixXd& m, const std::string& indent) {
    std::string out;
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        out += indent + "[";
        for (Eigen::Index j = 0; j < m.cols(); ++j) out += fmt::format(" {:10.6f}", m(i, j));
        out += " ]\n";
    }
    return out;
}

void print_matrix(const std::string& title, const Eigen::MatrixXd& m) {
    fmt::print("{} ({} x {}):\n{}", title, m.rows(), m.cols(), format_matrix(m, "  "));
}

}  // namespace

int main() {
    // Seeded data: X uniform in [-1, 1], the target a smooth function of X inside (-1, 1).
    std::mt19937_64 engine(2024);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    auto random_matrix = [&](Eigen::Index rows, Eigen::Index cols) {
        Eigen::MatrixXd m(rows, cols);
        for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = uniform(engine);
        return m;
    };
    const Eigen::Matrix<double, Eigen::Dynamic, d> x = random_matrix(n, d);
    Eigen::Matrix<double, Eigen::Dynamic, 1> y(n);
    for (Eigen::Index i = 0; i < n; ++i) y(i) = 0.8 * std::sin(x(i, 0) + 0.5 * x(i, 1) - x(i, 2));

    Eigen::Matrix<double, d, H> w1 = random_matrix(d, H);
    Eigen::Matrix<double, H, 1> v1 = 0.1 * random_matrix(H, 1);
    Eigen::Matrix<double, H, 1> w2 = random_matrix(H, 1);
    Eigen::Matrix<double, 1, 1> v2 = Eigen::Matrix<double, 1, 1>::Zero();

    fmt::print("The board net: yhat = tanh(ReLU(X W_1 + b_1^T) W_2 + b_2^T), L = mse(yhat, Y)\n");
    fmt::print("batch n = {}, d = {}, H = {}\n\n", n, d, H);

    // The derivation ctgrad made at compile time, as the lecture writes it on the board; also
    // saved as LaTeX and as Markdown (the gallery in docs/ shows the latter).
    const auto steps = derivation(L, W1, b1, W2, b2);
    fmt::print("{}\n", steps.text());
    std::ofstream("board_exercise_derivation.tex") << steps.latex();
    std::ofstream("board_exercise_derivation.md") << steps.markdown();

    // --- the loss and its four gradients at the starting point ------------------------------
    auto in = bind(X = x, W1 = w1, b1 = v1, W2 = w2, b2 = v2, Y = y);
    const double loss0 = eval(L, in);
    fmt::print("L = {:.10f}\n", loss0);
    {
        const auto [gW1, gb1, gW2, gb2] = eval(grads(L, W1, b1, W2, b2), in);
        print_matrix("dL/dW_1", gW1);
        print_matrix("dL/db_1", gb1);
        print_matrix("dL/dW_2", gW2);
        fmt::print("dL/db_2 = {:.6f}\n\n", gb2);
    }

    // --- the derived gradients against central finite differences ---------------------------
    const double errors[] = {check_gradient(L, W1, in), check_gradient(L, b1, in), check_gradient(L, W2, in),
                             check_gradient(L, b2, in)};
    const char* names[] = {"W_1", "b_1", "W_2", "b_2"};
    double worst = 0;
    fmt::print("finite-difference check, worst |g - fd| / max(1, |g|, |fd|) per parameter:\n");
    for (int k = 0; k < 4; ++k) {
        fmt::print("  dL/d{}: {:.2e}\n", names[k], errors[k]);
        worst = std::max(worst, errors[k]);
    }
    if (!(worst <= finite_difference_tolerance)) {
        fmt::print(stderr, "board_exercise: FAILED: a derived gradient differs from finite differences by {:.2e} > {:.0e}\n",
                   worst, finite_difference_tolerance);
        return 1;
    }

    // --- SGD steps with the derived update rules ---------------------------------------------
    fmt::print("\nSGD on this batch, eta = {}: W_i := W_i - eta dL/dW_i, b_i := b_i - eta dL/db_i\n", learning_rate);
    fmt::print("  step  0: L = {:.10f}\n", loss0);
    double previous = loss0;
    bool decreasing = true;
    for (int step = 1; step <= sgd_steps; ++step) {
        const auto [gW1, gb1, gW2, gb2] = eval(grads(L, W1, b1, W2, b2), in);
        w1 -= learning_rate * gW1;
        v1 -= learning_rate * gb1;
        w2 -= learning_rate * gW2;
        v2(0, 0) -= learning_rate * gb2;
        const double loss = eval(L, in);  // `in` holds w1, v1, w2, v2 by reference: it sees the update
        fmt::print("  step {:2}: L = {:.10f}\n", step, loss);
        decreasing = decreasing && loss < previous;
        previous = loss;
    }
    if (!decreasing) {
        fmt::print(stderr, "board_exercise: FAILED: the loss did not decrease at every SGD step\n");
        return 1;
    }

    fmt::print("board_exercise: gradients agree with finite differences (worst {:.1e} <= {:.0e}); "
               "L {:.4f} -> {:.4f} in {} SGD steps\n",
               worst, finite_difference_tolerance, loss0, previous, sgd_steps);
    return 0;
}
