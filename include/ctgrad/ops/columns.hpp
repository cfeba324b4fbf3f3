// Column blocks: concat_cols_op joins two matrices side by side, slice_cols_op<Begin, Count>
// takes a block of columns (an LSTM's four gates from one product), and embed_cols_op, the
// adjoint of a slice, puts a block back among zero columns.
#pragma once

#include <cstddef>
#include <string_view>

#include "op_base.hpp"

namespace ctgrad {
namespace detail {

/// A pattern with column numbers in it, made at compile time: `cols_{2:4}` for columns 2 to 4
/// (counted from 1, as printed formulas count).
struct pattern_text {
    char data[96]{};
    std::size_t size = 0;

    constexpr pattern_text& operator<<(std::string_view piece) {
        for (char c : piece) data[size++] = c;
        return *this;
    }
    constexpr pattern_text& operator<<(int v) {
        char digits[12]{};
        int n = 0;
        do {
            digits[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v != 0);
        while (n > 0) data[size++] = digits[--n];
        return *this;
    }
    constexpr std::string_view view() const { return {data, size}; }
};

template <int Begin, int Count>
inline constexpr pattern_text slice_tex = pattern_text{} << "\\operatorname{cols}_{" << (Begin + 1) << ":" << (Begin + Count)
                                                         << "}(#1)";
template <int Begin, int Count>
inline constexpr pattern_text slice_plain = pattern_text{} << "cols[" << (Begin + 1) << ":" << (Begin + Count) << "](#1)";

}  // namespace detail

/// concat_cols(A, B): an nxk A and an nxm B side by side, nx(k+m). The adjoint splits G back:
/// dL/dA = its first k columns, dL/dB the other m. Column counts must be known at compile time.
struct concat_cols_op : computed_whole<concat_cols_op> {
    static constexpr std::size_t arity = 2;
    static constexpr std::string_view name = "concat_cols";
    static constexpr call_form call{.builder = "concat_cols", .signature = "concat_cols(A, B)", .arity = 2, .shape = call_shape::concat};
    /// Evaluation checks rows known only at run time.
    static constexpr bool pairs_rows = true;
    static constexpr latex_form latex{
        .tex = "\\begin{bmatrix} #1 & #2 \\end{bmatrix}", .text = "[#1 | #2]", .level = precedence::atom};

    template <class A, class B>
    static constexpr bool shapes_fit = detail::dims_fit(A::rows, B::rows) && A::cols != dynamic && B::cols != dynamic;
    template <class A, class B>
    static constexpr int rows = detail::common_dim(A::rows, B::rows);
    template <class A, class B>
    static constexpr int cols = A::cols + B::cols;

    template <class A, class B>
    static constexpr void report() {
        static_assert(detail::always_false<A>,
                      "ctgrad: concat_cols(A, B) needs A and B with equal rows and column counts known at compile time");
    }

    template <class Self, class Out, class A, class B>
    static void write_value(const Self&, Out& out, const A& a, const B& b) {
        constexpr int left = arg_t<0, Self>::cols;
        const auto& x = detail::entries(a);
        out.resize(x.rows(), Self::cols);
        out.array().template leftCols<left>() = x;
        out.array().template rightCols<Self::cols - left>() = detail::entries(b);
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G& g) {
        constexpr int left = arg_t<0, Self>::cols;
        if constexpr (I == 0) {
            return ctgrad::plain::slice_cols<0, left>(g);
        } else {
            return ctgrad::plain::slice_cols<left, Self::cols - left>(g);
        }
    }
};

/// embed_cols<Begin, Total>(G): an nxc G placed at columns Begin..Begin+c-1 of an nxTotal
/// matrix of zeros; the adjoint of slice_cols, built by derivative rules.
template <int Begin, int Total>
struct embed_cols_op : computed_whole<embed_cols_op<Begin, Total>> {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "embed_cols";
    /// Not in formulas: only derivative rules build it.
    static constexpr bool built_by_derivatives = true;
    /// [0 G 0], without the zero blocks that have no columns.
    template <class G>
    static constexpr latex_form latex_for =
        Begin == 0 ? (G::cols == Total ? latex_form{.tex = "#1", .text = "#1", .level = precedence::atom}
                                       : latex_form{.tex = "\\begin{bmatrix} #1 & 0 \\end{bmatrix}", .text = "[#1 | 0]",
                                                    .level = precedence::atom})
        : Begin + G::cols == Total ? latex_form{.tex = "\\begin{bmatrix} 0 & #1 \\end{bmatrix}", .text = "[0 | #1]",
                                                .level = precedence::atom}
                                   : latex_form{.tex = "\\begin{bmatrix} 0 & #1 & 0 \\end{bmatrix}", .text = "[0 | #1 | 0]",
                                                .level = precedence::atom};

