// Run-time size checks: which operand sizes only run time can check (runtime_size_check), the check, and its shape_error.
#pragma once

#include <string>
#include <type_traits>

#include "../detail/describe.hpp"
#include "../detail/inlining.hpp"
#include "../errors.hpp"
#include "../expression.hpp"
#include "../operations.hpp"
#include "frame.hpp"
#include "texts.hpp"

namespace ctgrad::detail {

/// The error of a run-time size check; out of line and not a template, so the checks of a
/// deep net share it.
[[noreturn]] CTGRAD_COLD inline void throw_shape_error(const std::string& left, const std::string& right, long ar, long ac, long br,
                                           long bc, const char* rule) {
    throw shape_error(concat_text("ctgrad: ", left, " ", shape_text(ar, ac), " and ", right, " ", shape_text(br, bc), ": ", rule));
}

/// Which sizes of Op's operands, shaped Left and Right, only run time can check (static sizes
/// were checked when building). An operation of three or more operands has each later operand
/// checked against its first by the same rule (check_operand_sizes).
enum class size_check { none, inner, all, columns, rows };

template <class Op, class Left, class Right>
static constexpr size_check runtime_size_check() {
    if constexpr (ctgrad::detail::same_v<Op, matmul_op>) {
        return (Left::cols == dynamic || Right::rows == dynamic) ? size_check::inner : size_check::none;
    } else if constexpr (requires { requires Op::pairs_rows; }) {
        return (Left::rows == dynamic || Right::rows == dynamic) ? size_check::rows : size_check::none;
    } else if constexpr (requires { requires Op::pairs_operands; }) {
        constexpr pairing p = __is_base_of(paired_operands, Op) ? pairing_of<Left, Right>() : pairing::same;
        constexpr bool rows_dynamic = Left::rows == dynamic || Right::rows == dynamic;
        constexpr bool cols_dynamic = Left::cols == dynamic || Right::cols == dynamic;
        if constexpr (p == pairing::same && (rows_dynamic || cols_dynamic)) {
            return size_check::all;
        } else if constexpr ((p == pairing::row_right || p == pairing::row_left) && cols_dynamic) {
            return size_check::columns;
        } else if constexpr ((p == pairing::column_right || p == pairing::column_left) && rows_dynamic) {
            return size_check::rows;
        }
    }
    return size_check::none;
}

/// An operand's sizes at run time.
struct dims {
    long rows, cols;
};
template <class X>
CTGRAD_ALWAYS_INLINE static dims dims_of(const X& x) {
    if constexpr (std::is_arithmetic_v<X>) {
        return {1, 1};  // a 1x1 value is a double
    } else {
        return {static_cast<long>(x.rows()), static_cast<long>(x.cols())};
    }
}

/// Whether operands sized a and b pass `check`. Not a template, nor is the error below: every
/// check of every formula shares them.
inline bool sizes_fit(size_check check, dims a, dims b) {
    switch (check) {
        case size_check::inner: return a.cols == b.rows;
        case size_check::all: return a.rows == b.rows && a.cols == b.cols;
        case size_check::columns: return a.cols == b.cols;
        case size_check::rows: return a.rows == b.rows;
        default: return true;
    }
}
[[noreturn]] CTGRAD_COLD inline void throw_size_error(const std::string& left, const std::string& right, dims a, dims b,
                                          size_check check) {
    detail::throw_shape_error(left, right, a.rows, a.cols, b.rows, b.cols,
                              check == size_check::inner ? "columns of the left operand must equal rows of the right operand"
                                                         : check == size_check::rows ? "the rows must be equal (a column spread over columns, or blocks side by side)"
                                                         : "the shapes must be equal (or a row broadcast over rows)");
}
/// The same for two instructions' texts, with the stored values' texts filled in.
[[noreturn]] CTGRAD_COLD inline void throw_size_error(const short_text& left, const short_text& right, const short_text* slot_texts,
                                          const double* numbers, dims a, dims b, size_check check) {
    detail::throw_size_error(detail::expand_text(left, slot_texts, numbers), detail::expand_text(right, slot_texts, numbers), a,
                             b, check);
}

/// Checks, when only run time can, the sizes of operand values a and b of an Op node, whose
/// instructions are Left and Right; the error names them by their texts.
template <class Op, class Left, class Right, class A, class B>
CTGRAD_ALWAYS_INLINE static void check_operand_sizes(const frame_view& f, const A& a, const B& b) {
    constexpr size_check check = detail::runtime_size_check<Op, Left, Right>();
    if constexpr (check != size_check::none) {
        const dims da = detail::dims_of(a), db = detail::dims_of(b);
        if (!detail::sizes_fit(check, da, db)) {
            detail::throw_size_error(instruction_text<Left>, instruction_text<Right>, f.slot_texts, f.numbers, da, db, check);
        }
    }
}

/// The same for operands L and R of a node n that holds a user's double, named by describe().
template <class Op, std::size_t L, std::size_t R, class N, class A, class B>
CTGRAD_ALWAYS_INLINE static void check_described_sizes(const N& n, const A& a, const B& b) {
    constexpr size_check check = detail::runtime_size_check<Op, arg_t<L, N>, arg_t<R, N>>();
    if constexpr (check != size_check::none) {
        const dims da = detail::dims_of(a), db = detail::dims_of(b);
        if (!detail::sizes_fit(check, da, db)) {
            detail::throw_size_error(detail::describe(ctgrad::arg<L>(n)), detail::describe(ctgrad::arg<R>(n)), da, db, check);
        }
    }
}

}  // namespace ctgrad::detail
