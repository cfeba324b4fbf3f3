// The lecture's exercise 2: a net of N = 100 layers,
//
//     A_0 = X,   Z_k = A_{k-1} W_k + b_k^T,   A_k = tanh(Z_k),   L = mse(A_N, Y),   W_k 8 x 8,
//
// and dL/dW_1 = dL/dA_N tanh'(Z_N) W_N^T ... tanh'(Z_1) X: every layer multiplies the gradient by
// tanh' <= 1 and by a weight matrix. The program computes ||dL/dW_k|| for all 100 layers, for tanh
// and for the same net with ReLU, checks both against backpropagation written out in plain Eigen,
// and plots them on a log scale (vanishing_gradients.svg). The last line is
// ||dL/dW_1|| / ||dL/dW_100|| for tanh; exit status 1 when it is not below 1e-3 (the gradient
// does not vanish) or a derived gradient is wrong.
//
// How: ctgrad derives, at compile time, the gradients of one block of 10 layers, a formula with
// the 20 variables W_{1}..W_{10}, b_{1}..b_{10} (names made by a constexpr function of the index),
// its input A and the gradient G that arrives at its output: for the loss sum(G (.) block(A)),
// d/dW_k is dL/dW_k and d/dA is what goes down to the block below, by the chain rule. The
// program runs the ten blocks forward, then backward from dL/dA_100, binding each block's
// variables to that block's weights. (The whole 100-layer net as one formula compiles too, but
// takes g++ 12 over ten minutes and 5.5 GB; see docs/tutorial.md.)
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/svg.hpp>

#include <Eigen/Core>
#include <fmt/core.h>

#include <string>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <tuple>
#include <utility>
#include <vector>

namespace {

using namespace ctgrad;

constexpr int depth = 100;
constexpr int width = 8;
constexpr int block = 10;  // layers in the derived formula
constexpr int blocks = depth / block;
static_assert(depth % block == 0);
constexpr Eigen::Index batch = 16;

/// The LaTeX name "W_{k}" (or "b_{k}") as a constant character array, so that a variable's name,
/// which is part of its type, can be computed from its index.
template <char Letter, int K>
struct indexed_name {
    static constexpr int digits = K < 10 ? 1 : K < 100 ? 2 : K < 1000 ? 3 : 4;
    struct text_type {
        char data[digits + 5];  // Letter _ { digits } NUL
    };
    static constexpr text_type text = [] {
        text_type t{};
        t.data[0] = Letter;
        t.data[1] = '_';
        t.data[2] = '{';
        int rest = K;
        for (int i = digits - 1; i >= 0; --i, rest /= 10) t.data[3 + i] = char('0' + rest % 10);
        t.data[3 + digits] = '}';
        return t;
    }();
};

template <int K>
constexpr matrix<indexed_name<'W', K>::text.data, width, width> W{};
template <int K>
constexpr vector<indexed_name<'b', K>::text.data, width> b{};

static_assert(W<7>.name == "W_{7}" && W<10>.name == "W_{10}" && b<100>.name == "b_{100}");

/// A block's input, and dL/d(block output), the gradient handed down from the block above.
constexpr matrix<"A", dynamic, width> A{};
constexpr matrix<"G", dynamic, width> G{};
/// The net's output A_100 and the targets, for the loss on top.
constexpr matrix<"A_{100}", dynamic, width> A_out{};
constexpr matrix<"Y", dynamic, width> Y{};

struct tanh_activation {
    template <class E>
    static constexpr auto apply(const E& z) { return tanh(z); }
};
struct relu_activation {
    template <class E>
    static constexpr auto apply(const E& z) { return relu(z); }
};

/// Layers K..block applied to a: act(... act(a W_K + b_K^T) ...) as one expression.
template <class Activation, int K, class E>
constexpr auto layers(const E& a) {
    if constexpr (K > block) {
        return a;
    } else {
        return layers<Activation, K + 1>(Activation::apply(a * W<K> + transpose(b<K>)));
    }
}

template <class Activation>
constexpr auto block_output = layers<Activation, 1>(A);

/// sum(G (.) block(A)): when G = dL/d(block output), its gradient with respect to anything in the
/// block is the gradient of L (chain rule).
template <class Activation>
constexpr auto block_loss = sum(hadamard(G, block_output<Activation>));

constexpr auto top_loss = mse(A_out, Y);

using weight = Eigen::Matrix<double, width, width>;
using bias = Eigen::Matrix<double, width, 1>;
using batch_matrix = Eigen::Matrix<double, Eigen::Dynamic, width>;

struct net_values {
    std::array<weight, depth> w;
    std::array<bias, depth> v;
};

/// Block `first / block`'s variables bound to its layers' values: W_{k} = w[first + k - 1], ...
template <class... Extra, std::size_t... I>
auto bind_block(const net_values& p, std::size_t first, std::index_sequence<I...>, Extra... extra) {
    return bind((W<int(I) + 1> = p.w[first + I])..., (b<int(I) + 1> = p.v[first + I])..., extra...);
}

/// ||dL/dW_k|| (Frobenius) for k = 1..depth: the blocks forward, dL/dA_100 from the loss, then
/// the blocks backward, each handing dL/d(its input) to the one below.
template <class Activation>
std::array<double, depth> derived_norms(const batch_matrix& x, const batch_matrix& y, const net_values& p) {
    constexpr auto layer_indices = std::make_index_sequence<block>{};
    std::array<batch_matrix, blocks + 1> inputs;
    inputs[0] = x;
    for (std::size_t k = 0; k < blocks; ++k) {
        inputs[k + 1] = eval(block_output<Activation>, bind_block(p, k * block, layer_indices, A = inputs[k]));
    }
    batch_matrix upstream = eval(grad(top_loss, A_out), bind(A_out = inputs[blocks], Y = y));
    const auto derived = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return grads(block_loss<Activation>, W<int(I) + 1>..., A);
    }(layer_indices);

