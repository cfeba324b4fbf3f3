// Reference probe for measure.sh: the board net's loss and four gradients written by hand in
// plain Eigen (no ctgrad), N at run time. What the board unit would cost with no library at all.
#include <Eigen/Dense>

#include <tuple>

namespace {
constexpr int d = 16, h = 32;
}

auto board_gradients_by_hand(const Eigen::Matrix<double, Eigen::Dynamic, d>& x, const Eigen::Matrix<double, d, h>& w1,
                             const Eigen::Matrix<double, h, 1>& b1, const Eigen::Matrix<double, h, 1>& w2,
                             const Eigen::Matrix<double, 1, 1>& b2, const Eigen::Matrix<double, Eigen::Dynamic, 1>& y) {
    const Eigen::Index n = x.rows();
    Eigen::Matrix<double, Eigen::Dynamic, h> z1(n, h);
    z1.noalias() = x * w1;
    z1.rowwise() += b1.transpose();
    const Eigen::Matrix<double, Eigen::Dynamic, h> a1 = z1.cwiseMax(0.0);
    Eigen::Matrix<double, Eigen::Dynamic, 1> z2(n, 1);
    z2.noalias() = a1 * w2;
    const Eigen::Matrix<double, Eigen::Dynamic, 1> yhat = (z2.array() + b2(0, 0)).tanh().matrix();
    const Eigen::Matrix<double, Eigen::Dynamic, 1> diff = yhat - y;
    const Eigen::Matrix<double, Eigen::Dynamic, 1> dz2 =
        ((2.0 / static_cast<double>(n)) * diff.array() * (1.0 - yhat.array().square())).matrix();
    Eigen::Matrix<double, h, 1> dw2 = a1.transpose() * dz2;
    const double db2 = dz2.sum();
    Eigen::Matrix<double, Eigen::Dynamic, h> dz1(n, h);
    dz1.noalias() = dz2 * w2.transpose();
    dz1 = (z1.array() > 0.0).select(dz1, 0.0);
    Eigen::Matrix<double, d, h> dw1 = x.transpose() * dz1;
    Eigen::Matrix<double, h, 1> db1 = dz1.colwise().sum().transpose();
    return std::tuple{dw1, db1, dw2, db2};
}
