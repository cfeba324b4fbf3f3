// Compile-time probe for yap.hpp (docs/design.md, "Boost"): the board network and its four
// gradients, the loss written with ctgrad directly or, with -DCTGRAD_VIA_YAP, built as a Boost.YAP
// expression and converted by from_yap. Built only by hand:
//   /usr/bin/time -f "%U s %M KB" g++ -std=c++20 -O2 -Iinclude -I/usr/include/eigen3 \
//       -c tests/compile_time/yap_board_tu.cpp -o /dev/null [-DCTGRAD_VIA_YAP]
#include <ctgrad/ctgrad.hpp>
#ifdef CTGRAD_VIA_YAP
#include <ctgrad/yap.hpp>
#endif
using namespace ctgrad;
constexpr matrix<"X", dynamic, 3> X{};  constexpr matrix<"Y", dynamic, 1> Y{};
constexpr matrix<"W_1", 3, 4> W1{};     constexpr vector<"b_1", 4> b1{};
constexpr matrix<"W_2", 4, 1> W2{};     constexpr vector<"b_2", 1> b2{};
auto loss() {
#ifdef CTGRAD_VIA_YAP
    namespace fn = ctgrad::yap_fn;
    auto const x = boost::yap::make_terminal(X);
    auto const y = boost::yap::make_terminal(Y);
    auto const w1 = boost::yap::make_terminal(W1);
    auto const c1 = boost::yap::make_terminal(b1);
    auto const w2 = boost::yap::make_terminal(W2);
    auto const c2 = boost::yap::make_terminal(b2);
    return from_yap(fn::mse(fn::tanh(fn::relu(x * w1 + fn::transpose(c1)) * w2 + fn::transpose(c2)), y));
#else
    return mse(tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2)), Y);
#endif
}
int main() {
    Eigen::MatrixXd x = Eigen::MatrixXd::Random(32, 3), y = Eigen::MatrixXd::Random(32, 1);
    Eigen::Matrix<double, 3, 4> w1 = Eigen::Matrix<double, 3, 4>::Random();
    Eigen::Vector4d v1 = Eigen::Vector4d::Random(), w2 = Eigen::Vector4d::Random();
    Eigen::Matrix<double, 1, 1> v2{0.1};
    auto in = bind(X = x, W1 = w1, b1 = v1, W2 = w2, b2 = v2, Y = y);
    auto [g1, g2, g3, g4] = eval(grads(loss(), W1, b1, W2, b2), in);
    return g1(0, 0) + g2(0) + g3(0) + g4 > 100 ? 1 : 0;
}
