// The headers `ctgrad-gen emit` wrote at build time (generator/tests/cli_tests.cmake), compiled
// and run: their loss and gradients must equal ctgrad's own evaluation of the same formulas.
// Sizes are the generator's defaults for the free dimensions: d = 3, H = 4.
#include <ctgrad/ctgrad.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

#include "board_net.hpp"
#include "classifier.hpp"
#include "f.hpp"  // emit --name f of a formula with a variable f_result: the parameter is renamed
#include "many_ops.hpp"
#include "nets.hpp"
#include "residual.hpp"

namespace {

using namespace ctgrad;

constexpr int d = 3;
constexpr int H = 4;
constexpr Eigen::Index n = 7;

int failures = 0;

template <class A, class B>
void expect_near(const char* what, const A& emitted, const B& library) {
    const Eigen::MatrixXd a = Eigen::MatrixXd(emitted.template cast<double>());
    const Eigen::MatrixXd b = Eigen::MatrixXd(library.template cast<double>());
    double worst = 0;
    if (a.rows() != b.rows() || a.cols() != b.cols()) {
        worst = INFINITY;
    } else {
        for (Eigen::Index i = 0; i < a.size(); ++i) {
            worst = std::max(worst, std::abs(a(i) - b(i)) / std::max({1.0, std::abs(a(i)), std::abs(b(i))}));
        }
    }
    std::printf("%-28s largest relative difference %.3g\n", what, worst);
    if (!(worst <= 1e-12)) ++failures;
}

void expect_near(const char* what, double emitted, double library) {
    expect_near(what, Eigen::Matrix<double, 1, 1>::Constant(emitted), Eigen::Matrix<double, 1, 1>::Constant(library));
}

template <int R, int C>
Eigen::Matrix<double, R, C> random(std::mt19937_64& rng, Eigen::Index rows = R, Eigen::Index cols = C) {
    std::normal_distribution<double> entry(0.0, 1.0);
    Eigen::Matrix<double, R, C> m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = entry(rng);
    return m;
}

}  // namespace

