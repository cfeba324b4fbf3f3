// Variables: matrix<"W_1", 3, 4> and vector<"b_1", 4>, empty tags named in their type.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "detail/fixed_string.hpp"
#include "expression.hpp"

namespace ctgrad {

/// One variable bound to one Eigen matrix; `Stored` is a const reference to a plain matrix
/// the caller owns, or a copy when the caller passed a temporary or an Eigen expression.
template <class Variable, class Stored>
struct binding {
    using variable_type = Variable;
    Stored matrix;
};

namespace detail {

template <class M>
concept eigen_plain_object =
    requires { typename std::remove_cvref_t<M>::PlainObject; } &&
    ctgrad::detail::same_v<std::remove_cvref_t<M>, typename std::remove_cvref_t<M>::PlainObject>;

template <class M>
concept eigen_dense = requires(const std::remove_cvref_t<M>& m) {
    typename std::remove_cvref_t<M>::PlainObject;
    std::remove_cvref_t<M>::RowsAtCompileTime;
    std::remove_cvref_t<M>::ColsAtCompileTime;
    m.rows();
    m.cols();
};

constexpr bool static_size_fits(int declared, int given) {
    return declared == dynamic || given == dynamic || declared == given;
}

}  // namespace detail

/// A matrix-valued variable named `Name` (LaTeX, e.g. "W_1" or "\\hat{y}") of size Rows x Cols;
/// either size may be `dynamic`. It holds no data: `bind(W1 = w1)` supplies the values.
/// Example: examples/board_exercise.cpp.
template <detail::fixed_string Name, int Rows, int Cols>
struct matrix : variable_base {
    static_assert(Rows == dynamic || Rows > 0, "ctgrad: matrix<Name, Rows, Cols>: Rows must be positive or dynamic");
    static_assert(Cols == dynamic || Cols > 0, "ctgrad: matrix<Name, Rows, Cols>: Cols must be positive or dynamic");

    static constexpr bool is_variable = true;
    static constexpr int rows = Rows;
    static constexpr int cols = Cols;
    static constexpr std::string_view name = Name.view();


    /// `W1 = w1` inside bind(...): pairs this variable with an Eigen matrix.
    template <detail::eigen_dense M>
    auto operator=(M&& m) const {
        using plain = std::remove_cvref_t<M>;
        static_assert(std::is_same_v<typename plain::Scalar, double>,
                      "ctgrad: bind: the matrix must hold doubles (convert it with m.template cast<double>())");
        static_assert(detail::static_size_fits(Rows, plain::RowsAtCompileTime) &&
                          detail::static_size_fits(Cols, plain::ColsAtCompileTime),
                      "ctgrad: bind: the matrix's static size differs from the variable's declared size");
        // Hold a reference only to a plain matrix that outlives this full-expression;
        // temporaries and Eigen expressions are copied so nothing dangles.
        if constexpr (detail::eigen_plain_object<M> && std::is_lvalue_reference_v<M>) {
            return binding<matrix, const plain&>{m};
        } else {
            return binding<matrix, typename plain::PlainObject>{typename plain::PlainObject(std::forward<M>(m))};
        }
    }
};

/// A column vector variable: vector<"b_1", 4> is a 4 x 1 matrix.
template <detail::fixed_string Name, int Rows>
using vector = matrix<Name, Rows, 1>;

namespace detail {

constexpr std::size_t decimal_digits(int k) {
    std::size_t digits = 1;
    for (; k >= 10; k /= 10) ++digits;
    return digits;
}

template <fixed_string Prefix, int K>
constexpr auto make_indexed_name() {
    static_assert(K >= 0, "ctgrad: indexed_name<Prefix, K>: the index K must not be negative");
    static_assert(Prefix.view().size() > 0, "ctgrad: indexed_name<Prefix, K>: the prefix must not be empty");
    constexpr std::string_view prefix = Prefix.view();
    constexpr std::size_t digits = decimal_digits(K);
    constexpr bool braces = digits > 1;  // W_7, W_{10}: LaTeX subscripts one character unbraced
    char text[prefix.size() + 1 + digits + (braces ? 2 : 0) + 1]{};
    std::size_t at = 0;
    for (char c : prefix) text[at++] = c;
    text[at++] = '_';
    if (braces) text[at++] = '{';
    int rest = K;
    for (std::size_t i = digits; i-- > 0; rest /= 10) text[at + i] = static_cast<char>('0' + rest % 10);
    at += digits;
    if (braces) text[at++] = '}';
    return fixed_string(text);
}

}  // namespace detail

/// The name `Prefix_K` computed from an index, for a variable's name: "W_7", and "W_{12}" with
/// braces from two digits on, as ctgrad names its own intermediates (Z_1, Z_{12}), so
/// matrix<indexed_name<"W", 1>, 3, 4> is the same variable as matrix<"W_1", 3, 4>. K >= 0.
/// With an index_sequence it declares a whole stack of layers at once:
/// `template <int K> constexpr matrix<indexed_name<"W", K>, 8, 8> W{};`.
/// Example: examples/vanishing_gradients.cpp.
template <detail::fixed_string Prefix, int K>
static constexpr auto indexed_name = detail::make_indexed_name<Prefix, K>();

}  // namespace ctgrad
