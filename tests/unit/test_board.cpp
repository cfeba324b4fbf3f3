// The lecture's board net, yhat = tanh(relu(X W1 + b1^T) W2 + b2^T), L = mse(yhat, Y):
// ctgrad's gradients against the hand derivation of the lecture's exercise "compute the
// SGD update rules for W_i, b_i", written out step by step in plain Eigen.
#include "support.hpp"

#include <tuple>

namespace {

using namespace ctgrad;
using namespace ctgrad_test;

constexpr int d = 3;
constexpr int H = 4;

// The same net twice: with a static batch of 8 rows, and with a batch whose size is only
// known at run time.
struct static_batch {
    static constexpr int N = 8;
    static constexpr Eigen::Index n = 8;
    static constexpr matrix<"X", 8, d> X{};
    static constexpr matrix<"Y", 8, 1> Y{};
};

struct dynamic_batch {
    static constexpr int N = Eigen::Dynamic;
    static constexpr Eigen::Index n = 11;
    static constexpr matrix<"X", dynamic, d> X{};
    static constexpr matrix<"Y", dynamic, 1> Y{};
};

constexpr matrix<"W_1", d, H> W1{};
constexpr vector<"b_1", H> b1{};
constexpr matrix<"W_2", H, 1> W2{};
constexpr vector<"b_2", 1> b2{};

template <class S>
constexpr auto yhat = tanh(relu(S::X * W1 + transpose(b1)) * W2 + transpose(b2));
template <class S>
constexpr auto L = mse(yhat<S>, S::Y);

// One point of the parameter space, with a batch.
template <class S>
struct point {
    Eigen::Matrix<double, S::N, d> x;
    Eigen::Matrix<double, d, H> w1;
    Eigen::Matrix<double, H, 1> v1;
    Eigen::Matrix<double, H, 1> w2;
    Eigen::Matrix<double, 1, 1> v2;
    Eigen::Matrix<double, S::N, 1> y;
};

// The hand derivation, every intermediate named as on the board.
template <class S>
struct hand_derivation {
    Eigen::Matrix<double, S::N, 1> yhat;
    double loss;
    Eigen::Matrix<double, d, H> dW1;
    Eigen::Matrix<double, H, 1> db1;
    Eigen::Matrix<double, H, 1> dW2;
    Eigen::Matrix<double, 1, 1> db2;
    double smallest_preactivation;  // min |Z1|: how far the point is from relu's kink
};

template <class S>
hand_derivation<S> derive_by_hand(point<S> const& p) {
    using nH = Eigen::Matrix<double, S::N, H>;
    using n1 = Eigen::Matrix<double, S::N, 1>;
    double const n = double(p.x.rows());

    nH const Z1 = (p.x * p.w1).rowwise() + p.v1.transpose();
    nH const A1 = Z1.cwiseMax(0.0);
    n1 const Z2 = (A1 * p.w2).array() + p.v2(0, 0);
    n1 const yhat = Z2.array().tanh();

    hand_derivation<S> h;
    h.yhat = yhat;
    h.loss = (yhat - p.y).squaredNorm() / n;
    n1 const dyhat = 2.0 / n * (yhat - p.y);                                          // dL/dyhat
    n1 const dZ2 = dyhat.array() * (1.0 - yhat.array().square());                      // tanh' = 1 - tanh^2
    h.dW2 = A1.transpose() * dZ2;
    h.db2 = dZ2.colwise().sum();
    nH const dA1 = dZ2 * p.w2.transpose();
    nH const dZ1 = dA1.array() * (Z1.array() > 0.0).template cast<double>();         // relu' = I{Z1 > 0}
    h.dW1 = p.x.transpose() * dZ1;
    h.db1 = dZ1.colwise().sum().transpose();
    h.smallest_preactivation = smallest_magnitude(Z1);
    return h;
}

// A random point whose pre-activations stay clear of relu's kink, so that the hand
// derivation (which picks relu'(0) = 0) and finite differences agree.
template <class S>
point<S> random_point(unsigned seed) {
    random_source rnd(seed);
    for (;;) {
        point<S> p{rnd.uniform<S::N, d>(S::n, d), rnd.uniform<d, H>(), rnd.uniform<H, 1>(),
                   rnd.uniform<H, 1>(),          rnd.uniform<1, 1>(), rnd.uniform<S::N, 1>(S::n, 1)};
        if (derive_by_hand(p).smallest_preactivation > 1e-3) return p;
    }
}

template <class S>
auto bind_point(point<S> const& p) {
    return bind(S::X = p.x, W1 = p.w1, b1 = p.v1, W2 = p.w2, b2 = p.v2, S::Y = p.y);
}

}  // namespace

TEMPLATE_TEST_CASE("the board net's prediction and mse loss match the plain Eigen forward pass", "[board]",
                   static_batch, dynamic_batch) {
    using S = TestType;
    auto const p = random_point<S>(201);
    auto const h = derive_by_hand(p);
    auto const in = bind_point(p);
    Eigen::Matrix<double, S::N, 1> const predicted = eval(yhat<S>, in);
    CHECK(worst_relative_difference(predicted, h.yhat) < value_tolerance);
    CHECK(worst_relative_difference(eval(L<S>, in), h.loss) < value_tolerance);
}

