// Evaluation: result types, grads' tuple, variables reached along several paths, no heap
// allocation with static shapes, run-time shape errors, and expressions as constexpr values.
#include "support.hpp"

#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>

namespace {

using namespace ctgrad;
using namespace ctgrad_test;
using Catch::Matchers::Contains;

// The board net with a dynamic batch.
constexpr matrix<"X", dynamic, 3> X{};
constexpr matrix<"W_1", 3, 4> W1{};
constexpr vector<"b_1", 4> b1{};
constexpr matrix<"W_2", 4, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr auto yhat = tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2));
constexpr auto L = mse(yhat, Y);

struct board_point {
    Eigen::Matrix<double, Eigen::Dynamic, 3> x;
    Eigen::Matrix<double, 3, 4> w1;
    Eigen::Matrix<double, 4, 1> v1;
    Eigen::Matrix<double, 4, 1> w2;
    Eigen::Matrix<double, 1, 1> v2;
    Eigen::Matrix<double, Eigen::Dynamic, 1> y;
};

board_point random_board_point(unsigned seed, Eigen::Index n = 6) {
    random_source rnd(seed);
    return {rnd.uniform<Eigen::Dynamic, 3>(n, 3), rnd.uniform<3, 4>(), rnd.uniform<4, 1>(),
            rnd.uniform<4, 1>(),                  rnd.uniform<1, 1>(), rnd.uniform<Eigen::Dynamic, 1>(n, 1)};
}

// An expression built inside a function from its own constexpr variables and returned as a
// value; variables are identified by name and shape, so the caller binds its own.
constexpr auto make_regression_loss() {
    constexpr matrix<"X", dynamic, 3> features{};
    constexpr matrix<"W", 3, 2> weights{};
    constexpr matrix<"T", dynamic, 2> targets{};
    return mse(tanh(features * weights), targets);
}

}  // namespace

// --- Result types ----------------------------------------------------------------------

TEST_CASE("evaluating a 1x1 expression gives a double", "[eval]") {
    auto const p = random_board_point(301);
    auto const in = bind(X = p.x, W1 = p.w1, b1 = p.v1, W2 = p.w2, b2 = p.v2, Y = p.y);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(L, in)), double>);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(sum(X * W1), in)), double>);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(grad(L, b2), in)), double>);
    double const loss = eval(L, in);
    CHECK(loss >= 0.0);
}

TEST_CASE("evaluating a matrix expression gives an Eigen::Matrix with the expression's static sizes",
          "[eval]") {
    auto const p = random_board_point(302);
    auto const in = bind(X = p.x, W1 = p.w1, b1 = p.v1, W2 = p.w2, b2 = p.v2, Y = p.y);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(X * W1, in)), Eigen::Matrix<double, Eigen::Dynamic, 4>>);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(transpose(b1), in)), Eigen::Matrix<double, 1, 4>>);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(yhat, in)), Eigen::Matrix<double, Eigen::Dynamic, 1>>);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(grad(L, W1), in)), Eigen::Matrix<double, 3, 4>>);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(grad(L, b1), in)), Eigen::Matrix<double, 4, 1>>);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(grad(L, X), in)), Eigen::Matrix<double, Eigen::Dynamic, 3>>);

    auto const z = eval(X * W1, in);
    CHECK(z.rows() == p.x.rows());
    CHECK(worst_relative_difference(z, p.x * p.w1) < value_tolerance);
    auto const gX = eval(grad(L, X), in);
    CHECK(gX.rows() == p.x.rows());
}

TEST_CASE("grads evaluates to a std::tuple of the gradients in the order asked", "[eval]") {
    auto const p = random_board_point(303);
    auto const in = bind(X = p.x, W1 = p.w1, b1 = p.v1, W2 = p.w2, b2 = p.v2, Y = p.y);
    using tuple_type = decltype(eval(grads(L, W2, b1, W1), in));
    STATIC_REQUIRE(std::is_same_v<tuple_type, std::tuple<Eigen::Matrix<double, 4, 1>, Eigen::Matrix<double, 4, 1>,
                                                         Eigen::Matrix<double, 3, 4>>>);
    STATIC_REQUIRE(std::is_same_v<decltype(eval(grads(L, b2, W1), in)),
                                  std::tuple<double, Eigen::Matrix<double, 3, 4>>>);

    auto const [gW2, gb1, gW1] = eval(grads(L, W2, b1, W1), in);
    CHECK(worst_relative_difference(gW2, eval(grad(L, W2), in)) < identity_tolerance);
    CHECK(worst_relative_difference(gb1, eval(grad(L, b1), in)) < identity_tolerance);
    CHECK(worst_relative_difference(gW1, eval(grad(L, W1), in)) < identity_tolerance);
    auto const [gb2, gW1_again] = eval(grads(L, b2, W1), in);
    CHECK(worst_relative_difference(gb2, eval(grad(L, b2), in)) < identity_tolerance);
    CHECK(worst_relative_difference(gW1_again, gW1) < identity_tolerance);
}

