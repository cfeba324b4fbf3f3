// Stored products (detail/products.hpp): ctgrad calls Eigen's GEMM and GEMV kernels itself and
// has its own loop for tiny products, so every operand kind and size class is compared here
// with a product computed entry by entry from the definition.
#include "support.hpp"

#include <ctgrad/detail/products.hpp>

#include <initializer_list>
#include <string>

namespace {

using namespace ctgrad_test;
using dyn = Eigen::MatrixXd;

/// sum_k a(i, k) b(k, j), by the definition.
template <class A, class B>
dyn product_by_definition(const A& a, const B& b) {
    dyn out(a.rows(), b.cols());
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
        for (Eigen::Index j = 0; j < b.cols(); ++j) {
            double s = 0.0;
            for (Eigen::Index k = 0; k < a.cols(); ++k) s += a(i, k) * b(k, j);
            out(i, j) = s;
        }
    }
    return out;
}

/// store_product(dst, lhs * rhs) against the definition, entry by entry.
template <class Dst, class Lhs, class Rhs>
void check_product(Dst& dst, const Lhs& lhs, const Rhs& rhs) {
    ctgrad::detail::store_product(dst, lhs * rhs);
    const dyn expected = product_by_definition(dyn(lhs), dyn(rhs));
    REQUIRE(dst.rows() == expected.rows());
    REQUIRE(dst.cols() == expected.cols());
    CHECK((dyn(dst) - expected).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + expected.cwiseAbs().maxCoeff()));
}

}  // namespace

TEST_CASE("stored matrix-matrix products equal the definition at every size class", "[eval][products]") {
    random_source rnd(811);
    // (rows, depth, cols): tiny (the small loop), batch of one row and one column (the GEMV
    // kernels, chosen at run time), both, and kernel-sized.
    const int sizes[][3] = {{2, 3, 4}, {1, 16, 32}, {1, 64, 7}, {40, 16, 1}, {1, 40, 1}, {64, 16, 32}, {7, 30, 5}, {33, 1, 9}};
    for (const auto& s : sizes) {
        const int n = s[0], k = s[1], m = s[2];
        SECTION("sizes " + std::to_string(n) + "x" + std::to_string(k) + " times " + std::to_string(k) + "x" + std::to_string(m)) {
            const dyn a = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(n, k);
            const dyn b = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(k, m);
            const dyn at = a.transpose(), bt = b.transpose();
            dyn dst;
            check_product(dst, a, b);
            check_product(dst, at.transpose(), b);                // a transposed operand (row-major kernel side)
            check_product(dst, a, bt.transpose());
            check_product(dst, at.transpose(), bt.transpose());
            check_product(dst, (a + a).eval() * 0.5, b);          // a scaled operand: the factor is applied once
            check_product(dst, 2.0 * a, b);
            check_product(dst, (a.array() * a.array()).matrix(), b);  // an expression, evaluated first
            Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major;
            check_product(row_major, a, b);
        }
    }
}

TEST_CASE("stored products with static sizes equal the definition", "[eval][products]") {
    random_source rnd(812);
    const Eigen::Matrix<double, 64, 16> x = rnd.uniform<64, 16>();
    const Eigen::Matrix<double, 16, 32> w = rnd.uniform<16, 32>();
    const Eigen::Matrix<double, 64, 32> g = rnd.uniform<64, 32>();
    Eigen::Matrix<double, 64, 32> z;
    check_product(z, x, w);
    Eigen::Matrix<double, 16, 32> gw;
    check_product(gw, x.transpose(), g);
    Eigen::Matrix<double, 64, 16> gx;
    check_product(gx, g, w.transpose());
    const Eigen::Matrix<double, 3, 4> small_a = rnd.uniform<3, 4>();
    const Eigen::Matrix<double, 4, 2> small_b = rnd.uniform<4, 2>();
    Eigen::Matrix<double, 3, 2> small;  // Eigen's own coefficient-based product
    check_product(small, small_a, small_b);
}

