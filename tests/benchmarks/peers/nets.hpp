// What every net of the peer benchmark provides, and the helpers they share.
//
// A net is a struct (board_net.hpp, mlp_net.hpp, classifier_net.hpp, residual_net.hpp) with
//   name                      the benchmark's and the table's name;
//   x_cols, y_cols            the widths of the batch X (N x x_cols) and targets Y (N x y_cols);
//   one_hot_targets           (optional, true) for a loss on class distributions: Y's rows are
//                             then made one-hot (fill_one_hot), not uniform in [-1, 1];
//   params                    its parameters as fixed-size Eigen matrices, and
//                             params::each(p, f) calling f(name, matrix) for each in one order,
//                             the order of every gradient list below;
//   hand<Rows>(p, x, y)       loss and gradients by hand-written Eigen backpropagation, a
//                             net_result; Rows is N or Eigen::Dynamic;
//   with_ctgrad<Rows>(p, x, y) ctgrad's eval_with_loss(grads(L, every parameter), in);
//   scalar_loss<Tool, T>(p, x, y, n)  the loss written entry by entry on a scalar type T, for
//                             the operator-overloading tools (Tool::relu and Tool::max are the
//                             tool's relu and max).
// The PyTorch twin of each net is in peers_torch.py (NETS).
#pragma once

#include <ctgrad/ctgrad.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <random>
#include <tuple>
#include <vector>

namespace peers {

/// N x Cols, N fixed (Rows) or known at run time (Eigen::Dynamic).
template <int Rows, int Cols>
using batch = Eigen::Matrix<double, Rows, Cols>;  // Eigen's default order (row-major for 1 x Cols)

/// Whether a net's targets are one-hot rows (its loss takes distributions, as cross_entropy).
template <class Net>
constexpr bool one_hot_targets = requires { requires Net::one_hot_targets; };

/// Makes each row of y one-hot, its class drawn uniformly: cross_entropy's eval refuses rows that
/// do not sum to 1.
template <class M>
void fill_one_hot(Eigen::MatrixBase<M>& y, std::mt19937_64& rng) {
    std::uniform_int_distribution<Eigen::Index> pick(0, y.cols() - 1);
    y.setZero();
    for (Eigen::Index i = 0; i < y.rows(); ++i) y(i, pick(rng)) = 1.0;
}

/// The loss and a gradient per parameter, in the parameters' own shapes.
template <class Net>
struct net_result {
    double loss = 0.0;
    typename Net::params grad;
};

/// Appends a matrix's entries row by row (the layout of the dump and of scalar_loss).
template <class M>
void append_row_major(std::vector<double>& out, const Eigen::MatrixBase<M>& m) {
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) out.push_back(m(i, j));
}
inline void append_row_major(std::vector<double>& out, double v) { out.push_back(v); }

/// The parameters flattened in each() order, row-major.
template <class Net>
std::vector<double> flatten(const typename Net::params& p) {
    std::vector<double> out;
    Net::params::each(p, [&](const char*, const auto& m) { append_row_major(out, m); });
    return out;
}

/// Loss then gradients, flattened: what every implementation is compared on.
template <class Net>
std::vector<double> flatten(const net_result<Net>& r) {
    std::vector<double> out{r.loss};
    const auto g = flatten<Net>(r.grad);
    out.insert(out.end(), g.begin(), g.end());
    return out;
}

/// ctgrad's (L, dP_1, dP_2, ...) tuple flattened the same way.
template <class... Values>
std::vector<double> flatten_tuple(const std::tuple<Values...>& t) {
    std::vector<double> out;
    std::apply([&](const auto&... v) { (append_row_major(out, v), ...); }, t);
    return out;
}

}  // namespace peers
