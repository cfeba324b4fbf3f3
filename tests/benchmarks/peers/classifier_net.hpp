// The graph engine's softmax classifier for the peer benchmark:
//   L = cross_entropy(X W + b^T, Y) = -(1/N) sum_ij Y_ij log softmax(X W + b^T)_ij,
//   X: N x 64, W: 64 x 10, b: 10 x 1, Y: N x 10 one-hot rows.
// Written three ways as board_net.hpp; interface in nets.hpp.
#pragma once

#include "nets.hpp"

namespace peers {

struct classifier_net {
    static constexpr const char* name = "classifier";
    static constexpr int d = 64;  // input width
    static constexpr int k = 10;  // classes
    static constexpr int x_cols = d;
    static constexpr int y_cols = k;
    static constexpr bool one_hot_targets = true;  // cross_entropy takes distributions

    struct params {
        Eigen::Matrix<double, d, k> w;
        Eigen::Matrix<double, k, 1> b;

        template <class Self, class F>
        static void each(Self& p, F&& f) {
            f("W", p.w);
            f("b", p.b);
        }
    };

    // Y's rows sum to 1 (one-hot), so row i's loss is m_i + log s_i - Y_i . Z_i with m_i the row's
    // largest logit and s_i = sum_j exp(Z_ij - m_i) (no exp overflows, as in ctgrad), and
    // dL/dZ = (softmax(Z) - Y) / N. The N x 10 logits are column-major: every pass below runs
    // down the columns, vectorised, with the per-row m and s as N x 1 columns.
    template <int Rows>
    static net_result<classifier_net> hand(const params& p, const batch<Rows, x_cols>& x, const batch<Rows, y_cols>& y) {
        const Eigen::Index n = x.rows();
        const double inv_n = 1.0 / static_cast<double>(n);
        net_result<classifier_net> out;

        batch<Rows, k> z(n, k);  // logits, then exp(Z - m), then dL/dZ
        z.noalias() = x * p.w;
        z.rowwise() += p.b.transpose();
        const double picked = z.cwiseProduct(y).sum();  // sum_i Y_i . Z_i
        const batch<Rows, 1> m = z.rowwise().maxCoeff();
        // Two passes: exp fused with the broadcast subtraction is not vectorised (g++ 12, Eigen 3.4:
        // a call of exp per entry, 4.5 times the instructions of the separate pass at N = 64).
        z.colwise() -= m;
        z.array() = z.array().exp();
        batch<Rows, 1> s = z.rowwise().sum();
        out.loss = (m.sum() + s.array().log().sum() - picked) * inv_n;
        s.array() = inv_n / s.array();  // 1 / (N s_i)
        z.array() = z.array().colwise() * s.array() - y.array() * inv_n;

        out.grad.w.noalias() = x.transpose() * z;
        out.grad.b = z.colwise().sum().transpose();
        return out;
    }

    template <int Rows>
    struct formula {
        static constexpr ctgrad::matrix<"X", Rows, d> X{};
        static constexpr ctgrad::matrix<"W", d, k> W{};
        static constexpr ctgrad::vector<"b", k> b{};
        static constexpr ctgrad::matrix<"Y", Rows, k> Y{};
        static constexpr auto L = ctgrad::cross_entropy(X * W + ctgrad::transpose(b), Y);
    };

    /// eval_with_loss: (L, dW, db).
    template <int Rows>
    static auto with_ctgrad(const params& p, const batch<Rows, x_cols>& x, const batch<Rows, y_cols>& y) {
        using f = formula<Rows>;
        const auto in = ctgrad::bind(f::X = x, f::W = p.w, f::b = p.b, f::Y = y);
        return ctgrad::eval_with_loss(ctgrad::grads(f::L, f::W, f::b), in);
    }

    /// Row by row: the logits, their log-sum-exp with the row's largest logit taken out first
    /// (Tool::max, one cheap node per comparison on both tools), and -sum_j Y_ij (Z_ij - lse).
    /// Y is data, not a variable: the zero entries of a one-hot row add nothing and are skipped.
    template <class Tool, class T>
    static T scalar_loss(const T* p, const double* x, const double* y, int n) {
        using std::exp;
        using std::log;
        const T* w = p;
        const T* b = w + d * k;
        T loss = 0.0;
        std::vector<T> z(k);
        for (int i = 0; i < n; ++i) {
            for (int j = 0; j < k; ++j) {
                z[j] = b[j];
                for (int c = 0; c < d; ++c) z[j] += x[i * d + c] * w[c * k + j];
            }
            T largest = z[0];
            for (int j = 1; j < k; ++j) largest = Tool::max(largest, z[j]);
            T total = 0.0;
            for (int j = 0; j < k; ++j) total += exp(z[j] - largest);
            const T lse = largest + log(total);
            for (int j = 0; j < k; ++j)
                if (y[i * k + j] != 0.0) loss += y[i * k + j] * (lse - z[j]);
        }
        return loss / static_cast<double>(n);
    }
};

}  // namespace peers