    std::array<double, depth> norms{};
    for (std::size_t k = blocks; k-- > 0;) {
        const auto g = eval(derived, bind_block(p, k * block, layer_indices, A = inputs[k], G = upstream));
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((norms[k * block + I] = std::get<I>(g).norm()), ...);
        }(layer_indices);
        upstream = std::get<block>(g);
    }
    return norms;
}

/// The same gradients by backpropagation written out by hand (independent of ctgrad):
/// dZ_N = 2/(n w) (A_N - Y) (.) act'(Z_N), dW_k = A_{k-1}^T dZ_k, dZ_{k-1} = dZ_k W_k^T (.) act'(Z_{k-1}).
std::array<double, depth> hand_norms(bool use_tanh, const batch_matrix& x, const batch_matrix& y, const net_values& p) {
    std::vector<batch_matrix> a(depth + 1), z(depth + 1);
    a[0] = x;
    for (int k = 1; k <= depth; ++k) {
        z[k] = (a[k - 1] * p.w[k - 1]).rowwise() + p.v[k - 1].transpose();
        a[k] = use_tanh ? batch_matrix(z[k].array().tanh()) : batch_matrix(z[k].cwiseMax(0.0));
    }
    auto derivative = [&](int k) -> batch_matrix {
        return use_tanh ? batch_matrix(1.0 - a[k].array().square()) : batch_matrix((z[k].array() > 0).cast<double>());
    };
    std::array<double, depth> norms{};
    batch_matrix dz = (2.0 / double(y.size()) * (a[depth] - y)).cwiseProduct(derivative(depth));
    for (int k = depth; k >= 1; --k) {
        norms[std::size_t(k - 1)] = (a[k - 1].transpose() * dz).norm();
        if (k > 1) dz = (dz * p.w[k - 1].transpose()).cwiseProduct(derivative(k - 1));
    }
    return norms;
}

/// Weights N(0, gain / width) (Glorot's variance for tanh with gain 1, He's for ReLU with gain 2),
/// biases N(0, 0.1^2): the lecture's net has biases, and they keep the units away from 0.
net_values initial(std::mt19937_64& engine, double gain) {
    auto normal = [&] {
        const double u1 = double(engine() >> 11) * 0x1.0p-53, u2 = double(engine() >> 11) * 0x1.0p-53;
        return std::sqrt(-2 * std::log(1 - u1)) * std::cos(2 * std::numbers::pi * u2);
    };
    net_values p;
    for (int k = 0; k < depth; ++k) {
        for (Eigen::Index i = 0; i < p.w[std::size_t(k)].size(); ++i) p.w[std::size_t(k)](i) = std::sqrt(gain / width) * normal();
        for (Eigen::Index i = 0; i < width; ++i) p.v[std::size_t(k)](i) = 0.1 * normal();
    }
    return p;
}

