// Laws that hold for every operation, run over the whole list of element-wise operations:
// linearity, scaling, constant terms, product and chain rules, and simplification never
// changing a value.
#include "support.hpp"

#include <cmath>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace {

using namespace ctgrad;
using namespace ctgrad_test;

constexpr matrix<"A", dynamic, 3> A{};
constexpr matrix<"B", dynamic, 3> B{};
constexpr matrix<"C", dynamic, 3> C{};
constexpr matrix<"D", dynamic, 3> D{};
constexpr matrix<"P", 3, 2> P{};
using n3 = Eigen::Matrix<double, Eigen::Dynamic, 3>;
constexpr Eigen::Index n = 5;

// An element-wise operation as ctgrad spells it, next to its scalar rule in plain C++.
template <class Expr, class Scalar>
struct op_entry {
    char const* name;
    Expr expr;
    Scalar scalar;
};
template <class Expr, class Scalar>
op_entry(char const*, Expr, Scalar) -> op_entry<Expr, Scalar>;

// The element-wise operations. log appears as log(z^2 + 1) so that every composition stays
// in its domain; on inputs away from 0 no composition lands on the kink of relu or step
// except where the inner derivative is 0 on both sides (relu(step(z)), step(relu(z))).
constexpr auto elementwise_ops = std::tuple{
    op_entry{"relu", [](auto e) { return relu(e); }, [](double x) { return x > 0 ? x : 0.0; }},
    op_entry{"step", [](auto e) { return step(e); }, [](double x) { return x > 0 ? 1.0 : 0.0; }},
    op_entry{"tanh", [](auto e) { return tanh(e); }, [](double x) { return std::tanh(x); }},
    op_entry{"sigmoid", [](auto e) { return sigmoid(e); }, [](double x) { return 1.0 / (1.0 + std::exp(-x)); }},
    op_entry{"exp", [](auto e) { return exp(e); }, [](double x) { return std::exp(x); }},
    op_entry{"log(z^2 + 1)", [](auto e) { return log(square(e) + 1.0); },
             [](double x) { return std::log(x * x + 1.0); }},
    op_entry{"softplus", [](auto e) { return softplus(e); }, [](double x) { return std::log(1.0 + std::exp(x)); }},
    op_entry{"square", [](auto e) { return square(e); }, [](double x) { return x * x; }},
    op_entry{"identity", [](auto e) { return identity(e); }, [](double x) { return x; }},
    op_entry{"negation", [](auto e) { return -e; }, [](double x) { return -x; }},
    op_entry{"sqrt(z^2 + 1)", [](auto e) { return sqrt(square(e) + 1.0); }, [](double x) { return std::sqrt(x * x + 1.0); }},
    op_entry{"abs", [](auto e) { return abs(e); }, [](double x) { return std::abs(x); }},
    op_entry{"gelu", [](auto e) { return gelu(e); },
             [](double x) { return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))); }},
};
constexpr std::size_t op_count = std::tuple_size_v<decltype(elementwise_ops)>;

// Calls f(op) for every operation.
template <class F>
void for_each_op(F&& f) {
    std::apply([&](auto const&... op) { (f(op), ...); }, elementwise_ops);
}

// Calls f(op_i, op_{i + Offset mod count}) for every i, for each Offset: every operation
// appears once per offset on each side, each time with a different partner. (All ordered
// pairs would be 100 compositions, each a separate template instantiation; three offsets
// keep the compile time of this file reasonable.)
template <std::size_t Offset, class F, std::size_t... I>
void for_each_pair_at_offset(F& f, std::index_sequence<I...>) {
    (f(std::get<I>(elementwise_ops), std::get<(I + Offset) % op_count>(elementwise_ops)), ...);
}
template <std::size_t... Offsets, class F>
void for_each_op_pair_at(F&& f) {
    (for_each_pair_at_offset<Offsets>(f, std::make_index_sequence<op_count>{}), ...);
}

struct inputs {
    n3 a, b, c, d;
};

inputs random_inputs(unsigned seed) {
    random_source rnd(seed);
    return {rnd.away_from_zero<Eigen::Dynamic, 3>(n, 3), rnd.uniform<Eigen::Dynamic, 3>(n, 3),
            rnd.uniform<Eigen::Dynamic, 3>(n, 3), rnd.uniform<Eigen::Dynamic, 3>(n, 3)};
}

