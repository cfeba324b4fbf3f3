// Formulas that reuse intermediates (residual chains, an RNN with a loss at every step, shared
// weights) and formulas with a number in every layer: gradients against finite differences of
// a plain Eigen forward pass written here, independently of ctgrad.
#include "support.hpp"

#include <array>
#include <utility>

using namespace ctgrad;
using ctgrad_test::finite_difference_gradient;
using ctgrad_test::gradient_tolerance;
using ctgrad_test::random_source;
using ctgrad_test::worst_relative_difference;

namespace {

constexpr int rows = 6, width = 4;
using block = Eigen::Matrix<double, rows, width>;
using square_matrix = Eigen::Matrix<double, width, width>;

constexpr matrix<"X", rows, width> X{};
constexpr matrix<"Y", rows, width> Y{};
template <int K>
constexpr matrix<indexed_name<"W", K>, width, width> W{};

// ---- a residual chain H_{k+1} = H_k + tanh(H_k W_k) ------------------------------------------

template <int K, int Depth, class H>
constexpr auto residual(H h) {
    if constexpr (K == Depth) {
        return h;
    } else {
        return residual<K + 1, Depth>(h + tanh(h * W<K>));
    }
}

template <std::size_t Depth>
double residual_loss_by_hand(const block& x, const block& y, const std::array<square_matrix, Depth>& w) {
    block h = x;
    for (const auto& wk : w) h = (h + (h * wk).array().tanh().matrix()).eval();
    return (h - y).squaredNorm() / static_cast<double>(h.size());
}

}  // namespace

TEST_CASE("a residual chain's weight gradients match finite differences", "[graph]") {
    constexpr int depth = 6;
    constexpr auto L = mse(residual<0, depth>(X), Y);
    random_source random(71);
    const block x = random.uniform<rows, width>(), y = random.uniform<rows, width>();
    std::array<square_matrix, depth> w;
    for (auto& m : w) m = 0.5 * random.uniform<width, width>();
    const auto in = [&]<int... K>(std::integer_sequence<int, K...>) {
        return bind(X = x, Y = y, (W<K> = w[K])...);
    }(std::make_integer_sequence<int, depth>{});

    CHECK(eval(L, in) == Approx(residual_loss_by_hand(x, y, w)).epsilon(1e-12));
    const auto gradients = [&]<int... K>(std::integer_sequence<int, K...>) {
        return eval(grads(L, W<K>...), in);
    }(std::make_integer_sequence<int, depth>{});
    const auto check = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
        auto moved = w;
        const auto fd = finite_difference_gradient(
            [&](const square_matrix& wk) {
                moved[K] = wk;
                return residual_loss_by_hand(x, y, moved);
            },
            w[K]);
        CHECK(worst_relative_difference(std::get<K>(gradients), fd) < gradient_tolerance);
    };
    [&]<std::size_t... K>(std::index_sequence<K...>) {
        (check(std::integral_constant<std::size_t, K>{}), ...);
    }(std::make_index_sequence<depth>{});
}

TEST_CASE("a residual chain derives each reused intermediate's adjoint once", "[graph]") {
    // 12 layers: derived per path this would be 2^12 paths; by the graph it is one adjoint per node
    // (clang still spends time exponential in the depth in argument-dependent lookup: docs/design.md).
    constexpr auto L = mse(residual<0, 12>(X), Y);
    using adjoints = detail::adjoints_of_t<std::remove_cv_t<decltype(L)>>;
    using nodes = detail::nodes_of_t<std::remove_cv_t<decltype(L)>>;
    STATIC_REQUIRE(adjoints::size < nodes::size);
    random_source random(72);
    const block x = random.uniform<rows, width>(), y = random.uniform<rows, width>();
    std::array<square_matrix, 12> w;
    for (auto& m : w) m = 0.2 * random.uniform<width, width>();
    const auto in = [&]<int... K>(std::integer_sequence<int, K...>) {
        return bind(X = x, Y = y, (W<K> = w[K])...);
    }(std::make_integer_sequence<int, 12>{});
    const square_matrix g0 = eval(grad(L, W<0>), in);
    auto moved = w;
    const auto fd = finite_difference_gradient(
        [&](const square_matrix& w0) {
            moved[0] = w0;
            return residual_loss_by_hand(x, y, moved);
        },
        w[0]);
    CHECK(worst_relative_difference(g0, fd) < gradient_tolerance);
}

