// Compile-time probe: the lecture's board network and its four gradients in one translation unit.
// Measured by tests/compile_time/measure.sh (target: <= 5 s and <= 1 GiB with g++ 12 -O2).
// BOARD_ROWS is the batch size N: left undefined it is ctgrad::dynamic (known at run time).
#include <ctgrad/ctgrad.hpp>

#include <Eigen/Dense>

#include <tuple>

#ifndef BOARD_ROWS
#define BOARD_ROWS ctgrad::dynamic
#endif

namespace board {
using namespace ctgrad;
constexpr int n = BOARD_ROWS, d = 16, h = 32;
constexpr matrix<"X", n, d> X{};
constexpr matrix<"W_1", d, h> W1{};
constexpr vector<"b_1", h> b1{};
constexpr matrix<"W_2", h, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr matrix<"Y", n, 1> Y{};
constexpr auto yhat = tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2));
constexpr auto L = mse(yhat, Y);
}  // namespace board

// An ordinary (non-template, external) function, so the evaluation is instantiated and code is
// generated for it, as in a program that trains the network.
auto board_gradients(const Eigen::Matrix<double, board::n, board::d>& x,
                     const Eigen::Matrix<double, board::d, board::h>& w1,
                     const Eigen::Matrix<double, board::h, 1>& v1,
                     const Eigen::Matrix<double, board::h, 1>& w2,
                     const Eigen::Matrix<double, 1, 1>& v2,
                     const Eigen::Matrix<double, board::n, 1>& y) {
    using namespace board;
    auto in = ctgrad::bind(X = x, W1 = w1, b1 = v1, W2 = w2, b2 = v2, Y = y);
    return ctgrad::eval(ctgrad::grads(L, W1, b1, W2, b2), in);
}

