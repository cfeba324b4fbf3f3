// Numbers at the edges: NaN and infinite inputs flow through eval and its gradients without a
// crash, log and the logistic loss stay finite at large inputs, and check_gradient's figure is
// relative to the gradient's scale (1e8 and 1e-8) and NaN for a NaN gradient.
#include "support.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

using namespace ctgrad;

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan_value = std::numeric_limits<double>::quiet_NaN();

constexpr matrix<"X", 3, 2> X{};
constexpr matrix<"W", 2, 2> W{};
constexpr matrix<"Y", 3, 2> Y{};

}  // namespace

TEST_CASE("eval passes a NaN input on as NaN in values and gradients", "[eval][edges]") {
    ctgrad_test::random_source random(1351);
    Eigen::Matrix<double, 3, 2> x = random.uniform<3, 2>();
    const Eigen::Matrix<double, 2, 2> w = random.uniform<2, 2>();
    const Eigen::Matrix<double, 3, 2> y = random.uniform<3, 2>();
    x(1, 0) = nan_value;
    const auto in = bind(X = x, W = w, Y = y);
    constexpr auto L = mse(tanh(X * W), Y);

    CHECK(std::isnan(eval(L, in)));
    const Eigen::Matrix<double, 3, 2> forward = eval(tanh(X * W), in);
    CHECK(forward.row(1).array().isNaN().all());  // only the row the NaN reaches
    CHECK(forward.row(0).allFinite());
    CHECK(forward.row(2).allFinite());
    // dL/dW = X^T dZ: every entry sums over the rows, so the NaN reaches all of them.
    const Eigen::Matrix<double, 2, 2> dW = eval(grad(L, W), in);
    CHECK(dW.array().isNaN().all());
}

TEST_CASE("eval gives the IEEE results for infinite inputs", "[eval][edges]") {
    Eigen::Matrix<double, 3, 2> x;
    x << inf, -inf, 1.0, 2.0, -inf, 0.0;
    const auto in = bind(X = x);

    const Eigen::Matrix<double, 3, 2> t = eval(tanh(X), in);
    CHECK(t(0, 0) == 1.0);
    CHECK(t(0, 1) == -1.0);
    const Eigen::Matrix<double, 3, 2> e = eval(exp(X), in);
    CHECK(e(0, 0) == inf);
    // Eigen's vectorised exp clamps its argument near -709, so exp(-inf) is a subnormal
    // (about 1e-308), not the exact 0: finite, non-negative and below any meaningful value.
    CHECK(e(0, 1) >= 0.0);
    CHECK(e(0, 1) < 1e-300);
    const Eigen::Matrix<double, 3, 2> s = eval(sigmoid(X), in);
    CHECK(s(0, 0) == 1.0);
    CHECK(s(0, 1) == 0.0);
    const Eigen::Matrix<double, 3, 2> r = eval(relu(X), in);
    CHECK(r(0, 0) == inf);
    CHECK(r(0, 1) == 0.0);
    const Eigen::Matrix<double, 3, 2> sp = eval(softplus(X), in);
    CHECK(sp(0, 0) == inf);
    CHECK(sp(0, 1) == 0.0);
    // +inf and -inf in one sum: NaN, not a crash and not a finite number.
    CHECK(std::isnan(eval(sum(X), in)));
    // The gradient of sum(tanh(X)) is 1 - tanh^2: 0 at +-inf, exactly.
    const Eigen::Matrix<double, 3, 2> dX = eval(grad(sum(tanh(X)), X), in);
    CHECK(dX(0, 0) == 0.0);
    CHECK(dX(0, 1) == 0.0);
    CHECK(dX(2, 1) == 1.0);
}

