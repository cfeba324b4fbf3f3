// What every net of the peer benchmark provides, and the helpers they share.
//
// A net is a struct (board_net.hpp, mlp_net.hpp) with
//   name                      the benchmark's and the table's name;
//   x_cols, y_cols            the widths of the batch X (N x x_cols) and targets Y (N x y_cols);
//   params                    its parameters as fixed-size Eigen matrices, and
//                             params::each(p, f) calling f(name, matrix) for each in one order,
//                             the order of every gradient list below;
//   hand<Rows>(p, x, y)       loss and gradients by hand-written Eigen backpropagation, a
//                             net_result; Rows is N or Eigen::Dynamic;
//   with_ctgrad<Rows>(p, x, y) ctgrad's eval_with_loss(grads(L, every parameter), in);
//   scalar_loss<Tool, T>(p, x, y, n)  the loss written entry by entry on a scalar type T, for
//                             the operator-overloading tools (Tool::relu is the tool's relu).
// The PyTorch twin of each net is in peers_torch.py (NETS).
#pragma once

#include <ctgrad/ctgrad.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <tuple>
#include <vector>

namespace peers {

/// N x Cols, N fixed (Rows) or known at run time (Eigen::Dynamic).
template <int Rows, int Cols>
using batch = Eigen::Matrix<double, Rows, Cols>;  // Eigen's default order (row-major for 1 x Cols)

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
