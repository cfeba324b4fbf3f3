// Formulas holding a user's number (`0.5 * tanh(...)`, `... + 1e-5`): evaluated as a graph
// through number leaves (include/ctgrad/evaluation/numbers.hpp), each distinct node once per
// eval; when two nodes of one type hold different numbers, by the tree walk. Values and
// gradients against a plain Eigen computation written here, and a count of how often an
// operation's value is computed.
#include "support.hpp"

#include <array>
#include <cmath>
#include <utility>

using namespace ctgrad;
using ctgrad_test::finite_difference_gradient;
using ctgrad_test::gradient_tolerance;
using ctgrad_test::random_source;
using ctgrad_test::value_tolerance;
using ctgrad_test::worst_relative_difference;

namespace {

/// tanh, defined here, counting how often evaluation computes its value: once per distinct
/// node per eval, when nothing is recomputed.
struct counted_tanh_op : elementwise_function {
    static constexpr std::string_view name = "counted_tanh";
    static inline int computed = 0;

    template <class A>
    static auto apply(const A& x) {
        ++computed;
        return x.tanh();
    }
    template <class Self, class A>
    static constexpr auto derivative(const Self& self, const A&) {
        return ctgrad::minus(literal<1>{}, ctgrad::square(self));
    }
};
template <expression A>
constexpr auto counted_tanh(const A& a) {
    return detail::build<counted_tanh_op>(a);
}

constexpr int rows = 6, width = 4;
using block = Eigen::Matrix<double, rows, width>;
using square_matrix = Eigen::Matrix<double, width, width>;

constexpr matrix<"X", rows, width> X{};
constexpr matrix<"Y", rows, width> Y{};
template <int K>
constexpr matrix<indexed_name<"W", K>, width, width> W{};

/// H_{k+1} = 0.5 tanh(H_k W_k), with the counted tanh.
template <int K, int Depth, class H>
constexpr auto half_tanh_chain(H h) {
    if constexpr (K == Depth) {
        return h;
    } else {
        return half_tanh_chain<K + 1, Depth>(0.5 * counted_tanh(h * W<K>));
    }
}

template <std::size_t Depth>
auto bind_chain(const block& x, const block& y, const std::array<square_matrix, Depth>& w) {
    return [&]<int... K>(std::integer_sequence<int, K...>) {
        return bind(X = x, Y = y, (W<K> = w[K])...);
    }(std::make_integer_sequence<int, static_cast<int>(Depth)>{});
}

/// The loss mse(H_Depth, Y) and every dL/dW_k of the chain, by a backward pass written here.
template <std::size_t Depth>
std::pair<double, std::array<square_matrix, Depth>> half_tanh_by_hand(const block& x, const block& y,
                                                                      const std::array<square_matrix, Depth>& w) {
    std::array<block, Depth + 1> h;
    std::array<block, Depth> a;
    h[0] = x;
    for (std::size_t k = 0; k < Depth; ++k) {
        a[k] = (h[k] * w[k]).array().tanh().matrix();
        h[k + 1] = 0.5 * a[k];
    }
    const double n = static_cast<double>(rows * width);
    std::array<square_matrix, Depth> dw;
    block dh = 2.0 / n * (h[Depth] - y);
    for (std::size_t k = Depth; k-- > 0;) {
        const block dz = (0.5 * dh.array() * (1.0 - a[k].array().square())).matrix();
        dw[k] = h[k].transpose() * dz;
        dh = dz * w[k].transpose();
    }
    return {(h[Depth] - y).squaredNorm() / n, dw};
}

/// |a - b| relative to b's largest entry: a gradient of 1e-9 is judged against its own scale.
double scaled_difference(const square_matrix& a, const square_matrix& b) {
    return (a - b).cwiseAbs().maxCoeff() / b.cwiseAbs().maxCoeff();
}

}  // namespace

