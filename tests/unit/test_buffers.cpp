// Values that share a buffer because their lives do not overlap (evaluation/buffers.hpp): the
// values and gradients stay right, against a plain Eigen forward pass written here and finite
// differences, and the buffers a deep net needs do not grow with its depth.
#include "support.hpp"

#include <array>
#include <utility>

using namespace ctgrad;
using ctgrad_test::finite_difference_gradient;
using ctgrad_test::gradient_tolerance;
using ctgrad_test::random_source;
using ctgrad_test::worst_relative_difference;

namespace {

constexpr int width = 4;
using square_matrix = Eigen::Matrix<double, width, width>;
using bias_vector = Eigen::Matrix<double, width, 1>;

template <int Rows>
struct variables {
    static constexpr matrix<"X", Rows, width> X{};
    static constexpr matrix<"Y", Rows, width> Y{};
};
template <int K>
constexpr matrix<indexed_name<"W", K>, width, width> W{};
template <int K>
constexpr vector<indexed_name<"b", K>, width> b{};

/// H_{k+1} = H_k + tanh(H_k W_k + b_k^T) (Residual) or tanh(H_k W_k + b_k^T), for k < Depth.
template <int K, int Depth, bool Residual, class H>
constexpr auto layers(H h) {
    if constexpr (K == Depth) {
        return h;
    } else if constexpr (Residual) {
        return layers<K + 1, Depth, Residual>(h + tanh(h * W<K> + transpose(b<K>)));
    } else {
        return layers<K + 1, Depth, Residual>(tanh(h * W<K> + transpose(b<K>)));
    }
}

template <int Rows, int Depth, bool Residual>
constexpr auto loss = mse(layers<0, Depth, Residual>(variables<Rows>::X), variables<Rows>::Y);

template <int Depth>
struct parameters {
    std::array<square_matrix, Depth> w;
    std::array<bias_vector, Depth> bias;
};

template <int Depth>
parameters<Depth> draw_parameters(random_source& random) {
    parameters<Depth> p;
    for (auto& m : p.w) m = 0.5 * random.uniform<width, width>();
    for (auto& v : p.bias) v = 0.2 * random.uniform<width, 1>();
    return p;
}

template <int Depth>
double loss_by_hand(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const parameters<Depth>& p, bool residual) {
    Eigen::MatrixXd h = x;
    for (int k = 0; k < Depth; ++k) {
        const Eigen::MatrixXd t = ((h * p.w[k]).rowwise() + p.bias[k].transpose()).array().tanh().matrix();
        h = residual ? Eigen::MatrixXd(h + t) : t;
    }
    return (h - y).squaredNorm() / static_cast<double>(h.size());
}

template <int Rows, int Depth, bool Residual, class Matrix>
auto bind_all(const Matrix& x, const Matrix& y, const parameters<Depth>& p) {
    return [&]<int... K>(std::integer_sequence<int, K...>) {
        return bind(variables<Rows>::X = x, variables<Rows>::Y = y, (W<K> = p.w[K])..., (b<K> = p.bias[K])...);
    }(std::make_integer_sequence<int, Depth>{});
}

/// The loss and the gradients of every weight and bias, in one evaluation.
template <int Rows, int Depth, bool Residual, class Bound>
auto loss_and_gradients(const Bound& in) {
    return [&]<int... K>(std::integer_sequence<int, K...>) {
        return eval_with_loss(grads(loss<Rows, Depth, Residual>, W<K>..., b<K>...), in);
    }(std::make_integer_sequence<int, Depth>{});
}

/// The evaluation's stored values and buffers, for the loss and every weight's gradient.
template <int Depth, bool Residual>
constexpr auto buffer_use() {
    return [&]<int... K>(std::integer_sequence<int, K...>) {
        return detail::buffer_use_of<plain_t<decltype(loss<dynamic, Depth, Residual>)>, plain_t<decltype(grad(loss<dynamic, Depth, Residual>, W<K>))>...>();
    }(std::make_integer_sequence<int, Depth>{});
}

/// Checks the loss against the plain forward pass, and each gradient against finite differences.
template <int Rows, int Depth, bool Residual>
void check_net(int rows) {
    random_source random(Depth * 10 + Residual);
    const Eigen::MatrixXd x = random.uniform<Eigen::Dynamic, width>(rows, width), y = random.uniform<Eigen::Dynamic, width>(rows, width);
    const parameters<Depth> p = draw_parameters<Depth>(random);
    using batch = Eigen::Matrix<double, Rows, width>;
    const batch xb = x, yb = y;
    const auto results = loss_and_gradients<Rows, Depth, Residual>(bind_all<Rows, Depth, Residual>(xb, yb, p));
    CHECK(std::get<0>(results) == Approx(loss_by_hand<Depth>(x, y, p, Residual)).epsilon(1e-12));
    [&]<std::size_t... K>(std::index_sequence<K...>) {
        const auto check_one = [&]<std::size_t I>(std::integral_constant<std::size_t, I>) {
            auto moved = p;
            const auto dw = finite_difference_gradient(
                [&](const square_matrix& m) {
                    moved.w[I] = m;
                    return loss_by_hand<Depth>(x, y, moved, Residual);
                },
                p.w[I]);
            CHECK(worst_relative_difference(std::get<1 + I>(results), dw) < gradient_tolerance);
            moved = p;
            const auto db = finite_difference_gradient(
                [&](const bias_vector& v) {
                    moved.bias[I] = v;
                    return loss_by_hand<Depth>(x, y, moved, Residual);
                },
                p.bias[I]);
            CHECK(worst_relative_difference(std::get<1 + Depth + I>(results), db) < gradient_tolerance);
        };
        (check_one(std::integral_constant<std::size_t, K>{}), ...);
    }(std::make_index_sequence<Depth>{});
}

}  // namespace

