// Every operation, one test case each: its forward value against plain Eigen/std, and the
// derivative of a scalar loss that uses it against central finite differences of an
// independent plain-Eigen implementation of the same loss. Each runs with static shapes and
// with dynamic rows; the operations whose run-time size checks differ when every size is
// dynamic (pairing, broadcasting, products, transposes, reductions, losses) also run with
// fully dynamic shapes. (Element-wise functions share one path for all shapes; leaving
// them out of the fully dynamic run keeps this file's compile time down.)
#include "support.hpp"

#include <cmath>

namespace {

using namespace ctgrad;
using namespace ctgrad_test;

// --- The shapes each test case runs with ----------------------------------------------
// A, B, C: n x k; P: k x m; D: n x m (data for products); E: k x n (data for transposes);
// R: a 1 x k row (broadcast over A's rows). n = 3 or 5, k = 4, m = 2.

struct static_shapes {
    static constexpr int N = 3, K = 4, M = 2;
    static constexpr Eigen::Index n = 3;
    static constexpr matrix<"A", 3, 4> A{};
    static constexpr matrix<"B", 3, 4> B{};
    static constexpr matrix<"C", 3, 4> C{};
    static constexpr matrix<"P", 4, 2> P{};
    static constexpr matrix<"D", 3, 2> D{};
    static constexpr matrix<"E", 4, 3> E{};
    static constexpr matrix<"R", 1, 4> R{};
};

struct dynamic_rows {
    static constexpr int N = Eigen::Dynamic, K = 4, M = 2;
    static constexpr Eigen::Index n = 5;
    static constexpr matrix<"A_r", dynamic, 4> A{};
    static constexpr matrix<"B_r", dynamic, 4> B{};
    static constexpr matrix<"C_r", dynamic, 4> C{};
    static constexpr matrix<"P_r", 4, 2> P{};
    static constexpr matrix<"D_r", dynamic, 2> D{};
    static constexpr matrix<"E_r", 4, dynamic> E{};
    static constexpr matrix<"R_r", 1, 4> R{};
};

struct dynamic_shapes {
    static constexpr int N = Eigen::Dynamic, K = Eigen::Dynamic, M = Eigen::Dynamic;
    static constexpr Eigen::Index n = 5;
    static constexpr matrix<"A_x", dynamic, dynamic> A{};
    static constexpr matrix<"B_x", dynamic, dynamic> B{};
    static constexpr matrix<"C_x", dynamic, dynamic> C{};
    static constexpr matrix<"P_x", dynamic, dynamic> P{};
    static constexpr matrix<"D_x", dynamic, dynamic> D{};
    static constexpr matrix<"E_x", dynamic, dynamic> E{};
    static constexpr matrix<"R_x", 1, dynamic> R{};
};

constexpr Eigen::Index k = 4;
constexpr Eigen::Index m = 2;

template <class S>
using nk = Eigen::Matrix<double, S::N, S::K>;

enum class domain { real, away_from_zero, positive };

template <class S>
nk<S> input(random_source& rnd, domain d) {
    switch (d) {
        case domain::away_from_zero: return rnd.away_from_zero<S::N, S::K>(S::n, k);
        case domain::positive: return rnd.positive<S::N, S::K>(S::n, k);
        case domain::real: break;
    }
    return rnd.uniform<S::N, S::K>(S::n, k);
}

// The derivative of the scalar expression L with respect to V, evaluated at `in`, against
// central finite differences of `loss_at`, a plain-Eigen function of V's value v; and
// check_gradient's own verdict.
template <class Loss, class Var, class Mat, class In, class LossAt>
void check_derivative(Loss L, Var V, Mat const& v, In const& in, LossAt loss_at) {
    Mat const derived = eval(grad(L, V), in);
    Mat const numeric = finite_difference_gradient(loss_at, v);
    CAPTURE(derived, numeric);
    CHECK(worst_relative_difference(derived, numeric) < gradient_tolerance);
    CHECK(check_gradient(L, V, in) < check_gradient_tolerance);
}

// An element-wise operation `op` whose scalar rule is f: value of op(A), value of
// L = sum(C .* op(A)) and dL/dA.
template <class S, class Op, class F>
void check_elementwise(Op op, F f, domain d, unsigned seed) {
    random_source rnd(seed);
    nk<S> const a = input<S>(rnd, d);
    nk<S> const c = rnd.uniform<S::N, S::K>(S::n, k);
    auto const reference = [&](nk<S> const& p) -> nk<S> { return p.unaryExpr(f); };

    nk<S> const value = eval(op(S::A), bind(S::A = a));
    CHECK(worst_relative_difference(value, reference(a)) < value_tolerance);

    auto const L = sum(hadamard(S::C, op(S::A)));
    auto const in = bind(S::A = a, S::C = c);
    auto const loss_at = [&](nk<S> const& p) { return c.cwiseProduct(reference(p)).sum(); };
    CHECK(worst_relative_difference(eval(L, in), loss_at(a)) < value_tolerance);
    check_derivative(L, S::A, a, in, loss_at);
}

// A binary operation on two n x k operands whose plain-Eigen counterpart is f(a, b).
template <class S, class Op, class F>
void check_binary_same_shape(Op op, F f, unsigned seed) {
    random_source rnd(seed);
    nk<S> const a = rnd.uniform<S::N, S::K>(S::n, k);
    nk<S> const b = rnd.uniform<S::N, S::K>(S::n, k);
    nk<S> const c = rnd.uniform<S::N, S::K>(S::n, k);
    auto const reference = [&](nk<S> const& p, nk<S> const& q) -> nk<S> { return f(p, q); };

    nk<S> const value = eval(op(S::A, S::B), bind(S::A = a, S::B = b));
    CHECK(worst_relative_difference(value, reference(a, b)) < value_tolerance);

    auto const L = sum(hadamard(S::C, op(S::A, S::B)));
    auto const in = bind(S::A = a, S::B = b, S::C = c);
    CHECK(worst_relative_difference(eval(L, in), c.cwiseProduct(reference(a, b)).sum()) < value_tolerance);
    SECTION("with respect to the left operand") {
        check_derivative(L, S::A, a, in, [&](nk<S> const& p) { return c.cwiseProduct(reference(p, b)).sum(); });
    }
    SECTION("with respect to the right operand") {
        check_derivative(L, S::B, b, in, [&](nk<S> const& q) { return c.cwiseProduct(reference(a, q)).sum(); });
    }
}

}  // namespace

