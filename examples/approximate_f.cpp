// Cybenko's theorem in practice: a two-layer net
//
//     y(x) = tanh(x W_1 + b_1^T) W_2 + b_2,   64 hidden units,
//
// trained by minibatch SGD (ctgrad::train; Adam by default, plain SGD or momentum on request) to
// approximate the lecture's f(x) = 0.2 + 0.4 x^2 + 0.3 x sin(15 x) + 0.1 cos(50 x) on [0, 1].
// The last line is the max |f - net| on 1001 evenly spaced points of [0, 1]; exit status 1 when it
// is above 0.01. Writes approximate_f.svg (f and the fit) and approximate_f_loss.svg (loss per epoch).
//
// Options: --method sgd|momentum|adam, --epochs N, --learning-rate ETA (the schedule's start),
// --seed S, --quiet (no progress line). tests/benchmarks/approximate_f_torch.py trains the same
// net the same way in PyTorch; tests/benchmarks/run_approximate_f_vs_torch.sh times both.
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/svg.hpp>
#include <ctgrad/training.hpp>

#include <Eigen/Core>
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace ctgrad;

double f(double x) { return 0.2 + 0.4 * x * x + 0.3 * x * std::sin(15 * x) + 0.1 * std::cos(50 * x); }

constexpr int H = 64;
constexpr matrix<"X", dynamic, 1> X{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr matrix<"W_1", 1, H> W1{};
constexpr vector<"b_1", H> b1{};
constexpr matrix<"W_2", H, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr auto net = tanh(X * W1 + transpose(b1)) * W2 + transpose(b2);
constexpr auto L = mse(net, Y);

constexpr double target = 0.01;

struct settings {
    ctgrad::method method = method::adam;
    int epochs = 300;
    Eigen::Index batch = 32;
    double learning_rate = 0.01;  // at the first epoch; cosine decay to final_learning_rate
    double final_learning_rate = 1e-5;
    std::uint64_t seed = 1;
    bool quiet = false;
};

settings parse(int argc, char** argv) {
    settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
            return argv[++i];
        };
        if (arg == "--method") {
            const std::string m = value();
            s.method = m == "sgd" ? method::sgd : m == "momentum" ? method::momentum : m == "adam" ? method::adam
                                                                                                 : throw std::invalid_argument("unknown method " + m);
            if (s.method != method::adam && s.learning_rate == 0.01) s.learning_rate = 0.03;
        } else if (arg == "--epochs") {
            s.epochs = std::stoi(value());
        } else if (arg == "--learning-rate") {
            s.learning_rate = std::stod(value());
        } else if (arg == "--seed") {
            s.seed = std::stoull(value());
        } else if (arg == "--quiet") {
            s.quiet = true;
        } else {
            throw std::invalid_argument("unknown option " + std::string(arg));
        }
    }
    return s;
}

const char* name_of(ctgrad::method m) {
    return m == method::sgd ? "plain SGD" : m == method::momentum ? "SGD with momentum 0.9" : "Adam";
}

std::vector<double> to_vector(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

}  // namespace

