// from_yap: a Boost.YAP expression over ctgrad variables made into a ctgrad formula.
//
// For programs that already build their formulas as Boost.YAP expressions. ctgrad's own node
// types stay the formula representation (docs/design.md, "Boost": a tanh chain as YAP
// expressions compiled 8 times slower at 25 layers and 16 times at 50), so this header converts
// once, at the boundary, and the result differentiates, prints and evaluates like any formula
// written with ctgrad directly: it is the very same type. ctgrad.hpp does not include this
// header: only a program that includes it compiles Boost.YAP (and Boost.Hana, which YAP is
// built on).
//
// What converts:
//   terminals  a ctgrad variable or formula, `boost::yap::make_terminal(W1)`, is itself; a
//              number (int or floating point) is a `constant`, as in ctgrad's `0.5 * X`.
//   operators  `a + b`, `a - b`, `a * b` (the matrix product, or a scale when a side is a
//              number), `a / b` (entry by entry), `-a` and `+a`: ctgrad's own operators apply.
//   calls      a terminal of `ctgrad::yap_fn` called with its operands, `yap_fn::tanh(z)`,
//              `yap_fn::mse(p, y)`, builds that operation with ctgrad's builder. yap_fn has a
//              terminal for every function of ctgrad's language (each descriptor of ops/ with a
//              `call_form`), `yap_fn::slice_cols<Begin, Count>` and `yap_fn::named<"H">`;
//              `yap_call<Op>` is the terminal of any descriptor Op.
// Anything else (another operator, a terminal holding some other value, a call of something
// that is not a yap_fn terminal, or with the wrong number of operands) is one static_assert
// sentence at from_yap. Shape mistakes are ctgrad's usual messages.
//
// Example: tests/unit/test_yap.cpp; docs/api.md, "Boost.YAP expressions".
#pragma once

#include <type_traits>

#include <boost/yap/algorithm.hpp>
#include <boost/yap/expression.hpp>

#include "detail/fixed_string.hpp"
#include "expression.hpp"
#include "operations.hpp"

