// An operation of three operands, defined here and nowhere in the library: fma3(A, B, C) =
// A (.) B + C entry by entry. Every walker over a formula (the derivation, evaluation's schedule,
// fusion, instructions and run-time size checks, the printers, the printed derivation) must
// handle it: they were written for one or two operands, and a third one was dropped silently.
#include "support.hpp"

#include <ctgrad/derivation_steps.hpp>
#include <ctgrad/latex.hpp>

#include <string>

using namespace ctgrad;
using ctgrad_test::finite_difference_gradient;
using ctgrad_test::gradient_tolerance;
using ctgrad_test::random_source;
using ctgrad_test::value_tolerance;
using ctgrad_test::worst_relative_difference;

namespace {

/// fma3(A, B, C) = A (.) B + C for three operands of one shape, written as the descriptors in
/// include/ctgrad/ops/ are: its shape rule, LaTeX form, value on Eigen and backward<I>.
struct fma3_op {
    static constexpr std::string_view name = "fma3";
    static constexpr std::size_t arity = 3;
    static constexpr bool entrywise = true;       // entry (i, j) reads entry (i, j) of each operand
    static constexpr bool pairs_operands = true;  // sizes known only at run time must be equal
    static constexpr latex_form latex{.tex = "\\operatorname{fma}(#1, #2, #3)", .text = "fma(#1, #2, #3)",
                                      .level = precedence::function};

    template <class A, class B, class C>
    static constexpr bool shapes_fit = detail::dims_fit(A::rows, B::rows) && detail::dims_fit(A::rows, C::rows) &&
                                       detail::dims_fit(A::cols, B::cols) && detail::dims_fit(A::cols, C::cols);
    template <class A, class B, class C>
    static constexpr int rows = detail::common_dim(detail::common_dim(A::rows, B::rows), C::rows);
    template <class A, class B, class C>
    static constexpr int cols = detail::common_dim(detail::common_dim(A::cols, B::cols), C::cols);

    template <class A, class B, class C>
    static constexpr void report() {
        static_assert(detail::always_false<A>, "test: fma3(A, B, C) needs three operands of one shape");
    }

    template <class Self, class A, class B, class C>
    static auto value(const Self&, const A& a, const B& b, const C& c) {
        return detail::entries(a) * detail::entries(b) + detail::entries(c);
    }

    /// dL/dA = G (.) B, dL/dB = G (.) A, dL/dC = G.
    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        if constexpr (I == 0) {
            return ctgrad::times(g, ctgrad::arg<1>(self));
        } else if constexpr (I == 1) {
            return ctgrad::times(g, ctgrad::arg<0>(self));
        } else {
            return g;
        }
    }
};

template <expression A, expression B, expression C>
constexpr auto fma3(const A& a, const B& b, const C& c) {
    return detail::build<fma3_op>(a, b, c);
}

constexpr int rows = 4, cols = 3;
using block = Eigen::Matrix<double, rows, cols>;
using square_matrix = Eigen::Matrix<double, cols, cols>;

constexpr matrix<"A", rows, cols> A{};
constexpr matrix<"B", rows, cols> B{};
constexpr matrix<"C", rows, cols> C{};
constexpr matrix<"X", rows, cols> X{};
constexpr matrix<"Y", rows, cols> Y{};
constexpr matrix<"V", rows, cols> V{};
constexpr matrix<"W", cols, cols> W{};

block fma_by_hand(const block& a, const block& b, const block& c) { return (a.array() * b.array() + c.array()).matrix(); }

double mean_square(const block& m) { return m.squaredNorm() / static_cast<double>(m.size()); }

}  // namespace

