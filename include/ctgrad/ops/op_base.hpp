// Shared pieces of operation descriptors: shape rules and the element-wise function family.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>

#include "../builders.hpp"
#include "../expression.hpp"
#include "call_form.hpp"
#include "latex_form.hpp"

namespace ctgrad {
namespace detail {

/// Eigen helpers used by operation values; defined in evaluation/operands.hpp so the symbolic
/// core compiles without Eigen. `Any` only defers the lookup to instantiation.
template <class Any>
struct eigen_kit;

/// How operation values read their operands (defined in evaluation/operands.hpp too). A 1x1 operand
/// arrives as a double, any other as an Eigen matrix or array expression; values may return
/// either kind, and a 1x1 result becomes a double again.
/// entries(x): x entry by entry, as an Eigen array (a double as a 1x1 array).
template <class X>
static decltype(auto) entries(const X& x);
/// as_matrix(x): x for matrix algebra (a double stays a double, which Eigen scales by).
template <class X>
static decltype(auto) as_matrix(const X& x);
/// to_double(x): a 1x1 operand's number.
template <class X>
static double to_double(const X& x);
/// entries_read_often(x): entries(x) for a value read in several passes: in place when x is in
/// memory (a slot, a bound matrix), else computed once into a temporary.
template <class X>
static decltype(auto) entries_read_often(const X& x);

/// Two sizes agree when equal, or when one is known only at run time (checked then).
constexpr bool dims_fit(int a, int b) { return a == dynamic || b == dynamic || a == b; }
constexpr int common_dim(int a, int b) { return a == dynamic ? b : a; }

/// How `+`, `-`, `/` and `hadamard` pair their operands: equal shapes, a 1x1 side spread over
/// every entry, a 1xk row spread over every row (the lecture's X W + b^T), or an nx1 column
/// spread over every column (Z - row_means(Z)).
enum class pairing { same, scalar_left, scalar_right, row_left, row_right, column_left, column_right, invalid };

template <class A, class B>
static constexpr pairing pairing_of() {
    constexpr bool a_scalar = is_scalar_v<A>, b_scalar = is_scalar_v<B>;
    if constexpr (a_scalar && !b_scalar) {
        return pairing::scalar_left;
    } else if constexpr (b_scalar && !a_scalar) {
        return pairing::scalar_right;
    } else if constexpr (B::rows == 1 && A::rows != 1 && dims_fit(A::cols, B::cols)) {
        return pairing::row_right;  // the lecture's X W + b^T
    } else if constexpr (A::rows == 1 && B::rows != 1 && dims_fit(A::cols, B::cols)) {
        return pairing::row_left;
    } else if constexpr (B::cols == 1 && A::cols != 1 && dims_fit(A::rows, B::rows)) {
        return pairing::column_right;
    } else if constexpr (A::cols == 1 && B::cols != 1 && dims_fit(A::rows, B::rows)) {
        return pairing::column_left;
    } else if constexpr (dims_fit(A::rows, B::rows) && dims_fit(A::cols, B::cols)) {
        return pairing::same;
    } else {
        return pairing::invalid;
    }
}

template <class A, class B>
static constexpr int paired_rows() {
    constexpr pairing p = pairing_of<A, B>();
    if constexpr (p == pairing::scalar_left || p == pairing::row_left) return B::rows;
    else if constexpr (p == pairing::scalar_right || p == pairing::row_right) return A::rows;
    else if constexpr (p == pairing::column_left || p == pairing::column_right) return common_dim(A::rows, B::rows);
    else return common_dim(A::rows, B::rows);
}

template <class A, class B>
static constexpr int paired_cols() {
    constexpr pairing p = pairing_of<A, B>();
    if constexpr (p == pairing::scalar_left || p == pairing::column_left) return B::cols;
    else if constexpr (p == pairing::scalar_right || p == pairing::column_right) return A::cols;
    else return common_dim(A::cols, B::cols);
}

/// An nx1 column repeated over `cols` columns (statically when Cols is known).
template <int Cols, class M>
static auto repeat_cols(const M& column, [[maybe_unused]] std::ptrdiff_t cols) {
    if constexpr (Cols != dynamic) {
        return column.template replicate<1, Cols>();
    } else {
        return column.replicate(1, cols);
    }
}

/// The entries of a matrix an operation computed whole (computed_whole, below), read through an
/// Eigen expression that owns the matrix. Evaluation nests operand values inside
/// lazy expressions, which hold a plain matrix by reference: returned by value, it would dangle.
template <class M>
struct owned_entries {
    std::shared_ptr<const M> m;
    double operator()(std::ptrdiff_t i, std::ptrdiff_t j) const { return (*m)(i, j); }
};
template <class M>
static auto owned(M m) {
    const auto rows = m.rows(), cols = m.cols();
    return M::NullaryExpr(rows, cols, owned_entries<M>{std::make_shared<const M>(std::move(m))});
}

/// Whether a descriptor declares `simplify`, `latex_for` or `also_reads`, asked of the descriptor
/// alone: member_probe<Op> sees two members of that name, an ambiguity, exactly when Op declares
/// one. Why not a requires-expression over the operands (`Op::simplify(a...)`): clang writes the
/// text of a failed requirement into its cache, and for a formula that reuses a node the text of
/// its operands' types doubles with every layer.
struct member_markers {
    static void simplify();
    static constexpr int latex_for = 0;
    using also_reads = void;
};
template <class Op>
struct member_probe : Op, member_markers {};
template <class Op>
static constexpr bool has_simplify_v = !requires { &member_probe<Op>::simplify; };
template <class Op>
static constexpr bool has_latex_for_v = !requires { member_probe<Op>::latex_for; };
template <class Op>
static constexpr bool has_also_reads_v = !requires { typename member_probe<Op>::also_reads; };

/// Reads a descriptor's boolean flag by its value: absent and `false` both mean false.
template <class Op>
static constexpr bool is_elementwise_op = requires { requires Op::elementwise; };
/// Whether Op's value is computed whole into a matrix (computed_whole, below).
template <class Op>
static constexpr bool writes_whole_op = requires { requires Op::writes_whole; };

}  // namespace detail

/// Base of operations whose value is computed whole, in several passes over a matrix (softmax's
/// rows divided by their sums, blocks placed side by side), not as one lazy Eigen expression.
/// A descriptor derives from it as `computed_whole<itself>` and gives
/// `write_value(self, out, operands...)`, which sizes `out`, a plain matrix of the node's shape,
/// and writes the value into it. Evaluation passes the node's own slot as `out`: no copy, and no
/// heap for static shapes. value() serves the rare evaluation outside a slot (an expression
/// holding a user's double): the matrix is then owned by the expression it returns.
template <class Derived>
struct computed_whole {
    static constexpr bool writes_whole = true;

    template <class Self, class First, class... Rest>
    static auto value(const Self& self, const First& first, const Rest&... rest) {
        typename detail::eigen_kit<First>::template plain<Self::rows, Self::cols> out;
        Derived::write_value(self, out, first, rest...);
        return detail::owned(std::move(out));
    }
};

/// Base of element-wise functions f applied entry by entry. A descriptor derives from it and
/// gives `name`, `value(a)` on an Eigen array and `derivative(self, a)`: f'(a) as an
/// expression (it may use `self`, the node f(a), to reuse the forward value).
/// The chain rule is the same for the whole family: dL/da = dL/df (.) f'(a).
struct elementwise_function {
    static constexpr std::size_t arity = 1;
    static constexpr bool elementwise = true;
    static constexpr bool entrywise = true;  // see paired_operands (ops/add.hpp)

    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = A::cols;

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self& self, const G& g) {
        using op = typename Self::op_type;
        auto local = op::derivative(self, ctgrad::arg<0>(self));
        if constexpr (ctgrad::detail::same_v<decltype(local), no_contribution>) {
            return no_contribution{};
        } else {
            return ctgrad::plain::times(g, local);
        }
    }
};

}  // namespace ctgrad