int main() {
    std::mt19937_64 rng(7);
    constexpr matrix<"X", dynamic, d> X{};
    constexpr matrix<"W_1", d, H> W1{};
    constexpr vector<"b_1", H> b1{};

    for (int draw = 0; draw < 3; ++draw) {
        // The board exercise.
        constexpr matrix<"W_2", H, 1> W2{};
        constexpr vector<"b_2", 1> b2{};
        constexpr matrix<"Y", dynamic, 1> Y{};
        constexpr auto L = mse(tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2)), Y);
        const auto x = random<dynamic, d>(rng, n, d);
        const auto w1 = random<d, H>(rng);
        const auto v1 = random<H, 1>(rng);
        const auto w2 = random<H, 1>(rng);
        const auto v2 = random<1, 1>(rng);
        const auto y = random<dynamic, 1>(rng, n, 1);
        const auto in = bind(X = x, W1 = w1, b1 = v1, W2 = w2, b2 = v2, Y = y);
        const auto [gW1, gb1, gW2, gb2] = eval(grads(L, W1, b1, W2, b2), in);
        const board_net_result r = board_net(x, w1, v1, w2, v2(0, 0), y);
        expect_near("board_net: loss", r.loss, eval(L, in));
        expect_near("board_net: dL/dW_1", r.d_W_1, gW1);
        expect_near("board_net: dL/db_1", r.d_b_1, gb1);
        expect_near("board_net: dL/dW_2", r.d_W_2, gW2);
        expect_near("board_net: dL/db_2", r.d_b_2, gb2);
    }

    for (int draw = 0; draw < 3; ++draw) {
        // Most operations at once: every printer of codegen.hpp but named.
        constexpr matrix<"W_2", H, 2> W2{};
        constexpr vector<"b_2", 2> b2{};
        constexpr matrix<"Y", dynamic, 2> Y{};
        constexpr auto L = bce(sigmoid(hadamard(softplus(X * W1 + transpose(b1)), exp(-square(X * W1))) * W2 / 2.0 +
                                       transpose(b2)),
                               Y) +
                           mean(log(1.0 + exp(identity(X * W1)))) + sum(column_sums(relu(X * W1 - 1.0))) / count(X) +
                           0.5 * sum(hadamard(W1, W1));
        const auto x = random<dynamic, d>(rng, n, d);
        const auto w1 = random<d, H>(rng);
        const auto v1 = random<H, 1>(rng);
        const auto w2 = random<H, 2>(rng);
        const auto v2 = random<2, 1>(rng);
        const Eigen::Matrix<double, dynamic, 2> y = (random<dynamic, 2>(rng, n, 2).array() > 0.0).cast<double>();
        const auto in = bind(X = x, W1 = w1, b1 = v1, W2 = w2, b2 = v2, Y = y);
        const auto [gW1, gb1, gW2, gb2] = eval(grads(L, W1, b1, W2, b2), in);
        const many_ops_result r = many_ops(x, w1, v1, w2, v2, y);
        expect_near("many_ops: loss", r.loss, eval(L, in));
        expect_near("many_ops: dL/dW_1", r.d_W_1, gW1);
        expect_near("many_ops: dL/db_1", r.d_b_1, gb1);
        expect_near("many_ops: dL/dW_2", r.d_W_2, gW2);
        expect_near("many_ops: dL/db_2", r.d_b_2, gb2);
    }
    for (int draw = 0; draw < 3; ++draw) {
        // A variable spelled like the result type of `emit --name f`.
        constexpr matrix<"f_{result}", d, 1> W{};
        constexpr matrix<"Y", dynamic, 1> Y{};
        constexpr auto L = mse(X * W, Y);
        const auto x = random<dynamic, d>(rng, n, d);
        const auto w = random<d, 1>(rng);
        const auto y = random<dynamic, 1>(rng, n, 1);
        const auto in = bind(X = x, W = w, Y = y);
        const f_result r = f(x, w, y);
        expect_near("f: loss", r.loss, eval(L, in));
        expect_near("f: dL/df_{result}", r.d_f_result, eval(grad(L, W), in));
    }
    for (int draw = 0; draw < 3; ++draw) {
        // A softmax classifier: cross_entropy on logits, targets one-hot rows.
        constexpr matrix<"W", d, H> W{};
        constexpr vector<"b", H> b{};
        constexpr matrix<"Y", dynamic, H> Y{};
        constexpr auto L = cross_entropy(X * W + transpose(b), Y);
        const auto x = random<dynamic, d>(rng, n, d);
        const auto w = random<d, H>(rng);
        const auto v = random<H, 1>(rng);
        Eigen::Matrix<double, dynamic, H> y = Eigen::Matrix<double, dynamic, H>::Zero(n, H);
        for (Eigen::Index i = 0; i < n; ++i) y(i, (i * 5 + draw) % H) = 1.0;
        const auto in = bind(X = x, W = w, b = v, Y = y);
        const auto [gW, gb] = eval(grads(L, W, b), in);
        const classifier_result r = classifier(x, w, v, y);
        expect_near("classifier: loss", r.loss, eval(L, in));
        expect_near("classifier: dL/dW", r.d_W, gW);
        expect_near("classifier: dL/db", r.d_b, gb);
    }
    for (int draw = 0; draw < 3; ++draw) {
        // The other new operations: gelu, sqrt, row and column means, a column spread, abs,
        // log_softmax, concat_cols, slice_cols, row_sums.
        constexpr matrix<"T", dynamic, H> T{};
        constexpr auto Z = X * W1;
        constexpr auto L = sum(hadamard(T, gelu(Z)) / sqrt(row_means(square(Z)) + 1.0)) +
                           mean(abs(log_softmax(Z - column_means(Z)))) +
                           sum(hadamard(slice_cols<1, 3>(concat_cols(X, tanh(Z))), X + row_sums(X)));
        const auto x = random<dynamic, d>(rng, n, d);
        const auto w1 = random<d, H>(rng);
        const auto t = random<dynamic, H>(rng, n, H);
        const auto in = bind(X = x, W1 = w1, T = t);
        // Inputs in order of first use; X is data, so its gradient is not asked.
        const nets_result r = nets(t, x, w1);
        expect_near("nets: loss", r.loss, eval(L, in));
        expect_near("nets: dL/dW_1", r.d_W_1, eval(grad(L, W1), in));
        expect_near("nets: dL/dT", r.d_T, eval(grad(L, T), in));
    }
    for (int draw = 0; draw < 3; ++draw) {
        // A residual block (issue 16): H_1 = X + tanh(X W_1 + b_1^T) is read by the second
        // layer's product and by the output's sum, so its adjoint sums two contributions. The
        // weights are d x d (V1 .. V3, c1, c2: W1 and b1 above are d x H), named as in the formula.
        constexpr matrix<"W_1", d, d> V1{};
        constexpr vector<"b_1", d> c1{};
        constexpr matrix<"W_2", d, d> V2{};
        constexpr vector<"b_2", d> c2{};
        constexpr matrix<"W_3", d, 1> V3{};
        constexpr matrix<"Y", dynamic, 1> Y{};
        constexpr auto H1 = X + tanh(X * V1 + transpose(c1));
        constexpr auto L = mse((H1 + tanh(H1 * V2 + transpose(c2))) * V3, Y);
        const auto x = random<dynamic, d>(rng, n, d);
        const auto w1 = random<d, d>(rng);
        const auto v1 = random<d, 1>(rng);
        const auto w2 = random<d, d>(rng);
        const auto v2 = random<d, 1>(rng);
        const auto w3 = random<d, 1>(rng);
        const auto y = random<dynamic, 1>(rng, n, 1);
        const auto in = bind(X = x, V1 = w1, c1 = v1, V2 = w2, c2 = v2, V3 = w3, Y = y);
        const auto [gW1, gb1, gW2, gb2, gW3] = eval(grads(L, V1, c1, V2, c2, V3), in);
        const residual_result r = residual(x, w1, v1, w2, v2, w3, y);
        expect_near("residual: loss", r.loss, eval(L, in));
        expect_near("residual: dL/dW_1", r.d_W_1, gW1);
        expect_near("residual: dL/db_1", r.d_b_1, gb1);
        expect_near("residual: dL/dW_2", r.d_W_2, gW2);
        expect_near("residual: dL/db_2", r.d_b_2, gb2);
        expect_near("residual: dL/dW_3", r.d_W_3, gW3);
    }
    std::printf("%s\n", failures == 0 ? "the emitted headers agree with ctgrad" : "MISMATCH");
    return failures == 0 ? 0 : 1;
}