template <class Derived, class F>
n3 apply(Eigen::MatrixBase<Derived> const& m, F f) {
    return m.unaryExpr(f);
}

}  // namespace

TEST_CASE("the gradient of a sum or difference of two losses is the sum or difference of their gradients",
          "[laws]") {
    auto const v = random_inputs(401);
    auto const in = bind(A = v.a, C = v.c);
    for_each_op_pair_at<1>([&](auto const& f, auto const& g) {
        INFO("f = " << f.name << ", g = " << g.name);
        auto const L1 = sum(hadamard(C, f.expr(A)));
        auto const L2 = mean(g.expr(A));
        n3 const g1 = eval(grad(L1, A), in);
        n3 const g2 = eval(grad(L2, A), in);
        n3 const g_sum = eval(grad(L1 + L2, A), in);
        n3 const g_difference = eval(grad(L1 - L2, A), in);
        CHECK(worst_relative_difference(g_sum, g1 + g2) < identity_tolerance);
        CHECK(worst_relative_difference(g_difference, g1 - g2) < identity_tolerance);
        CHECK(worst_relative_difference(eval(L1 + L2, in), eval(L1, in) + eval(L2, in)) < identity_tolerance);
    });
}

TEST_CASE("scaling a loss by a constant scales its gradient by the same constant", "[laws]") {
    auto const v = random_inputs(402);
    auto const in = bind(A = v.a, C = v.c);
    for_each_op([&](auto const& f) {
        INFO("f = " << f.name);
        auto const L = sum(hadamard(C, f.expr(A)));
        n3 const g = eval(grad(L, A), in);
        n3 const g_left = eval(grad(2.0 * L, A), in);
        n3 const g_right = eval(grad(L * 2.0, A), in);
        n3 const g_negated = eval(grad(-L, A), in);
        CHECK(worst_relative_difference(g_left, 2.0 * g) < identity_tolerance);
        CHECK(worst_relative_difference(g_right, 2.0 * g) < identity_tolerance);
        CHECK(worst_relative_difference(g_negated, -g) < identity_tolerance);
        CHECK(worst_relative_difference(eval(2.0 * L, in), 2.0 * eval(L, in)) < identity_tolerance);
    });
}

TEST_CASE("terms that do not contain the variable add nothing to its gradient", "[laws]") {
    auto const v = random_inputs(403);
    auto const in = bind(A = v.a, B = v.b, C = v.c);
    for_each_op([&](auto const& f) {
        INFO("f = " << f.name);
        auto const L = sum(hadamard(C, f.expr(A)));
        n3 const g = eval(grad(L, A), in);
        n3 const g_plus_constant = eval(grad(L + 3.0, A), in);
        n3 const g_plus_other_term = eval(grad(L + mean(f.expr(B)), A), in);
        n3 const g_minus_other_term = eval(grad(sum(hadamard(C, f.expr(A))) - sum(hadamard(C, B)), A), in);
        CHECK(worst_relative_difference(g_plus_constant, g) < identity_tolerance);
        CHECK(worst_relative_difference(g_plus_other_term, g) < identity_tolerance);
        CHECK(worst_relative_difference(g_minus_other_term, g) < identity_tolerance);
    });
}

TEST_CASE("the chain rule holds for compositions of two element-wise operations, each op on both sides", "[laws]") {
    auto const v = random_inputs(404);
    auto const in = bind(A = v.a, C = v.c);
    for_each_op_pair_at<0, 1, 3>([&](auto const& f, auto const& g) {
        INFO("f(g(A)) with f = " << f.name << ", g = " << g.name);
        auto const L = sum(hadamard(C, f.expr(g.expr(A))));
        auto const plain = [&](n3 const& x) {
            return v.c.cwiseProduct(apply(x, [&](double z) { return f.scalar(g.scalar(z)); })).sum();
        };
        CHECK(worst_relative_difference(eval(L, in), plain(v.a)) < value_tolerance);
        n3 const derived = eval(grad(L, A), in);
        n3 const numeric = finite_difference_gradient(plain, v.a);
        CAPTURE(derived, numeric);
        CHECK(worst_relative_difference(derived, numeric) < gradient_tolerance);
    });
}