TEST_CASE("values sharing buffers: chains and residual nets against finite differences", "[buffers]") {
    // Static rows: 3 layers are computed in one function, 8 and 12 value by value
    // (inline_slot_limit); run-time rows: the buffers are resized, or not, as they are taken over.
    // Residual nets stay short: clang's argument-dependent lookup walks a reused intermediate's
    // type once per path (design.md), so a residual net of 12 layers takes minutes to compile.
    SECTION("chain, 3 layers, static rows") { check_net<6, 3, false>(6); }
    SECTION("chain, 12 layers, static rows") { check_net<6, 12, false>(6); }
    SECTION("residual, 3 layers, static rows") { check_net<6, 3, true>(6); }
    SECTION("residual, 8 layers, static rows") { check_net<6, 8, true>(6); }
    SECTION("chain, 12 layers, run-time rows") { check_net<dynamic, 12, false>(5); }
    SECTION("residual, 8 layers, run-time rows") { check_net<dynamic, 8, true>(7); }
    SECTION("residual, 8 layers, one run-time row") { check_net<dynamic, 8, true>(1); }
}

// What a layer keeps to its backward step is what the hand-written code keeps: a chain's
// activation (read by tanh's derivative and by dW), a residual layer's input H_k and tanh's value
// T_k. Everything else (pre-activations, the adjoints, the products that carry them down, each
// dL/dZ_k once its weight's gradient is written) takes a free buffer, so the count grows by
// those one or two a layer, not by all of a layer's values.
TEST_CASE("a deep net's evaluation takes a buffer a layer for what backpropagation keeps, no more", "[buffers]") {
    constexpr auto chain4 = buffer_use<4, false>(), chain16 = buffer_use<16, false>();
    constexpr auto residual4 = buffer_use<4, true>(), residual8 = buffer_use<8, true>();
    CHECK(chain16.buffers - chain4.buffers == 1 * 12);
    CHECK(residual8.buffers - residual4.buffers == 2 * 4);
    CHECK(chain16.values - chain4.values > 2 * 12);
    CHECK(residual8.values - residual4.values > 3 * 4);
    CHECK(2 * residual8.buffers < residual8.values);
    CHECK(3 * chain16.buffers < chain16.values);
}
