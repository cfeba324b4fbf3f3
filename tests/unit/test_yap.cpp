// from_yap (yap.hpp): Boost.YAP expressions over ctgrad variables become the formula written with
// ctgrad directly, of the same type; their gradients against central finite differences, their
// LaTeX against the directly written formula's and against exact text; every yap_fn terminal
// against its ctgrad builder.
#include "support.hpp"

#include <ctgrad/latex.hpp>
#include <ctgrad/yap.hpp>

#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace {

using namespace ctgrad;
using namespace ctgrad_test;
namespace fn = ctgrad::yap_fn;
using boost::yap::make_terminal;

template <class A, class B>
constexpr bool same_formula = std::is_same_v<std::remove_cvref_t<A>, std::remove_cvref_t<B>>;

// The lecture's board net, with a dynamic batch.
constexpr matrix<"X", dynamic, 3> X{};
constexpr matrix<"W_1", 3, 4> W1{};
constexpr vector<"b_1", 4> b1{};
constexpr matrix<"W_2", 4, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr auto L = mse(tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2)), Y);

// The same formula built as a Boost.YAP expression: terminals of the variables, YAP's operators
// and calls of yap_fn terminals. Named terminals are held by reference in the expression (YAP's
// expr_ref), so the expression is built where they live.
auto board_from_yap() {
    auto const x = make_terminal(X);
    auto const w1 = make_terminal(W1);
    auto const c1 = make_terminal(b1);
    auto const w2 = make_terminal(W2);
    auto const c2 = make_terminal(b2);
    auto const y = make_terminal(Y);
    return from_yap(fn::mse(fn::tanh(fn::relu(x * w1 + fn::transpose(c1)) * w2 + fn::transpose(c2)), y));
}

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

// A formula with a unary minus, numbers, a column spread and operations beyond the lecture:
// logits centred on their row means, a softmax, and a weighting by sqrt(P) (P > 0).
constexpr matrix<"A", 5, 3> A{};
constexpr matrix<"V", 3, 4> V{};
constexpr matrix<"P", 5, 4> P{};
constexpr auto Z = A * V;
constexpr auto M = sum(hadamard(softmax(-(Z - row_means(Z))), 2.0 * sqrt(P))) + 0.5 * mean(square(V));

auto newer_from_yap() {
    auto const a = make_terminal(A);
    auto const v = make_terminal(V);
    auto const p = make_terminal(P);
    auto const z = a * v;
    return from_yap(fn::sum(fn::hadamard(fn::softmax(-(z - fn::row_means(z))), 2.0 * fn::sqrt(p))) +
                    0.5 * fn::mean(fn::square(v)));
}

// The descriptor a yap_fn terminal stands for.
template <class Terminal>
using op_of = typename std::remove_cvref_t<decltype(boost::yap::value(std::declval<Terminal>()))>::op_type;

using yap_fn_ops = std::tuple<
    op_of<decltype(fn::plus)>, op_of<decltype(fn::minus)>, op_of<decltype(fn::negate)>, op_of<decltype(fn::matmul)>,
    op_of<decltype(fn::scale)>, op_of<decltype(fn::divide)>, op_of<decltype(fn::hadamard)>,
    op_of<decltype(fn::transpose)>, op_of<decltype(fn::relu)>, op_of<decltype(fn::step)>, op_of<decltype(fn::tanh)>,
    op_of<decltype(fn::sigmoid)>, op_of<decltype(fn::exp)>, op_of<decltype(fn::log)>, op_of<decltype(fn::softplus)>,
    op_of<decltype(fn::square)>, op_of<decltype(fn::identity)>, op_of<decltype(fn::sqrt)>, op_of<decltype(fn::abs)>,
    op_of<decltype(fn::sign)>, op_of<decltype(fn::gelu)>, op_of<decltype(fn::softmax)>,
    op_of<decltype(fn::log_softmax)>, op_of<decltype(fn::sum)>, op_of<decltype(fn::mean)>,
    op_of<decltype(fn::column_sums)>, op_of<decltype(fn::column_means)>, op_of<decltype(fn::row_sums)>,
    op_of<decltype(fn::row_means)>, op_of<decltype(fn::count)>, op_of<decltype(fn::mse)>, op_of<decltype(fn::bce)>,
    op_of<decltype(fn::cross_entropy)>, op_of<decltype(fn::concat_cols)>, op_of<decltype(fn::slice_cols<0, 1>)>>;

template <class Op, class... Ops>
constexpr bool listed_in(std::tuple<Ops...>*) {
    return (std::is_same_v<Op, Ops> || ...);
}

