// The lecture's board net for the peer benchmark: yhat = tanh(relu(X W_1 + b_1^T) W_2 + b_2^T),
// L = mse(yhat, Y), with d = 16 inputs and H = 32 hidden units. Written three ways: ctgrad's
// formula, backpropagation by hand in Eigen, and one scalar loss for the operator-overloading
// tools (ADOL-C, Sacado). The net's interface is described in nets.hpp.
#pragma once

#include "nets.hpp"

namespace peers {

struct board_net {
    static constexpr const char* name = "board";
    static constexpr int d = 16;  // input width
    static constexpr int h = 32;  // hidden width
    static constexpr int x_cols = d;
    static constexpr int y_cols = 1;

    struct params {
        Eigen::Matrix<double, d, h> w1;
        Eigen::Matrix<double, h, 1> b1;
        Eigen::Matrix<double, h, 1> w2;
        Eigen::Matrix<double, 1, 1> b2;

        template <class Self, class F>
        static void each(Self& p, F&& f) {
            f("W_1", p.w1);
            f("b_1", p.b1);
            f("W_2", p.w2);
            f("b_2", p.b2);
        }
    };

    // The gradients are the parameters' shapes, so a result is (loss, params).
    template <int Rows>
    static net_result<board_net> hand(const params& p, const batch<Rows, x_cols>& x, const batch<Rows, y_cols>& y) {
        const Eigen::Index n = x.rows();
        net_result<board_net> out;

        // Forward pass.
        batch<Rows, h> z1(n, h);
        z1.noalias() = x * p.w1;
        z1.rowwise() += p.b1.transpose();
        const batch<Rows, h> a1 = z1.cwiseMax(0.0);
        batch<Rows, 1> z2(n, 1);
        z2.noalias() = a1 * p.w2;
        const batch<Rows, 1> yhat = (z2.array() + p.b2(0, 0)).tanh().matrix();
        const batch<Rows, 1> diff = yhat - y;
        out.loss = diff.squaredNorm() / static_cast<double>(n);

        // Backward pass: dL/dyhat = 2/n (yhat - Y); tanh' = 1 - yhat^2; relu' = I{Z_1 > 0}.
        const batch<Rows, 1> dz2 = ((2.0 / static_cast<double>(n)) * diff.array() * (1.0 - yhat.array().square())).matrix();
        out.grad.w2.noalias() = a1.transpose() * dz2;
        out.grad.b2(0, 0) = dz2.sum();
        batch<Rows, h> dz1(n, h);
        dz1.noalias() = dz2 * p.w2.transpose();
        dz1 = (z1.array() > 0.0).select(dz1, 0.0);
        out.grad.w1.noalias() = x.transpose() * dz1;
        out.grad.b1 = dz1.colwise().sum().transpose();
        return out;
    }

    template <int Rows>
    struct formula {
        static constexpr ctgrad::matrix<"X", Rows, d> X{};
        static constexpr ctgrad::matrix<"W_1", d, h> W1{};
        static constexpr ctgrad::vector<"b_1", h> b1{};
        static constexpr ctgrad::matrix<"W_2", h, 1> W2{};
        static constexpr ctgrad::vector<"b_2", 1> b2{};
        static constexpr ctgrad::matrix<"Y", Rows, 1> Y{};
        static constexpr auto L = ctgrad::mse(ctgrad::tanh(ctgrad::relu(X * W1 + ctgrad::transpose(b1)) * W2 + ctgrad::transpose(b2)), Y);
    };

    /// eval_with_loss: (L, dW_1, db_1, dW_2, db_2).
    template <int Rows>
    static auto with_ctgrad(const params& p, const batch<Rows, x_cols>& x, const batch<Rows, y_cols>& y) {
        using f = formula<Rows>;
        const auto in = ctgrad::bind(f::X = x, f::W1 = p.w1, f::b1 = p.b1, f::W2 = p.w2, f::b2 = p.b2, f::Y = y);
        return ctgrad::eval_with_loss(ctgrad::grads(f::L, f::W1, f::b1, f::W2, f::b2), in);
    }

    /// The loss entry by entry, for a scalar type T of an AD tool; p is the parameters
    /// flattened in each() order, row-major; x and y row-major; Tool::relu is the tool's relu.
    template <class Tool, class T>
    static T scalar_loss(const T* p, const double* x, const double* y, int n) {
        using std::tanh;
        const T* w1 = p;
        const T* b1 = w1 + d * h;
        const T* w2 = b1 + h;
        const T& b2 = w2[h];
        T loss = 0.0;
        std::vector<T> a1(h);
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < h; ++j) {
                T z = b1[j];
                for (int k = 0; k < d; ++k) z += x[i * d + k] * w1[k * h + j];
                a1[j] = Tool::relu(z);
            }
            T z2 = b2;
            for (int j = 0; j < h; ++j) z2 += a1[j] * w2[j];
            T e = tanh(z2) - y[i];
            loss += e * e;
        }
        return loss / static_cast<double>(n);
    }
};

}  // namespace peers