TEST_CASE("fma3: a three-operand node evaluates to A (.) B + C, alone, fused and holding a number", "[arity]") {
    random_source random(301);
    const block a = random.uniform<rows, cols>(), b = random.uniform<rows, cols>(), c = random.uniform<rows, cols>();
    const auto in = bind(A = a, B = b, C = c);
    const block expected = fma_by_hand(a, b, c);

    CHECK(worst_relative_difference(eval(fma3(A, B, C), in), expected) <= value_tolerance);
    // Computed inside tanh's loop (fma3 is entry-wise and read once), and from two stored operands.
    CHECK(worst_relative_difference(eval(tanh(fma3(A, B, C)), in), expected.array().tanh().matrix()) <= value_tolerance);
    const block sums = a + b, differences = a - b;
    CHECK(worst_relative_difference(eval(fma3(A + B, tanh(A - B), tanh(A + B)), in),
                                    fma_by_hand(sums, differences.array().tanh().matrix(), sums.array().tanh().matrix())) <=
          value_tolerance);
    // A node holding a user's number is computed from its object, operand by operand.
    const block halves = 0.5 * b;
    CHECK(worst_relative_difference(eval(fma3(A, 0.5 * B, C), in), fma_by_hand(a, halves, c)) <= value_tolerance);
}

TEST_CASE("fma3: the gradients of all three operands match finite differences", "[arity]") {
    random_source random(302);
    const block a = random.uniform<rows, cols>(), b = random.uniform<rows, cols>(), c = random.uniform<rows, cols>();
    const block y = random.uniform<rows, cols>();
    constexpr auto L = mse(tanh(fma3(A, B, C)), Y);
    const auto in = bind(A = a, B = b, C = c, Y = y);
    const auto loss = [&](const block& a1, const block& b1, const block& c1) {
        return mean_square((fma_by_hand(a1, b1, c1).array().tanh().matrix() - y).eval());
    };

    CHECK(eval(L, in) == Approx(loss(a, b, c)).epsilon(1e-12));
    const auto [ga, gb, gc] = eval(grads(L, A, B, C), in);
    CHECK(worst_relative_difference(ga, finite_difference_gradient([&](const block& m) { return loss(m, b, c); }, a)) <=
          gradient_tolerance);
    CHECK(worst_relative_difference(gb, finite_difference_gradient([&](const block& m) { return loss(a, m, c); }, b)) <=
          gradient_tolerance);
    CHECK(worst_relative_difference(gc, finite_difference_gradient([&](const block& m) { return loss(a, b, m); }, c)) <=
          gradient_tolerance);
    CHECK(check_gradient(L, C, in) <= ctgrad_test::check_gradient_tolerance);
    // The third operand's adjoint is not zero: dropping it would have passed a test that only
    // compared the first two.
    CHECK(gc.norm() > 1e-3);
}

TEST_CASE("fma3 in a DAG: an intermediate read as two of its operands gets both contributions", "[arity]") {
    random_source random(303);
    const block x = random.uniform<rows, cols>(), v = random.uniform<rows, cols>(), y = random.uniform<rows, cols>();
    const square_matrix w = random.uniform<cols, cols>();
    // H = tanh(X W) is read twice by the same node, as its first and third operand, and again
    // through tanh(H): dL/dH = G (.) V + G + (G' (.) (1 - tanh^2(H))).
    constexpr auto H = tanh(X * W);
    constexpr auto L = mse(fma3(H, V, tanh(H)), Y) + mse(H, Y);
    const auto in = bind(X = x, W = w, V = v, Y = y);
    const auto loss = [&](const square_matrix& w1, const block& v1) {
        const block h = (x * w1).array().tanh().matrix();
        const block th = h.array().tanh().matrix();
        return mean_square((fma_by_hand(h, v1, th) - y).eval()) + mean_square((h - y).eval());
    };

    CHECK(eval(L, in) == Approx(loss(w, v)).epsilon(1e-12));
    const auto [gw, gv] = eval(grads(L, W, V), in);
    CHECK(worst_relative_difference(gw, finite_difference_gradient([&](const square_matrix& m) { return loss(m, v); }, w)) <=
          gradient_tolerance);
    CHECK(worst_relative_difference(gv, finite_difference_gradient([&](const block& m) { return loss(w, m); }, v)) <=
          gradient_tolerance);
    CHECK(check_gradient(L, W, in) <= ctgrad_test::check_gradient_tolerance);
}

