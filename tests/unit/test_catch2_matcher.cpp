// matches_gradient (catch2.hpp): a hand-written gradient checked against ctgrad's in one line,
// and the failure's description naming the worst entry, both values and the tolerance.
#include "support.hpp"

#include <ctgrad/catch2.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

namespace {

using namespace ctgrad;
using Catch::Matchers::Contains;

// One tanh layer with MSE, small enough to differentiate by hand:
// L = 1/n sum((tanh(X W) - Y)^2), dL/dW = X^T (2/n (A - Y) (.) (1 - A^2)), A = tanh(X W).
constexpr matrix<"X", 5, 3> X{};
constexpr matrix<"W", 3, 2> W{};
constexpr matrix<"Y", 5, 2> Y{};
constexpr auto L = mse(tanh(X * W), Y);

struct layer_point {
    Eigen::Matrix<double, 5, 3> x;
    Eigen::Matrix<double, 3, 2> w;
    Eigen::Matrix<double, 5, 2> y;
};

layer_point random_point() {
    ctgrad_test::random_source random(1301);
    return {random.uniform<5, 3>(), random.uniform<3, 2>(), random.uniform<5, 2>()};
}

Eigen::Matrix<double, 3, 2> hand_written_dW(const layer_point& p) {
    const Eigen::Matrix<double, 5, 2> a = (p.x * p.w).array().tanh().matrix();
    const double n = static_cast<double>(a.size());
    const Eigen::Matrix<double, 5, 2> dz = ((2.0 / n) * (a - p.y).array() * (1.0 - a.array().square())).matrix();
    return p.x.transpose() * dz;
}

}  // namespace

TEST_CASE("matches_gradient accepts a correct hand-written gradient", "[eval][catch2]") {
    const layer_point p = random_point();
    const auto in = bind(X = p.x, W = p.w, Y = p.y);
    REQUIRE_THAT(hand_written_dW(p), matches_gradient(L, W, in));
    REQUIRE_THAT(hand_written_dW(p), matches_gradient(L, W, in, 1e-12));
}

TEST_CASE("matches_gradient names the worst entry, both values and the tolerance when it fails",
          "[eval][catch2]") {
    const layer_point p = random_point();
    const auto in = bind(X = p.x, W = p.w, Y = p.y);
    // A typical hand-derivation slip: the factor 2 of the square forgotten, in one column.
    Eigen::Matrix<double, 3, 2> wrong = hand_written_dW(p);
    const Eigen::Matrix<double, 3, 2> right = wrong;  // equal to ctgrad's within 1e-12 (test above)
    wrong(2, 1) *= 0.5;
    wrong(0, 0) *= 1.0 + 1e-9;  // off, but less than (2, 1)
    const auto matcher = matches_gradient(L, W, in, 1e-6);
    REQUIRE_FALSE(matcher.match(wrong));
    const std::string text = matcher.describe();
    const Eigen::Matrix<double, 3, 2> ctgrad_dW = eval(grad(L, W), in);
    std::ostringstream values;
    values.precision(17);
    values << "worst entry (2, 1) is " << wrong(2, 1) << " where ctgrad's is " << ctgrad_dW(2, 1);
    CHECK_THAT(text, Contains("with respect to W"));
    CHECK_THAT(text, Contains(values.str()));
    CHECK_THAT(text, Contains("> tolerance 1e-06"));
    // The error is check_gradient's measure: |a - b| / max(1, |a|, |b|).
    const double error = std::abs(wrong(2, 1) - right(2, 1)) / std::max({1.0, std::abs(wrong(2, 1)), std::abs(right(2, 1))});
    CHECK(error > 1e-6);
}

TEST_CASE("matches_gradient rejects a NaN entry and a gradient of another shape", "[eval][catch2]") {
    const layer_point p = random_point();
    const auto in = bind(X = p.x, W = p.w, Y = p.y);
    Eigen::Matrix<double, 3, 2> with_nan = hand_written_dW(p);
    with_nan(1, 0) = std::numeric_limits<double>::quiet_NaN();
    const auto matcher = matches_gradient(L, W, in, 1e-6);
    REQUIRE_FALSE(matcher.match(with_nan));
    CHECK_THAT(matcher.describe(), Contains("worst entry (1, 0) is nan"));

    const Eigen::Matrix<double, 2, 3> transposed = hand_written_dW(p).transpose();
    REQUIRE_FALSE(matcher.match(transposed));
    CHECK_THAT(matcher.describe(), Contains("it is 2x3 and W is 3x2"));
}