TEST_CASE("stored matrix-vector products equal the definition on either side", "[eval][products]") {
    random_source rnd(813);
    for (const int n : {1, 5, 64}) {
        SECTION("batch of " + std::to_string(n)) {
            const Eigen::Matrix<double, Eigen::Dynamic, 32> a = rnd.uniform<Eigen::Dynamic, 32>(n, 32);
            const Eigen::Matrix<double, 32, 1> w = rnd.uniform<32, 1>();
            const Eigen::Matrix<double, Eigen::Dynamic, 1> g = rnd.uniform<Eigen::Dynamic, 1>(n, 1);
            Eigen::Matrix<double, Eigen::Dynamic, 1> z;
            check_product(z, a, w);                                // matrix times vector
            check_product(z, a, (w.array() * 3.0).matrix());      // a vector expression
            Eigen::Matrix<double, 32, 1> gw;
            check_product(gw, a.transpose(), g);                  // transposed matrix times vector
            Eigen::Matrix<double, 1, 32> row;
            check_product(row, g.transpose(), a);                 // row vector times matrix
        }
    }
}

TEST_CASE("a one-row batch times a weight equals the definition at every depth and width", "[eval][products]") {
    // (1 x k) (k x m): dot products of the row with the weight's columns (add_row_dots with
    // AVX-512, Eigen's GEMV otherwise), whole and partial blocks of eight columns, whole and
    // partial packets of depth; static sizes through Eigen's product kinds, run-time ones through
    // the product of a batch that has one row.
    random_source rnd(817);
    for (const int k : {1, 7, 8, 9, 16, 23, 64}) {
        for (const int m : {1, 5, 8, 13, 32, 33}) {
            SECTION("1x" + std::to_string(k) + " times " + std::to_string(k) + "x" + std::to_string(m)) {
                const dyn x = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(1, k);
                const dyn w = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(k, m);
                const dyn wt = w.transpose();
                dyn dst;
                check_product(dst, x, w);
                check_product(dst, x, wt.transpose());
                check_product(dst, -0.5 * x, w);
                const Eigen::Matrix<double, 1, Eigen::Dynamic> row = x;
                Eigen::Matrix<double, 1, Eigen::Dynamic> row_dst;
                check_product(row_dst, row, w);
                const dyn column_dst_expected = product_by_definition(w.transpose(), dyn(x.transpose()));
                Eigen::VectorXd column_dst(m);
                column_dst.setZero();
                const Eigen::VectorXd column = x.transpose();
                ctgrad::detail::add_matrix_vector_product(column_dst, w.transpose(), column, 2.0);  // W^T x^T
                CHECK((dyn(column_dst) - 2.0 * column_dst_expected).cwiseAbs().maxCoeff() <= 1e-12 * (1.0 + column_dst_expected.cwiseAbs().maxCoeff()));
            }
        }
    }
}

TEST_CASE("a one-row batch times a weight with static sizes equals the definition", "[eval][products]") {
    random_source rnd(818);
    const Eigen::Matrix<double, 1, 16> x = rnd.uniform<1, 16>();
    const Eigen::Matrix<double, 16, 32> w = rnd.uniform<16, 32>();
    Eigen::Matrix<double, 1, 32> z;
    check_product(z, x, w);
    const Eigen::Matrix<double, 1, 10> x10 = rnd.uniform<1, 10>();
    const Eigen::Matrix<double, 10, 37> w10 = rnd.uniform<10, 37>();
    Eigen::Matrix<double, 1, 37> z10;
    check_product(z10, x10, w10);
    const Eigen::Matrix<double, 37, 10> w10t = w10.transpose();
    check_product(z10, x10, w10t.transpose());  // a row-major weight: the other GEMV kernel
    check_product(z10, -0.5 * x10, w10);            // a scaled row: the factor applied once
    const Eigen::Matrix<double, 5, 10> xs = rnd.uniform<5, 10>();
    check_product(z10, xs.row(2), w10);             // a row of a column-major batch: entries 5 apart
    const Eigen::Matrix<double, 10, 1> column = x10.transpose();
    check_product(z10, column.transpose(), w10);
    Eigen::Matrix<double, 37, 1> wx;
    check_product(wx, w10.transpose(), column);     // W^T x: a matrix times a vector, row-major
    check_product(wx, w10t, xs.row(3).transpose());
}