TEST_CASE("log and softplus stay finite at large and tiny inputs, with exact gradients", "[ops][edges]") {
    constexpr matrix<"z", 4, 1> z{};
    Eigen::Matrix<double, 4, 1> big;
    big << 1e300, 1e-300, 1000.0, 1e-5;
    const auto in = bind(z = big);
    const Eigen::Matrix<double, 4, 1> logs = eval(log(z), in);
    for (int i = 0; i < 4; ++i) CHECK(logs(i) == std::log(big(i)));
    const Eigen::Matrix<double, 4, 1> dlog = eval(grad(sum(log(z)), z), in);
    for (int i = 0; i < 4; ++i) CHECK(dlog(i) == 1.0 / big(i));

    // softplus(z) = log(1 + e^z) is the logistic loss of a logit: at +-1000 it is 1000 and
    // e^-1000 (0 in double), its gradient sigma(z) is 1 and 0, where log(1 + exp(z)) overflows.
    Eigen::Matrix<double, 4, 1> logits;
    logits << 1000.0, -1000.0, 0.0, 30.0;
    const auto at = bind(z = logits);
    const Eigen::Matrix<double, 4, 1> sp = eval(softplus(z), at);
    CHECK(sp(0) == 1000.0);
    CHECK(sp(1) == 0.0);
    CHECK(sp(2) == std::log(2.0));
    CHECK(sp(3) == Approx(30.0 + std::exp(-30.0)).epsilon(1e-15));
    const Eigen::Matrix<double, 4, 1> dsp = eval(grad(sum(softplus(z)), z), at);
    CHECK(dsp(0) == 1.0);
    CHECK(dsp(1) == 0.0);
    CHECK(dsp(2) == 0.5);
}

TEST_CASE("the logistic loss written on logits is exact at +-1000, loss and gradient", "[ops][edges]") {
    // mean(softplus(z) - y z) is bce(sigmoid(z), y) without forming sigmoid(z): per entry 0, 0,
    // 1000 and 1000 (a wrong label costs its logit), gradient (sigmoid(z) - y) / 4.
    // bce(sigmoid(Z), Y) builds the same loss (the next test).
    constexpr matrix<"Z", 4, 1> Z{};
    constexpr matrix<"Y", 4, 1> Yl{};
    constexpr auto L = mean(softplus(Z) - hadamard(Yl, Z));
    Eigen::Matrix<double, 4, 1> z, y;
    z << 1000.0, -1000.0, 1000.0, -1000.0;
    y << 1.0, 0.0, 0.0, 1.0;
    const auto in = bind(Z = z, Yl = y);
    CHECK(eval(L, in) == 500.0);
    const Eigen::Matrix<double, 4, 1> dZ = eval(grad(L, Z), in);
    CHECK(dZ(0) == Approx(0.0).margin(1e-300));
    CHECK(dZ(1) == Approx(0.0).margin(1e-300));
    CHECK(dZ(2) == 0.25);
    CHECK(dZ(3) == Approx(-0.25).epsilon(1e-15));
}