TEMPLATE_TEST_CASE("grad of the board net matches the lecture's hand derivation for all four parameters",
                   "[board]", static_batch, dynamic_batch) {
    using S = TestType;
    auto const p = random_point<S>(202);
    auto const h = derive_by_hand(p);
    auto const in = bind_point(p);

    Eigen::Matrix<double, d, H> const gW1 = eval(grad(L<S>, W1), in);
    Eigen::Matrix<double, H, 1> const gb1 = eval(grad(L<S>, b1), in);
    Eigen::Matrix<double, H, 1> const gW2 = eval(grad(L<S>, W2), in);
    auto const gb2 = eval(grad(L<S>, b2), in);
    CAPTURE(gW1, h.dW1, gb1, h.db1, gW2, h.dW2, gb2, h.db2);
    CHECK(worst_relative_difference(gW1, h.dW1) < identity_tolerance);
    CHECK(worst_relative_difference(gb1, h.db1) < identity_tolerance);
    CHECK(worst_relative_difference(gW2, h.dW2) < identity_tolerance);
    CHECK(worst_relative_difference(gb2, h.db2) < identity_tolerance);
}

TEMPLATE_TEST_CASE("grads of the board net gives the four hand-derived gradients in the order asked",
                   "[board]", static_batch, dynamic_batch) {
    using S = TestType;
    auto const p = random_point<S>(203);
    auto const h = derive_by_hand(p);
    auto const in = bind_point(p);

    auto const [gW1, gb1, gW2, gb2] = eval(grads(L<S>, W1, b1, W2, b2), in);
    CHECK(worst_relative_difference(gW1, h.dW1) < identity_tolerance);
    CHECK(worst_relative_difference(gb1, h.db1) < identity_tolerance);
    CHECK(worst_relative_difference(gW2, h.dW2) < identity_tolerance);
    CHECK(worst_relative_difference(gb2, h.db2) < identity_tolerance);

    auto const [rW2, rb2, rW1] = eval(grads(L<S>, W2, b2, W1), in);
    CHECK(worst_relative_difference(rW2, h.dW2) < identity_tolerance);
    CHECK(worst_relative_difference(rb2, h.db2) < identity_tolerance);
    CHECK(worst_relative_difference(rW1, h.dW1) < identity_tolerance);
}

TEMPLATE_TEST_CASE("the hand derivation itself agrees with finite differences of the board loss", "[board]",
                   static_batch, dynamic_batch) {
    // Guards the reference: if the plain-Eigen derivation above were wrong, the two
    // comparisons with ctgrad would fail for the wrong reason.
    using S = TestType;
    auto const p = random_point<S>(204);
    auto const h = derive_by_hand(p);
    auto const loss_with = [&](auto change) {
        point<S> q = p;
        change(q);
        return derive_by_hand(q).loss;
    };
    auto const fd_W1 = finite_difference_gradient(
        [&](Eigen::Matrix<double, d, H> const& w) { return loss_with([&](point<S>& q) { q.w1 = w; }); }, p.w1);
    auto const fd_b1 = finite_difference_gradient(
        [&](Eigen::Matrix<double, H, 1> const& v) { return loss_with([&](point<S>& q) { q.v1 = v; }); }, p.v1);
    auto const fd_W2 = finite_difference_gradient(
        [&](Eigen::Matrix<double, H, 1> const& w) { return loss_with([&](point<S>& q) { q.w2 = w; }); }, p.w2);
    auto const fd_b2 = finite_difference_gradient(
        [&](Eigen::Matrix<double, 1, 1> const& v) { return loss_with([&](point<S>& q) { q.v2 = v; }); }, p.v2);
    CHECK(worst_relative_difference(h.dW1, fd_W1) < gradient_tolerance);
    CHECK(worst_relative_difference(h.db1, fd_b1) < gradient_tolerance);
    CHECK(worst_relative_difference(h.dW2, fd_W2) < gradient_tolerance);
    CHECK(worst_relative_difference(h.db2, fd_b2) < gradient_tolerance);
}

TEMPLATE_TEST_CASE("one SGD step with a small learning rate decreases the board loss", "[board]", static_batch,
                   dynamic_batch) {
    using S = TestType;
    auto p = random_point<S>(205);
    double const eta = 1e-2;
    double const before = eval(L<S>, bind_point(p));

    auto const [gW1, gb1, gW2, gb2] = eval(grads(L<S>, W1, b1, W2, b2), bind_point(p));
    // W_i := W_i - eta dL/dW_i, b_i := b_i - eta dL/db_i (the lecture's rule (*)).
    p.w1 -= eta * gW1;
    p.v1 -= eta * gb1;
    p.w2 -= eta * gW2;
    p.v2.array() -= eta * gb2;
    double const after = eval(L<S>, bind_point(p));

    CAPTURE(before, after);
    CHECK(after < before);
}