// --- Binary operations ---------------------------------------------------------------

TEMPLATE_TEST_CASE("A + B adds entry by entry and passes the gradient to both operands", "[ops]",
                   static_shapes, dynamic_rows, dynamic_shapes) {
    check_binary_same_shape<TestType>([](auto x, auto y) { return x + y; },
                                      [](auto const& p, auto const& q) { return p + q; }, 101);
}

TEMPLATE_TEST_CASE("A - B subtracts entry by entry and negates the gradient of B", "[ops]", static_shapes,
                   dynamic_rows, dynamic_shapes) {
    check_binary_same_shape<TestType>([](auto x, auto y) { return x - y; },
                                      [](auto const& p, auto const& q) { return p - q; }, 102);
}

TEMPLATE_TEST_CASE("hadamard(A, B) multiplies entry by entry", "[ops]", static_shapes, dynamic_rows,
                   dynamic_shapes) {
    check_binary_same_shape<TestType>([](auto x, auto y) { return hadamard(x, y); },
                                      [](auto const& p, auto const& q) { return p.cwiseProduct(q); }, 103);
}

TEMPLATE_TEST_CASE("A * P is the matrix product and its gradients are D P^T and A^T D", "[ops]",
                   static_shapes, dynamic_rows, dynamic_shapes) {
    using S = TestType;
    using pk = Eigen::Matrix<double, S::K, S::M>;
    using dk = Eigen::Matrix<double, S::N, S::M>;
    random_source rnd(104);
    nk<S> const a = rnd.uniform<S::N, S::K>(S::n, k);
    pk const p = rnd.uniform<S::K, S::M>(k, m);
    dk const d = rnd.uniform<S::N, S::M>(S::n, m);

    dk const value = eval(S::A * S::P, bind(S::A = a, S::P = p));
    CHECK(worst_relative_difference(value, a * p) < value_tolerance);

    auto const L = sum(hadamard(S::D, S::A * S::P));
    auto const in = bind(S::A = a, S::P = p, S::D = d);
    CHECK(worst_relative_difference(eval(L, in), d.cwiseProduct(a * p).sum()) < value_tolerance);
    SECTION("with respect to the left factor") {
        check_derivative(L, S::A, a, in, [&](nk<S> const& x) { return d.cwiseProduct(x * p).sum(); });
    }
    SECTION("with respect to the right factor") {
        check_derivative(L, S::P, p, in, [&](pk const& x) { return d.cwiseProduct(a * x).sum(); });
    }
}

