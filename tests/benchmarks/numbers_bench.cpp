// What a number in a formula costs at evaluation: a 12-layer chain H_{k+1} = 0.5 tanh(H_k W_k),
// L = mse(H_12, Y), all 12 weight gradients in one eval, against the same chain with the 0.5
// replaced by a 1x1 variable c (bound to 0.5). The two compute the same values; the ratio
// (numbers / variable) is what holding a user's double costs. Target: about 1 (each node once).
//
// "Before" is the tree walk that evaluated every formula holding a number until number leaves
// (include/ctgrad/evaluation/numbers.hpp): it is still the fallback when two nodes of one type
// hold different numbers, and is timed here by calling it directly (detail::evaluate_graph on the
// objects, without the rewriting), so one binary measures before and after.
//
// Not a unit test (timings depend on the machine); run by hand, with a large stack (grads(...)
// derives a formula holding numbers by the tree walk, whose frames pass 8 MiB at 30 layers):
//   (ulimit -s unlimited; build/gcc/tests/benchmarks/numbers_bench)
// It prints the median time of each route over several rounds and the ratios, after checking
// that the routes give the same gradients.
#include <ctgrad/ctgrad.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <utility>
#include <vector>

namespace {

// 12, not 30: the tree-walk route ("before") takes over 16 CPU-minutes to compile at 30 layers.
constexpr int depth = 12;
constexpr int rows = 16, width = 8;
using block = Eigen::Matrix<double, rows, width>;
using square = Eigen::Matrix<double, width, width>;

constexpr ctgrad::matrix<"X", rows, width> X{};
constexpr ctgrad::matrix<"Y", rows, width> Y{};
constexpr ctgrad::matrix<"c", 1, 1> c{};
template <int K>
constexpr ctgrad::matrix<ctgrad::indexed_name<"W", K>, width, width> W{};

template <int K, class H>
constexpr auto with_numbers(H h) {
    if constexpr (K == depth) {
        return h;
    } else {
        return with_numbers<K + 1>(0.5 * tanh(h * W<K>));
    }
}
template <int K, class H>
constexpr auto with_variable(H h) {
    if constexpr (K == depth) {
        return h;
    } else {
        return with_variable<K + 1>(ctgrad::scale(c, tanh(h * W<K>)));
    }
}

template <class F>
double median_seconds(F&& f, int calls) {
    std::vector<double> rounds;
    for (int r = 0; r < 7; ++r) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < calls; ++i) f();
        const auto stop = std::chrono::steady_clock::now();
        rounds.push_back(std::chrono::duration<double>(stop - start).count() / calls);
    }
    std::sort(rounds.begin(), rounds.end());
    return rounds[rounds.size() / 2];
}

}  // namespace

int main() {
    std::srand(30);
    const block x = block::Random(), y = block::Random();
    std::array<square, depth> w;
    for (auto& m : w) m = square::Random();
    const Eigen::Matrix<double, 1, 1> half = Eigen::Matrix<double, 1, 1>::Constant(0.5);

    const auto numbers_loss = mse(with_numbers<0>(X), Y);
    const auto variable_loss = mse(with_variable<0>(X), Y);
    const auto in = [&]<int... K>(std::integer_sequence<int, K...>) {
        return ctgrad::bind(X = x, Y = y, c = half, (W<K> = w[K])...);
    }(std::make_integer_sequence<int, depth>{});
    const auto numbers_grads = [&]<int... K>(std::integer_sequence<int, K...>) {
        return ctgrad::grads(numbers_loss, W<K>...);
    }(std::make_integer_sequence<int, depth>{});
    const auto variable_grads = [&]<int... K>(std::integer_sequence<int, K...>) {
        return ctgrad::grads(variable_loss, W<K>...);
    }(std::make_integer_sequence<int, depth>{});

    const auto tree_walk = [&] {
        return numbers_grads.apply([&](const auto&... g) { return ctgrad::detail::evaluate_graph(in, nullptr, g...); });
    };
    const auto a = ctgrad::eval(numbers_grads, in);
    const auto b = ctgrad::eval(variable_grads, in);
    const auto t = tree_walk();
    double worst = 0;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
        ((worst = std::max({worst, (std::get<K>(a) - std::get<K>(b)).cwiseAbs().maxCoeff(),
                            (std::get<K>(t) - std::get<K>(b)).cwiseAbs().maxCoeff()})),
         ...);
    }(std::make_index_sequence<depth>{});
    if (!(worst < 1e-12)) {
        std::printf("the two routes disagree: largest difference %g\n", worst);
        return 1;
    }

    double sink = 0;
    const double t_numbers = median_seconds([&] { sink += std::get<0>(ctgrad::eval(numbers_grads, in))(0, 0); }, 200);
    const double t_variable = median_seconds([&] { sink += std::get<0>(ctgrad::eval(variable_grads, in))(0, 0); }, 200);
    const double t_walk = median_seconds([&] { sink += std::get<0>(tree_walk())(0, 0); }, 5);
    std::printf("%d-layer chain 0.5 tanh(H W), H %dx%d, all %d weight gradients per eval\n", depth, rows, width, depth);
    std::printf("  numbers, graph (after):      %10.1f us per eval\n", t_numbers * 1e6);
    std::printf("  numbers, tree walk (before): %10.1f us per eval\n", t_walk * 1e6);
    std::printf("  1x1 variable c = 0.5:        %10.1f us per eval\n", t_variable * 1e6);
    std::printf("  ratio numbers / variable: after %.2f, before %.2f\n", t_numbers / t_variable, t_walk / t_variable);
    return sink == 12345.678 ? 2 : 0;  // keeps the results alive
}