namespace ctgrad {

/// The value a yap_fn terminal holds: it stands for operation Op (a descriptor of ops/), and
/// from_yap turns a call of it into the node ctgrad's builder of Op makes.
template <class Op>
struct yap_function {
    using op_type = Op;
};

/// The YAP terminal that stands for operation Op: `yap_call<softmax_op>(z)` is yap_fn::softmax(z).
template <class Op>
inline constexpr auto yap_call = boost::yap::make_terminal(yap_function<Op>{});

/// ctgrad's functions as YAP terminals, named as ctgrad's builders: `yap_fn::tanh(x * w)`.
/// Calling one makes a YAP call expression; from_yap turns it into the builder's formula.
namespace yap_fn {
inline constexpr auto plus = yap_call<add_op>;
inline constexpr auto minus = yap_call<subtract_op>;
inline constexpr auto negate = yap_call<negate_op>;
inline constexpr auto matmul = yap_call<matmul_op>;
inline constexpr auto scale = yap_call<scale_op>;
inline constexpr auto divide = yap_call<divide_op>;
inline constexpr auto hadamard = yap_call<hadamard_op>;
inline constexpr auto transpose = yap_call<transpose_op>;
inline constexpr auto relu = yap_call<relu_op>;
inline constexpr auto step = yap_call<step_op>;
inline constexpr auto tanh = yap_call<tanh_op>;
inline constexpr auto sigmoid = yap_call<sigmoid_op>;
inline constexpr auto exp = yap_call<exp_op>;
inline constexpr auto log = yap_call<log_op>;
inline constexpr auto softplus = yap_call<softplus_op>;
inline constexpr auto square = yap_call<square_op>;
inline constexpr auto identity = yap_call<identity_op>;
inline constexpr auto sqrt = yap_call<sqrt_op>;
inline constexpr auto abs = yap_call<abs_op>;
inline constexpr auto sign = yap_call<sign_op>;
inline constexpr auto gelu = yap_call<gelu_op>;
inline constexpr auto softmax = yap_call<softmax_op>;
inline constexpr auto log_softmax = yap_call<log_softmax_op>;
inline constexpr auto sum = yap_call<sum_op>;
inline constexpr auto mean = yap_call<mean_op>;
inline constexpr auto column_sums = yap_call<column_sums_op>;
inline constexpr auto column_means = yap_call<column_means_op>;
inline constexpr auto row_sums = yap_call<row_sums_op>;
inline constexpr auto row_means = yap_call<row_means_op>;
inline constexpr auto count = yap_call<count_op>;
inline constexpr auto mse = yap_call<mse_op>;
inline constexpr auto bce = yap_call<bce_op>;
inline constexpr auto cross_entropy = yap_call<cross_entropy_op>;
inline constexpr auto concat_cols = yap_call<concat_cols_op>;
/// slice_cols<Begin, Count>(a): columns Begin..Begin+Count-1 of a, as ctgrad::slice_cols.
template <int Begin, int Count>
inline constexpr auto slice_cols = yap_call<slice_cols_op<Begin, Count>>;
/// named<"H">(a): a, called H in printed derivations, as ctgrad::named.
template <detail::fixed_string Name>
inline constexpr auto named = yap_call<named_op<Name>>;
}  // namespace yap_fn

namespace detail {

/// What from_yap cannot convert. The transform hands the first problem it meets up the tree in
/// place of a formula, so that from_yap, the public entry, states it in one sentence.
enum class yap_problem { operator_kind, terminal_value, callee, operand_count };

template <yap_problem Problem>
struct yap_unsupported {};

template <class T>
inline constexpr bool is_yap_unsupported_v = false;
template <yap_problem Problem>
inline constexpr bool is_yap_unsupported_v<yap_unsupported<Problem>> = true;

template <class T>
struct is_yap_function_test : std::bool_constant<false> {};
template <class T>
concept is_yap_function_v = is_yap_function_test<T>::value;
template <class Op>
struct is_yap_function_test<yap_function<Op>> : std::bool_constant<true> {};

/// A terminal's number: arithmetic, but not bool (a truth value in a formula is a mistake).
template <class T>
concept is_yap_number_v = std::is_arithmetic_v<T> && !same_v<T, bool>;

template <class T, class... Ts>
constexpr auto first_yap_problem() {
    if constexpr (is_yap_unsupported_v<T>) {
        return T{};
    } else {
        return detail::first_yap_problem<Ts...>();
    }
}

/// Applies `build` to the converted operands, or passes on the first problem among them.
template <class Build, class... Parts>
constexpr auto combine_yap(Build build, const Parts&... parts) {
    if constexpr ((is_yap_unsupported_v<Parts> || ...)) {
        return detail::first_yap_problem<Parts...>();
    } else {
        return build(parts...);
    }
}

/// An operand of a builder: a number becomes a `constant` (builders take expressions only).
template <class T>
constexpr auto as_operand(const T& x) {
    if constexpr (same_v<T, double>) {
        return constant{{}, x};
    } else {
        return x;
    }
}

/// The transform from_yap runs with boost::yap::transform_strict: one overload per kind of node,
/// in YAP's tag form. Every node matches one (the last is the catch-all for the operators ctgrad
/// has no rule for), so nothing is copied through unconverted. A node becomes a ctgrad formula,
/// a double (a subtree of numbers only, folded as C++ folds it) or a yap_unsupported.
struct from_yap_transform {
    /// An operand as YAP hands it over: a subexpression, converted recursively, or the value of
    /// a terminal.
    template <class T>
    constexpr auto convert(const T& x) const {
        if constexpr (boost::yap::is_expr<T>::value) {
            return boost::yap::transform_strict(x, *this);
        } else {
            return terminal(x);
        }
    }

    /// Base case: a terminal's value.
    template <class T>
    static constexpr auto terminal(const T& value) {
        if constexpr (expression<T>) {
            return value;
        } else if constexpr (is_yap_number_v<T>) {
            return static_cast<double>(value);
        } else {
            return yap_unsupported<yap_problem::terminal_value>{};
        }
    }

    template <class T>
    constexpr auto operator()(boost::yap::expr_tag<boost::yap::expr_kind::terminal>, const T& value) const {
        return terminal(value);
    }