TEMPLATE_TEST_CASE("A + R broadcasts a 1xk row over the rows of A and sums the gradient of R over rows",
                   "[ops]", static_shapes, dynamic_rows, dynamic_shapes) {
    using S = TestType;
    using row = Eigen::Matrix<double, 1, S::K>;
    random_source rnd(105);
    nk<S> const a = rnd.uniform<S::N, S::K>(S::n, k);
    row const r = rnd.uniform<1, S::K>(1, k);
    nk<S> const c = rnd.uniform<S::N, S::K>(S::n, k);
    auto const reference = [](nk<S> const& x, row const& y) -> nk<S> { return x.rowwise() + y; };

    nk<S> const value = eval(S::A + S::R, bind(S::A = a, S::R = r));
    CHECK(worst_relative_difference(value, reference(a, r)) < value_tolerance);

    auto const L = sum(hadamard(S::C, S::A + S::R));
    auto const in = bind(S::A = a, S::R = r, S::C = c);
    SECTION("with respect to the matrix") {
        check_derivative(L, S::A, a, in, [&](nk<S> const& x) { return c.cwiseProduct(reference(x, r)).sum(); });
    }
    SECTION("with respect to the row") {
        check_derivative(L, S::R, r, in, [&](row const& y) { return c.cwiseProduct(reference(a, y)).sum(); });
    }
}

TEMPLATE_TEST_CASE("A - R broadcasts a 1xk row over the rows of A", "[ops]", static_shapes, dynamic_rows,
                   dynamic_shapes) {
    using S = TestType;
    using row = Eigen::Matrix<double, 1, S::K>;
    random_source rnd(106);
    nk<S> const a = rnd.uniform<S::N, S::K>(S::n, k);
    row const r = rnd.uniform<1, S::K>(1, k);
    nk<S> const c = rnd.uniform<S::N, S::K>(S::n, k);
    auto const reference = [](nk<S> const& x, row const& y) -> nk<S> { return x.rowwise() - y; };

    nk<S> const value = eval(S::A - S::R, bind(S::A = a, S::R = r));
    CHECK(worst_relative_difference(value, reference(a, r)) < value_tolerance);

    auto const L = sum(hadamard(S::C, S::A - S::R));
    auto const in = bind(S::A = a, S::R = r, S::C = c);
    SECTION("with respect to the matrix") {
        check_derivative(L, S::A, a, in, [&](nk<S> const& x) { return c.cwiseProduct(reference(x, r)).sum(); });
    }
    SECTION("with respect to the row") {
        check_derivative(L, S::R, r, in, [&](row const& y) { return c.cwiseProduct(reference(a, y)).sum(); });
    }
}

// --- Double constants and unary minus ---------------------------------------------------

TEMPLATE_TEST_CASE("A + 1.5 and 1.5 + A add a constant to every entry", "[ops]", static_shapes, dynamic_rows) {
    SECTION("constant on the right") {
        check_elementwise<TestType>([](auto x) { return x + 1.5; }, [](double x) { return x + 1.5; },
                                    domain::real, 111);
    }
    SECTION("constant on the left") {
        check_elementwise<TestType>([](auto x) { return 1.5 + x; }, [](double x) { return 1.5 + x; },
                                    domain::real, 112);
    }
}

TEMPLATE_TEST_CASE("A - 1.5 and 1.5 - A subtract with a constant on either side", "[ops]", static_shapes,
                   dynamic_rows) {
    SECTION("constant on the right") {
        check_elementwise<TestType>([](auto x) { return x - 1.5; }, [](double x) { return x - 1.5; },
                                    domain::real, 113);
    }
    SECTION("constant on the left") {
        check_elementwise<TestType>([](auto x) { return 1.5 - x; }, [](double x) { return 1.5 - x; },
                                    domain::real, 114);
    }
}

