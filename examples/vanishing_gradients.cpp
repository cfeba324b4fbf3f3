// The lecture's exercise 2: a net of N = 100 layers,
//
//     A_0 = X,   Z_k = A_{k-1} W_k + b_k^T,   A_k = tanh(Z_k),   L = mse(A_N, Y),   W_k 8 x 8,
//
// and dL/dW_1 = dL/dA_N tanh'(Z_N) W_N^T ... tanh'(Z_1) X: every layer multiplies the gradient by
// tanh' <= 1 and by a weight matrix. The program computes ||dL/dW_k|| for all 100 layers, for tanh
// and for the same net with ReLU, checks the loss and every gradient against backpropagation
// written out in plain Eigen, and plots the norms on a log scale (vanishing_gradients.svg). The
// last line is ||dL/dW_1|| / ||dL/dW_100|| for tanh; exit status 1 when it is not below 1e-3 (the
// gradient does not vanish) or a derived gradient is wrong.
//
// How (vanishing_gradients/net.hpp): each net is one formula of 100 layers in the 200 variables
// W_1 .. W_{100}, b_1 .. b_{100}, named by ctgrad::indexed_name and chained by a fold over an
// index_sequence; eval_with_loss(grads(L, W_1, ..., W_{100}), in) returns the loss and the 100
// gradients from one forward and one backward pass.
//
// Compile time (2 cores): each net takes g++ 12 about 85 s of CPU and 1.8 GB (-O3). Each has its
// own file (vanishing_gradients/tanh_net.cpp, relu_net.cpp): they compile in parallel, and editing
// this file recompiles neither. clang++ 19 is far slower on formulas this deep (14 s for 10
// layers, more than 110 s for 25), so CMake builds this example with g++ only unless
// -DCTGRAD_CLANG_DEEP_EXAMPLE=ON.
//
// The biases are what makes the gradient vanish. Without them the units' values shrink towards 0
// along with the gradient, and dL/dW_k = A_{k-1}^T dL/dZ_k stays about the same at every layer
// (||dL/dW_1|| / ||dL/dW_100|| came out 0.54), while the ReLU net was 0 at every layer.
#include "vanishing_gradients/net.hpp"

#include <ctgrad/svg.hpp>

#include <Eigen/Core>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace vanishing_gradients;
using ctgrad::legend_position;
using ctgrad::line_plot;

constexpr Eigen::Index batch = 16;

/// The same by backpropagation written out by hand (independent of ctgrad):
/// dZ_N = 2/(n w) (A_N - Y) (.) act'(Z_N), dW_k = A_{k-1}^T dZ_k, dZ_{k-1} = dZ_k W_k^T (.) act'(Z_{k-1}).
net_gradients by_hand(bool use_tanh, const batch_matrix& x, const batch_matrix& y, const net_values& p) {
    std::vector<batch_matrix> a(depth + 1), z(depth + 1);
    a[0] = x;
    for (std::size_t k = 1; k <= depth; ++k) {
        z[k] = (a[k - 1] * p.w[k - 1]).rowwise() + p.b[k - 1];
        a[k] = use_tanh ? batch_matrix(z[k].array().tanh()) : batch_matrix(z[k].cwiseMax(0.0));
    }
    auto derivative = [&](std::size_t k) -> batch_matrix {
        return use_tanh ? batch_matrix(1.0 - a[k].array().square()) : batch_matrix((z[k].array() > 0).cast<double>());
    };
    net_gradients out;
    out.loss = (a[depth] - y).squaredNorm() / double(y.size());
    batch_matrix dz = (2.0 / double(y.size()) * (a[depth] - y)).cwiseProduct(derivative(depth));
    for (std::size_t k = depth; k >= 1; --k) {
        out.dw[k - 1] = a[k - 1].transpose() * dz;
        if (k > 1) dz = (dz * p.w[k - 1].transpose()).cwiseProduct(derivative(k - 1));
    }
    return out;
}