TEST_CASE("eval_with_loss gives the loss and the gradients of one pass", "[eval]") {
    auto const p = random_board_point(304);
    auto const in = bind(X = p.x, W1 = p.w1, b1 = p.v1, W2 = p.w2, b2 = p.v2, Y = p.y);
    STATIC_REQUIRE(std::is_same_v<decltype(eval_with_loss(grads(L, W1, b2), in)),
                                  std::tuple<double, Eigen::Matrix<double, 3, 4>, double>>);
    auto const [loss, gW1, gb2] = eval_with_loss(grads(L, W1, b2), in);
    CHECK(std::abs(loss - eval(L, in)) < identity_tolerance);
    CHECK(worst_relative_difference(gW1, eval(grad(L, W1), in)) < identity_tolerance);
    CHECK(std::abs(gb2 - eval(grad(L, b2), in)) < identity_tolerance);
}

TEST_CASE("nodes of the same type holding different doubles keep their own values", "[eval]") {
    // 0.5 X and 2 X have one type; evaluation must not share a stored value between them.
    constexpr matrix<"A", 2, 2> A{};
    random_source rnd(305);
    Eigen::Matrix<double, 2, 2> const a = rnd.uniform<2, 2>();
    auto const in = bind(A = a);
    Eigen::Matrix<double, 2, 2> const both = eval(tanh(0.5 * A) + tanh(2.0 * A), in);
    Eigen::Matrix<double, 2, 2> const expected = ((0.5 * a).array().tanh() + (2.0 * a).array().tanh()).matrix();
    CHECK(worst_relative_difference(both, expected) < identity_tolerance);

    // The same in the backward pass: the adjoints of the two tanh nodes differ only by a double.
    constexpr auto La = sum(0.5 * tanh(A) + 2.0 * square(tanh(A)));
    CHECK(check_gradient(La, A, in) < 1e-8);
    constexpr auto scaled = 0.25 * L;
    auto const pb = random_board_point(306);
    auto const inb = bind(X = pb.x, W1 = pb.w1, b1 = pb.v1, W2 = pb.w2, b2 = pb.v2, Y = pb.y);
    auto const [g_scaled, g_plain] = std::tuple{eval(grad(scaled, W1), inb), eval(grad(L, W1), inb)};
    CHECK(worst_relative_difference(Eigen::Matrix<double, 3, 4>(g_scaled), Eigen::Matrix<double, 3, 4>(0.25 * g_plain)) <
          identity_tolerance);
}

// --- Variables reached along several paths ------------------------------------------------