TEMPLATE_TEST_CASE("2.5 * A and A * 2.5 scale every entry", "[ops]", static_shapes, dynamic_rows) {
    SECTION("scale on the left") {
        check_elementwise<TestType>([](auto x) { return 2.5 * x; }, [](double x) { return 2.5 * x; },
                                    domain::real, 115);
    }
    SECTION("scale on the right") {
        check_elementwise<TestType>([](auto x) { return x * 2.5; }, [](double x) { return x * 2.5; },
                                    domain::real, 116);
    }
}

TEMPLATE_TEST_CASE("unary minus negates every entry", "[ops]", static_shapes, dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return -x; }, [](double x) { return -x; }, domain::real, 117);
}

TEMPLATE_TEST_CASE("transpose(A) swaps rows and columns and transposes the gradient", "[ops]", static_shapes,
                   dynamic_rows, dynamic_shapes) {
    using S = TestType;
    using kn = Eigen::Matrix<double, S::K, S::N>;
    random_source rnd(118);
    nk<S> const a = rnd.uniform<S::N, S::K>(S::n, k);
    kn const e = rnd.uniform<S::K, S::N>(k, S::n);

    kn const value = eval(transpose(S::A), bind(S::A = a));
    CHECK(worst_relative_difference(value, a.transpose()) < value_tolerance);

    auto const L = sum(hadamard(S::E, transpose(S::A)));
    auto const in = bind(S::A = a, S::E = e);
    check_derivative(L, S::A, a, in, [&](nk<S> const& x) { return e.cwiseProduct(x.transpose()).sum(); });
}

// --- Element-wise functions ------------------------------------------------------------

TEMPLATE_TEST_CASE("relu is max(z, 0) with derivative I{z > 0} away from the kink", "[ops]", static_shapes,
                   dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return relu(x); }, [](double x) { return x > 0 ? x : 0.0; },
                                domain::away_from_zero, 121);
}

TEMPLATE_TEST_CASE("step is I{z > 0} with derivative 0", "[ops]", static_shapes, dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return step(x); }, [](double x) { return x > 0 ? 1.0 : 0.0; },
                                domain::away_from_zero, 122);
}

TEMPLATE_TEST_CASE("tanh matches std::tanh with derivative 1 - tanh^2", "[ops]", static_shapes, dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return tanh(x); }, [](double x) { return std::tanh(x); },
                                domain::real, 123);
}

TEMPLATE_TEST_CASE("sigmoid is 1 / (1 + exp(-z)) with derivative s (1 - s)", "[ops]", static_shapes,
                   dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return sigmoid(x); },
                                [](double x) { return 1.0 / (1.0 + std::exp(-x)); }, domain::real, 124);
}

TEMPLATE_TEST_CASE("exp matches std::exp and is its own derivative", "[ops]", static_shapes, dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return exp(x); }, [](double x) { return std::exp(x); },
                                domain::real, 125);
}

TEMPLATE_TEST_CASE("log matches std::log on positive inputs with derivative 1 / z", "[ops]", static_shapes,
                   dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return log(x); }, [](double x) { return std::log(x); },
                                domain::positive, 126);
}

TEMPLATE_TEST_CASE("softplus is log(1 + exp(z)) with derivative sigmoid(z)", "[ops]", static_shapes,
                   dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return softplus(x); },
                                [](double x) { return std::log(1.0 + std::exp(x)); }, domain::real, 127);
}

TEMPLATE_TEST_CASE("square is z^2 with derivative 2 z", "[ops]", static_shapes, dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return square(x); }, [](double x) { return x * x; }, domain::real,
                                128);
}

TEMPLATE_TEST_CASE("identity returns its argument with derivative 1", "[ops]", static_shapes, dynamic_rows) {
    check_elementwise<TestType>([](auto x) { return identity(x); }, [](double x) { return x; }, domain::real,
                                129);
}

// --- Reductions and losses --------------------------------------------------------------

TEMPLATE_TEST_CASE("sum adds all entries into a double and its gradient is all ones", "[ops]", static_shapes,
                   dynamic_rows, dynamic_shapes) {
    using S = TestType;
    random_source rnd(131);
    nk<S> const a = rnd.uniform<S::N, S::K>(S::n, k);
    auto const L = sum(S::A);
    auto const in = bind(S::A = a);
    CHECK(worst_relative_difference(eval(L, in), a.sum()) < value_tolerance);
    check_derivative(L, S::A, a, in, [](nk<S> const& x) { return x.sum(); });
    nk<S> const g = eval(grad(L, S::A), in);
    CHECK(worst_relative_difference(g, nk<S>::Ones(S::n, k)) < value_tolerance);
}

