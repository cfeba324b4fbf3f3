// Compile-time probe for issue 3: the board network and its four gradients (as board_tu.cpp),
// and, with -DWITH_DERIVATION, also its printed derivation and latex(grad(...)). The difference
// of the two compile times is what latex.hpp and derivation_steps.hpp add (target: < 1 s);
// -DHEADERS_ONLY includes the two headers without using them.
//   g++ -std=c++20 -O2 -c -I include -I /usr/include/eigen3 [-DWITH_DERIVATION] board_derivation_tu.cpp
#include <ctgrad/ctgrad.hpp>
#if defined(WITH_DERIVATION) || defined(HEADERS_ONLY)
#include <ctgrad/derivation_steps.hpp>
#include <ctgrad/latex.hpp>
#endif

#include <Eigen/Dense>

#include <string>
#include <tuple>

namespace board {
using namespace ctgrad;
constexpr int d = 16, h = 32;
constexpr matrix<"X", dynamic, d> X{};
constexpr matrix<"W_1", d, h> W1{};
constexpr vector<"b_1", h> b1{};
constexpr matrix<"W_2", h, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr auto yhat = tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2));
constexpr auto L = mse(yhat, Y);
}  // namespace board

auto board_gradients(const Eigen::Matrix<double, Eigen::Dynamic, board::d>& x,
                     const Eigen::Matrix<double, board::d, board::h>& w1, const Eigen::Matrix<double, board::h, 1>& v1,
                     const Eigen::Matrix<double, board::h, 1>& w2, const Eigen::Matrix<double, 1, 1>& v2,
                     const Eigen::Matrix<double, Eigen::Dynamic, 1>& y) {
    using namespace board;
    auto in = ctgrad::bind(X = x, W1 = w1, b1 = v1, W2 = w2, b2 = v2, Y = y);
    return ctgrad::eval(ctgrad::grads(L, W1, b1, W2, b2), in);
}

#ifdef WITH_DERIVATION
std::string board_derivation() {
    using namespace board;
    return ctgrad::derivation(L, W1, b1, W2, b2).latex() + ctgrad::latex(ctgrad::grad(L, W2));
}
#endif
