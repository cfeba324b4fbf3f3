// check_gradient(L, V, in): grad(L, V) against central finite differences of L.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "derivation.hpp"
#include "expression.hpp"
#include "evaluation/eval.hpp"

namespace ctgrad {

namespace detail {

/// `in` with one variable rebound to `m`, for perturbing it in finite differences.
template <class Bound, class Variable, class M>
struct rebound {
    using variables = typename Bound::variables;
    const Bound& base;
    const M& replacement;

    template <class V>
    const auto& get() const {
        if constexpr (ctgrad::detail::same_v<V, Variable>) {
            return replacement;
        } else {
            return base.template get<V>();
        }
    }
};

}  // namespace detail

/// Compares grad(L, V) with central finite differences of L in double precision, entry by
/// entry; returns the worst of |g - fd| / max(|g|, |fd|, s), where s is the largest |g| of the
/// whole gradient (1 when the gradient is zero). Relative to the gradient's own scale, so a
/// gradient of 1e8 or of 1e-8 reports the same figure for the same relative mistake, and an
/// entry far smaller than the others is not judged alone (its finite difference carries the
/// rounding of the large ones). NaN when an entry of either side is NaN.
template <expression L, class V, class Bound>
double check_gradient(const L& loss, const V& v, const Bound& in) {
    static_assert(is_variable_v<V>, "ctgrad: check_gradient(L, V, in): V must be a variable");
    if constexpr (!is_variable_v<V>) {
        return 0.0;  // stop here: grad(L, V) and in.get<V>() would each report V again
    } else {
        Eigen::Matrix<double, V::rows, V::cols> g;
        if constexpr (is_scalar_v<V>) {
            g(0, 0) = ctgrad::eval(ctgrad::grad(loss, v), in);
        } else {
            g = ctgrad::eval(ctgrad::grad(loss, v), in);
        }
        Eigen::Matrix<double, V::rows, V::cols> x = in.template get<V>();
        const detail::rebound<Bound, V, decltype(x)> moved{in, x};
        double scale = 0;
        for (Eigen::Index i = 0; i < g.size(); ++i) scale = std::max(scale, std::abs(g(i)));
        if (scale == 0) scale = 1;  // a zero gradient: differences are judged absolutely
        double worst = 0;
        for (Eigen::Index i = 0; i < x.size(); ++i) {
            const double original = x(i);
            const double h = 1e-5 * std::max(1.0, std::abs(original));
            x(i) = original + h;
            const double up = ctgrad::eval(loss, moved);
            x(i) = original - h;
            const double down = ctgrad::eval(loss, moved);
            x(i) = original;
            const double fd = (up - down) / (2 * h);
            const double err = std::abs(g(i) - fd) / std::max({scale, std::abs(g(i)), std::abs(fd)});
            // Not std::max: it would drop a NaN error and report a NaN gradient as exact.
            if (std::isnan(err) || err > worst) worst = err;
            if (std::isnan(worst)) break;
        }
        return worst;
    }
}

}  // namespace ctgrad