TEST_CASE("a variable used on two paths gets the sum of both paths' gradients", "[eval]") {
    constexpr matrix<"X", dynamic, 3> Xs{};
    constexpr matrix<"W", 3, 3> W{};
    constexpr matrix<"C", dynamic, 3> C{};
    using n3 = Eigen::Matrix<double, Eigen::Dynamic, 3>;
    using w33 = Eigen::Matrix<double, 3, 3>;
    Eigen::Index const n = 7;
    random_source rnd(304);
    n3 const c = rnd.uniform<Eigen::Dynamic, 3>(n, 3);

    SECTION("a skip connection relu(X W) + X W") {
        n3 x;
        w33 w;
        do {  // keep X W clear of relu's kink
            x = rnd.uniform<Eigen::Dynamic, 3>(n, 3);
            w = rnd.uniform<3, 3>();
        } while (smallest_magnitude(x * w) < 1e-3);
        auto const f = [&](n3 const& xx, w33 const& ww) -> double {
            n3 const z = xx * ww;
            return c.cwiseProduct(n3(z.cwiseMax(0.0)) + z).sum();
        };
        constexpr auto Ls = sum(hadamard(C, relu(Xs * W) + Xs * W));
        auto const in = bind(Xs = x, W = w, C = c);
        CHECK(worst_relative_difference(eval(Ls, in), f(x, w)) < value_tolerance);
        w33 const gW = eval(grad(Ls, W), in);
        n3 const gX = eval(grad(Ls, Xs), in);
        CHECK(worst_relative_difference(gW, finite_difference_gradient([&](w33 const& ww) { return f(x, ww); }, w)) <
              gradient_tolerance);
        CHECK(worst_relative_difference(gX, finite_difference_gradient([&](n3 const& xx) { return f(xx, w); }, x)) <
              gradient_tolerance);
    }

    SECTION("a weight shared by two layers tanh(tanh(X W) W)") {
        n3 const x = rnd.uniform<Eigen::Dynamic, 3>(n, 3);
        w33 const w = rnd.uniform<3, 3>();
        auto const f = [&](n3 const& xx, w33 const& ww) -> double {
            n3 const h = (xx * ww).array().tanh();
            n3 const out = (h * ww).array().tanh();
            return c.cwiseProduct(out).sum();
        };
        constexpr auto Ls = sum(hadamard(C, tanh(tanh(Xs * W) * W)));
        auto const in = bind(Xs = x, W = w, C = c);
        CHECK(worst_relative_difference(eval(Ls, in), f(x, w)) < value_tolerance);
        w33 const gW = eval(grad(Ls, W), in);
        CHECK(worst_relative_difference(gW, finite_difference_gradient([&](w33 const& ww) { return f(x, ww); }, w)) <
              gradient_tolerance);
    }

    SECTION("both factors of a product W W") {
        constexpr matrix<"D", 3, 3> D{};
        w33 const w = rnd.uniform<3, 3>();
        w33 const dd = rnd.uniform<3, 3>();
        constexpr auto Ls = sum(hadamard(D, W * W));
        auto const in = bind(W = w, D = dd);
        w33 const gW = eval(grad(Ls, W), in);
        // d/dW sum(D .* (W W)) = D W^T + W^T D
        w33 const expected = dd * w.transpose() + w.transpose() * dd;
        CHECK(worst_relative_difference(gW, expected) < identity_tolerance);
        CHECK(worst_relative_difference(
                  gW, finite_difference_gradient([&](w33 const& ww) { return dd.cwiseProduct(ww * ww).sum(); }, w)) <
              gradient_tolerance);
    }
}

// --- Entry-wise values computed inside their reader's loop --------------------------------

TEST_CASE("entry-wise values with one reader are computed in its loop, and a row spread over rows is not",
          "[eval]") {
    constexpr matrix<"X", dynamic, 3> Xs{};
    constexpr matrix<"W", 3, 3> W{};
    constexpr vector<"b", 3> b{};
    constexpr matrix<"C", dynamic, 3> C{};
    using n3 = Eigen::Matrix<double, Eigen::Dynamic, 3>;
    using w33 = Eigen::Matrix<double, 3, 3>;
    using v3 = Eigen::Matrix<double, 3, 1>;
    random_source rnd(308);
    Eigen::Index const n = 6;
    n3 const x = rnd.uniform<Eigen::Dynamic, 3>(n, 3);
    n3 const c = rnd.uniform<Eigen::Dynamic, 3>(n, 3);
    w33 const w = rnd.uniform<3, 3>();
    v3 const v = rnd.uniform<3, 1>();
    auto const in = bind(Xs = x, W = w, b = v, C = c);

    // exp(tanh(X W + b^T) - C) (.) C: the sum, the tanh and the difference each have one reader
    // at their own shape; tanh(b)^T is a row that + spreads over the rows.
    auto const f = [&](n3 const& xx, w33 const& ww, v3 const& vv) -> double {
        n3 z = xx * ww;
        z.rowwise() += vv.array().tanh().matrix().transpose();
        return ((z.array().tanh() - c.array()).exp() * c.array()).sum();
    };
    constexpr auto Ls = sum(hadamard(exp(tanh(Xs * W + transpose(tanh(b))) - C), C));
    CHECK(worst_relative_difference(eval(Ls, in), f(x, w, v)) < value_tolerance);
    auto const [gW, gb] = eval(grads(Ls, W, b), in);
    CHECK(worst_relative_difference(
              gW, finite_difference_gradient([&](w33 const& ww) { return f(x, ww, v); }, w)) < gradient_tolerance);
    CHECK(worst_relative_difference(
              gb, finite_difference_gradient([&](v3 const& vv) { return f(x, w, vv); }, v)) < gradient_tolerance);
    CHECK(check_gradient(Ls, b, in) < 1e-8);
}

// --- No heap allocation with static shapes ---------------------------------------------