TEST_CASE("a deep chain with 0.5 tanh in every layer: all its gradients, each tanh computed once per eval",
          "[numbers]") {
    // `depth` distinct tanh nodes. Each is read by the next layer and by its own derivative, and every
    // gradient passes through the layers above its weight: computed where read, from the
    // expression objects, they would be computed hundreds of times.
    // 12 layers, not 30, because of two limits of the tree-walk *derivation* (grads(...) of a
    // formula holding numbers, before any eval), not of evaluation: clang 19 overflows its own
    // 8 MiB stack deriving 30 layers, and with g++ -O2 the derivation's recursive functions
    // (backprop_child, derive_gradients) take stack frames of up to 3 MiB each at run time at 20
    // layers. At 30 layers, run with `ulimit -s unlimited`, this case passed with 30 computations
    // (docs/design.md); tests/benchmarks/numbers_bench.cpp times 30.
    constexpr int depth = 12;
    const auto L = mse(half_tanh_chain<0, depth>(X), Y);
    // Each number sits on one path of the loss: the tree walk is not even compiled.
    STATIC_REQUIRE_FALSE(detail::numbers_may_disagree_v<plain_t<std::remove_cv_t<decltype(L)>>>);
    random_source random(161);
    const block x = random.uniform<rows, width>(), y = random.uniform<rows, width>();
    std::array<square_matrix, depth> w;
    for (auto& m : w) m = 2.0 * random.uniform<width, width>();  // gains near 1: gradients stay measurable
    const auto in = bind_chain(x, y, w);
    const auto [loss, dw] = half_tanh_by_hand(x, y, w);

    counted_tanh_op::computed = 0;
    CHECK(worst_relative_difference(eval(L, in), loss) < value_tolerance);
    CHECK(counted_tanh_op::computed == depth);

    counted_tanh_op::computed = 0;
    Eigen::internal::set_is_malloc_allowed(false);  // static shapes: no heap, numbers or not
    const auto all = [&]<int... K>(std::integer_sequence<int, K...>) {
        return eval_with_loss(grads(L, W<K>...), in);
    }(std::make_integer_sequence<int, depth>{});
    Eigen::internal::set_is_malloc_allowed(true);
    CHECK(counted_tanh_op::computed == depth);

    CHECK(worst_relative_difference(std::get<0>(all), loss) < value_tolerance);
    const std::array<double, depth> differences = [&]<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<double, depth>{scaled_difference(std::get<K + 1>(all), dw[K])...};
    }(std::make_index_sequence<depth>{});
    for (const double d : differences) CHECK(d < 1e-10);
    // The hand-written backward pass itself, against finite differences at the first layer
    // (the longest path) and the last.
    for (const std::size_t k : {std::size_t{0}, std::size_t{depth - 1}}) {
        auto moved = w;
        const square_matrix fd = finite_difference_gradient(
            [&](const square_matrix& m) {
                moved[k] = m;
                return half_tanh_by_hand(x, y, moved).first;
            },
            w[k]);
        CHECK(worst_relative_difference(dw[k], fd) < gradient_tolerance);
    }
}

namespace {

/// H_{k+1} = H_k + tanh(H_k W_k + 1e-5): H_k is read twice in every block.
template <int K, int Depth, class H>
constexpr auto residual_with_number(H h) {
    if constexpr (K == Depth) {
        return h;
    } else {
        return residual_with_number<K + 1, Depth>(h + counted_tanh(h * W<K> + 1e-5));
    }
}

template <std::size_t Depth>
double residual_by_hand(const block& x, const block& y, const std::array<square_matrix, Depth>& w) {
    block h = x;
    for (const auto& wk : w) h = (h.array() + ((h * wk).array() + 1e-5).tanh()).matrix().eval();
    return (h - y).squaredNorm() / static_cast<double>(h.size());
}

}  // namespace

TEST_CASE("a residual chain with + 1e-5 in every block: gradients against finite differences, each tanh once",
          "[numbers]") {
    constexpr int depth = 4;
    const auto L = mse(residual_with_number<0, depth>(X), Y);
    // H_k is read twice, so the numbers inside it are reached by two paths: the eval checks that
    // the copies agree, with the tree walk compiled as the fallback.
    STATIC_REQUIRE(detail::numbers_may_disagree_v<plain_t<std::remove_cv_t<decltype(L)>>>);
    random_source random(163);
    const block x = random.uniform<rows, width>(), y = random.uniform<rows, width>();
    std::array<square_matrix, depth> w;
    for (auto& m : w) m = 0.5 * random.uniform<width, width>();
    const auto in = bind_chain(x, y, w);

    counted_tanh_op::computed = 0;
    const auto gradients = [&]<int... K>(std::integer_sequence<int, K...>) {
        return eval(grads(L, W<K>...), in);
    }(std::make_integer_sequence<int, depth>{});
    CHECK(counted_tanh_op::computed == depth);
    CHECK(worst_relative_difference(eval(L, in), residual_by_hand(x, y, w)) < value_tolerance);
    [&]<std::size_t... K>(std::index_sequence<K...>) {
        const auto check = [&](const square_matrix& g, std::size_t k) {
            auto moved = w;
            const square_matrix fd = finite_difference_gradient(
                [&](const square_matrix& m) {
                    moved[k] = m;
                    return residual_by_hand(x, y, moved);
                },
                w[k]);
            CHECK(worst_relative_difference(g, fd) < gradient_tolerance);
        };
        (check(std::get<K>(gradients), K), ...);
    }(std::make_index_sequence<depth>{});
}