TEST_CASE("fma3 prints all three operands: latex(), text() and the printed derivation", "[arity]") {
    CHECK(latex(fma3(A, B, C)) == "\\operatorname{fma}(A, B, C)");
    CHECK(text(fma3(A, B, C)) == "fma(A, B, C)");
    CHECK(text(fma3(A, B + C, tanh(C))) == "fma(A, B + C, tanh(C))");
    CHECK(text(grad(mse(fma3(A, B, C), Y), A)) == "∂L/∂ŷ ⊙ B");
    CHECK(text(grad(mse(fma3(A, B, C), Y), C)) == "∂L/∂ŷ");
    // The printed derivation walks every operand: the third one's line was missing.
    const std::string steps = derivation(mse(fma3(A, B, C), Y), A, B, C).text();
    CHECK_THAT(steps, Catch::Contains("  ŷ = fma(A, B, C)\n"
                                      "  L = MSE(ŷ, Y)\n"));
    CHECK_THAT(steps, Catch::Contains("  ∂L/∂ŷ = (1/6) (ŷ - Y)\n"
                                      "  ∂L/∂A = ∂L/∂ŷ · ∂ŷ/∂A = ∂L/∂ŷ ⊙ B\n"
                                      "  A     := A - η ∂L/∂A\n"
                                      "  ∂L/∂B = ∂L/∂ŷ · ∂ŷ/∂B = ∂L/∂ŷ ⊙ A\n"
                                      "  B     := B - η ∂L/∂B\n"
                                      "  ∂L/∂C = ∂L/∂ŷ · ∂ŷ/∂C = ∂L/∂ŷ\n"
                                      "  C     := C - η ∂L/∂C\n"));
}

TEST_CASE("fma3: run-time sizes of every operand are checked, and errors name the operands", "[arity]") {
    constexpr matrix<"P", dynamic, cols> P{};
    constexpr matrix<"Q", dynamic, cols> Q{};
    constexpr matrix<"R", dynamic, cols> R{};
    constexpr matrix<"S", dynamic, cols> S{};
    using tall = Eigen::Matrix<double, Eigen::Dynamic, cols>;
    const tall four = tall::Ones(4, cols), five = tall::Ones(5, cols);

    const block ones = block::Ones();
    CHECK(worst_relative_difference(eval(fma3(P, Q, R), bind(P = four, Q = four, R = four)), (2 * ones).eval()) == 0);
    // The third operand's rows disagree: checked against the first operand's.
    const std::string rule = ": the shapes must be equal (or a row broadcast over rows)";
    CHECK_THROWS_WITH(eval(fma3(P, Q, R), bind(P = four, Q = four, R = five)), "ctgrad: P (4 x 3) and R (5 x 3)" + rule);
    // The same when the node holds a user's number (computed from its object, named by describe).
    CHECK_THROWS_WITH(eval(fma3(P, 2.0 * Q, R), bind(P = four, Q = four, R = five)), "ctgrad: P (4 x 3) and R (5 x 3)" + rule);
    CHECK_THROWS_WITH(eval(fma3(P, 2.0 * Q, R), bind(P = four, Q = five, R = four)),
                      "ctgrad: P (4 x 3) and scale(2.000000, Q) (5 x 3)" + rule);
    // An error about the node itself names all of its operands.
    CHECK_THROWS_WITH(eval(fma3(P, Q, R) + S, bind(P = four, Q = four, R = four, S = five)),
                      "ctgrad: fma3(P, Q, R) (4 x 3) and S (5 x 3)" + rule);
    CHECK_THROWS_WITH(eval(fma3(P, Q, R) + 2.0 * S, bind(P = four, Q = four, R = four, S = five)),
                      "ctgrad: fma3(P, Q, R) (4 x 3) and scale(2.000000, S) (5 x 3)" + rule);
}