/// The worst of |derived - hand| / |hand| over the loss and the 100 gradients (Frobenius norms).
double worst_relative(const net_gradients& d, const net_gradients& h) {
    double worst = std::abs(d.loss - h.loss) / std::max(std::abs(h.loss), 1e-300);
    for (std::size_t k = 0; k < depth; ++k) {
        worst = std::max(worst, (d.dw[k] - h.dw[k]).norm() / std::max(h.dw[k].norm(), 1e-300));
    }
    return worst;
}

std::array<double, depth> norms(const net_gradients& g) {
    std::array<double, depth> out{};
    for (std::size_t k = 0; k < depth; ++k) out[k] = g.dw[k].norm();
    return out;
}

/// Weights N(0, gain / width) (Glorot's variance for tanh with gain 1, He's for ReLU with gain 2),
/// biases N(0, 0.1^2): the lecture's net has biases, and they keep the units away from 0.
net_values initial(std::mt19937_64& engine, double gain) {
    auto normal = [&] {
        const double u1 = double(engine() >> 11) * 0x1.0p-53, u2 = double(engine() >> 11) * 0x1.0p-53;
        return std::sqrt(-2 * std::log(1 - u1)) * std::cos(2 * std::numbers::pi * u2);
    };
    net_values p;
    for (std::size_t k = 0; k < depth; ++k) {
        for (Eigen::Index i = 0; i < p.w[k].size(); ++i) p.w[k](i) = std::sqrt(gain / width) * normal();
        for (Eigen::Index i = 0; i < width; ++i) p.b[k](i) = 0.1 * normal();
    }
    return p;
}

}  // namespace

int main() {
    std::mt19937_64 engine(3);
    batch_matrix x(batch, width), y(batch, width);
    for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = double(engine() >> 11) * 0x1.0p-52 - 1;
    for (Eigen::Index i = 0; i < y.size(); ++i) y(i) = double(engine() >> 11) * 0x1.0p-52 - 1;
    const net_values tanh_net = initial(engine, 1.0);
    const net_values relu_net = initial(engine, 2.0);

    const net_gradients tanh_derived = tanh_net_gradients(x, y, tanh_net);
    const net_gradients relu_derived = relu_net_gradients(x, y, relu_net);
    const double tanh_check = worst_relative(tanh_derived, by_hand(true, x, y, tanh_net));
    const double relu_check = worst_relative(relu_derived, by_hand(false, x, y, relu_net));
    const auto tanh_norms = norms(tanh_derived);
    const auto relu_norms = norms(relu_derived);

    fmt::print("A {}-layer net of width {}, A_k = act(A_(k-1) W_k + b_k^T), L = mse(A_{}, Y), batch {}\n", depth, width,
               depth, batch);
    fmt::print("weights N(0, 1/{}) for tanh (Glorot), N(0, 2/{}) for ReLU (He); biases N(0, 0.1^2)\n", width, width);
    fmt::print("L = {:.4e} (tanh), {:.4e} (ReLU)\n\n", tanh_derived.loss, relu_derived.loss);
    fmt::print("   k   ||dL/dW_k|| tanh   ||dL/dW_k|| ReLU\n");
    for (int k = 1; k <= depth; ++k) {
        if (k <= 3 || k % 10 == 0 || k == depth - 1) {
            fmt::print(" {:3}   {:16.3e}   {:16.3e}\n", k, tanh_norms[std::size_t(k - 1)], relu_norms[std::size_t(k - 1)]);
        }
    }
    fmt::print("\nderived vs hand-written backpropagation, worst relative difference of L and the dL/dW_k: "
               "tanh {:.1e}, ReLU {:.1e}\n",
               tanh_check, relu_check);

    std::vector<double> ks(depth), tanh_series(tanh_norms.begin(), tanh_norms.end()),
        relu_series(relu_norms.begin(), relu_norms.end());
    for (int k = 0; k < depth; ++k) ks[std::size_t(k)] = k + 1;
    line_plot plot(fmt::format("‖∂L/∂W_k‖ in a {}-layer net of width {}", depth, width));
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
    fmt::print("ReLU: ||dL/dW_1|| / ||dL/dW_{}|| = {:.2e}", depth, relu_ratio);
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
    fmt::print("vanishing_gradients: tanh ||dL/dW_1|| / ||dL/dW_{}|| = {:.2e}\n", depth, tanh_ratio);
    return 0;
}
