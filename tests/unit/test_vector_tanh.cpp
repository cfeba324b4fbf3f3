// tanh in vector registers (detail/vector_tanh.hpp): its packet path, its one-entry path and a
// net's tanh against the exact value (long double), in units in the last place, and the
// values IEEE and std::tanh give to signed zeros, infinities and NaN. Built twice: in
// ctgrad_tests with the compiler's default vectors, and in ctgrad_native_tests for this machine.
#include "support.hpp"

#include <ctgrad/detail/vector_tanh.hpp>

#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace {

/// |got - exact| in units in the last place of the double nearest exact.
double ulps_from(double got, long double exact) {
    const double nearest = static_cast<double>(exact);
    if (std::isnan(got) || std::isnan(nearest)) return std::isnan(got) && std::isnan(nearest) ? 0.0 : INFINITY;
    const double magnitude = std::fabs(nearest);
    double unit = std::nextafter(magnitude, INFINITY) - magnitude;
    if (magnitude == 1.0) unit = 1.0 - std::nextafter(1.0, 0.0);  // tanh stays at or below 1
    if (unit == 0.0) unit = DBL_TRUE_MIN;
    return static_cast<double>(std::fabs(static_cast<long double>(got) - exact) / unit);
}

/// Samples from every range the kernel treats apart: no reduction (|x| < 0.17), reduced,
/// saturated (|x| > 22), subnormal, and the boundaries themselves.
Eigen::ArrayXd tanh_samples() {
    std::mt19937_64 rng(1207);
    std::vector<double> xs = {0.1732867951399863, 0.17328679513998635, 19.06, 21.999999999999996, 22.0, 22.000000000000004,
                              1e-300, DBL_TRUE_MIN, DBL_MIN, 0.5, 1.0, 2.0, 710.0, 1e308};
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    for (int i = 0; i < 50000; ++i) {
        xs.push_back(unit(rng));
        xs.push_back(25.0 * unit(rng));
        xs.push_back(0.2 * unit(rng));
        xs.push_back(std::ldexp(unit(rng), -std::uniform_int_distribution<int>(0, 1074)(rng)));
    }
    const auto n = static_cast<Eigen::Index>(xs.size());
    Eigen::ArrayXd out(2 * n);
    for (Eigen::Index i = 0; i < n; ++i) {
        out(i) = xs[static_cast<std::size_t>(i)];
        out(n + i) = -xs[static_cast<std::size_t>(i)];
    }
    return out;
}

}  // namespace

TEST_CASE("vectorised tanh is within 3 units in the last place of the exact value", "[eval][tanh]") {
    const Eigen::ArrayXd x = tanh_samples();
    const Eigen::ArrayXd packets = x.unaryExpr(ctgrad::detail::tanh_entries{});
    double worst_packet = 0.0, worst_one = 0.0;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
        const long double exact = tanhl(static_cast<long double>(x(i)));
        worst_packet = std::max(worst_packet, ulps_from(packets(i), exact));
        worst_one = std::max(worst_one, ulps_from(ctgrad::detail::tanh_of(x(i)), exact));
    }
    INFO("packet path: " << worst_packet << " ulp, one entry: " << worst_one << " ulp");
    CHECK(worst_packet <= 3.0);
    CHECK(worst_one <= 3.0);
}

TEST_CASE("vectorised tanh keeps zeros' signs, saturates at infinities and passes NaN on", "[eval][tanh]") {
    const double inf = std::numeric_limits<double>::infinity();
    Eigen::Array<double, 16, 1> x;
    x << 0.0, -0.0, inf, -inf, std::numeric_limits<double>::quiet_NaN(), 40.0, -40.0, DBL_TRUE_MIN, -DBL_TRUE_MIN, 1e-20, -1e-20, 0.0, 0.0,
        0.0, 0.0, 0.0;
    const Eigen::Array<double, 16, 1> y = x.unaryExpr(ctgrad::detail::tanh_entries{});
    for (Eigen::Index i = 0; i < x.size(); ++i) {
        INFO("tanh(" << x(i) << ")");
        for (const double got : {y(i), ctgrad::detail::tanh_of(x(i))}) {
            const double expected = std::tanh(x(i));
            if (std::isnan(expected)) {
                CHECK(std::isnan(got));
            } else {
                CHECK(got == expected);
                CHECK(std::signbit(got) == std::signbit(expected));
            }
        }
    }
}

TEST_CASE("a net's tanh evaluates to std::tanh's values within 3 units in the last place", "[eval][tanh]") {
    using namespace ctgrad;
    constexpr matrix<"X", dynamic, 5> X{};
    constexpr matrix<"W", 5, 7> W{};
    constexpr vector<"b", 7> b{};
    ctgrad_test::random_source rnd(1208);
    for (const Eigen::Index n : {1, 3, 64}) {
        const Eigen::Matrix<double, Eigen::Dynamic, 5> x = 3.0 * rnd.uniform<Eigen::Dynamic, 5>(n, 5);
        const Eigen::Matrix<double, 5, 7> w = rnd.uniform<5, 7>();
        const Eigen::Matrix<double, 7, 1> bias = rnd.uniform<7, 1>();
        const auto in = bind(X = x, W = w, b = bias);
        // ctgrad's own X W + b^T: the product's rounding is not what is tested here.
        const Eigen::MatrixXd z = eval(X * W + transpose(b), in);
        REQUIRE((z - ((x * w).rowwise() + bias.transpose())).cwiseAbs().maxCoeff() < 1e-12);
        const Eigen::MatrixXd got = eval(tanh(X * W + transpose(b)), in);
        REQUIRE(got.rows() == n);
        double worst = 0.0;
        for (Eigen::Index i = 0; i < z.size(); ++i) {
            worst = std::max(worst, ulps_from(got(i), tanhl(static_cast<long double>(z(i)))));
        }
        INFO(n << " rows: " << worst << " ulp");
        CHECK(worst <= 3.0);
    }
}