TEST_CASE("a layer norm with + 1e-5: value and gradient against finite differences", "[numbers]") {
    constexpr matrix<"X", 5, 3> Xn{};
    constexpr matrix<"W", 3, 4> Wn{};
    constexpr matrix<"T", 5, 4> T{};
    using m34 = Eigen::Matrix<double, 3, 4>;
    using m54 = Eigen::Matrix<double, 5, 4>;
    random_source random(164);
    const Eigen::Matrix<double, 5, 3> x = random.uniform<5, 3>();
    const m34 w = random.uniform<3, 4>();
    const m54 t = random.uniform<5, 4>();
    const auto C = Xn * Wn;
    const auto L = sum(hadamard(T, C / sqrt(row_means(square(C)) + 1e-5)));
    const auto plain = [&](const m34& m) {
        const m54 c = x * m;
        const Eigen::Matrix<double, 5, 1> scale = (c.array().square().rowwise().mean() + 1e-5).sqrt();
        const m54 normed = c.array().colwise() / scale.array();
        return t.cwiseProduct(normed).sum();
    };
    const auto in = bind(Xn = x, Wn = w, T = t);
    CHECK(worst_relative_difference(eval(L, in), plain(w)) < value_tolerance);
    const m34 dw = eval(grad(L, Wn), in);
    CHECK(worst_relative_difference(dw, finite_difference_gradient(plain, w)) < gradient_tolerance);
}

TEST_CASE("two nodes of one type holding different numbers are not merged", "[numbers]") {
    // 0.5 X W and 0.25 X W are one node type: the eval sees two numbers at one place and takes
    // the tree walk. With equal numbers the same formula takes the graph.
    constexpr matrix<"W", width, width> Wm{};
    random_source random(165);
    const block x = random.uniform<rows, width>(), y = random.uniform<rows, width>();
    const square_matrix w = random.uniform<width, width>();
    const auto in = bind(X = x, Y = y, Wm = w);
    const double n = static_cast<double>(rows * width);

    const auto differ = 0.5 * (X * Wm) + 0.25 * (X * Wm);
    const auto L = mse(differ, Y);
    const block z = 0.75 * (x * w);
    CHECK(worst_relative_difference(eval(differ, in), z) < value_tolerance);
    CHECK(worst_relative_difference(eval(L, in), (z - y).squaredNorm() / n) < value_tolerance);
    const square_matrix dw = eval(grad(L, Wm), in);
    const square_matrix by_hand = 0.75 * x.transpose() * (2.0 / n * (z - y));
    CHECK(worst_relative_difference(dw, by_hand) < value_tolerance);

    using plan = detail::number_plan<plain_t<std::remove_cv_t<decltype(L)>>>;
    detail::number_table<plan::count> table;
    detail::gather_numbers<plan>(detail::as_plain(L), table);
    STATIC_REQUIRE(plan::count == 1);  // one place: operand 0 of the node type 0.5 X W
    STATIC_REQUIRE(detail::numbers_may_disagree_v<plain_t<std::remove_cv_t<decltype(L)>>>);
    CHECK_FALSE(table.agree);

    const auto same = 0.5 * (X * Wm) + 0.5 * (X * Wm);
    detail::number_table<plan::count> same_table;
    detail::gather_numbers<detail::number_plan<plain_t<decltype(mse(same, Y))>>>(detail::as_plain(mse(same, Y)), same_table);
    CHECK(same_table.agree);
    CHECK(worst_relative_difference(eval(same, in), block(x * w)) < value_tolerance);
}