namespace {

/// eval(grads(L, ...)) and eval(L) of the board net at static sizes N x D, hidden width H, with
/// Eigen's heap allocation forbidden (an allocation fails an eigen_assert).
template <int N, int D, int H>
void evaluate_board_without_heap(unsigned seed) {
    constexpr matrix<"X", N, D> Xs{};
    constexpr matrix<"W_1", D, H> W1s{};
    constexpr vector<"b_1", H> b1s{};
    constexpr matrix<"W_2", H, 1> W2s{};
    constexpr matrix<"Y", N, 1> Ys{};
    constexpr auto Ls = mse(tanh(relu(Xs * W1s + transpose(b1s)) * W2s + transpose(b2)), Ys);
    random_source rnd(seed);
    Eigen::Matrix<double, N, D> const x = rnd.uniform<N, D>();
    Eigen::Matrix<double, D, H> const w1 = rnd.uniform<D, H>();
    Eigen::Matrix<double, H, 1> const v1 = rnd.uniform<H, 1>();
    Eigen::Matrix<double, H, 1> const w2 = rnd.uniform<H, 1>();
    Eigen::Matrix<double, 1, 1> const v2 = rnd.uniform<1, 1>();
    Eigen::Matrix<double, N, 1> const y = rnd.uniform<N, 1>();
    auto const in = bind(Xs = x, W1s = w1, b1s = v1, W2s = w2, b2 = v2, Ys = y);

    Eigen::internal::set_is_malloc_allowed(false);
    auto const gradients = eval(grads(Ls, W1s, b1s, W2s, b2), in);
    double const loss = eval(Ls, in);
    Eigen::internal::set_is_malloc_allowed(true);

    CHECK(loss >= 0.0);
    CHECK(std::get<0>(gradients).allFinite());
    CHECK(check_gradient(Ls, W1s, in) < 1e-7);
}

}  // namespace

TEST_CASE("evaluating grads with all-static shapes does not allocate on the heap", "[eval]") {
#if !defined(EIGEN_RUNTIME_NO_MALLOC)
    FAIL("ctgrad_tests must be compiled with EIGEN_RUNTIME_NO_MALLOC for this test to mean anything");
#else
#if defined(EIGEN_NO_DEBUG)
    FAIL("Eigen's asserts are off in this build (NDEBUG): set_is_malloc_allowed(false) could not catch an "
         "allocation; tests/CMakeLists.txt compiles the tests with -UNDEBUG for this reason");
#endif
    SECTION("small sizes: Eigen's coefficient-based products") { evaluate_board_without_heap<8, 3, 4>(305); }
    SECTION("the benchmark's sizes: products run Eigen's GEMM and GEMV kernels") { evaluate_board_without_heap<64, 16, 32>(306); }
    SECTION("a batch of one row: matrix-vector products and stored outer products") { evaluate_board_without_heap<1, 16, 32>(307); }
    SECTION("a batch of one row at the 3-layer MLP's width") { evaluate_board_without_heap<1, 64, 64>(308); }
#endif
}

// --- Run-time shape errors -----------------------------------------------------------------

TEST_CASE("shape_error is a std::invalid_argument", "[eval]") {
    STATIC_REQUIRE(std::is_base_of_v<std::invalid_argument, shape_error>);
}

TEST_CASE("a dynamic row count that differs between operands throws shape_error naming them and both shapes",
          "[eval]") {
    constexpr matrix<"features", dynamic, 3> F{};
    constexpr matrix<"weights", 3, 1> Wt{};
    constexpr matrix<"targets", dynamic, 1> T{};
    constexpr auto Lf = mse(F * Wt, T);
    random_source rnd(306);
    Eigen::Matrix<double, Eigen::Dynamic, 3> const f = rnd.uniform<Eigen::Dynamic, 3>(17, 3);
    Eigen::Matrix<double, 3, 1> const w = rnd.uniform<3, 1>();
    Eigen::Matrix<double, Eigen::Dynamic, 1> const t = rnd.uniform<Eigen::Dynamic, 1>(23, 1);
    auto const in = bind(F = f, Wt = w, T = t);

    CHECK_THROWS_AS(eval(Lf, in), shape_error);
    CHECK_THROWS_WITH(eval(Lf, in), Contains("targets") && Contains("17") && Contains("23"));
    CHECK_THROWS_AS(eval(grad(Lf, Wt), in), shape_error);
    CHECK_THROWS_AS(check_gradient(Lf, Wt, in), shape_error);

    SECTION("between the two operands of +") {
        constexpr matrix<"left", dynamic, 2> P{};
        constexpr matrix<"right", dynamic, 2> Q{};
        Eigen::Matrix<double, Eigen::Dynamic, 2> const p = rnd.uniform<Eigen::Dynamic, 2>(17, 2);
        Eigen::Matrix<double, Eigen::Dynamic, 2> const q = rnd.uniform<Eigen::Dynamic, 2>(23, 2);
        CHECK_THROWS_AS(eval(sum(P + Q), bind(P = p, Q = q)), shape_error);
        CHECK_THROWS_WITH(eval(sum(P + Q), bind(P = p, Q = q)),
                          Contains("left") && Contains("right") && Contains("17") && Contains("23"));
    }
    SECTION("between the inner sizes of a product") {
        constexpr matrix<"inputs", dynamic, dynamic> I{};
        constexpr matrix<"kernel", dynamic, 2> K{};
        Eigen::MatrixXd const i = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(5, 13);
        Eigen::Matrix<double, Eigen::Dynamic, 2> const kk = rnd.uniform<Eigen::Dynamic, 2>(14, 2);
        CHECK_THROWS_AS(eval(I * K, bind(I = i, K = kk)), shape_error);
        CHECK_THROWS_WITH(eval(I * K, bind(I = i, K = kk)),
                          Contains("inputs") && Contains("kernel") && Contains("13") && Contains("14"));
    }
}