// Every operation of ctgrad's language (a descriptor with a call_form, as ctgrad-gen's table) has
// its yap_fn terminal, so an operation added to ops/ without one fails here.
template <class... Ops>
constexpr bool every_call_form_has_a_terminal(std::tuple<Ops...>*) {
    return ((!requires { Ops::call; } || listed_in<Ops>(static_cast<yap_fn_ops*>(nullptr))) && ...);
}

}  // namespace

TEST_CASE("a Boost.YAP board formula converts to the type of the formula written with ctgrad", "[yap]") {
    STATIC_REQUIRE(same_formula<decltype(board_from_yap()), decltype(L)>);
    STATIC_REQUIRE(same_formula<decltype(newer_from_yap()), decltype(M)>);
}

TEST_CASE("the converted board formula's gradients match central finite differences", "[yap][eval]") {
    auto const Ly = board_from_yap();
    auto const p = random_board_point(1601);
    // relu's kink: every pre-activation of the first layer stays far from 0 at this point.
    Eigen::MatrixXd const z1 = (p.x * p.w1).rowwise() + p.v1.transpose();
    REQUIRE(smallest_magnitude(z1) > 1e3 * fd_step);
    auto const in = bind(X = p.x, W1 = p.w1, b1 = p.v1, W2 = p.w2, b2 = p.v2, Y = p.y);

    auto const [gW1, gb1, gW2, gb2] = eval(grads(Ly, W1, b1, W2, b2), in);
    auto const fd_W1 = finite_difference_gradient(
        [&](Eigen::Matrix<double, 3, 4> const& w) { return eval(Ly, bind(X = p.x, W1 = w, b1 = p.v1, W2 = p.w2, b2 = p.v2, Y = p.y)); },
        p.w1);
    auto const fd_b1 = finite_difference_gradient(
        [&](Eigen::Matrix<double, 4, 1> const& v) { return eval(Ly, bind(X = p.x, W1 = p.w1, b1 = v, W2 = p.w2, b2 = p.v2, Y = p.y)); },
        p.v1);
    auto const fd_W2 = finite_difference_gradient(
        [&](Eigen::Matrix<double, 4, 1> const& w) { return eval(Ly, bind(X = p.x, W1 = p.w1, b1 = p.v1, W2 = w, b2 = p.v2, Y = p.y)); },
        p.w2);
    auto const fd_b2 = finite_difference_gradient(
        [&](Eigen::Matrix<double, 1, 1> const& v) { return eval(Ly, bind(X = p.x, W1 = p.w1, b1 = p.v1, W2 = p.w2, b2 = v, Y = p.y)); },
        p.v2);
    CHECK(worst_relative_difference(gW1, fd_W1) < gradient_tolerance);
    CHECK(worst_relative_difference(gb1, fd_b1) < gradient_tolerance);
    CHECK(worst_relative_difference(gW2, fd_W2) < gradient_tolerance);
    CHECK(worst_relative_difference(gb2, fd_b2) < gradient_tolerance);
    CHECK(check_gradient(Ly, W1, in) < check_gradient_tolerance);

    // And the loss is the one the directly written formula computes.
    CHECK(worst_relative_difference(eval(Ly, in), eval(L, in)) < value_tolerance);
}

TEST_CASE("the converted board formula prints as the formula written with ctgrad", "[yap][latex]") {
    auto const Ly = board_from_yap();
    CHECK(latex(Ly) == latex(L));
    CHECK(latex(Ly) == "\\operatorname{MSE}(\\tanh(\\operatorname{ReLU}(X W_1 + b_1^{T}) W_2 + b_2^{T}), Y)");
    CHECK(text(Ly) == "MSE(tanh(ReLU(X W₁ + b₁ᵀ) W₂ + b₂ᵀ), Y)");
    CHECK(latex(grad(Ly, W1)) == latex(grad(L, W1)));
    CHECK(latex(grad(Ly, W2)) == "A_1^{T} \\frac{\\partial L}{\\partial Z_2}");
}