namespace {

// ---- an RNN with a loss at every step -----------------------------------------------------
// H_t = tanh(X_t Wx + H_{t-1} Wh), loss sum_t mse(H_t V, Y_t): Wx, Wh and V are shared by every
// step, and each H_t feeds both the next step and its own loss.

constexpr int steps = 4;
template <int T>
constexpr matrix<indexed_name<"X", T>, rows, width> Xt{};
template <int T>
constexpr matrix<indexed_name<"Y", T>, rows, 2> Yt{};
constexpr matrix<"W_x", width, width> Wx{};
constexpr matrix<"W_h", width, width> Wh{};
constexpr matrix<"V", width, 2> V{};

template <int T, class H, class Loss>
constexpr auto unroll(H h, Loss loss) {
    if constexpr (T == steps) {
        return loss;
    } else {
        const auto next = tanh(Xt<T> * Wx + h * Wh);
        return unroll<T + 1>(next, loss + mse(next * V, Yt<T>));
    }
}

struct rnn_data {
    std::array<block, steps> x;
    std::array<Eigen::Matrix<double, rows, 2>, steps> y;
    square_matrix wx, wh;
    Eigen::Matrix<double, width, 2> v;
};

double rnn_loss_by_hand(const rnn_data& d) {
    block h = block::Zero();
    double loss = 0;
    for (int t = 0; t < steps; ++t) {
        h = (d.x[t] * d.wx + h * d.wh).array().tanh().matrix().eval();
        loss += (h * d.v - d.y[t]).squaredNorm() / static_cast<double>(rows * 2);
    }
    return loss;
}

}  // namespace

TEST_CASE("an RNN with a loss at every step and shared weights matches finite differences", "[graph]") {
    // The first step has no previous state: H_0 = tanh(X_0 Wx), then the recurrence.
    constexpr auto first = tanh(Xt<0> * Wx);
    constexpr auto L = unroll<1>(first, mse(first * V, Yt<0>));
    random_source random(73);
    rnn_data d;
    for (auto& m : d.x) m = random.uniform<rows, width>();
    for (auto& m : d.y) m = random.uniform<rows, 2>();
    d.wx = 0.5 * random.uniform<width, width>();
    d.wh = 0.5 * random.uniform<width, width>();
    d.v = random.uniform<width, 2>();
    const auto in = bind(Xt<0> = d.x[0], Xt<1> = d.x[1], Xt<2> = d.x[2], Xt<3> = d.x[3], Yt<0> = d.y[0], Yt<1> = d.y[1],
                         Yt<2> = d.y[2], Yt<3> = d.y[3], Wx = d.wx, Wh = d.wh, V = d.v);

    CHECK(eval(L, in) == Approx(rnn_loss_by_hand(d)).epsilon(1e-12));
    const auto [gx, gh, gv] = eval(grads(L, Wx, Wh, V), in);
    rnn_data moved = d;
    CHECK(worst_relative_difference(gx, finite_difference_gradient([&](const square_matrix& m) {
                                        moved = d;
                                        moved.wx = m;
                                        return rnn_loss_by_hand(moved);
                                    }, d.wx)) < gradient_tolerance);
    CHECK(worst_relative_difference(gh, finite_difference_gradient([&](const square_matrix& m) {
                                        moved = d;
                                        moved.wh = m;
                                        return rnn_loss_by_hand(moved);
                                    }, d.wh)) < gradient_tolerance);
    CHECK(worst_relative_difference(gv, finite_difference_gradient([&](const Eigen::Matrix<double, width, 2>& m) {
                                        moved = d;
                                        moved.v = m;
                                        return rnn_loss_by_hand(moved);
                                    }, d.v)) < gradient_tolerance);
}

TEST_CASE("a weight shared by two layers gets the sum of both layers' contributions", "[graph]") {
    constexpr auto L = mse(tanh(tanh(X * W<0>) * W<0>), Y);
    random_source random(74);
    const block x = random.uniform<rows, width>(), y = random.uniform<rows, width>();
    const square_matrix w = random.uniform<width, width>();
    const auto in = bind(X = x, Y = y, W<0> = w);
    const auto by_hand = [&](const square_matrix& m) {
        const block a = (x * m).array().tanh().matrix();
        const block out = (a * m).array().tanh().matrix();
        return (out - y).squaredNorm() / static_cast<double>(out.size());
    };
    CHECK(worst_relative_difference(eval(grad(L, W<0>), in), finite_difference_gradient(by_hand, w)) < gradient_tolerance);
}