TEST_CASE("a stored outer product equals the definition in either storage order", "[eval][products]") {
    random_source rnd(816);
    const Eigen::Matrix<double, 64, 1> a = rnd.uniform<64, 1>();
    const Eigen::Matrix<double, 1, 48> b = rnd.uniform<1, 48>();
    const dyn expected = product_by_definition(dyn(a), dyn(b));
    Eigen::Matrix<double, 64, 48> column_major;
    ctgrad::detail::store_outer_product(column_major, a.lazyProduct(b));
    CHECK((dyn(column_major) - expected).cwiseAbs().maxCoeff() <= 1e-15);
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> row_major;
    ctgrad::detail::store_outer_product(row_major, a.lazyProduct(b));
    CHECK((dyn(row_major) - expected).cwiseAbs().maxCoeff() <= 1e-15);
}

// --- Products computed into their reader --------------------------------------------------

namespace {

using namespace ctgrad;

/// sum(tanh(S) (.) S): S has two readers, so it keeps a slot, and a product in it is computed
/// into that slot. `by_hand` is S written in Eigen.
template <class S, class Bound, class ByHand, class... Vs>
void check_sum_with_product(const S& s, const Bound& in, const ByHand& by_hand, const Vs&... variables) {
    constexpr auto loss = sum(hadamard(tanh(S{}), S{}));
    const dyn expected = by_hand();
    CHECK(worst_relative_difference(eval(loss, in), (expected.array().tanh() * expected.array()).sum()) < value_tolerance);
    CHECK(worst_relative_difference(eval(s, in), expected) < value_tolerance);
    for (const double worst : {check_gradient(loss, variables, in)...}) CHECK(worst < check_gradient_tolerance);
}

}  // namespace

TEST_CASE("a product read only by a sum or difference is added into the sum's value, in every arrangement",
          "[eval][products]") {
    constexpr matrix<"X", dynamic, dynamic> X{};
    constexpr matrix<"W", dynamic, dynamic> W{};
    constexpr matrix<"B", dynamic, dynamic> B{};
    constexpr matrix<"r", 1, dynamic> r{};
    constexpr matrix<"s", 1, 1> s{};
    random_source rnd(814);
    // (rows, depth, cols): ctgrad's small loop, and Eigen's GEMM kernel.
    const int sizes[][3] = {{2, 3, 4}, {30, 8, 12}};
    for (const auto& size : sizes) {
        const int n = size[0], k = size[1], m = size[2];
        SECTION("sizes " + std::to_string(n) + "x" + std::to_string(k) + " times " + std::to_string(k) + "x" + std::to_string(m)) {
            const dyn x = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(n, k);
            const dyn w = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(k, m);
            const dyn b = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(n, m);
            const Eigen::Matrix<double, 1, Eigen::Dynamic> row = rnd.uniform<1, Eigen::Dynamic>(1, m);
            const Eigen::Matrix<double, 1, 1> one = rnd.uniform<1, 1>();
            const auto in = bind(X = x, W = w, B = b, r = row, s = one);
            const dyn xw = x * w;
            const dyn ones = dyn::Ones(n, m);
            check_sum_with_product(X * W + B, in, [&] { return dyn(xw + b); }, W, B);
            check_sum_with_product(B + X * W, in, [&] { return dyn(b + xw); }, X, B);
            check_sum_with_product(X * W - B, in, [&] { return dyn(xw - b); }, W, B);
            check_sum_with_product(B - X * W, in, [&] { return dyn(b - xw); }, X, W);
            check_sum_with_product(X * W + r, in, [&] { return dyn(xw.rowwise() + row); }, W, r);
            check_sum_with_product(r - X * W, in, [&] { return dyn((-xw).rowwise() + row); }, X, r);
            check_sum_with_product(X * W + s, in, [&] { return dyn(xw.array() + one(0, 0)); }, W, s);
            check_sum_with_product(s - X * W, in, [&] { return dyn(one(0, 0) - xw.array()); }, X, s);
        }
    }
}