double worst_relative(const std::array<double, depth>& a, const std::array<double, depth>& b) {
    double worst = 0;
    for (std::size_t k = 0; k < depth; ++k) {
        worst = std::max(worst, std::abs(a[k] - b[k]) / std::max({a[k], b[k], 1e-300}));
    }
    return worst;
}

}  // namespace

int main() {
    std::mt19937_64 engine(3);
    batch_matrix x(batch, width), y(batch, width);
    for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = double(engine() >> 11) * 0x1.0p-52 - 1;
    for (Eigen::Index i = 0; i < y.size(); ++i) y(i) = double(engine() >> 11) * 0x1.0p-52 - 1;
    const net_values tanh_net = initial(engine, 1.0);
    const net_values relu_net = initial(engine, 2.0);

    const auto tanh_norms = derived_norms<tanh_activation>(x, y, tanh_net);
    const auto relu_norms = derived_norms<relu_activation>(x, y, relu_net);
    const double tanh_check = worst_relative(tanh_norms, hand_norms(true, x, y, tanh_net));
    const double relu_check = worst_relative(relu_norms, hand_norms(false, x, y, relu_net));

    fmt::print("A {}-layer net of width {}, A_k = act(A_(k-1) W_k + b_k^T), L = mse(A_{}, Y), batch {}\n", depth, width,
               depth, batch);
    fmt::print("weights N(0, 1/{}) for tanh (Glorot), N(0, 2/{}) for ReLU (He); biases N(0, 0.1^2)\n\n", width, width);
    fmt::print("   k   ||dL/dW_k|| tanh   ||dL/dW_k|| ReLU\n");
    for (int k = 1; k <= depth; ++k) {
        if (k <= 3 || k % 10 == 0 || k == depth - 1) {
            fmt::print(" {:3}   {:16.3e}   {:16.3e}\n", k, tanh_norms[std::size_t(k - 1)], relu_norms[std::size_t(k - 1)]);
        }
    }
    fmt::print("\nderived vs hand-written backpropagation, worst relative difference of the norms: tanh {:.1e}, ReLU {:.1e}\n",
               tanh_check, relu_check);

    std::vector<double> ks(depth), tanh_series(tanh_norms.begin(), tanh_norms.end()),
        relu_series(relu_norms.begin(), relu_norms.end());
    for (int k = 0; k < depth; ++k) ks[std::size_t(k)] = k + 1;
    line_plot plot("‖∂L/∂W_k‖ in a 100-layer net of width 8");
    plot.x_label("layer k (1 = next to the input)").y_label("‖∂L/∂W_k‖ (Frobenius)").log_y().legend(legend_position::bottom_right);
    plot.add({"tanh", ks, tanh_series, "#1f77b4", 2.0});
    // A layer whose units are all off for every row of the batch stops the gradient: below it,
    // dL/dW_k is exactly 0 (left out of the log plot).
    int relu_dead_up_to = 0;
    for (int k = 1; k <= depth; ++k) {
        if (relu_norms[std::size_t(k - 1)] == 0) relu_dead_up_to = k;
    }
    plot.add({relu_dead_up_to > 0 ? fmt::format("ReLU (exactly 0 for k ≤ {})", relu_dead_up_to) : std::string("ReLU"), ks,
              relu_series, "#d62728", 2.0});
    plot.save("vanishing_gradients.svg");
    fmt::print("wrote vanishing_gradients.svg\n");

    const double tanh_ratio = tanh_norms.front() / tanh_norms.back();
    const double relu_ratio = relu_norms.front() / relu_norms.back();
    fmt::print("ReLU: ||dL/dW_1|| / ||dL/dW_100|| = {:.2e}", relu_ratio);
    if (relu_dead_up_to > 0) {
        fmt::print(" (dL/dW_k = 0 exactly for k <= {}: above them a layer has every unit off for the whole batch)",
                   relu_dead_up_to);
    }
    fmt::print("\n");
    if (!(tanh_check < 1e-9 && relu_check < 1e-9)) {
        fmt::print(stderr, "vanishing_gradients: FAILED: derived gradients differ from hand-written backpropagation\n");
        return 1;
    }
    if (!(tanh_ratio < 1e-3)) {
        fmt::print(stderr, "vanishing_gradients: FAILED: the tanh gradient does not vanish (ratio {:.2e})\n", tanh_ratio);
        return 1;
    }
    fmt::print("vanishing_gradients: tanh ||dL/dW_1|| / ||dL/dW_100|| = {:.2e}\n", tanh_ratio);
    return 0;
}