namespace {

template <int K, int Depth, class H>
constexpr auto scaled_chain(H h) {
    if constexpr (K == Depth) {
        return h;
    } else {
        return scaled_chain<K + 1, Depth>(0.5 * tanh(h * W<K>) + 0.25);
    }
}

}  // namespace

TEST_CASE("a number in every layer of a chain gives the right gradients", "[graph]") {
    constexpr int depth = 8;
    const auto L = mse(scaled_chain<0, depth>(X), Y);
    random_source random(75);
    const block x = random.uniform<rows, width>(), y = random.uniform<rows, width>();
    std::array<square_matrix, depth> w;
    for (auto& m : w) m = random.uniform<width, width>();
    const auto in = [&]<int... K>(std::integer_sequence<int, K...>) {
        return bind(X = x, Y = y, (W<K> = w[K])...);
    }(std::make_integer_sequence<int, depth>{});
    const auto by_hand = [&](const std::array<square_matrix, depth>& ws) {
        block h = x;
        for (const auto& wk : ws) h = (0.5 * (h * wk).array().tanh() + 0.25).matrix().eval();
        return (h - y).squaredNorm() / static_cast<double>(h.size());
    };
    CHECK(eval(L, in) == Approx(by_hand(w)).epsilon(1e-12));
    const square_matrix g0 = eval(grad(L, W<0>), in);
    auto moved = w;
    CHECK(worst_relative_difference(g0, finite_difference_gradient([&](const square_matrix& m) {
                                        moved[0] = m;
                                        return by_hand(moved);
                                    }, w[0])) < gradient_tolerance);
}

// ---- what the user holds: hidden formulas -----------------------------------------------------

TEST_CASE("builders hand the user hidden formulas over plain nodes", "[graph]") {
    const auto Z = X * W<0>;
    const auto H = X + tanh(Z);
    using plain_h = plain_t<decltype(H)>;
    // The user's value derives from the plain node and is not it; its operands are plain.
    STATIC_REQUIRE(!std::is_same_v<decltype(H), const plain_h>);
    STATIC_REQUIRE(std::is_base_of_v<plain_h, std::remove_cv_t<decltype(H)>>);
    STATIC_REQUIRE(std::is_same_v<typename plain_h::op_type, add_op>);
    STATIC_REQUIRE(std::is_same_v<arg_t<1, plain_h>, plain_t<decltype(tanh(Z))>>);
    STATIC_REQUIRE(std::is_same_v<plain_t<arg_t<1, decltype(H)>>, arg_t<1, decltype(H)>>);
    STATIC_REQUIRE(is_node_v<decltype(H)> && is_stateless_v<decltype(H)>);
    // Leaves stay as they are; building from a hidden operand or from its plain node is the same.
    STATIC_REQUIRE(std::is_same_v<decltype(tanh(X)), decltype(tanh(X))>);
    STATIC_REQUIRE(std::is_same_v<plain_t<decltype(ctgrad::plain::tanh(plain_h{}))>, plain_t<decltype(tanh(H))>>);
    STATIC_REQUIRE(std::is_same_v<decltype(tanh(plain_h{})), decltype(tanh(H))>);
    // grad of the hidden loss and of its plain node derive the same expression.
    const auto L = mse(H, Y);
    STATIC_REQUIRE(std::is_same_v<plain_t<decltype(grad(L, W<0>))>, plain_t<decltype(grad(plain_t<decltype(L)>{}, W<0>))>>);
    random_source random(76);
    const block x = random.uniform<rows, width>(), y = random.uniform<rows, width>();
    const square_matrix w = random.uniform<width, width>();
    const auto in = bind(X = x, Y = y, W<0> = w);
    const square_matrix from_hidden = eval(grad(L, W<0>), in);
    const square_matrix from_plain = eval(grad(plain_t<decltype(L)>{}, W<0>), in);
    CHECK(from_hidden == from_plain);
}