TEST_CASE("the product rule holds for the hadamard product of two element-wise operations", "[laws]") {
    // d sum(C .* f(A) .* g(A)) = d sum((C .* g(a)) .* f(A)) + d sum((C .* f(a)) .* g(A)),
    // the frozen factors g(a) and f(a) bound as data.
    auto const v = random_inputs(405);
    for_each_op_pair_at<1>([&](auto const& f, auto const& g) {
        INFO("f = " << f.name << ", g = " << g.name);
        n3 const fa = apply(v.a, f.scalar);
        n3 const ga = apply(v.a, g.scalar);
        n3 const c_times_ga = v.c.cwiseProduct(ga);
        n3 const c_times_fa = v.c.cwiseProduct(fa);
        auto const L = sum(hadamard(C, hadamard(f.expr(A), g.expr(A))));
        n3 const whole = eval(grad(L, A), bind(A = v.a, C = v.c));
        n3 const through_f = eval(grad(sum(hadamard(D, f.expr(A))), A), bind(A = v.a, D = c_times_ga));
        n3 const through_g = eval(grad(sum(hadamard(D, g.expr(A))), A), bind(A = v.a, D = c_times_fa));
        CHECK(worst_relative_difference(whole, through_f + through_g) < identity_tolerance);
    });
}

TEST_CASE("simplification never changes a value or a gradient", "[laws]") {
    auto const v = random_inputs(406);
    random_source rnd(407);
    Eigen::Matrix<double, 3, 2> const p = rnd.uniform<3, 2>();
    auto const in = bind(A = v.a, B = v.b, C = v.c, P = p);
    // The same value, and as part of a loss the same gradient with respect to `wrt`.
    auto const same_value = [&](auto const& with_redundancy, auto const& without, auto wrt) {
        CHECK(worst_relative_difference(eval(with_redundancy, in), eval(without, in)) < value_tolerance);
        n3 const g1 = eval(grad(sum(hadamard(C, with_redundancy)), wrt), in);
        n3 const g2 = eval(grad(sum(hadamard(C, without)), wrt), in);
        CHECK(worst_relative_difference(g1, g2) < value_tolerance);
    };
    SECTION("transpose(transpose(A)) = A") { same_value(transpose(transpose(A)), A, A); }
    SECTION("1.0 * A = A * 1.0 = A") {
        same_value(1.0 * A, A, A);
        same_value(A * 1.0, A, A);
    }
    SECTION("A + 0.0 = 0.0 + A = A - 0.0 = A") {
        same_value(A + 0.0, A, A);
        same_value(0.0 + A, A, A);
        same_value(A - 0.0, A, A);
    }
    SECTION("-(-A) = A") { same_value(-(-A), A, A); }
    SECTION("identity(A) = A") { same_value(identity(A), A, A); }
    SECTION("0.0 * B + A = A") { same_value(0.0 * B + A, A, A); }
    SECTION("A - A + B = B") { same_value(A - A + B, B, B); }
    SECTION("hadamard(A, B) = hadamard(B, A)") { same_value(hadamard(A, B), hadamard(B, A), A); }
    SECTION("transpose(transpose(A) * B) = transpose(B) * A") {
        CHECK(worst_relative_difference(eval(transpose(transpose(A) * B), in), eval(transpose(B) * A, in)) <
              value_tolerance);
    }
    SECTION("transpose(A * P) = transpose(P) * transpose(A)") {
        CHECK(worst_relative_difference(eval(transpose(A * P), in), eval(transpose(P) * transpose(A), in)) <
              value_tolerance);
    }
}

TEST_CASE("simplification happens while building: transpose(transpose(A)) is A's own type", "[laws]") {
    STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(transpose(transpose(A)))>,
                                  std::remove_cvref_t<decltype(A)>>);
    constexpr matrix<"W", 3, 4> W{};
    STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(transpose(transpose(W)))>,
                                  std::remove_cvref_t<decltype(W)>>);
    STATIC_REQUIRE(std::is_same_v<std::remove_cvref_t<decltype(transpose(transpose(A * W)))>,
                                  std::remove_cvref_t<decltype(A * W)>>);
}