    // Recursive cases: ctgrad's operators on the converted operands.
    template <class A>
    constexpr auto operator()(boost::yap::expr_tag<boost::yap::expr_kind::negate>, const A& a) const {
        return detail::combine_yap([](const auto& x) { return -x; }, convert(a));
    }
    template <class A>
    constexpr auto operator()(boost::yap::expr_tag<boost::yap::expr_kind::unary_plus>, const A& a) const {
        return convert(a);
    }
    template <class A, class B>
    constexpr auto operator()(boost::yap::expr_tag<boost::yap::expr_kind::plus>, const A& a, const B& b) const {
        return detail::combine_yap([](const auto& x, const auto& y) { return x + y; }, convert(a), convert(b));
    }
    template <class A, class B>
    constexpr auto operator()(boost::yap::expr_tag<boost::yap::expr_kind::minus>, const A& a, const B& b) const {
        return detail::combine_yap([](const auto& x, const auto& y) { return x - y; }, convert(a), convert(b));
    }
    template <class A, class B>
    constexpr auto operator()(boost::yap::expr_tag<boost::yap::expr_kind::multiplies>, const A& a, const B& b) const {
        return detail::combine_yap([](const auto& x, const auto& y) { return x * y; }, convert(a), convert(b));
    }
    template <class A, class B>
    constexpr auto operator()(boost::yap::expr_tag<boost::yap::expr_kind::divides>, const A& a, const B& b) const {
        return detail::combine_yap([](const auto& x, const auto& y) { return x / y; }, convert(a), convert(b));
    }

    /// A call: YAP hands over the callee's value (a yap_function<Op> when it is a yap_fn
    /// terminal) and the operands; the operation is built as its ctgrad builder builds it.
    template <class F, class... Args>
    constexpr auto operator()(boost::yap::expr_tag<boost::yap::expr_kind::call>, const F&, const Args&... args) const {
        if constexpr (!is_yap_function_v<F>) {
            return yap_unsupported<yap_problem::callee>{};
        } else if constexpr (sizeof...(Args) != F::op_type::arity) {
            return yap_unsupported<yap_problem::operand_count>{};
        } else {
            return detail::combine_yap(
                [](const auto&... operands) {
                    return detail::hidden(detail::build<typename F::op_type>(detail::as_plain(detail::as_operand(operands))...));
                },
                convert(args)...);
        }
    }

    /// Every other kind of node (%, <, &&, [], ?:, ...): an operator ctgrad has no rule for.
    template <boost::yap::expr_kind Kind, class... T>
    constexpr auto operator()(boost::yap::expr_tag<Kind>, const T&...) const {
        return yap_unsupported<yap_problem::operator_kind>{};
    }
};

}  // namespace detail

/// from_yap(e): the ctgrad formula a Boost.YAP expression e writes, of the same type as the
/// formula written with ctgrad directly, so it differentiates (grad, derivation), prints (latex)
/// and evaluates (eval, check_gradient) like any other. What converts: this header's opening
/// comment. Example: `from_yap(yap_fn::mse(yap_fn::tanh(x * w), y))` for YAP terminals x, w, y
/// of ctgrad variables X, W, Y is `mse(tanh(X * W), Y)`. An e of numbers only is a `constant`.
template <class E>
constexpr auto from_yap(const E& e) {
    auto converted = detail::from_yap_transform{}.convert(e);
    using result = decltype(converted);
    if constexpr (detail::same_v<result, detail::yap_unsupported<detail::yap_problem::operator_kind>>) {
        static_assert(detail::always_false<result>,
                      "ctgrad: from_yap(e): e uses an operator ctgrad has no rule for; from_yap converts + - * / "
                      "and unary minus, and calls of the functions in ctgrad::yap_fn");
        return invalid_expression{};
    } else if constexpr (detail::same_v<result, detail::yap_unsupported<detail::yap_problem::terminal_value>>) {
        static_assert(detail::always_false<result>,
                      "ctgrad: from_yap(e): e holds a value that is neither a ctgrad variable or formula nor a "
                      "number; make YAP terminals of ctgrad variables (boost::yap::make_terminal(W)) and numbers, "
                      "and call the functions in ctgrad::yap_fn");
        return invalid_expression{};
    } else if constexpr (detail::same_v<result, detail::yap_unsupported<detail::yap_problem::callee>>) {
        static_assert(detail::always_false<result>,
                      "ctgrad: from_yap(e): e calls something that is not a function in ctgrad::yap_fn; write "
                      "yap_fn::tanh(z), yap_fn::mse(p, y), ...");
        return invalid_expression{};
    } else if constexpr (detail::same_v<result, detail::yap_unsupported<detail::yap_problem::operand_count>>) {
        static_assert(detail::always_false<result>,
                      "ctgrad: from_yap(e): e calls a function in ctgrad::yap_fn with the wrong number of operands; "
                      "give it as many as its ctgrad builder takes (yap_fn::tanh(z), yap_fn::mse(p, y))");
        return invalid_expression{};
    } else if constexpr (detail::same_v<result, double>) {
        return constant{{}, converted};
    } else {
        return converted;
    }
}

}  // namespace ctgrad
