// The graph engine's residual MLP for the peer benchmark:
//   H_0 = tanh(X W_0 + b_0^T),  H_k = H_{k-1} + tanh(H_{k-1} W_k + b_k^T) for k = 1, 2,
//   yhat = H_2 W_3 + b_3^T,  L = mse(yhat, Y),
//   X: N x 16, width 32, W_1, W_2: 32 x 32, W_3: 32 x 4, Y: N x 4.
// H_{k-1} is read twice (the skip and the layer), so its adjoint is the sum of two contributions.
// Written three ways as board_net.hpp; interface in nets.hpp.
#pragma once

#include "nets.hpp"

#include <utility>

namespace peers {

struct residual_net {
    static constexpr const char* name = "residual";
    static constexpr int d = 16;  // input width
    static constexpr int w = 32;  // hidden width
    static constexpr int o = 4;   // output width
    static constexpr int x_cols = d;
    static constexpr int y_cols = o;

    struct params {
        Eigen::Matrix<double, d, w> w0;
        Eigen::Matrix<double, w, 1> b0;
        Eigen::Matrix<double, w, w> w1;
        Eigen::Matrix<double, w, 1> b1;
        Eigen::Matrix<double, w, w> w2;
        Eigen::Matrix<double, w, 1> b2;
        Eigen::Matrix<double, w, o> w3;
        Eigen::Matrix<double, o, 1> b3;

        template <class Self, class F>
        static void each(Self& p, F&& f) {
            f("W_0", p.w0);
            f("b_0", p.b0);
            f("W_1", p.w1);
            f("b_1", p.b1);
            f("W_2", p.w2);
            f("b_2", p.b2);
            f("W_3", p.w3);
            f("b_3", p.b3);
        }
    };

    // Five N x 32 buffers: H_0, T_1 = tanh(H_0 W_1 + b_1^T), H_1, T_2, H_2. Backward, H_2's buffer
    // holds dL/dH_k as it goes down (each layer's W_k^T product added into it in place: the skip's
    // contribution is the adjoint already there), and each T_k's buffer turns into dL/dZ_k.
    template <int Rows>
    static net_result<residual_net> hand(const params& p, const batch<Rows, x_cols>& x, const batch<Rows, y_cols>& y) {
        const Eigen::Index n = x.rows();
        net_result<residual_net> out;

        // Forward pass; each activation overwrites its pre-activation.
        batch<Rows, w> h0(n, w);
        h0.noalias() = x * p.w0;
        h0.rowwise() += p.b0.transpose();
        h0.array() = h0.array().tanh();
        batch<Rows, w> t1(n, w);
        t1.noalias() = h0 * p.w1;
        t1.rowwise() += p.b1.transpose();
        t1.array() = t1.array().tanh();
        batch<Rows, w> h1(n, w);
        h1 = h0 + t1;
        batch<Rows, w> t2(n, w);
        t2.noalias() = h1 * p.w2;
        t2.rowwise() += p.b2.transpose();
        t2.array() = t2.array().tanh();
        batch<Rows, w> dh(n, w);  // H_2, then dL/dH_2, dL/dH_1, dL/dH_0
        dh = h1 + t2;
        batch<Rows, o> dy(n, o);
        dy.noalias() = dh * p.w3;
        dy.array() = (dy.array().rowwise() + p.b3.transpose().array()) - y.array();  // yhat - Y
        const double scale = 2.0 / static_cast<double>(n * o);
        out.loss = dy.squaredNorm() / static_cast<double>(n * o);
        dy *= scale;  // dL/dyhat

        // Backward pass: tanh' = 1 - T^2.
        out.grad.w3.noalias() = dh.transpose() * dy;
        out.grad.b3 = dy.colwise().sum().transpose();
        dh.noalias() = dy * p.w3.transpose();  // dL/dH_2
        t2.array() = dh.array() * (1.0 - t2.array().square());  // dL/dZ_2
        out.grad.w2.noalias() = h1.transpose() * t2;
        out.grad.b2 = t2.colwise().sum().transpose();
        dh.noalias() += t2 * p.w2.transpose();  // dL/dH_1: the skip's share is already there
        t1.array() = dh.array() * (1.0 - t1.array().square());  // dL/dZ_1
        out.grad.w1.noalias() = h0.transpose() * t1;
        out.grad.b1 = t1.colwise().sum().transpose();
        dh.noalias() += t1 * p.w1.transpose();  // dL/dH_0
        h0.array() = dh.array() * (1.0 - h0.array().square());  // dL/dZ_0, over H_0 read for the last time
        out.grad.w0.noalias() = x.transpose() * h0;
        out.grad.b0 = h0.colwise().sum().transpose();
        return out;
    }

