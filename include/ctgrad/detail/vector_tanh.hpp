// tanh entry by entry in vector registers: Eigen 3.4 computes tanh of doubles by one call of
// std::tanh per entry, which was three quarters of the residual MLP's time (docs/design.md,
// "tanh in vector registers").
#pragma once

#include <Eigen/Core>

namespace ctgrad::detail {

/// 1/n! for n = 0 .. 13, the Taylor coefficients of exp.
struct inverse_factorials {
    double of[14]{};
    constexpr inverse_factorials() {
        of[0] = 1.0;
        for (int n = 1; n < 14; ++n) of[n] = of[n - 1] / n;
    }
};
inline constexpr inverse_factorials inverse_factorial{};

/// tanh(x) for a packet of doubles (or one double), from u = -2|x| = k ln 2 + r with
/// |r| <= ln(2)/2 and expm1(r) by its Taylor series to r^13 (the first term left out is under
/// 1e-17 of the sum); then tanh(|x|) by one of two forms (below), and x's sign.
/// Within 3 units in the last place of the exact value: 2.51 at worst over 4 million samples,
/// where glibc's tanh has 2.16 (tests/unit/test_vector_tanh.cpp).
template <class P>
P tanh_of(const P& x) {
    // Qualified: ctgrad::detail has functions of these names too (print, in latex.hpp).
    namespace ei = Eigen::internal;
    // ln 2 in two parts: the high part has its last 11 bits zero, so k ln2_high is exact for the
    // |k| <= 64 used here.
    constexpr double ln2_high = 0x1.62e42fefa3800p-1;
    constexpr double ln2_low = 5.497923018708371e-14;
    constexpr double one_over_ln2 = 1.4426950408889634;
    constexpr double large_from = 0.625;
    const P a = ei::pabs(x);
    const P u = ei::pmul(ei::pset1<P>(-2.0), a);
    // k at least -64: beyond |x| = 22 the result is 1 whatever k, and an infinite or NaN k would
    // make pldexp's conversion to int undefined (a NaN x stays NaN through r).
    const P k = ei::pmax<Eigen::PropagateNumbers>(ei::print(ei::pmul(u, ei::pset1<P>(one_over_ln2))), ei::pset1<P>(-64.0));
    const P r = ei::pmadd(k, ei::pset1<P>(-ln2_low), ei::pmadd(k, ei::pset1<P>(-ln2_high), u));
    // expm1(r) = r + r^2 (1/2! + r (1/3! + ... + r/13!)), by Horner.
    P series = ei::pset1<P>(inverse_factorial.of[13]);
    for (int n = 12; n >= 2; --n) series = ei::pmadd(series, r, ei::pset1<P>(inverse_factorial.of[n]));
    const P expm1_r = ei::pmadd(ei::pmul(r, r), series, r);
    const P two_to_k = ei::pldexp(ei::pset1<P>(1.0), k);
    // Near 0, tanh(|x|) = -e / (2 + e) with e = expm1(u) = 2^k expm1(r) + (2^k - 1). From |x| =
    // large_from on, tanh(|x|) = 1 - 2 d / (1 + d) with d = exp(u) = 2^k expm1(r) + 2^k: the
    // quotient is then under 0.45, so its rounding stays far below an ulp of the result, where
    // -e / (2 + e) carries e's error near 1 whole (2.5 ulp near saturation, enough for central
    // differences to see on a gradient of 1e-4). One division serves both forms.
    const P large = ei::pcmp_lt(ei::pset1<P>(large_from), a);
    const P two_to_k_expm1_r = ei::pmul(two_to_k, expm1_r);
    const P e = ei::padd(two_to_k_expm1_r, ei::psub(two_to_k, ei::pset1<P>(1.0)));
    const P d = ei::padd(two_to_k_expm1_r, two_to_k);
    const P numerator = ei::pselect(large, ei::padd(d, d), ei::pnegate(e));
    const P denominator = ei::pselect(large, ei::padd(ei::pset1<P>(1.0), d), ei::padd(ei::pset1<P>(2.0), e));
    const P quotient = ei::pdiv(numerator, denominator);
    const P magnitude = ei::pabs(ei::pselect(large, ei::psub(ei::pset1<P>(1.0), quotient), quotient));  // pabs: +0 for x = +-0
    // Beyond 22, tanh is 1 to double precision (and u would leave 2^k's range for infinite x);
    // a NaN fails the comparison and stays NaN.
    const P saturated = ei::pselect(ei::pcmp_lt(ei::pset1<P>(22.0), a), ei::pset1<P>(1.0), magnitude);
    return ei::por(saturated, ei::pand(x, ei::pset1<P>(-0.0)));  // x's sign bit
}

/// The functor Eigen's unaryExpr takes: tanh by tanh_of, with a packet path.
struct tanh_entries {
    double operator()(double x) const { return detail::tanh_of(x); }

    template <class Packet>
    Packet packetOp(const Packet& x) const {
        return detail::tanh_of(x);
    }
};

}  // namespace ctgrad::detail

template <>
struct Eigen::internal::functor_traits<ctgrad::detail::tanh_entries> {
    enum { Cost = 40, PacketAccess = 1 };
};
