// The operations of nets beyond the lecture (softmax, log_softmax, cross_entropy, row and column
// statistics, column and row broadcasts, sqrt, abs, gelu, column blocks): each against finite
// differences and a plain Eigen computation, log_softmax and cross_entropy at logits of +-1000
// against exact values, their LaTeX and text against golden files, and composed nets (a softmax
// classifier, a layer norm, an attention head, an LSTM cell) against finite differences.
#include "latex_support.hpp"
#include "heap_count.hpp"
#include "support.hpp"

#include <ctgrad/derivation_steps.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>

namespace {

using namespace ctgrad;
using namespace ctgrad_test;

using dyn = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic>;

constexpr matrix<"Z", dynamic, 3> Z{};
constexpr matrix<"Y", dynamic, 3> Y{};
constexpr matrix<"C", dynamic, 3> C{};
constexpr matrix<"c", dynamic, 1> col{};
constexpr matrix<"r", 1, 3> row{};
constexpr matrix<"B", dynamic, 2> B{};
constexpr matrix<"D", dynamic, 5> D{};
constexpr matrix<"E", dynamic, 2> E{};
using n3 = Eigen::Matrix<double, Eigen::Dynamic, 3>;
using n2 = Eigen::Matrix<double, Eigen::Dynamic, 2>;
using n1 = Eigen::Matrix<double, Eigen::Dynamic, 1>;
constexpr Eigen::Index n = 4;

// Plain Eigen: softmax and log softmax of each row, written directly from the definition.
dyn plain_softmax(const dyn& z) {
    dyn out(z.rows(), z.cols());
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
        double total = 0;
        for (Eigen::Index j = 0; j < z.cols(); ++j) total += std::exp(z(i, j));
        for (Eigen::Index j = 0; j < z.cols(); ++j) out(i, j) = std::exp(z(i, j)) / total;
    }
    return out;
}

// Rows of a distribution: positive entries normalised to sum 1.
n3 probability_rows(random_source& rng, Eigen::Index rows) {
    n3 p = rng.positive<Eigen::Dynamic, 3>(rows, 3);
    for (Eigen::Index i = 0; i < rows; ++i) p.row(i) /= p.row(i).sum();
    return p;
}