    template <int Rows>
    struct formula {
        static constexpr ctgrad::matrix<"X", Rows, d> X{};
        static constexpr ctgrad::matrix<"W_0", d, w> W0{};
        static constexpr ctgrad::vector<"b_0", w> b0{};
        static constexpr ctgrad::matrix<"W_1", w, w> W1{};
        static constexpr ctgrad::vector<"b_1", w> b1{};
        static constexpr ctgrad::matrix<"W_2", w, w> W2{};
        static constexpr ctgrad::vector<"b_2", w> b2{};
        static constexpr ctgrad::matrix<"W_3", w, o> W3{};
        static constexpr ctgrad::vector<"b_3", o> b3{};
        static constexpr ctgrad::matrix<"Y", Rows, o> Y{};
        static constexpr auto H0 = ctgrad::tanh(X * W0 + ctgrad::transpose(b0));
        static constexpr auto H1 = H0 + ctgrad::tanh(H0 * W1 + ctgrad::transpose(b1));
        static constexpr auto H2 = H1 + ctgrad::tanh(H1 * W2 + ctgrad::transpose(b2));
        static constexpr auto L = ctgrad::mse(H2 * W3 + ctgrad::transpose(b3), Y);
    };

    /// eval_with_loss: (L, dW_0, db_0, dW_1, db_1, dW_2, db_2, dW_3, db_3).
    template <int Rows>
    static auto with_ctgrad(const params& p, const batch<Rows, x_cols>& x, const batch<Rows, y_cols>& y) {
        using f = formula<Rows>;
        const auto in = ctgrad::bind(f::X = x, f::W0 = p.w0, f::b0 = p.b0, f::W1 = p.w1, f::b1 = p.b1, f::W2 = p.w2, f::b2 = p.b2,
                                     f::W3 = p.w3, f::b3 = p.b3, f::Y = y);
        return ctgrad::eval_with_loss(ctgrad::grads(f::L, f::W0, f::b0, f::W1, f::b1, f::W2, f::b2, f::W3, f::b3), in);
    }

    template <class Tool, class T>
    static T scalar_loss(const T* p, const double* x, const double* y, int n) {
        using std::tanh;
        const T* w0 = p;
        const T* b0 = w0 + d * w;
        const T* w1 = b0 + w;
        const T* b1 = w1 + w * w;
        const T* w2 = b1 + w;
        const T* b2 = w2 + w * w;
        const T* w3 = b2 + w;
        const T* b3 = w3 + w * o;
        T loss = 0.0;
        std::vector<T> h(w), next(w);
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < w; ++j) {
                T z = b0[j];
                for (int c = 0; c < d; ++c) z += x[i * d + c] * w0[c * w + j];
                h[j] = tanh(z);
            }
            for (const auto& [wk, bk] : {std::pair{w1, b1}, std::pair{w2, b2}}) {
                for (int j = 0; j < w; ++j) {
                    T z = bk[j];
                    for (int c = 0; c < w; ++c) z += h[c] * wk[c * w + j];
                    next[j] = h[j] + tanh(z);
                }
                std::swap(h, next);
            }
            for (int j = 0; j < o; ++j) {
                T out = b3[j];
                for (int c = 0; c < w; ++c) out += h[c] * w3[c * o + j];
                T e = out - y[i * o + j];
                loss += e * e;
            }
        }
        return loss / static_cast<double>(n * o);
    }
};

}  // namespace peers
