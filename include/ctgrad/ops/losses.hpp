// mse_op and bce_op: the lecture's losses, each one node with its own derivative; bce_op of a
// sigmoid builds bce_logits_op, the same loss computed from the logits.
#pragma once

#include "op_base.hpp"
#include "sigmoid.hpp"

namespace ctgrad {
namespace detail {

/// Shape rule shared by the losses: prediction and target of equal shape, a 1x1 result.
struct loss_shape {
    static constexpr std::size_t arity = 2;
    static constexpr bool pairs_operands = true;

    template <class P, class Y>
    static constexpr bool shapes_fit = dims_fit(P::rows, Y::rows) && dims_fit(P::cols, Y::cols);
    template <class P, class Y>
    static constexpr int rows = 1;
    template <class P, class Y>
    static constexpr int cols = 1;

    template <class P, class Y>
    static constexpr void report() {
        static_assert(always_false<P>, "ctgrad: mse(yhat, Y) and bce(p, Y) need equal shapes");
    }
};

}  // namespace detail

/// mse(yhat, Y) = mean((yhat - Y)^2) over all entries. dL/dyhat = (2/n) G (yhat - Y), n entries.
struct mse_op : detail::loss_shape {
    static constexpr std::string_view name = "mse";
    static constexpr call_form call{.builder = "mse", .signature = "mse(yhat, Y)", .arity = 2, .shape = call_shape::loss};
    static constexpr latex_form latex{
        .tex = "\\operatorname{MSE}(#1, #2)", .text = "MSE(#1, #2)", .level = precedence::function, .loss = true};

    template <class Self, class P, class Y>
    static auto value(const Self&, const P& p, const Y& y) {
        return (detail::entries(p) - detail::entries(y)).square().mean();
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        const auto& p = ctgrad::arg<0>(self);
        auto dp = ctgrad::plain::scale(ctgrad::plain::divide(ctgrad::plain::times(literal<2>{}, g), ctgrad::plain::count(p)), ctgrad::plain::minus(p, ctgrad::arg<1>(self)));
        if constexpr (I == 0) {
            return dp;
        } else {
            return ctgrad::plain::negate(dp);
        }
    }
};

/// bce(sigma(Z), Y) on the logits Z: the node bce(p, Y) becomes when p = sigma(Z), printed as
/// BCE(sigma(Z), Y). Per entry, -(y log sigma(z) + (1 - y) log(1 - sigma(z))) = softplus(z) - y z,
/// computed as max(z, 0) + log1p(e^{-|z|}) - y z: finite at any z, where sigma(1000) rounds to 1
/// and log(1 - p) to -inf. dL/dZ = G/n (sigma(Z) - Y), the textbook gradient of logistic
/// regression, in place of (p - Y)/(p (.) (1 - p)) times sigma' (0/0 once sigma(Z) rounds to 0
/// or 1); dL/dY = -G/n Z.
struct bce_logits_op : detail::loss_shape {
    static constexpr std::string_view name = "bce_logits";
    /// Not in formulas: bce(sigmoid(Z), Y) builds it (bce_op::simplify).
    static constexpr bool built_by_derivatives = true;
    static constexpr latex_form latex{.tex = "\\operatorname{BCE}(\\sigma(#1), #2)", .text = "BCE(σ(#1), #2)",
                                      .level = precedence::function, .logits = true};

    template <class Self, class Z, class Y>
    static auto value(const Self&, const Z& z, const Y& y) {
        const auto& za = detail::entries(z);
        const auto& ya = detail::entries(y);
        return (za.max(0.0) + (-za.abs()).exp().log1p() - ya * za).mean();
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        const auto& z = ctgrad::arg<0>(self);
        auto per_entry = ctgrad::plain::divide(g, ctgrad::plain::count(z));
        if constexpr (I == 0) {
            return ctgrad::plain::scale(per_entry, ctgrad::plain::minus(ctgrad::plain::sigmoid(z), ctgrad::arg<1>(self)));
        } else {
            return ctgrad::plain::negate(ctgrad::plain::scale(per_entry, z));
        }
    }
};

/// bce(p, Y) = -mean(Y (.) log p + (1 - Y) (.) log(1 - p)), for probabilities 0 < p < 1.
/// dL/dp = G/n (p - Y) / (p (.) (1 - p)); dL/dY = G/n (log(1 - p) - log p).
struct bce_op : detail::loss_shape {
    static constexpr std::string_view name = "bce";
    static constexpr call_form call{.builder = "bce", .signature = "bce(p, Y)", .arity = 2, .shape = call_shape::loss};
    static constexpr latex_form latex{
        .tex = "\\operatorname{BCE}(#1, #2)", .text = "BCE(#1, #2)", .level = precedence::function, .loss = true};

    /// Of a sigmoid, the loss on its logits (bce_logits_op): stable at any logits.
    template <class P, class Y>
    static constexpr auto simplify(const P& p, const Y& y) {
        if constexpr (is_node_v<P>) {
            if constexpr (detail::same_v<typename P::op_type, sigmoid_op>) {
                return ctgrad::make_node(bce_logits_op{}, ctgrad::arg<0>(p), y);  // shapes as p's, checked
            } else {
                return keep{};
            }
        } else {
            return keep{};
        }
    }

    template <class Self, class P, class Y>
    static auto value(const Self&, const P& p, const Y& y) {
        const auto& pa = detail::entries(p);
        const auto& ya = detail::entries(y);
        return -(ya * pa.log() + (1.0 - ya) * (1.0 - pa).log()).mean();
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        const auto& p = ctgrad::arg<0>(self);
        auto per_entry = ctgrad::plain::divide(g, ctgrad::plain::count(p));
        if constexpr (I == 0) {
            return ctgrad::plain::scale(per_entry, ctgrad::plain::divide(ctgrad::plain::minus(p, ctgrad::arg<1>(self)), ctgrad::plain::hadamard(p, ctgrad::plain::minus(literal<1>{}, p))));
        } else {
            return ctgrad::plain::scale(per_entry, ctgrad::plain::minus(ctgrad::plain::log(ctgrad::plain::minus(literal<1>{}, p)), ctgrad::plain::log(p)));
        }
    }
};

}  // namespace ctgrad