// The scalar GELU of PyTorch's approximate='tanh', written from its definition.
double plain_gelu(double x) {
    return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

// dL/dV of L = loss(V) against central finite differences of the plain function.
template <class Derived, class Plain>
double fd_error(const Eigen::MatrixBase<Derived>& derived, Plain plain, const typename Derived::PlainObject& at) {
    const typename Derived::PlainObject numeric = finite_difference_gradient(plain, at);
    return worst_relative_difference(derived, numeric);
}

TEST_CASE("softmax, log_softmax and cross_entropy: values and gradients against finite differences", "[nets]") {
    random_source rng(1701);
    const n3 z = rng.uniform<Eigen::Dynamic, 3>(n, 3) * 2.0;
    const n3 c = rng.uniform<Eigen::Dynamic, 3>(n, 3);
    const n3 y = probability_rows(rng, n);
    const dyn s = plain_softmax(z);
    const auto in = bind(Z = z, C = c, Y = y);

    CHECK(worst_relative_difference(eval(softmax(Z), in), s) < value_tolerance);
    CHECK(worst_relative_difference(eval(log_softmax(Z), in), dyn(s.array().log())) < value_tolerance);
    const double ce = -(y.array() * s.array().log()).sum() / static_cast<double>(n);
    CHECK(worst_relative_difference(eval(cross_entropy(Z, Y), in), ce) < value_tolerance);

    const auto weighted = [&](auto f) {
        return [&, f](const n3& x) { return c.cwiseProduct(n3(f(x))).sum(); };
    };
    const n3 d_softmax = eval(grad(sum(hadamard(C, softmax(Z))), Z), in);
    CHECK(fd_error(d_softmax, weighted([](const n3& x) { return plain_softmax(x); }), z) < gradient_tolerance);
    const n3 d_log = eval(grad(sum(hadamard(C, log_softmax(Z))), Z), in);
    CHECK(fd_error(d_log, weighted([](const n3& x) { return dyn(plain_softmax(x).array().log()); }), z) < gradient_tolerance);
    const n3 d_ce = eval(grad(cross_entropy(Z, Y), Z), in);
    CHECK(fd_error(d_ce, [&](const n3& x) { return eval(cross_entropy(Z, Y), bind(Z = x, Y = y)); }, z) < gradient_tolerance);
    // The textbook form, and dL/dY = -(1/n) log softmax(Z) (Y cannot be perturbed off its domain).
    CHECK(worst_relative_difference(d_ce, n3((s - y) / static_cast<double>(n))) < value_tolerance);
    const n3 d_targets = eval(grad(cross_entropy(Z, Y), Y), in);
    CHECK(worst_relative_difference(d_targets, n3(-s.array().log() / static_cast<double>(n))) < value_tolerance);
}

TEST_CASE("log_softmax and cross_entropy are exact at logits of +-1000", "[nets]") {
    n3 z(2, 3);
    z << 1000, 0, -1000, -1000, -1000, 1000;
    n3 y(2, 3);
    y << 0, 1, 0, 0, 0, 1;
    const auto in = bind(Z = z, Y = y);
    n3 expected(2, 3);
    expected << 0, -1000, -2000, -2000, -2000, 0;
    const n3 got = eval(log_softmax(Z), in);
    CHECK(got == expected);  // exp(-1000) vanishes beside 1: the results are exact
    CHECK(eval(cross_entropy(Z, Y), in) == 500.0);  // (1000 + 0) / 2
    const n3 d = eval(grad(cross_entropy(Z, Y), Z), in);
    n3 expected_d(2, 3);
    expected_d << 0.5, -0.5, 0, 0, 0, 0;  // (softmax(Z) - Y) / 2, softmax rows one-hot
    CHECK((d - expected_d).cwiseAbs().maxCoeff() < 1e-300);  // Eigen's exp leaves denormals where e^-2000 is 0
    const n3 s = eval(softmax(Z), in);
    CHECK(s.allFinite());
    CHECK(s(0, 0) == 1.0);
}

TEST_CASE("cross_entropy refuses targets whose rows do not sum to 1, naming the operation", "[nets]") {
    random_source rng(1702);
    const n3 z = rng.uniform<Eigen::Dynamic, 3>(n, 3);
    n3 y = probability_rows(rng, n);
    CHECK_NOTHROW(eval(cross_entropy(Z, Y), bind(Z = z, Y = y)));
    y(2, 1) += 1e-6;
    CHECK_THROWS_AS(eval(cross_entropy(Z, Y), bind(Z = z, Y = y)), ctgrad::domain_error);
    CHECK_THROWS_WITH(eval(grad(cross_entropy(Z, Y), Z), bind(Z = z, Y = y)),
                      Catch::Contains("cross_entropy(Z, Y): row 3 of Y sums to"));
    y(2, 1) -= 1e-6 - 1e-11;  // within 1e-9 of 1: accepted
    CHECK_NOTHROW(eval(cross_entropy(Z, Y), bind(Z = z, Y = y)));
}

// With run-time rows, softmax and cross_entropy keep each row's largest entry and total on the
// stack, 256 rows at a time: a batch of 600 rows is three chunks, the last one partial.
TEST_CASE("softmax and cross_entropy over more rows than one chunk, and a bad row found in a later chunk", "[nets]") {
    random_source rng(1704);
    constexpr Eigen::Index rows = 600;
    const n3 z = rng.uniform<Eigen::Dynamic, 3>(rows, 3) * 20.0;
    n3 y = probability_rows(rng, rows);
    const auto in = bind(Z = z, Y = y);
    const dyn s = plain_softmax(z);
    CHECK(worst_relative_difference(eval(softmax(Z), in), s) < value_tolerance);
    CHECK(worst_relative_difference(eval(log_softmax(Z), in), dyn(s.array().log())) < value_tolerance);
    const double ce = -(y.array() * s.array().log()).sum() / static_cast<double>(rows);
    CHECK(std::abs(eval(cross_entropy(Z, Y), in) - ce) < value_tolerance * std::abs(ce));
    const auto [loss, dz] = eval_with_loss(grads(cross_entropy(Z, Y), Z), in);
    CHECK(std::abs(loss - ce) < value_tolerance * std::abs(ce));
    CHECK(worst_relative_difference(dz, dyn((s - y) / static_cast<double>(rows))) < value_tolerance);
    // A formula holding a user's number is evaluated by a tree walk, which computes the loss
    // without softmax(Z) at hand (negative_log_likelihood's other form).
    const dyn half_s = plain_softmax(0.5 * z);
    const double half_ce = -(y.array() * half_s.array().log()).sum() / static_cast<double>(rows);
    CHECK(std::abs(eval(cross_entropy(0.5 * Z, Y), in) - half_ce) < value_tolerance * std::abs(half_ce));
    CHECK(worst_relative_difference(eval(grad(cross_entropy(0.5 * Z, Y), Z), in),
                                    dyn(0.5 * (half_s - y) / static_cast<double>(rows))) < value_tolerance);
    y(530, 0) += 1e-6;
    CHECK_THROWS_WITH(eval(cross_entropy(Z, Y), bind(Z = z, Y = y)), Catch::Contains("row 531 of Y sums to"));
    CHECK_THROWS_WITH(eval(grad(cross_entropy(Z, Y), Z), bind(Z = z, Y = y)), Catch::Contains("row 531 of Y sums to"));
}

TEST_CASE("row_sums, row_means and column_means: values and gradients against finite differences", "[nets]") {
    random_source rng(1703);
    const n3 z = rng.uniform<Eigen::Dynamic, 3>(n, 3);
    const n1 w = rng.uniform<Eigen::Dynamic, 1>(n, 1);
    const Eigen::Matrix<double, 1, 3> v = rng.uniform<1, 3>();
    const auto bound = bind(Z = z, col = w, row = v);
    CHECK(worst_relative_difference(eval(row_sums(Z), bound), n1(z.rowwise().sum())) < value_tolerance);
    CHECK(worst_relative_difference(eval(row_means(Z), bound), n1(z.rowwise().mean())) < value_tolerance);
    CHECK(worst_relative_difference(eval(column_means(Z), bound), Eigen::RowVector3d(z.colwise().mean())) < value_tolerance);

    const n3 d_sums = eval(grad(sum(hadamard(col, row_sums(Z))), Z), bound);
    CHECK(fd_error(d_sums, [&](const n3& x) { return w.dot(x.rowwise().sum()); }, z) < gradient_tolerance);
    const n3 d_means = eval(grad(sum(hadamard(col, square(row_means(Z)))), Z), bound);
    CHECK(fd_error(d_means, [&](const n3& x) { return w.dot(n1(x.rowwise().mean().array().square())); }, z) < gradient_tolerance);
    const n3 d_cmeans = eval(grad(sum(hadamard(row, square(column_means(Z)))), Z), bound);
    CHECK(fd_error(d_cmeans, [&](const n3& x) { return v.dot(x.colwise().mean().array().square().matrix()); }, z) <
          gradient_tolerance);
}

TEST_CASE("a column broadcasts over columns in + - / and hadamard, on either side; a row in hadamard", "[nets]") {
    random_source rng(1704);
    const n3 z = rng.positive<Eigen::Dynamic, 3>(n, 3);
    const n3 c = rng.uniform<Eigen::Dynamic, 3>(n, 3);
    const n1 w = rng.positive<Eigen::Dynamic, 1>(n, 1);
    const Eigen::Matrix<double, 1, 3> v = rng.positive<1, 3>();
    const auto in = bind(Z = z, C = c, col = w, row = v);
    const n3 wide = w.replicate(1, 3);
    const n3 tall = v.replicate(n, 1);
    // Each case: the formula, its plain value from the spread operands.
    const auto check_pair = [&](const char* what, auto formula, auto plain) {
        INFO(what);
        CHECK(worst_relative_difference(eval(formula, in), n3(plain(z, wide, tall))) < value_tolerance);
        const auto L = sum(hadamard(C, formula));
        const n3 dz = eval(grad(L, Z), in);
        CHECK(fd_error(dz, [&](const n3& x) { return c.cwiseProduct(n3(plain(x, wide, tall))).sum(); }, z) < gradient_tolerance);
        const n1 dw = eval(grad(L, col), in);
        CHECK(fd_error(dw, [&](const n1& x) { return c.cwiseProduct(n3(plain(z, n3(x.replicate(1, 3)), tall))).sum(); }, w) <
              gradient_tolerance);
    };
    check_pair("Z + c", Z + col, [](const n3& x, const n3& s, const n3&) { return n3(x + s); });
    check_pair("c + Z", col + Z, [](const n3& x, const n3& s, const n3&) { return n3(s + x); });
    check_pair("Z - c", Z - col, [](const n3& x, const n3& s, const n3&) { return n3(x - s); });
    check_pair("c - Z", col - Z, [](const n3& x, const n3& s, const n3&) { return n3(s - x); });
    check_pair("Z / c", Z / col, [](const n3& x, const n3& s, const n3&) { return n3(x.array() / s.array()); });
    check_pair("c / Z", col / Z, [](const n3& x, const n3& s, const n3&) { return n3(s.array() / x.array()); });
    check_pair("Z (.) c", hadamard(Z, col), [](const n3& x, const n3& s, const n3&) { return n3(x.cwiseProduct(s)); });
    check_pair("c (.) Z", hadamard(col, Z), [](const n3& x, const n3& s, const n3&) { return n3(s.cwiseProduct(x)); });

    // A 1x3 row over every row in hadamard, on either side.
    const auto L_right = sum(hadamard(C, hadamard(Z, row)));
    const auto L_left = sum(hadamard(C, hadamard(row, Z)));
    CHECK(worst_relative_difference(eval(hadamard(Z, row), in), n3(z.cwiseProduct(tall))) < value_tolerance);
    const Eigen::RowVector3d dv = eval(grad(L_right, row), in);
    CHECK(fd_error(dv, [&](const Eigen::RowVector3d& x) { return c.cwiseProduct(z.cwiseProduct(n3(x.replicate(n, 1)))).sum(); },
                   v) < gradient_tolerance);
    const n3 dz = eval(grad(L_left, Z), in);
    CHECK(fd_error(dz, [&](const n3& x) { return c.cwiseProduct(x.cwiseProduct(tall)).sum(); }, z) < gradient_tolerance);
}

TEST_CASE("sqrt, abs and gelu: values and gradients against finite differences", "[nets]") {
    random_source rng(1705);
    const n3 z = rng.away_from_zero<Eigen::Dynamic, 3>(n, 3) * 2.0;
    const n3 p = rng.positive<Eigen::Dynamic, 3>(n, 3);
    const n3 c = rng.uniform<Eigen::Dynamic, 3>(n, 3);
    const auto in = bind(Z = z, Y = p, C = c);
    CHECK(worst_relative_difference(eval(sqrt(Y), in), n3(p.array().sqrt())) < value_tolerance);
    CHECK(worst_relative_difference(eval(abs(Z), in), n3(z.array().abs())) < value_tolerance);
    CHECK(worst_relative_difference(eval(gelu(Z), in), n3(z.unaryExpr(&plain_gelu))) < value_tolerance);
    // The tanh form at 1 and -0.5, computed in Python's math module (PyTorch's approximate='tanh'
    // computes the same formula).
    Eigen::Matrix<double, 2, 3> known;
    known << 1.0, -0.5, 0.0, 2.0, 3.0, -3.0;
    constexpr matrix<"K", 2, 3> K{};
    const Eigen::Matrix<double, 2, 3> g = eval(gelu(K), bind(K = known));
    CHECK(std::abs(g(0, 0) - 0.8411919906082768) < 1e-15);
    CHECK(std::abs(g(0, 1) - (-0.15428599017485606)) < 1e-15);

    const auto weighted = [&](auto f) { return [&, f](const n3& x) { return c.cwiseProduct(n3(x.unaryExpr(f))).sum(); }; };
    CHECK(fd_error(n3(eval(grad(sum(hadamard(C, sqrt(Y))), Y), in)), weighted([](double x) { return std::sqrt(x); }), p) <
          gradient_tolerance);
    CHECK(fd_error(n3(eval(grad(sum(hadamard(C, abs(Z))), Z), in)), weighted([](double x) { return std::abs(x); }), z) <
          gradient_tolerance);
    CHECK(fd_error(n3(eval(grad(sum(hadamard(C, gelu(Z))), Z), in)), weighted(&plain_gelu), z) < gradient_tolerance);
}

TEST_CASE("concat_cols and slice_cols: values and gradients against finite differences", "[nets]") {
    random_source rng(1706);
    const n3 z = rng.uniform<Eigen::Dynamic, 3>(n, 3);
    const n2 b = rng.uniform<Eigen::Dynamic, 2>(n, 2);
    const Eigen::Matrix<double, Eigen::Dynamic, 5> d = rng.uniform<Eigen::Dynamic, 5>(n, 5);
    const n2 e = rng.uniform<Eigen::Dynamic, 2>(n, 2);
    const auto in = bind(Z = z, B = b, D = d, E = e);
    Eigen::Matrix<double, Eigen::Dynamic, 5> joined(n, 5);
    joined << z, b;
    CHECK(worst_relative_difference(eval(concat_cols(Z, B), in), joined) < value_tolerance);
    CHECK(worst_relative_difference(eval(slice_cols<1, 2>(Z), in), n2(z.middleCols(1, 2))) < value_tolerance);

    // L = sum(D (.) tanh([Z | B])): both blocks' gradients.
    const auto L = sum(hadamard(D, tanh(concat_cols(Z, B))));
    const auto plain = [&](const n3& x, const n2& y) {
        Eigen::Matrix<double, Eigen::Dynamic, 5> j(n, 5);
        j << x, y;
        return d.cwiseProduct(Eigen::Matrix<double, Eigen::Dynamic, 5>(j.array().tanh())).sum();
    };
    CHECK(fd_error(n3(eval(grad(L, Z), in)), [&](const n3& x) { return plain(x, b); }, z) < gradient_tolerance);
    CHECK(fd_error(n2(eval(grad(L, B), in)), [&](const n2& y) { return plain(z, y); }, b) < gradient_tolerance);

    // Two overlapping slices of one matrix: their adjoints add up.
    const auto S = sum(hadamard(E, square(slice_cols<1, 2>(Z)))) + sum(hadamard(E, slice_cols<0, 2>(Z)));
    const auto plain_s = [&](const n3& x) {
        return e.cwiseProduct(n2(x.middleCols(1, 2).array().square())).sum() + e.cwiseProduct(n2(x.leftCols(2))).sum();
    };
    CHECK(fd_error(n3(eval(grad(S, Z), in)), plain_s, z) < gradient_tolerance);
}

// ---- composed nets ------------------------------------------------------------------------

TEST_CASE("a softmax classifier trained with cross_entropy: gradients against finite differences", "[nets]") {
    constexpr matrix<"X", dynamic, 4> X{};
    constexpr matrix<"W", 4, 3> W{};
    constexpr matrix<"b", 3, 1> bias{};
    random_source rng(1710);
    const Eigen::Matrix<double, Eigen::Dynamic, 4> x = rng.uniform<Eigen::Dynamic, 4>(5, 4);
    const Eigen::Matrix<double, 4, 3> w = rng.uniform<4, 3>();
    const Eigen::Vector3d bv = rng.uniform<3, 1>();
    const n3 y = probability_rows(rng, 5);
    const auto L = cross_entropy(X * W + transpose(bias), Y);
    const auto in = bind(X = x, W = w, bias = bv, Y = y);
    const auto plain = [&](const Eigen::Matrix<double, 4, 3>& wm, const Eigen::Vector3d& bm) {
        const dyn logits = (x * wm).rowwise() + bm.transpose();
        return -(y.array() * plain_softmax(logits).array().log()).sum() / 5.0;
    };
    const auto [dw, db] = eval(grads(L, W, bias), in);
    CHECK(fd_error(dw, [&](const Eigen::Matrix<double, 4, 3>& m) { return plain(m, bv); }, w) < gradient_tolerance);
    CHECK(fd_error(db, [&](const Eigen::Vector3d& m) { return plain(w, m); }, bv) < gradient_tolerance);
    // X^T (softmax(X W + b^T) - Y) / n, the textbook gradient.
    const dyn logits = (x * w).rowwise() + bv.transpose();
    CHECK(worst_relative_difference(dw, Eigen::Matrix<double, 4, 3>(x.transpose() * (plain_softmax(logits) - y) / 5.0)) <
          value_tolerance);
}

TEST_CASE("a layer norm: gradients against finite differences", "[nets]") {
    constexpr matrix<"X", dynamic, 3> X{};
    constexpr matrix<"W", 3, 4> W{};
    constexpr matrix<"T", dynamic, 4> T{};
    random_source rng(1711);
    const n3 x = rng.uniform<Eigen::Dynamic, 3>(n, 3);
    const Eigen::Matrix<double, 3, 4> w = rng.uniform<3, 4>();
    const Eigen::Matrix<double, Eigen::Dynamic, 4> t = rng.uniform<Eigen::Dynamic, 4>(n, 4);
    const auto Zn = X * W;
    const auto Cn = Zn - row_means(Zn);
    const auto L = sum(hadamard(T, Cn / sqrt(row_means(square(Cn)) + 1e-5)));
    const auto plain = [&](const Eigen::Matrix<double, 3, 4>& m) {
        const dyn z = x * m;
        const dyn centred = z.colwise() - z.rowwise().mean();
        const Eigen::VectorXd scale = (centred.array().square().rowwise().mean() + 1e-5).sqrt();
        const dyn normed = centred.array().colwise() / scale.array();
        return t.cwiseProduct(normed).sum();
    };
    const auto in = bind(X = x, W = w, T = t);
    CHECK(worst_relative_difference(eval(L, in), plain(w)) < value_tolerance);
    const Eigen::Matrix<double, 3, 4> dw = eval(grad(L, W), in);
    CHECK(fd_error(dw, plain, w) < gradient_tolerance);
}

TEST_CASE("an attention head: gradients against finite differences", "[nets]") {
    constexpr matrix<"X", 3, 2> X{};
    constexpr matrix<"W_q", 2, 2> Wq{};
    constexpr matrix<"W_k", 2, 2> Wk{};
    constexpr matrix<"W_v", 2, 2> Wv{};
    constexpr matrix<"T", 3, 2> T{};
    using m22 = Eigen::Matrix<double, 2, 2>;
    random_source rng(1712);
    const Eigen::Matrix<double, 3, 2> x = rng.uniform<3, 2>();
    const m22 q = rng.uniform<2, 2>(), k = rng.uniform<2, 2>(), v = rng.uniform<2, 2>();
    const Eigen::Matrix<double, 3, 2> t = rng.uniform<3, 2>();
    const auto head = softmax(0.5 * ((X * Wq) * transpose(X * Wk))) * (X * Wv);
    const auto L = sum(hadamard(T, head));
    const auto plain = [&](const m22& mq, const m22& mk, const m22& mv) {
        const dyn scores = 0.5 * (x * mq) * (x * mk).transpose();
        return t.cwiseProduct(Eigen::Matrix<double, 3, 2>(plain_softmax(scores) * (x * mv))).sum();
    };
    const auto in = bind(X = x, Wq = q, Wk = k, Wv = v, T = t);
    CHECK(worst_relative_difference(eval(L, in), plain(q, k, v)) < value_tolerance);
    const auto [dq, dk, dv] = eval(grads(L, Wq, Wk, Wv), in);
    CHECK(fd_error(dq, [&](const m22& m) { return plain(m, k, v); }, q) < gradient_tolerance);
    CHECK(fd_error(dk, [&](const m22& m) { return plain(q, m, v); }, k) < gradient_tolerance);
    CHECK(fd_error(dv, [&](const m22& m) { return plain(q, k, m); }, v) < gradient_tolerance);
}

TEST_CASE("an LSTM cell, one product cut into four gates: gradients against finite differences", "[nets]") {
    constexpr matrix<"X", dynamic, 2> X{};
    constexpr matrix<"H", dynamic, 2> Hp{};
    constexpr matrix<"S", dynamic, 2> Sp{};
    constexpr matrix<"W", 4, 8> W{};
    constexpr matrix<"T", dynamic, 2> T{};
    random_source rng(1713);
    const n2 x = rng.uniform<Eigen::Dynamic, 2>(3, 2), h = rng.uniform<Eigen::Dynamic, 2>(3, 2);
    const n2 s = rng.uniform<Eigen::Dynamic, 2>(3, 2), t = rng.uniform<Eigen::Dynamic, 2>(3, 2);
    const Eigen::Matrix<double, 4, 8> w = rng.uniform<4, 8>();
    const auto gates = concat_cols(X, Hp) * W;
    const auto state = hadamard(sigmoid(slice_cols<2, 2>(gates)), Sp) +
                       hadamard(sigmoid(slice_cols<0, 2>(gates)), tanh(slice_cols<4, 2>(gates)));
    const auto L = sum(hadamard(T, hadamard(sigmoid(slice_cols<6, 2>(gates)), tanh(state))));
    const auto plain = [&](const Eigen::Matrix<double, 4, 8>& m) {
        Eigen::Matrix<double, Eigen::Dynamic, 4> xh(3, 4);
        xh << x, h;
        const Eigen::Matrix<double, Eigen::Dynamic, 8> g = xh * m;
        const auto sig = [](const n2& a) { return n2((1.0 + (-a.array()).exp()).inverse()); };
        const n2 next = sig(g.middleCols(2, 2)).cwiseProduct(s) + sig(g.middleCols(0, 2)).cwiseProduct(n2(g.middleCols(4, 2).array().tanh()));
        return t.cwiseProduct(sig(g.middleCols(6, 2)).cwiseProduct(n2(next.array().tanh()))).sum();
    };
    const auto in = bind(X = x, Hp = h, Sp = s, W = w, T = t);
    CHECK(worst_relative_difference(eval(L, in), plain(w)) < value_tolerance);
    const Eigen::Matrix<double, 4, 8> dw = eval(grad(L, W), in);
    CHECK(fd_error(dw, plain, w) < gradient_tolerance);
}

// ---- no heap at static shapes ------------------------------------------------------------

namespace {

/// f() called with Eigen's heap allocation forbidden and operator new counted: what it returns,
/// once it has passed both.
template <class F>
auto without_heap(F f) {
    const long before = new_calls();
    Eigen::internal::set_is_malloc_allowed(false);
    auto out = f();
    Eigen::internal::set_is_malloc_allowed(true);
    CHECK(new_calls() == before);
    return out;
}

}  // namespace

// softmax and log_softmax are computed whole, in several passes, into their slots, also where
// a derivative rule builds them (softmax(Z) in cross_entropy's and log_softmax's dL/dZ), as are
// concat_cols and slice_cols's adjoint embed_cols: none of them may copy a value to the heap.
TEST_CASE("softmax, cross_entropy, log_softmax, concat_cols and slice_cols evaluate without heap at static shapes",
          "[nets]") {
#if !defined(EIGEN_RUNTIME_NO_MALLOC) || defined(EIGEN_NO_DEBUG)
    FAIL("ctgrad_tests must be compiled with EIGEN_RUNTIME_NO_MALLOC and without NDEBUG for this test to mean anything");
#else
    random_source rng(1714);
    constexpr int rows = 8;
    using m83 = Eigen::Matrix<double, rows, 3>;
    using m43 = Eigen::Matrix<double, 4, 3>;
    constexpr matrix<"X", rows, 4> Xs{};
    constexpr matrix<"W", 4, 3> W{};
    constexpr matrix<"b", 3, 1> bias{};
    constexpr matrix<"Y", rows, 3> Ys{};
    const Eigen::Matrix<double, rows, 4> x = rng.uniform<rows, 4>();
    const m43 w = rng.uniform<4, 3>();
    const Eigen::Vector3d bv = rng.uniform<3, 1>();
    const m83 y = probability_rows(rng, rows);
    const m83 logits = (x * w).rowwise() + bv.transpose();
    const m83 s = plain_softmax(logits);
    const auto in = bind(Xs = x, W = w, bias = bv, Ys = y);

    SECTION("the softmax classifier: cross_entropy's loss and gradients") {
        const auto L = cross_entropy(Xs * W + transpose(bias), Ys);
        const auto [loss, dw, db] = without_heap([&] { return eval_with_loss(grads(L, W, bias), in); });
        CHECK(worst_relative_difference(loss, -(y.array() * s.array().log()).sum() / rows) < value_tolerance);
        CHECK(worst_relative_difference(dw, m43(x.transpose() * (s - y) / rows)) < value_tolerance);
        CHECK(worst_relative_difference(db, Eigen::Vector3d((s - y).colwise().sum().transpose() / rows)) < value_tolerance);
    }
    SECTION("a log_softmax loss: softmax(Z) in its derivative") {
        const auto L = -sum(hadamard(Ys, log_softmax(Xs * W)));
        const m83 sw = plain_softmax(x * w);
        const auto dw = without_heap([&] { return eval(grad(L, W), in); });
        CHECK(worst_relative_difference(dw, m43(x.transpose() * (sw - y))) < value_tolerance);
    }
    SECTION("an LSTM cell: concat_cols forward, embed_cols in slice_cols's derivative") {
        constexpr matrix<"H", rows, 2> Hs{};
        constexpr matrix<"S", rows, 2> Ss{};
        constexpr matrix<"V", 6, 8> V{};
        constexpr matrix<"T", rows, 2> Ts{};
        const Eigen::Matrix<double, rows, 2> h = rng.uniform<rows, 2>(), st = rng.uniform<rows, 2>(), t = rng.uniform<rows, 2>();
        const Eigen::Matrix<double, 6, 8> v = rng.uniform<6, 8>();
        const auto gates = concat_cols(Xs, Hs) * V;
        const auto state = hadamard(sigmoid(slice_cols<2, 2>(gates)), Ss) +
                           hadamard(sigmoid(slice_cols<0, 2>(gates)), tanh(slice_cols<4, 2>(gates)));
        const auto L = sum(hadamard(Ts, hadamard(sigmoid(slice_cols<6, 2>(gates)), tanh(state))));
        const auto cell = bind(Xs = x, Hs = h, Ss = st, V = v, Ts = t);
        const auto [loss, dv] = without_heap([&] { return eval_with_loss(grads(L, V), cell); });
        const auto plain = [&](const Eigen::Matrix<double, 6, 8>& m) {
            Eigen::Matrix<double, rows, 6> xh;
            xh << x, h;
            const Eigen::Matrix<double, rows, 8> g = xh * m;
            const auto sig = [](const auto& a) { return ((-a.array()).exp() + 1.0).inverse().matrix().eval(); };
            const Eigen::Matrix<double, rows, 2> next =
                sig(g.middleCols<2>(2)).cwiseProduct(st) + sig(g.middleCols<2>(0)).cwiseProduct(g.middleCols<2>(4).array().tanh().matrix());
            return t.cwiseProduct(sig(g.middleCols<2>(6)).cwiseProduct(next.array().tanh().matrix())).sum();
        };
        CHECK(worst_relative_difference(loss, plain(v)) < value_tolerance);
        CHECK(fd_error(dv, plain, v) < gradient_tolerance);
    }
#endif
}

// With a run-time batch, each thread keeps the buffers of its evaluations between calls
// (kept_slots in evaluation/frame.hpp): a loop at one batch size allocates on its first call only,
// and a call at another size resizes them without a wrong value.
TEST_CASE("with a run-time batch, a repeated evaluation at the same size allocates nothing", "[nets]") {
#if !defined(EIGEN_RUNTIME_NO_MALLOC) || defined(EIGEN_NO_DEBUG)
    FAIL("ctgrad_tests must be compiled with EIGEN_RUNTIME_NO_MALLOC and without NDEBUG for this test to mean anything");
#else
    random_source rng(1715);
    using m43 = Eigen::Matrix<double, 4, 3>;
    constexpr matrix<"X", dynamic, 4> Xd{};
    constexpr matrix<"W", 4, 3> W{};
    constexpr matrix<"b", 3, 1> bias{};
    const m43 w = rng.uniform<4, 3>();
    const Eigen::Vector3d bv = rng.uniform<3, 1>();
    const auto L = cross_entropy(Xd * W + transpose(bias), Y);
    const auto expected = [&](const auto& x, const n3& y) {
        const n3 s = plain_softmax((x * w).rowwise() + bv.transpose());
        const double rows = static_cast<double>(x.rows());
        return std::tuple{-(y.array() * s.array().log()).sum() / rows, m43(x.transpose() * (s - y) / rows)};
    };
    for (const Eigen::Index rows : {Eigen::Index{9}, Eigen::Index{9}, Eigen::Index{3}, Eigen::Index{9}, Eigen::Index{40}}) {
        const Eigen::Matrix<double, Eigen::Dynamic, 4> x = rng.uniform<Eigen::Dynamic, 4>(rows, 4);
        const n3 y = probability_rows(rng, rows);
        const auto in = bind(Xd = x, W = w, bias = bv, Y = y);
        const auto [loss, dw, db] = eval_with_loss(grads(L, W, bias), in);  // sized on the first call at each size
        const auto [again, dw_again, db_again] = without_heap([&] { return eval_with_loss(grads(L, W, bias), in); });
        const auto [plain_loss, plain_dw] = expected(x, y);
        CHECK(worst_relative_difference(loss, plain_loss) < value_tolerance);
        CHECK(worst_relative_difference(dw, plain_dw) < value_tolerance);
        CHECK(again == loss);
        CHECK(dw_again == dw);
        CHECK(db_again == db);
    }
#endif
}

// ---- printing -----------------------------------------------------------------------------

// One line per new operation and per derivative rule it prints: LaTeX (with the label as a
// LaTeX comment) or plain text.
std::string listing(bool text) {
    constexpr matrix<"X", dynamic, 4> X{};
    constexpr matrix<"W", 4, 3> W{};
    std::string out;
    const auto line = [&](std::string_view label, const auto& e) {
        if (text) {
            out += std::string(label) + ": " + ctgrad::text(e) + "\n";
        } else {
            out += ctgrad::latex(e) + " % " + std::string(label) + "\n";
        }
    };
    line("softmax", softmax(Z));
    line("log_softmax", log_softmax(Z));
    line("cross_entropy", cross_entropy(Z, Y));
    line("row_sums", row_sums(Z));
    line("row_means", row_means(Z));
    line("column_means", column_means(Z));
    line("column broadcast", Z - col);
    line("row broadcast in hadamard", hadamard(Z, row));
    line("sqrt", sqrt(Z));
    line("abs", abs(Z));
    line("gelu", gelu(Z));
    line("concat_cols", concat_cols(Z, B));
    line("slice_cols", slice_cols<1, 2>(Z));
    line("d softmax", grad(sum(hadamard(C, softmax(Z))), Z));
    line("d log_softmax", grad(sum(hadamard(C, log_softmax(Z))), Z));
    line("d cross_entropy", grad(cross_entropy(X * W, Y), W));
    line("d row_means", grad(sum(hadamard(col, square(row_means(Z)))), Z));
    line("d column_means", grad(sum(hadamard(row, square(column_means(Z)))), Z));
    line("d sqrt", grad(sum(sqrt(Z)), Z));
    line("d abs", grad(sum(abs(Z)), Z));
    line("d gelu", grad(sum(gelu(Z)), Z));
    line("d concat_cols", grad(sum(hadamard(D, tanh(concat_cols(Z, B)))), B));
    line("d slice_cols", grad(sum(hadamard(E, slice_cols<1, 2>(Z))), Z));
    line("d column broadcast", grad(sum(hadamard(C, Z / col)), col));
    return out;
}

TEST_CASE("the new operations and their derivatives print as in the golden files", "[nets][latex]") {
    check_golden("nets_operations.tex", listing(false));
    check_golden("nets_operations.txt", listing(true));
}

TEST_CASE("the derivation of a softmax classifier prints as in the golden files", "[nets][latex]") {
    constexpr matrix<"X", dynamic, 4> X{};
    constexpr matrix<"W", 4, 3> W{};
    constexpr matrix<"b", 3, 1> bias{};
    const auto d = derivation(cross_entropy(X * W + transpose(bias), Y), W, bias);
    check_golden("classifier_derivation.tex", d.latex());
    check_golden("classifier_derivation.txt", d.text());
}

// The derivations docs/tutorial.md shows ("Beyond the lecture"), as the library prints them; the
// tutorial must quote each one verbatim.
std::string tutorial_derivations() {
    std::string out;
    const auto section = [&](std::string_view title, const std::string& derivation) {
        out += "## " + std::string(title) + "\n" + derivation + "\n";
    };
    constexpr matrix<"X", dynamic, 4> X{};
    constexpr matrix<"Y", dynamic, 3> Y3{};
    constexpr matrix<"T", dynamic, 3> T{};
    {
        constexpr matrix<"W_1", 4, 4> W1{};
        constexpr matrix<"W_2", 4, 3> W2{};
        section("residual", derivation(cross_entropy((X + relu(X * W1)) * W2, Y3), W1, W2).text());
    }
    {
        constexpr matrix<"W", 4, 3> W{};
        constexpr auto Zn = X * W;
        constexpr auto Cn = named<"C">(Zn - row_means(Zn));
        constexpr auto Sn = named<"S">(sqrt(row_means(square(Cn)) + 1e-5));
        section("layer norm", derivation(mse(Cn / Sn, T), W).text());
    }
    {
        constexpr matrix<"X", 5, 4> Xa{};
        constexpr matrix<"W_q", 4, 2> Wq{};
        constexpr matrix<"W_k", 4, 2> Wk{};
        constexpr matrix<"W_v", 4, 3> Wv{};
        constexpr matrix<"T", 5, 3> Ta{};
        section("attention", derivation(mse(softmax(0.5 * ((Xa * Wq) * transpose(Xa * Wk))) * (Xa * Wv), Ta), Wq, Wk, Wv).text());
    }
    {
        constexpr matrix<"X_1", dynamic, 4> X1{};
        constexpr matrix<"X_2", dynamic, 4> X2{};
        constexpr matrix<"U", 4, 3> U{};
        constexpr matrix<"V", 3, 3> V{};
        constexpr auto H1 = named<"H_1">(tanh(X1 * U));
        constexpr auto H2 = named<"H_2">(tanh(X2 * U + H1 * V));
        section("rnn", derivation(cross_entropy(H2, Y3), U, V).text());
    }
    {
        constexpr matrix<"X", dynamic, 2> Xl{};
        constexpr matrix<"H", dynamic, 2> H{};
        constexpr matrix<"S", dynamic, 2> S{};
        constexpr matrix<"W", 4, 8> Wl{};
        constexpr matrix<"T", dynamic, 2> Tl{};
        constexpr auto G = named<"G">(concat_cols(Xl, H) * Wl);
        constexpr auto next = named<"S'">(hadamard(sigmoid(slice_cols<2, 2>(G)), S) +
                                          hadamard(sigmoid(slice_cols<0, 2>(G)), tanh(slice_cols<4, 2>(G))));
        section("lstm", derivation(mse(hadamard(sigmoid(slice_cols<6, 2>(G)), tanh(next)), Tl), Wl).text());
    }
    return out;
}

TEST_CASE("the tutorial quotes the derivations of a residual net, a layer norm, attention, an RNN and an LSTM cell",
          "[nets][latex]") {
    const std::string all = tutorial_derivations();
    check_golden("nets_tutorial.txt", all);
    std::ifstream in(std::string(CTGRAD_GOLDEN_DIR) + "/../../docs/tutorial.md", std::ios::binary);
    REQUIRE(in.good());
    std::stringstream tutorial;
    tutorial << in.rdbuf();
    // Each section's derivation, without its "## name" line, appears in the tutorial as it is.
    std::size_t at = 0;
    while ((at = all.find("## ", at)) != std::string::npos) {
        const std::size_t body = all.find('\n', at) + 1;
        const std::size_t end = std::min(all.find("\n## ", body), all.size());
        std::string derivation = all.substr(body, end - body);
        while (!derivation.empty() && derivation.back() == '\n') derivation.pop_back();
        INFO(all.substr(at, body - at));
        CHECK(tutorial.str().find(derivation) != std::string::npos);
        at = body;
    }
}

}  // namespace
