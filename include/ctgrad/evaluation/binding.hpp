// Binding: bind(X = x, ...) pairs variables with Eigen matrices, checking their sizes, into a bound<...>.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string_view>
#include <utility>

#include "../detail/describe.hpp"
#include "../detail/inlining.hpp"
#include "../detail/type_list.hpp"
#include "../errors.hpp"
#include "../expression.hpp"
#include "../variables.hpp"

namespace ctgrad {
namespace detail {

template <class Variable, class Stored>
const auto& bound_matrix(const binding<Variable, Stored>& b) {
    return b.matrix;
}

}  // namespace detail

namespace detail {

/// bind's error for a variable whose matrix does not fit; not a template, so every binding
/// shares it.
[[noreturn]] CTGRAD_COLD inline void throw_binding_error(std::string_view name, long rows, long cols, long matrix_rows, long matrix_cols) {
    throw shape_error(detail::concat_text("ctgrad: bind: variable ", name, " is declared ", detail::shape_text(rows, cols),
                                          " but the matrix bound to it is ", detail::shape_text(matrix_rows, matrix_cols)));
}

/// bind's size check of one variable (a function of its own: a lambda inside bind would be
/// named after all of bind's arguments, once per variable).
template <class Variable, class Stored>
static void check_binding(const binding<Variable, Stored>& b) {
    // An empty matrix (a batch of no rows) has no mean and no value to differentiate.
    if ((Variable::rows != dynamic && b.matrix.rows() != Variable::rows) ||
        (Variable::cols != dynamic && b.matrix.cols() != Variable::cols) || b.matrix.size() == 0) {
        detail::throw_binding_error(Variable::name, Variable::rows, Variable::cols, b.matrix.rows(), b.matrix.cols());
    }
}

}  // namespace detail

/// The variables of a formula paired with Eigen matrices; made by bind(...).
template <class... Bindings>
struct bound : Bindings... {
    using variables = detail::type_list<typename Bindings::variable_type...>;

    template <class Variable>
    const auto& get() const {
        return detail::bound_matrix<Variable>(*this);
    }
};

/// bind(X = x, W1 = w1, ...): pairs each variable with an Eigen matrix. Lvalue plain matrices
/// are held by reference (keep them alive while evaluating); temporaries and Eigen expressions
/// are copied. A dynamic size that contradicts a static one throws shape_error.
template <class... Variables, class... Stored>
auto bind(binding<Variables, Stored>... bindings) {
    constexpr bool distinct = []<std::size_t... I>(std::index_sequence<I...>) {
        return detail::all_true({true, (detail::first_index<Variables, Variables...>() == I)...});
    }(std::index_sequence_for<Variables...>{});
    static_assert(distinct, "ctgrad: bind: a variable is bound twice");
    if constexpr (!distinct) {
        return bound<>{};  // a bound<> naming one variable twice would be a second error
    } else {
        (void)std::initializer_list<int>{0, (detail::check_binding(bindings), 0)...};  // no fold: see all_true
        return bound<binding<Variables, Stored>...>{std::move(bindings)...};
    }
}

}  // namespace ctgrad