TEST_CASE("an outer product is computed inside its one reader's loop, and stored when read twice", "[eval][products]") {
    constexpr matrix<"u", dynamic, 1> u{};
    constexpr matrix<"v", 1, 5> v{};
    constexpr matrix<"C", dynamic, 5> C{};
    random_source rnd(815);
    const Eigen::Matrix<double, Eigen::Dynamic, 1> uu = rnd.uniform<Eigen::Dynamic, 1>(7, 1);
    const Eigen::Matrix<double, 1, 5> vv = rnd.uniform<1, 5>();
    const Eigen::Matrix<double, Eigen::Dynamic, 5> cc = rnd.uniform<Eigen::Dynamic, 5>(7, 5);
    const auto in = bind(u = uu, v = vv, C = cc);
    const Eigen::Matrix<double, Eigen::Dynamic, 5> outer = uu * vv;

    constexpr auto read_once = sum(hadamard(u * v, C));
    CHECK(worst_relative_difference(eval(read_once, in), (outer.array() * cc.array()).sum()) < value_tolerance);
    CHECK(check_gradient(read_once, u, in) < check_gradient_tolerance);
    CHECK(check_gradient(read_once, v, in) < check_gradient_tolerance);

    constexpr auto read_twice = sum(hadamard(tanh(u * v), u * v));
    CHECK(worst_relative_difference(eval(read_twice, in), (outer.array().tanh() * outer.array()).sum()) < value_tolerance);
    CHECK(check_gradient(read_twice, u, in) < check_gradient_tolerance);
    CHECK(check_gradient(read_twice, v, in) < check_gradient_tolerance);
}

TEST_CASE("row-major matrices and Eigen expressions bound to the board net give the same gradients", "[eval][products]") {
    constexpr matrix<"X", dynamic, 16> X{};
    constexpr matrix<"W_1", 16, 32> W1{};
    constexpr vector<"b_1", 32> b1{};
    constexpr matrix<"W_2", 32, 1> W2{};
    constexpr vector<"b_2", 1> b2{};
    constexpr matrix<"Y", dynamic, 1> Y{};
    constexpr auto L = mse(tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2)), Y);
    random_source rnd(816);
    const Eigen::Matrix<double, Eigen::Dynamic, 16> x = rnd.uniform<Eigen::Dynamic, 16>(40, 16);
    const Eigen::Matrix<double, 16, 32> w1 = rnd.uniform<16, 32>();
    const Eigen::Matrix<double, 32, 1> v1 = rnd.uniform<32, 1>();
    const Eigen::Matrix<double, 32, 1> w2 = rnd.uniform<32, 1>();
    const Eigen::Matrix<double, 1, 1> v2 = rnd.uniform<1, 1>();
    const Eigen::Matrix<double, Eigen::Dynamic, 1> y = rnd.uniform<Eigen::Dynamic, 1>(40, 1);
    const auto [gw1, gv1, gw2, gv2] = eval(grads(L, W1, b1, W2, b2), bind(X = x, W1 = w1, b1 = v1, W2 = w2, b2 = v2, Y = y));

    const Eigen::Matrix<double, Eigen::Dynamic, 16, Eigen::RowMajor> x_rows = x;
    const Eigen::Matrix<double, 16, 32, Eigen::RowMajor> w1_rows = w1;
    const auto in = bind(X = x_rows, W1 = w1_rows, b1 = v1, W2 = w2, b2 = v2, Y = y);
    const auto [rw1, rv1, rw2, rv2] = eval(grads(L, W1, b1, W2, b2), in);
    CHECK(worst_relative_difference(rw1, gw1) < value_tolerance);
    CHECK(worst_relative_difference(rv1, gv1) < value_tolerance);
    CHECK(worst_relative_difference(rw2, gw2) < value_tolerance);
    CHECK(worst_relative_difference(rv2, gv2) < value_tolerance);
    CHECK(check_gradient(L, W1, in) < check_gradient_tolerance);

    // A block of a larger matrix and a scaled matrix: bind copies expressions.
    const Eigen::MatrixXd wide = rnd.uniform<Eigen::Dynamic, Eigen::Dynamic>(40, 20);
    const auto [bw1, bv1, bw2, bv2] =
        eval(grads(L, W1, b1, W2, b2), bind(X = wide.leftCols(16), W1 = 2.0 * w1, b1 = v1, W2 = w2, b2 = v2, Y = y));
    const auto [ew1, ev1, ew2, ev2] = eval(grads(L, W1, b1, W2, b2),
                                           bind(X = Eigen::Matrix<double, Eigen::Dynamic, 16>(wide.leftCols(16)),
                                                W1 = Eigen::Matrix<double, 16, 32>(2.0 * w1), b1 = v1, W2 = w2, b2 = v2, Y = y));
    CHECK(worst_relative_difference(bw1, ew1) < value_tolerance);
    CHECK(worst_relative_difference(bv2, ev2) < value_tolerance);
}
