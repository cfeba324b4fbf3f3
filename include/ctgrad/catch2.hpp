// matches_gradient: a Catch2 (v2) matcher that checks a hand-written gradient against ctgrad's.
#pragma once

// Not included by ctgrad.hpp: only a test that already uses Catch2 includes this header.
#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "derivation.hpp"
#include "evaluation.hpp"

namespace ctgrad {
namespace detail {

/// What matches_gradient makes: the gradient ctgrad derived and evaluated, and the tolerance.
/// Not a template, so every use shares one compiled matcher; match() keeps the worst entry it
/// saw so that describe(), which Catch2 calls after a failed match, can name it.
class gradient_matcher : public Catch::MatcherBase<Eigen::MatrixXd> {
public:
    gradient_matcher(std::string variable, Eigen::MatrixXd expected, double tolerance)
        : variable_(std::move(variable)), expected_(std::move(expected)), tolerance_(tolerance) {}

    bool match(const Eigen::MatrixXd& actual) const override {
        shape_differs_ = actual.rows() != expected_.rows() || actual.cols() != expected_.cols();
        actual_rows_ = actual.rows();
        actual_cols_ = actual.cols();
        if (shape_differs_) return false;
        worst_error_ = -1;
        for (Eigen::Index j = 0; j < actual.cols(); ++j) {
            for (Eigen::Index i = 0; i < actual.rows(); ++i) {
                const double error = entry_error(actual(i, j), expected_(i, j));
                if (error > worst_error_) {
                    worst_error_ = error;
                    worst_row_ = i;
                    worst_col_ = j;
                    worst_actual_ = actual(i, j);
                }
            }
        }
        return worst_error_ <= tolerance_;
    }

    std::string describe() const override {
        // Values in full (17 digits), so two that differ in the last places print differently;
        // the tolerance and the error as written (6 digits).
        std::ostringstream out;
        out << "matches ctgrad's gradient with respect to " << variable_ << " within " << tolerance_
            << " (|a - b| / max(1, |a|, |b|) per entry)";
        if (shape_differs_) {
            out << ": but it is " << actual_rows_ << "x" << actual_cols_ << " and " << variable_ << " is "
                << expected_.rows() << "x" << expected_.cols();
        } else if (worst_error_ > tolerance_) {
            out << ": worst entry (" << worst_row_ << ", " << worst_col_ << ") is " << std::setprecision(17)
                << worst_actual_ << " where ctgrad's is " << expected_(worst_row_, worst_col_)
                << std::setprecision(6) << ", error " << worst_error_ << " > tolerance " << tolerance_;
        }
        return out.str();
    }

private:
    /// check_gradient's measure. An infinity matches only the same infinity and a NaN matches
    /// nothing (error infinite), so a NaN entry cannot pass by comparing false with the tolerance.
    static double entry_error(double a, double e) {
        if (a == e) return 0;
        if (!std::isfinite(a) || !std::isfinite(e)) return std::numeric_limits<double>::infinity();
        return std::abs(a - e) / std::max({1.0, std::abs(a), std::abs(e)});
    }

    std::string variable_;
    Eigen::MatrixXd expected_;
    double tolerance_;
    mutable bool shape_differs_ = false;
    mutable Eigen::Index actual_rows_ = 0, actual_cols_ = 0;
    mutable double worst_error_ = -1;
    mutable Eigen::Index worst_row_ = 0, worst_col_ = 0;
    mutable double worst_actual_ = 0;
};

}  // namespace detail

/// REQUIRE_THAT(my_dW1, matches_gradient(L, W1, in)): the matrix my_dW1 (any Eigen matrix of
/// doubles) equals grad(L, W1) evaluated at `in`, entry by entry, within `tolerance` of
/// |a - b| / max(1, |a|, |b|) (relative, absolute below 1: check_gradient's measure). A failure
/// names the worst entry, both values and the tolerance, or the two shapes when they differ.
/// Example: tests/unit/test_catch2_matcher.cpp.
template <expression L, variable_expression V, class Bound>
detail::gradient_matcher matches_gradient(const L& loss, const V& v, const Bound& in, double tolerance = 1e-10) {
    // Constructed, not resized after the fact: g++ 12 warns falsely (-Wuse-after-free) on
    // Eigen's resize inlined here.
    Eigen::MatrixXd expected = [&]() -> Eigen::MatrixXd {
        if constexpr (is_scalar_v<V>) {
            return Eigen::MatrixXd::Constant(1, 1, ctgrad::eval(ctgrad::grad(loss, v), in));
        } else {
            return Eigen::MatrixXd(ctgrad::eval(ctgrad::grad(loss, v), in));
        }
    }();
    return detail::gradient_matcher(std::string(V::name), std::move(expected), tolerance);
}

}  // namespace ctgrad
