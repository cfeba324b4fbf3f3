// Shared helpers for the unit tests: tolerances, seeded random inputs kept away from
// kinks and domain edges, and a finite-difference gradient written independently of
// ctgrad (it only needs a callable that maps a matrix to a double).
#pragma once

#include <ctgrad/ctgrad.hpp>

#include <Eigen/Dense>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <type_traits>

namespace ctgrad_test {

// --- Tolerances, in one place -------------------------------------------------------

// Step of the central differences. With inputs of size ~1 the truncation error is
// about h^2 * f''' ~ 1e-10 and the rounding error about eps * |f| / h ~ 1e-11.
inline constexpr double fd_step = 1e-5;
// Derived gradient vs central finite differences, relative as in check_gradient:
// |g - fd| / max(1, |g|, |fd|).
inline constexpr double gradient_tolerance = 1e-6;
// Forward values vs a plain Eigen/std computation of the same formula; both sides do
// the same few floating-point operations, possibly in a different order.
inline constexpr double value_tolerance = 1e-12;
// Two symbolic routes to the same gradient (laws, grads vs grad, hand derivation).
inline constexpr double identity_tolerance = 1e-10;
// What check_gradient must report for a correct gradient.
inline constexpr double check_gradient_tolerance = 1e-6;
// Inputs to relu/step stay at least this far from 0, so that x +- fd_step never
// crosses the kink.
inline constexpr double kink_margin = 0.1;

// --- Random inputs ------------------------------------------------------------------

// A seeded source of random matrices: each test case makes its own, so that its inputs
// do not depend on which other test cases ran before it.
class random_source {
public:
    explicit random_source(unsigned seed) : engine_(seed) {}

    // Entries uniform in [-1, 1].
    template <int Rows, int Cols>
    Eigen::Matrix<double, Rows, Cols> uniform(Eigen::Index rows = Rows, Eigen::Index cols = Cols) {
        std::uniform_real_distribution<double> entry(-1.0, 1.0);
        Eigen::Matrix<double, Rows, Cols> m(rows, cols);
        for (Eigen::Index i = 0; i < m.rows(); ++i)
            for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = entry(engine_);
        return m;
    }

    // Entries in [-1, -margin] or [margin, 1]: keeps relu and step away from their kink.
    template <int Rows, int Cols>
    Eigen::Matrix<double, Rows, Cols> away_from_zero(Eigen::Index rows = Rows, Eigen::Index cols = Cols,
                                                     double margin = kink_margin) {
        Eigen::Matrix<double, Rows, Cols> m = uniform<Rows, Cols>(rows, cols);
        return m.unaryExpr([margin](double u) { return (u < 0 ? -1.0 : 1.0) * (margin + (1.0 - margin) * std::abs(u)); });
    }

    // Entries in [0.5, 1.5]: inside the domain of log.
    template <int Rows, int Cols>
    Eigen::Matrix<double, Rows, Cols> positive(Eigen::Index rows = Rows, Eigen::Index cols = Cols) {
        Eigen::Matrix<double, Rows, Cols> m = uniform<Rows, Cols>(rows, cols);
        return (m.array().abs() + 0.5).matrix();
    }

    // Entries in [0.1, 0.9]: probabilities for bce, away from log's singularities at 0 and 1.
    template <int Rows, int Cols>
    Eigen::Matrix<double, Rows, Cols> probability(Eigen::Index rows = Rows, Eigen::Index cols = Cols) {
        Eigen::Matrix<double, Rows, Cols> m = uniform<Rows, Cols>(rows, cols);
        return (m.array() * 0.4 + 0.5).matrix();
    }

    // Entries 0 or 1: labels for bce.
    template <int Rows, int Cols>
    Eigen::Matrix<double, Rows, Cols> labels(Eigen::Index rows = Rows, Eigen::Index cols = Cols) {
        Eigen::Matrix<double, Rows, Cols> m = uniform<Rows, Cols>(rows, cols);
        return m.unaryExpr([](double u) { return u > 0 ? 1.0 : 0.0; });
    }

    // Entries in {0, 1, ..., 5}: counts for the Poisson loss.
    template <int Rows, int Cols>
    Eigen::Matrix<double, Rows, Cols> counts(Eigen::Index rows = Rows, Eigen::Index cols = Cols) {
        Eigen::Matrix<double, Rows, Cols> m = uniform<Rows, Cols>(rows, cols);
        return m.unaryExpr([](double u) { return std::floor((u + 1.0) * 2.999); });
    }

private:
    std::mt19937 engine_;
};

// The smallest |entry|: how far a pre-activation is from relu's kink.
template <class Derived>
double smallest_magnitude(Eigen::DenseBase<Derived> const& m) {
    return m.derived().cwiseAbs().minCoeff();
}

// --- Comparisons --------------------------------------------------------------------

// The worst over entries of |a - b| / max(1, |a|, |b|); fails the test if the shapes differ.
template <class A, class B>
double worst_relative_difference(Eigen::DenseBase<A> const& a, Eigen::DenseBase<B> const& b) {
    REQUIRE(a.rows() == b.rows());
    REQUIRE(a.cols() == b.cols());
    typename A::PlainObject const left = a.derived();  // products have no coeff(i, j)
    typename B::PlainObject const right = b.derived();
    double worst = 0.0;
    for (Eigen::Index i = 0; i < left.rows(); ++i)
        for (Eigen::Index j = 0; j < left.cols(); ++j) {
            double const x = left(i, j);
            double const y = right(i, j);
            worst = std::max(worst, std::abs(x - y) / std::max({1.0, std::abs(x), std::abs(y)}));
        }
    return worst;
}

inline double worst_relative_difference(double a, double b) {
    return std::abs(a - b) / std::max({1.0, std::abs(a), std::abs(b)});
}

// A 1x1 gradient evaluates to double; the hand-written references keep it as a 1x1 matrix.
template <class Derived>
double worst_relative_difference(double a, Eigen::DenseBase<Derived> const& b) {
    REQUIRE(b.rows() == 1);
    REQUIRE(b.cols() == 1);
    return worst_relative_difference(a, b.derived().coeff(0, 0));
}

// --- Finite differences -------------------------------------------------------------

// Central finite differences of a scalar function f at the matrix m:
//   g(i, j) = (f(m + h e_ij) - f(m - h e_ij)) / (2 h).
// f receives a matrix of m's type; it may rebind it and evaluate anything it likes.
template <class F, class Derived>
typename Derived::PlainObject finite_difference_gradient(F&& f, Eigen::MatrixBase<Derived> const& m,
                                                          double h = fd_step) {
    using matrix_type = typename Derived::PlainObject;
    matrix_type point = m;
    matrix_type g(m.rows(), m.cols());
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) {
            double const saved = point(i, j);
            point(i, j) = saved + h;
            double const up = static_cast<double>(f(static_cast<matrix_type const&>(point)));
            point(i, j) = saved - h;
            double const down = static_cast<double>(f(static_cast<matrix_type const&>(point)));
            point(i, j) = saved;
            g(i, j) = (up - down) / (2.0 * h);
        }
    return g;
}

// The same for a scalar parameter (a 1x1 variable bound to a double-valued matrix).
template <class F>
double finite_difference_derivative(F&& f, double x, double h = fd_step) {
    return (static_cast<double>(f(x + h)) - static_cast<double>(f(x - h))) / (2.0 * h);
}

}  // namespace ctgrad_test