TEMPLATE_TEST_CASE("mean averages all entries and its gradient is 1 / (n k) everywhere", "[ops]",
                   static_shapes, dynamic_rows, dynamic_shapes) {
    using S = TestType;
    random_source rnd(132);
    nk<S> const a = rnd.uniform<S::N, S::K>(S::n, k);
    auto const L = mean(S::A);
    auto const in = bind(S::A = a);
    CHECK(worst_relative_difference(eval(L, in), a.mean()) < value_tolerance);
    check_derivative(L, S::A, a, in, [](nk<S> const& x) { return x.mean(); });
    nk<S> const g = eval(grad(L, S::A), in);
    CHECK(worst_relative_difference(g, nk<S>::Constant(S::n, k, 1.0 / double(S::n * k))) < value_tolerance);
}

TEMPLATE_TEST_CASE("mse is the mean of squared differences, differentiable in both arguments", "[ops]",
                   static_shapes, dynamic_rows, dynamic_shapes) {
    using S = TestType;
    random_source rnd(133);
    nk<S> const yhat = rnd.uniform<S::N, S::K>(S::n, k);
    nk<S> const y = rnd.uniform<S::N, S::K>(S::n, k);
    auto const reference = [](nk<S> const& p, nk<S> const& q) { return (p - q).squaredNorm() / double(p.size()); };
    auto const L = mse(S::A, S::B);
    auto const in = bind(S::A = yhat, S::B = y);
    CHECK(worst_relative_difference(eval(L, in), reference(yhat, y)) < value_tolerance);
    SECTION("with respect to the prediction") {
        check_derivative(L, S::A, yhat, in, [&](nk<S> const& p) { return reference(p, y); });
    }
    SECTION("with respect to the target") {
        check_derivative(L, S::B, y, in, [&](nk<S> const& q) { return reference(yhat, q); });
    }
}

TEMPLATE_TEST_CASE("bce is minus the mean log-likelihood of Bernoulli labels", "[ops]", static_shapes,
                   dynamic_rows, dynamic_shapes) {
    using S = TestType;
    random_source rnd(134);
    nk<S> const p = rnd.probability<S::N, S::K>(S::n, k);
    nk<S> const y = rnd.labels<S::N, S::K>(S::n, k);
    auto const reference = [](nk<S> const& q, nk<S> const& t) {
        double total = 0.0;
        for (Eigen::Index i = 0; i < q.rows(); ++i)
            for (Eigen::Index j = 0; j < q.cols(); ++j)
                total += t(i, j) * std::log(q(i, j)) + (1.0 - t(i, j)) * std::log(1.0 - q(i, j));
        return -total / double(q.size());
    };
    auto const L = bce(S::A, S::B);
    auto const in = bind(S::A = p, S::B = y);
    CHECK(worst_relative_difference(eval(L, in), reference(p, y)) < value_tolerance);
    SECTION("with respect to the probabilities") {
        check_derivative(L, S::A, p, in, [&](nk<S> const& q) { return reference(q, y); });
    }
    SECTION("with respect to the labels") {
        check_derivative(L, S::B, y, in, [&](nk<S> const& t) { return reference(p, t); });
    }
    SECTION("with soft labels in (0, 1)") {
        nk<S> const soft = rnd.probability<S::N, S::K>(S::n, k);
        auto const soft_in = bind(S::A = p, S::B = soft);
        CHECK(worst_relative_difference(eval(L, soft_in), reference(p, soft)) < value_tolerance);
        check_derivative(L, S::A, p, soft_in, [&](nk<S> const& q) { return reference(q, soft); });
    }
}

