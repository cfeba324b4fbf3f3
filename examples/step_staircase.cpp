// The lecture's hand-built approximation of
//
//     f(x) = 0.2 + 0.4 x^2 + 0.3 x sin(15 x) + 0.1 cos(50 x)   on [0, 1]
//
// by a two-layer net with the step activation I{z > 0}: y(x) = step(x W_1 + b_1^T) W_2. With
// first-layer weight 1 and bias -s_h, neuron h switches on for x > s_h, so the net is
// y(x) = sum_h w_h I{x > s_h}, a staircase. The lecture's parameters are s_1 = 0.35, w_1 = 0.8;
// s_2 = 0.7, w_2 = -0.8; s_3 = 0.7, w_3 = 1.5; s_4 = 0, w_4 = 0.4; s_5 = 0.35, w_5 = -0.4.
// The program evaluates that net with ctgrad, checks it against the staircase computed directly,
// compares it with f, and shows the lecture's conclusion (more neurons, a closer fit) with a
// 20-neuron staircase. Writes step_staircase.svg.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/svg.hpp>

#include <Eigen/Core>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

namespace {

using namespace ctgrad;

double f(double x) { return 0.2 + 0.4 * x * x + 0.3 * x * std::sin(15 * x) + 0.1 * std::cos(50 * x); }

/// The step net with Hidden neurons: y = step(X W_1 + b_1^T) W_2, evaluated by ctgrad.
template <int Hidden>
struct step_net {
    static constexpr matrix<"X", dynamic, 1> X{};
    static constexpr matrix<"W_1", 1, Hidden> W1{};
    static constexpr vector<"b_1", Hidden> b1{};
    static constexpr matrix<"W_2", Hidden, 1> W2{};
    static constexpr auto y = step(X * W1 + transpose(b1)) * W2;

    std::array<double, Hidden> s{};  // thresholds: neuron h is on for x > s_h
    std::array<double, Hidden> w{};  // output weights

    Eigen::VectorXd operator()(const Eigen::VectorXd& x) const {
        const Eigen::Matrix<double, 1, Hidden> w1 = Eigen::Matrix<double, 1, Hidden>::Ones();
        Eigen::Matrix<double, Hidden, 1> v1, w2;
        for (int h = 0; h < Hidden; ++h) {
            v1(h) = -s[std::size_t(h)];  // I{1 * x + b > 0} = I{x > -b}
            w2(h) = w[std::size_t(h)];
        }
        const Eigen::Matrix<double, Eigen::Dynamic, 1> xs = x;
        return eval(y, bind(X = xs, W1 = w1, b1 = v1, W2 = w2));
    }

    /// The same staircase written out by hand: sum_h w_h I{x > s_h}.
    double direct(double x) const {
        double total = 0;
        for (int h = 0; h < Hidden; ++h) total += x > s[std::size_t(h)] ? w[std::size_t(h)] : 0.0;
        return total;
    }
};

std::vector<double> to_vector(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

double mean_abs(const Eigen::VectorXd& a, const Eigen::VectorXd& b) { return (a - b).cwiseAbs().mean(); }

}  // namespace

int main() {
    constexpr int points = 1001;
    const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(points, 0.0, 1.0);
    const Eigen::VectorXd fx = x.unaryExpr([](double t) { return f(t); });

    // --- the lecture's five neurons ------------------------------------------------------------
    step_net<5> lecture;
    lecture.s = {0.35, 0.7, 0.7, 0.0, 0.35};
    lecture.w = {0.8, -0.8, 1.5, 0.4, -0.4};
    const Eigen::VectorXd y5 = lecture(x);

    fmt::print("The lecture's step net: y(x) = sum_h w_h I{{x > s_h}} = step(x W_1 + b_1^T) W_2\n");
    fmt::print("  h   s_h    w_h\n");
    for (std::size_t h = 0; h < 5; ++h) fmt::print("  {}  {:5.2f}  {:5.2f}\n", h + 1, lecture.s[h], lecture.w[h]);

    double disagreement = 0;
    for (Eigen::Index i = 0; i < points; ++i) disagreement = std::max(disagreement, std::abs(y5(i) - lecture.direct(x(i))));
    fmt::print("\nctgrad's value vs the staircase written out by hand, max difference on {} points: {:.1e}\n", points,
               disagreement);
    if (disagreement > 1e-12) {
        fmt::print(stderr, "step_staircase: FAILED: the net does not compute the staircase sum_h w_h I{{x > s_h}}\n");
        return 1;
    }

    struct piece {
        double a, b;
    };
    const piece pieces[] = {{0.0, 0.35}, {0.35, 0.7}, {0.7, 1.0}};
    fmt::print("\nthe staircase's levels and f on each piece:\n");
    fmt::print("  piece          net    f: min   mean    max\n");
    for (const piece& p : pieces) {
        double lo = 1e9, hi = -1e9, sum = 0, level = 0;
        int count = 0;
        for (Eigen::Index i = 0; i < points; ++i) {
            if (x(i) > p.a && x(i) <= p.b) {
                lo = std::min(lo, fx(i));
                hi = std::max(hi, fx(i));
                sum += fx(i);
                level = y5(i);
                ++count;
            }
        }
        fmt::print("  ({:.2f}, {:.2f}]  {:5.2f}    {:6.3f} {:6.3f} {:6.3f}\n", p.a, p.b, level, lo, sum / count, hi);
    }

    // --- more neurons: 20 equal steps at the values of f in the middle of each --------------------
    constexpr int many = 20;
    step_net<many> fine;
    double previous_level = 0;
    for (int h = 0; h < many; ++h) {
        const double level = f((h + 0.5) / many);
        fine.s[std::size_t(h)] = double(h) / many;
        fine.w[std::size_t(h)] = level - previous_level;  // each neuron adds the jump to the next level
        previous_level = level;
    }
    const Eigen::VectorXd y20 = fine(x);

    const double error5 = mean_abs(y5, fx);
    const double error20 = mean_abs(y20, fx);
    const double max5 = (y5 - fx).cwiseAbs().maxCoeff();
    const double max20 = (y20 - fx).cwiseAbs().maxCoeff();
    fmt::print("\n|f - net| on {} points of [0, 1]:          mean     max\n", points);
    fmt::print("  lecture's 5 neurons                     {:.4f}  {:.4f}\n", error5, max5);
    fmt::print("  20 neurons, equal steps at f(midpoint)  {:.4f}  {:.4f}\n", error20, max20);

    // --- the picture ----------------------------------------------------------------------------
    line_plot plot("f(x) and step-activation nets");
    plot.x_label("x").y_label("y");
    plot.add({"f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.1·cos(50x)", to_vector(x), to_vector(fx), "black", 2.0});
    plot.add({"lecture's staircase (5 neurons)", to_vector(x), to_vector(y5), "#d62728", 2.0});
    plot.add({"20 neurons", to_vector(x), to_vector(y20), "#1f77b4", 1.5, true});
    plot.save("step_staircase.svg");
    fmt::print("\nwrote step_staircase.svg\n");

    if (!(error20 < error5)) {
        fmt::print(stderr, "step_staircase: FAILED: 20 neurons should fit f more closely than the lecture's 5\n");
        return 1;
    }
    fmt::print("step_staircase: mean |f - net| on {} points: {:.4f} with the lecture's 5 neurons, {:.4f} with 20\n",
               points, error5, error20);
    return 0;
}