TEST_CASE("bce(sigmoid(Z), Y) is exact at logits of +-1000, +-30 and 0, loss and gradients", "[ops][edges]") {
    // sigmoid(1000) is 1 in double, so bce of the probability would be log(1 - 1) = -inf and its
    // chain rule 0/0. bce of a sigmoid is computed on the logits instead (bce_logits_op): per
    // entry max(z, 0) + log1p(e^-|z|) - y z, gradient (sigmoid(z) - y) / n, here to the last bit.
    constexpr matrix<"Z", 8, 1> Z{};
    constexpr matrix<"Y", 8, 1> Yl{};
    constexpr matrix<"X", 8, 2> Xl{};
    constexpr matrix<"W", 2, 1> Wl{};
    Eigen::Matrix<double, 8, 1> z, y;
    z << 1000.0, -1000.0, 1000.0, -1000.0, 30.0, -30.0, 0.0, 0.0;
    y << 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0;
    // The exact values, each term in the form that loses nothing.
    double total = 0.0;
    Eigen::Matrix<double, 8, 1> expected_dz;
    for (int i = 0; i < 8; ++i) {
        total += std::max(z(i), 0.0) + std::log1p(std::exp(-std::abs(z(i)))) - y(i) * z(i);
        const double sigma = z(i) >= 0 ? 1.0 / (1.0 + std::exp(-z(i))) : std::exp(z(i)) / (1.0 + std::exp(z(i)));
        expected_dz(i) = (sigma - y(i)) / 8.0;
    }
    const double expected = total / 8.0;
    CHECK(expected == Approx((1000.0 + 1000.0 + 30.0 + 30.0 + 2.0 * std::log1p(std::exp(-30.0)) + 2.0 * std::log(2.0)) / 8.0)
                          .epsilon(1e-15));

    constexpr auto L = bce(sigmoid(Z), Yl);
    const auto in = bind(Z = z, Yl = y);
    const double loss = eval(L, in);
    CHECK(std::isfinite(loss));
    CHECK(loss == Approx(expected).epsilon(1e-15));
    const Eigen::Matrix<double, 8, 1> dZ = eval(grad(L, Z), in);
    for (int i = 0; i < 8; ++i) {
        CAPTURE(i);
        CHECK(std::isfinite(dZ(i)));
        CHECK(dZ(i) == Approx(expected_dz(i)).epsilon(1e-15).margin(1e-300));
    }
    // dL/dY = -Z / n: finite too, where the probabilities' form is log(1 - p) - log p = inf - inf.
    const Eigen::Matrix<double, 8, 1> dY = eval(grad(L, Yl), in);
    for (int i = 0; i < 8; ++i) CHECK(dY(i) == -z(i) / 8.0);

    // Upstream through Z = X W (X = [z 1], W = [1 0]^T gives the same logits): dL/dW = X^T dL/dZ.
    constexpr auto LW = bce(sigmoid(Xl * Wl), Yl);
    Eigen::Matrix<double, 8, 2> x;
    x.col(0) = z;
    x.col(1).setOnes();
    Eigen::Matrix<double, 2, 1> w;
    w << 1.0, 0.0;
    const auto upstream = bind(Xl = x, Wl = w, Yl = y);
    CHECK(eval(LW, upstream) == Approx(expected).epsilon(1e-15));
    const Eigen::Matrix<double, 2, 1> dW = eval(grad(LW, Wl), upstream);
    const Eigen::Matrix<double, 2, 1> expected_dw = x.transpose() * expected_dz;
    CHECK(std::isfinite(dW(0)));
    CHECK(std::isfinite(dW(1)));
    CHECK(dW(0) == Approx(expected_dw(0)).epsilon(1e-14));
    CHECK(dW(1) == Approx(expected_dw(1)).epsilon(1e-14));
}

TEST_CASE("check_gradient's figure is relative to the gradient's scale, at 1e8 and at 1e-8", "[eval][edges]") {
    Eigen::Matrix<double, 2, 2> w;
    w << 0.5, -0.7, 0.0, 0.3;  // (1, 0) sits on relu's kink
    const auto in = bind(W = w);
    for (const double c : {1e8, 1.0, 1e-8}) {
        CAPTURE(c);
        // A correct gradient of size ~c: 2 c W, compared relatively whatever c is.
        CHECK(check_gradient(c * sum(square(W)), W, in) < ctgrad_test::check_gradient_tolerance);
        // relu at its kink: ctgrad's one-sided derivative (step(0) = 0) against the central
        // difference (c / 2): a mistake of half the gradient's scale, reported as 0.5 at every
        // scale (a measure absolute below 1 would call it 5e-9 at c = 1e-8).
        CHECK(check_gradient(c * sum(relu(W)), W, in) == Approx(0.5).epsilon(1e-6));
    }
}

TEST_CASE("check_gradient reports NaN for a NaN gradient, not 0", "[eval][edges]") {
    Eigen::Matrix<double, 2, 2> w;
    w << 0.5, nan_value, 0.1, 0.3;
    CHECK(std::isnan(check_gradient(sum(square(W)), W, bind(W = w))));
}