TEST_CASE("binding a dynamic Eigen matrix of the wrong size to a static variable throws shape_error naming it",
          "[eval]") {
    constexpr matrix<"W_bad", 3, 4> Wb{};
    constexpr matrix<"Z_in", dynamic, 3> Z{};
    random_source rnd(307);

    SECTION("a fully static variable") {
        Eigen::MatrixXd const wrong = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(4, 7);
        auto const evaluate = [&] { return eval(sum(Wb), bind(Wb = wrong)); };
        CHECK_THROWS_AS(evaluate(), shape_error);
        CHECK_THROWS_WITH(evaluate(), Contains("W_bad") && Contains("7"));
    }
    SECTION("the static column count of a dynamic-row variable") {
        Eigen::MatrixXd const wrong = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(5, 7);
        auto const evaluate = [&] { return eval(sum(Z), bind(Z = wrong)); };
        CHECK_THROWS_AS(evaluate(), shape_error);
        CHECK_THROWS_WITH(evaluate(), Contains("Z_in") && Contains("7"));
    }
    SECTION("a dynamic matrix of the right size binds fine") {
        Eigen::MatrixXd const right = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(3, 4);
        CHECK(worst_relative_difference(eval(sum(Wb), bind(Wb = right)), right.sum()) < value_tolerance);
        Eigen::Matrix<double, 3, 4> const g = eval(grad(sum(Wb), Wb), bind(Wb = right));
        CHECK(worst_relative_difference(g, Eigen::Matrix<double, 3, 4>::Ones()) < value_tolerance);
    }
}

// --- Expressions as constexpr values -------------------------------------------------------

TEST_CASE("expressions and their gradients are constexpr values that can be returned from functions",
          "[eval]") {
    constexpr auto loss = make_regression_loss();
    constexpr auto gradient = grad(loss, matrix<"W", 3, 2>{});
    (void)gradient;

    constexpr matrix<"X", dynamic, 3> features{};
    constexpr matrix<"W", 3, 2> weights{};
    constexpr matrix<"T", dynamic, 2> targets{};
    STATIC_REQUIRE(std::is_same_v<std::remove_cv_t<decltype(loss)>,
                                  std::remove_cv_t<decltype(mse(tanh(features * weights), targets))>>);

    random_source rnd(308);
    Eigen::Matrix<double, Eigen::Dynamic, 3> const x = rnd.uniform<Eigen::Dynamic, 3>(9, 3);
    Eigen::Matrix<double, 3, 2> const w = rnd.uniform<3, 2>();
    Eigen::Matrix<double, Eigen::Dynamic, 2> const t = rnd.uniform<Eigen::Dynamic, 2>(9, 2);
    auto const in = bind(features = x, weights = w, targets = t);
    auto const plain = [&](Eigen::Matrix<double, 3, 2> const& ww) {
        Eigen::Matrix<double, Eigen::Dynamic, 2> const out = (x * ww).array().tanh();
        return (out - t).squaredNorm() / double(out.size());
    };
    CHECK(worst_relative_difference(eval(loss, in), plain(w)) < value_tolerance);
    Eigen::Matrix<double, 3, 2> const g = eval(grad(loss, weights), in);
    CHECK(worst_relative_difference(g, finite_difference_gradient(plain, w)) < gradient_tolerance);
}