    template <class G>
    static constexpr int rows = G::rows;
    template <class G>
    static constexpr int cols = Total;

    template <class G>
    static constexpr auto simplify(const G& g) {
        if constexpr (Begin == 0 && G::cols == Total) {
            return g;
        } else {
            return keep{};
        }
    }

    template <class Self, class Out, class G>
    static void write_value(const Self&, Out& out, const G& g) {
        const auto& x = detail::entries(g);
        out.resize(x.rows(), Total);
        out.setZero();
        out.array().template middleCols<arg_t<0, Self>::cols>(Begin) = x;
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G& g) {
        return ctgrad::plain::slice_cols<Begin, arg_t<0, Self>::cols>(g);
    }
};

/// slice_cols<Begin, Count>(A): columns Begin..Begin+Count-1 of A (counted from 0), a view.
/// dL/dA is G among zero columns, embed_cols<Begin, k>(G).
template <int Begin, int Count>
struct slice_cols_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "slice_cols";
    static constexpr call_form call{.builder = "slice_cols", .signature = "slice_cols(A, begin, count)", .arity = 3, .shape = call_shape::slice, .template_numbers = 2};
    static constexpr latex_form latex{.tex = detail::slice_tex<Begin, Count>.view(),
                                      .text = detail::slice_plain<Begin, Count>.view(), .level = precedence::function};
    /// A view: evaluation reads the block of its operand, never a copy.
    static constexpr bool is_view = true;
    /// Its derivative builds embed_cols, computed whole: evaluation gives it a slot.
    static constexpr bool backward_builds_whole = true;

    template <class A>
    static constexpr bool shapes_fit = Begin >= 0 && Count >= 1 && A::cols != dynamic && Begin + Count <= A::cols;
    template <class A>
    static constexpr int rows = A::rows;
    template <class A>
    static constexpr int cols = Count;

    template <class A>
    static constexpr void report() {
        static_assert(detail::always_false<A>,
                      "ctgrad: slice_cols<Begin, Count>(A) needs columns Begin to Begin+Count-1 inside A, whose column count is known at compile time");
    }

    template <class A>
    static constexpr auto simplify(const A& a) {
        if constexpr (Begin == 0 && Count == A::cols) {
            return a;
        } else if constexpr (is_node_v<A>) {
            // A slice of the very block that embed_cols placed is that block.
            if constexpr (ctgrad::detail::same_v<typename A::op_type, embed_cols_op<Begin, A::cols>> &&
                          arg_t<0, A>::cols == Count) {
                return ctgrad::arg<0>(a);
            } else {
                return keep{};
            }
        } else {
            return keep{};
        }
    }

    template <class Self, class A>
    static auto value(const Self&, const A& a) {
        if constexpr (std::is_arithmetic_v<A>) {
            return a;  // a 1x1 operand is its own only column
        } else {
            return detail::entries(a).template middleCols<Count>(Begin);
        }
    }

    template <std::size_t I, class Self, class G>
    static constexpr auto backward(const Self&, const G& g) {
        return ctgrad::plain::embed_cols<Begin, arg_t<0, Self>::cols>(g);
    }
};

}  // namespace ctgrad