TEMPLATE_TEST_CASE("bce of a sigmoid, computed on the logits, is bce of the probabilities", "[ops]", static_shapes,
                   dynamic_rows, dynamic_shapes) {
    // bce(sigmoid(Z), Y) is one node on the logits (bce_logits_op); at moderate logits it must
    // agree with the plain formula on sigma(Z), and its derivatives with finite differences.
    using S = TestType;
    random_source rnd(136);
    nk<S> const z = (4.0 * rnd.uniform<S::N, S::K>(S::n, k).array()).matrix();  // logits in [-4, 4]
    nk<S> const y = rnd.labels<S::N, S::K>(S::n, k);
    auto const reference = [](nk<S> const& s, nk<S> const& t) {
        const auto p = (1.0 / (1.0 + (-s.array()).exp())).eval();
        return -(t.array() * p.log() + (1.0 - t.array()) * (1.0 - p).log()).mean();
    };
    auto const L = bce(sigmoid(S::A), S::B);
    STATIC_REQUIRE(ctgrad::detail::same_v<typename decltype(L)::op_type, bce_logits_op>);
    auto const in = bind(S::A = z, S::B = y);
    CHECK(worst_relative_difference(eval(L, in), reference(z, y)) < value_tolerance);
    SECTION("with respect to the logits") {
        check_derivative(L, S::A, z, in, [&](nk<S> const& s) { return reference(s, y); });
        // The closed form: (sigma(Z) - Y) / (n k).
        nk<S> const g = eval(grad(L, S::A), in);
        nk<S> const expected = ((1.0 / (1.0 + (-z.array()).exp())) - y.array()).matrix() / double(z.size());
        CHECK(worst_relative_difference(g, expected) < value_tolerance);
    }
    SECTION("with respect to the labels") {
        check_derivative(L, S::B, y, in, [&](nk<S> const& t) { return reference(z, t); });
    }
}

TEMPLATE_TEST_CASE("the Poisson loss mean(exp(Z) - Y .* Z) matches its plain formula", "[ops]", static_shapes,
                   dynamic_rows, dynamic_shapes) {
    using S = TestType;
    random_source rnd(135);
    nk<S> const z = rnd.uniform<S::N, S::K>(S::n, k);
    nk<S> const y = rnd.counts<S::N, S::K>(S::n, k);
    auto const reference = [](nk<S> const& s, nk<S> const& t) {
        return (s.array().exp() - t.array() * s.array()).mean();
    };
    auto const L = mean(exp(S::A) - hadamard(S::B, S::A));
    auto const in = bind(S::A = z, S::B = y);
    CHECK(worst_relative_difference(eval(L, in), reference(z, y)) < value_tolerance);
    SECTION("with respect to the log-rate") {
        check_derivative(L, S::A, z, in, [&](nk<S> const& s) { return reference(s, y); });
        // The closed form: (exp(Z) - Y) / (n k).
        nk<S> const g = eval(grad(L, S::A), in);
        nk<S> const expected = (z.array().exp() - y.array()) / double(z.size());
        CHECK(worst_relative_difference(g, expected) < identity_tolerance);
    }
    SECTION("with respect to the counts") {
        check_derivative(L, S::B, y, in, [&](nk<S> const& t) { return reference(z, t); });
    }
}

// --- check_gradient itself -------------------------------------------------------------

TEST_CASE("check_gradient reports a tiny error for every parameter of a two-layer net", "[ops][check_gradient]") {
    constexpr matrix<"X", dynamic, 3> X{};
    constexpr matrix<"W_1", 3, 4> W1{};
    constexpr vector<"b_1", 4> b1{};
    constexpr matrix<"W_2", 4, 2> W2{};
    constexpr matrix<"Y", dynamic, 2> Y{};
    constexpr auto L = mse(sigmoid(softplus(X * W1 + transpose(b1)) * W2), Y);

    random_source rnd(141);
    Eigen::Matrix<double, Eigen::Dynamic, 3> const x = rnd.uniform<Eigen::Dynamic, 3>(7, 3);
    Eigen::Matrix<double, 3, 4> const w1 = rnd.uniform<3, 4>();
    Eigen::Matrix<double, 4, 1> const v1 = rnd.uniform<4, 1>();
    Eigen::Matrix<double, 4, 2> const w2 = rnd.uniform<4, 2>();
    Eigen::Matrix<double, Eigen::Dynamic, 2> const y = rnd.probability<Eigen::Dynamic, 2>(7, 2);
    auto const in = bind(X = x, W1 = w1, b1 = v1, W2 = w2, Y = y);

    CHECK(check_gradient(L, W1, in) < check_gradient_tolerance);
    CHECK(check_gradient(L, b1, in) < check_gradient_tolerance);
    CHECK(check_gradient(L, W2, in) < check_gradient_tolerance);
    CHECK(check_gradient(L, X, in) < check_gradient_tolerance);
    CHECK(check_gradient(L, Y, in) < check_gradient_tolerance);
    CHECK(check_gradient(L, W1, in) >= 0.0);
}
