// A 3-layer MLP of width 64 for the peer benchmark:
//   H_1 = tanh(X W_1 + b_1^T),  H_2 = tanh(H_1 W_2 + b_2^T),  yhat = H_2 W_3 + b_3^T,
//   L = mse(yhat, Y),  X: N x 64, W_1, W_2: 64 x 64, W_3: 64 x 1.
// Written three ways as board_net.hpp; interface in nets.hpp.
#pragma once

#include "nets.hpp"

namespace peers {

struct mlp_net {
    static constexpr const char* name = "mlp3";
    static constexpr int w = 64;  // input and hidden width
    static constexpr int x_cols = w;
    static constexpr int y_cols = 1;

    struct params {
        Eigen::Matrix<double, w, w> w1;
        Eigen::Matrix<double, w, 1> b1;
        Eigen::Matrix<double, w, w> w2;
        Eigen::Matrix<double, w, 1> b2;
        Eigen::Matrix<double, w, 1> w3;
        Eigen::Matrix<double, 1, 1> b3;

        template <class Self, class F>
        static void each(Self& p, F&& f) {
            f("W_1", p.w1);
            f("b_1", p.b1);
            f("W_2", p.w2);
            f("b_2", p.b2);
            f("W_3", p.w3);
            f("b_3", p.b3);
        }
    };

    template <int Rows>
    static net_result<mlp_net> hand(const params& p, const batch<Rows, x_cols>& x, const batch<Rows, y_cols>& y) {
        const Eigen::Index n = x.rows();
        net_result<mlp_net> out;

        // Forward pass; each activation overwrites its pre-activation.
        batch<Rows, w> h1(n, w);
        h1.noalias() = x * p.w1;
        h1.rowwise() += p.b1.transpose();
        h1.array() = h1.array().tanh();
        batch<Rows, w> h2(n, w);
        h2.noalias() = h1 * p.w2;
        h2.rowwise() += p.b2.transpose();
        h2.array() = h2.array().tanh();
        batch<Rows, 1> dy(n, 1);
        dy.noalias() = h2 * p.w3;
        dy.array() += p.b3(0, 0) - y.array();  // yhat - Y
        out.loss = dy.squaredNorm() / static_cast<double>(n);
        dy *= 2.0 / static_cast<double>(n);  // dL/dyhat

        // Backward pass: tanh' = 1 - H^2, each adjoint computed in one pass.
        out.grad.w3.noalias() = h2.transpose() * dy;
        out.grad.b3(0, 0) = dy.sum();
        batch<Rows, w> dz(n, w);  // dL/dZ_2 = (dy W_3^T) ⊙ (1 - H_2^2), no temporary for the outer product
        dz.array() = ((1.0 - h2.array().square()).rowwise() * p.w3.transpose().array()).colwise() * dy.array();
        out.grad.w2.noalias() = h1.transpose() * dz;
        out.grad.b2 = dz.colwise().sum().transpose();
        batch<Rows, w>& dh1 = h2;  // H_2 is no longer needed: dL/dH_1 = dZ_2 W_2^T goes into its storage
        dh1.noalias() = dz * p.w2.transpose();
        dh1.array() *= 1.0 - h1.array().square();  // now dL/dZ_1
        out.grad.w1.noalias() = x.transpose() * dh1;
        out.grad.b1 = dh1.colwise().sum().transpose();
        return out;
    }

    template <int Rows>
    struct formula {
        static constexpr ctgrad::matrix<"X", Rows, w> X{};
        static constexpr ctgrad::matrix<"W_1", w, w> W1{};
        static constexpr ctgrad::vector<"b_1", w> b1{};
        static constexpr ctgrad::matrix<"W_2", w, w> W2{};
        static constexpr ctgrad::vector<"b_2", w> b2{};
        static constexpr ctgrad::matrix<"W_3", w, 1> W3{};
        static constexpr ctgrad::vector<"b_3", 1> b3{};
        static constexpr ctgrad::matrix<"Y", Rows, 1> Y{};
        static constexpr auto H1 = ctgrad::tanh(X * W1 + ctgrad::transpose(b1));
        static constexpr auto H2 = ctgrad::tanh(H1 * W2 + ctgrad::transpose(b2));
        static constexpr auto L = ctgrad::mse(H2 * W3 + ctgrad::transpose(b3), Y);
    };

    template <int Rows>
    static auto with_ctgrad(const params& p, const batch<Rows, x_cols>& x, const batch<Rows, y_cols>& y) {
        using f = formula<Rows>;
        const auto in = ctgrad::bind(f::X = x, f::W1 = p.w1, f::b1 = p.b1, f::W2 = p.w2, f::b2 = p.b2, f::W3 = p.w3, f::b3 = p.b3,
                                     f::Y = y);
        return ctgrad::eval_with_loss(ctgrad::grads(f::L, f::W1, f::b1, f::W2, f::b2, f::W3, f::b3), in);
    }

    template <class Tool, class T>
    static T scalar_loss(const T* p, const double* x, const double* y, int n) {
        using std::tanh;
        const T* w1 = p;
        const T* b1 = w1 + w * w;
        const T* w2 = b1 + w;
        const T* b2 = w2 + w * w;
        const T* w3 = b2 + w;
        const T& b3 = w3[w];
        T loss = 0.0;
        std::vector<T> h1(w), h2(w);
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < w; ++j) {
                T z = b1[j];
                for (int k = 0; k < w; ++k) z += x[i * w + k] * w1[k * w + j];
                h1[j] = tanh(z);
            }
            for (int j = 0; j < w; ++j) {
                T z = b2[j];
                for (int k = 0; k < w; ++k) z += h1[k] * w2[k * w + j];
                h2[j] = tanh(z);
            }
            T out = b3;
            for (int j = 0; j < w; ++j) out += h2[j] * w3[j];
            T e = out - y[i];
            loss += e * e;
        }
        return loss / static_cast<double>(n);
    }
};

}  // namespace peers