int main(int argc, char** argv) try {
    const settings s = parse(argc, argv);

    // Training data: 2000 evenly spaced points of [-0.05, 1.05]. The 5% margin keeps the ends of
    // [0, 1] inside the training range, where the fit is pinned from both sides; trained on
    // [0, 1] alone, the largest errors sit at x = 0 and x = 1.
    constexpr Eigen::Index n = 2000;
    Eigen::Matrix<double, Eigen::Dynamic, 1> x(n), y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        x(i) = -0.05 + 1.1 * double(i) / double(n - 1);
        y(i) = f(x(i));
    }

    // Initial parameters: neuron h is a smooth step at c_h = (h + u) / H (one per 1/H of [0, 1])
    // with slope |w| uniform in [5, 60] and a random sign, so the steps start spread over the
    // interval (Cybenko's construction); output weights N(0, 0.1^2).
    std::mt19937_64 engine(s.seed);
    auto uniform = [&] { return double(engine() >> 11) * 0x1.0p-53; };
    Eigen::Matrix<double, 1, H> w1;
    Eigen::Matrix<double, H, 1> v1, w2;
    Eigen::Matrix<double, 1, 1> v2 = Eigen::Matrix<double, 1, 1>::Zero();
    for (int h = 0; h < H; ++h) {
        const double slope = (5 + 55 * uniform()) * (uniform() < 0.5 ? -1 : 1);
        const double centre = (h + uniform()) / H;
        w1(h) = slope;
        v1(h) = -slope * centre;
        const double r = std::sqrt(-2 * std::log(1 - uniform())), angle = 2 * std::numbers::pi * uniform();
        w2(h) = 0.1 * r * std::cos(angle);  // Box-Muller
    }

    const auto schedule = [&](int epoch) {  // cosine decay from learning_rate to final_learning_rate
        const double progress = double(epoch - 1) / s.epochs;
        return s.final_learning_rate +
               0.5 * (s.learning_rate - s.final_learning_rate) * (1 + std::cos(std::numbers::pi * progress));
    };
    fmt::print("Approximating f(x) = 0.2 + 0.4x^2 + 0.3x sin(15x) + 0.1 cos(50x) on [0, 1]\n");
    fmt::print("net: y = tanh(x W_1 + b_1^T) W_2 + b_2 with {} hidden units; L = mse(y, f(x)) on {} points\n", H, n);
    fmt::print("{}, batch {}, {} epochs, learning rate {} -> {} (cosine), seed {}\n", name_of(s.method), s.batch,
               s.epochs, s.learning_rate, s.final_learning_rate, s.seed);

    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    const auto history = train(L, parameters(param(W1, w1), param(b1, v1), param(W2, w2), param(b2, v2)),
                               data(X = x, Y = y),
                               {.epochs = s.epochs,
                                .batch_size = s.batch,
                                .learning_rate_at = schedule,
                                .method = s.method,
                                .seed = s.seed,
                                .progress = !s.quiet});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu_seconds = double(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    const int every = std::max(1, s.epochs / 6);
    for (int e = every; e <= s.epochs; e += every) {
        fmt::print("  epoch {:4}: L = {:.3e}\n", e, history.loss[std::size_t(e - 1)]);
    }

    // The figure that matters: the worst error on 1001 evenly spaced points of [0, 1].
    const Eigen::Matrix<double, Eigen::Dynamic, 1> grid = Eigen::VectorXd::LinSpaced(1001, 0.0, 1.0);
    const Eigen::VectorXd exact = grid.unaryExpr([](double t) { return f(t); });
    const Eigen::VectorXd fitted = eval(net, bind(X = grid, W1 = w1, b1 = v1, W2 = w2, b2 = v2));
    Eigen::Index worst_at = 0;
    const double worst = (fitted - exact).cwiseAbs().maxCoeff(&worst_at);

    line_plot fit("f and the trained two-layer net (64 tanh units)");
    fit.x_label("x").y_label("y").legend(legend_position::top_left);
    fit.add({"f(x)", to_vector(grid), to_vector(exact), "black", 3.0});
    fit.add({"net(x)", to_vector(grid), to_vector(fitted), "#ff7f0e", 1.5, true});
    fit.add({"10 × (net − f)", to_vector(grid), to_vector(10 * (fitted - exact)), "#d62728", 1.0});
    fit.save("approximate_f.svg");

    std::vector<double> epochs(history.loss.size());
    for (std::size_t e = 0; e < epochs.size(); ++e) epochs[e] = double(e + 1);
    line_plot loss("training loss per epoch");
    loss.x_label("epoch").y_label("mse (mean over the epoch's batches)").log_y();
    loss.add({name_of(s.method), epochs, history.loss});
    loss.save("approximate_f_loss.svg");
    fmt::print("wrote approximate_f.svg and approximate_f_loss.svg\n");

    fmt::print("training time: {:.3f} s for {} steps ({:.1f} us per step), {:.3f} s of CPU time\n", seconds,
               history.steps, 1e6 * seconds / double(history.steps), cpu_seconds);
    if (!(worst <= target)) {
        fmt::print(stderr, "approximate_f: FAILED: max |f - net| = {:.4f} at x = {:.3f} is above {}\n", worst,
                   grid(worst_at), target);
        return 1;
    }
    fmt::print("approximate_f: max |f - net| on 1001 points of [0, 1] = {:.4f} (<= {}) at x = {:.3f}\n", worst, target,
               grid(worst_at));
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "approximate_f: {}\n", e.what());
    return 2;
}