TEST_CASE("unary minus, numbers and softmax, row_means, sqrt convert; gradients match finite differences",
          "[yap][eval]") {
    auto const My = newer_from_yap();
    random_source rnd(1602);
    Eigen::Matrix<double, 5, 3> const a = rnd.uniform<5, 3>();
    Eigen::Matrix<double, 3, 4> const v = rnd.uniform<3, 4>();
    Eigen::Matrix<double, 5, 4> const p = rnd.positive<5, 4>();
    auto const in = bind(A = a, V = v, P = p);

    // The value against plain Eigen, written from the definition.
    Eigen::Matrix<double, 5, 4> z = a * v;
    Eigen::Matrix<double, 5, 4> const centred = -(z.colwise() - z.rowwise().mean());
    Eigen::Matrix<double, 5, 4> s = centred.array().exp().matrix();
    for (Eigen::Index i = 0; i < s.rows(); ++i) s.row(i) /= s.row(i).sum();
    double const expected = (s.array() * 2.0 * p.array().sqrt()).sum() + 0.5 * v.array().square().mean();
    CHECK(worst_relative_difference(eval(My, in), expected) < value_tolerance);

    auto const [gV, gP] = eval(grads(My, V, P), in);
    auto const fd_V = finite_difference_gradient(
        [&](Eigen::Matrix<double, 3, 4> const& x) { return eval(My, bind(A = a, V = x, P = p)); }, v);
    auto const fd_P = finite_difference_gradient(
        [&](Eigen::Matrix<double, 5, 4> const& x) { return eval(My, bind(A = a, V = v, P = x)); }, p);
    CHECK(worst_relative_difference(gV, fd_V) < gradient_tolerance);
    CHECK(worst_relative_difference(gP, fd_P) < gradient_tolerance);
    CHECK(latex(My) == latex(M));
}

TEST_CASE("every yap_fn terminal builds what its ctgrad builder builds", "[yap]") {
    constexpr matrix<"B", 4, 3> B{};
    constexpr matrix<"C", 4, 3> C{};
    constexpr matrix<"s", 1, 1> s{};
    constexpr matrix<"D", 3, 2> D{};
    auto const b = make_terminal(B);
    auto const c = make_terminal(C);
    auto const k = make_terminal(s);
    auto const d = make_terminal(D);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::plus(b, c))), decltype(plus(B, C))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::minus(b, c))), decltype(minus(B, C))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::negate(b))), decltype(negate(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::matmul(b, d))), decltype(matmul(B, D))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::scale(k, b))), decltype(scale(s, B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::divide(b, c))), decltype(divide(B, C))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::hadamard(b, c))), decltype(hadamard(B, C))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::transpose(b))), decltype(transpose(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::relu(b))), decltype(relu(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::step(b))), decltype(step(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::tanh(b))), decltype(tanh(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::sigmoid(b))), decltype(sigmoid(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::exp(b))), decltype(exp(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::log(b))), decltype(log(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::softplus(b))), decltype(softplus(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::square(b))), decltype(square(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::identity(b))), decltype(identity(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::sqrt(b))), decltype(sqrt(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::abs(b))), decltype(abs(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::sign(b))), decltype(sign(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::gelu(b))), decltype(gelu(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::softmax(b))), decltype(softmax(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::log_softmax(b))), decltype(log_softmax(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::sum(b))), decltype(sum(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::mean(b))), decltype(mean(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::column_sums(b))), decltype(column_sums(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::column_means(b))), decltype(column_means(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::row_sums(b))), decltype(row_sums(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::row_means(b))), decltype(row_means(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::count(b))), decltype(count(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::mse(b, c))), decltype(mse(B, C))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::bce(b, c))), decltype(bce(B, C))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::cross_entropy(b, c))), decltype(cross_entropy(B, C))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::concat_cols(b, c))), decltype(concat_cols(B, C))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::slice_cols<1, 2>(b))), decltype(slice_cols<1, 2>(B))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(fn::named<"H">(b))), decltype(named<"H">(B))>);
    STATIC_REQUIRE(every_call_form_has_a_terminal(static_cast<all_operations*>(nullptr)));
}

TEST_CASE("from_yap converts in constant expressions, passes a ctgrad formula through, and makes numbers constants",
          "[yap]") {
    // A terminal held by value (an rvalue operand), so the whole YAP expression is a constant.
    constexpr auto converted = from_yap(fn::tanh(make_terminal(W1) * 2));
    STATIC_REQUIRE(same_formula<decltype(converted), decltype(tanh(W1 * 2.0))>);
    STATIC_REQUIRE(same_formula<decltype(from_yap(L)), decltype(L)>);

    auto const number = from_yap(make_terminal(2) * 3.5 - 1);
    STATIC_REQUIRE(std::is_same_v<decltype(number), constant const>);
    CHECK(number.value == 6.0);
    auto const scaled = from_yap(+make_terminal(W1) / 4);
    random_source rnd(1603);
    Eigen::Matrix<double, 3, 4> const w = rnd.uniform<3, 4>();
    CHECK(worst_relative_difference(eval(scaled, bind(W1 = w)), w / 4.0) < value_tolerance);
}
