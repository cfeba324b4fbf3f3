// Evaluation on Eigen: bind(X = x, ...), eval(e, in), eval(grads(...), in), check_gradient.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "derivation.hpp"
#include "detail/describe.hpp"
#include "detail/type_list.hpp"
#include "detail/type_set.hpp"
#include "errors.hpp"
#include "expression.hpp"
#include "variables.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define CTGRAD_NOINLINE __attribute__((noinline))
#elif defined(_MSC_VER)
#define CTGRAD_NOINLINE __declspec(noinline)
#else
#define CTGRAD_NOINLINE
#endif

namespace ctgrad::detail {

/// I{z > 0} entry by entry with a packet path: Eigen 3.4 runs a bool-to-double cast one scalar
/// at a time, which made relu's backward pass the slowest loop of the board net (callgrind).
struct step_indicator {
    double operator()(double z) const { return z > 0.0 ? 1.0 : 0.0; }

    template <class Packet>
    Packet packetOp(const Packet& z) const {
        using namespace Eigen::internal;
        return pand(pcmp_lt(pzero(z), z), pset1<Packet>(1.0));
    }
};

}  // namespace ctgrad::detail

template <>
struct Eigen::internal::functor_traits<ctgrad::detail::step_indicator> {
    enum { Cost = 2, PacketAccess = 1 };
};

namespace ctgrad {
namespace detail {

/// The few Eigen constructions operation values need (declared in ops/op_base.hpp).
template <class Any>
struct eigen_kit {
    static auto scalar(double v) { return Eigen::Matrix<double, 1, 1>::Constant(v); }

    template <class A>
    static auto step(const A& z) {
        return z.unaryExpr(step_indicator{});
    }

    template <class M>
    static double scalar_of(const M& m) {
        const Eigen::Matrix<double, 1, 1> value = m;
        return value(0, 0);
    }

    template <int Rows, int Cols>
    static auto filled(Eigen::Index rows, Eigen::Index cols, double v) {
        return Eigen::Matrix<double, Rows, Cols>::Constant(rows, cols, v);
    }

    template <int Rows, class M>
    static auto repeat_rows(const M& row, Eigen::Index rows) {
        if constexpr (Rows != dynamic) {
            return row.template replicate<Rows, 1>();
        } else {
            return row.replicate(rows, 1);
        }
    }
};

// ---- bound variables ----------------------------------------------------------------------

template <class Variable, class Stored>
const auto& bound_matrix(const binding<Variable, Stored>& b) {
    return b.matrix;
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
    static_assert([]<std::size_t... I>(std::index_sequence<I...>) {
        return ((detail::first_index<Variables, Variables...>() == I) && ...);
    }(std::index_sequence_for<Variables...>{}), "ctgrad: bind: a variable is bound twice");
    auto check = [](const auto& b) {
        using variable = typename std::remove_cvref_t<decltype(b)>::variable_type;
        if ((variable::rows != dynamic && b.matrix.rows() != variable::rows) ||
            (variable::cols != dynamic && b.matrix.cols() != variable::cols)) {
            throw shape_error(detail::concat_text("ctgrad: bind: variable ", variable::name, " is declared ",
                                                  detail::shape_text(variable::rows, variable::cols),
                                                  " but the matrix bound to it is ",
                                                  detail::shape_text(b.matrix.rows(), b.matrix.cols())));
        }
    };
    (check(bindings), ...);
    return bound<binding<Variables, Stored>...>{std::move(bindings)...};
}

namespace detail {

// ---- what evaluation materialises ---------------------------------------------------------

/// Nodes whose value is stored once per eval: every forward node that is not a view, and
/// every adjoint node of the loss. Everything else stays a lazy Eigen expression, fused into
/// the loop that consumes it. A type_list; a node may repeat (the context keeps one slot).
template <class E>
struct slots_of {
    using type = type_list<>;
};
template <class E>
using slots_of_t = typename slots_of<E>::type;

template <class Op>
inline constexpr bool is_view_op = requires { Op::is_view; };

template <class Op, class... Args>
struct slots_of<node<Op, Args...>> {
    using children = concat_t<slots_of_t<Args>...>;
    using type = std::conditional_t<is_view_op<Op>, children, concat_t<children, type_list<node<Op, Args...>>>>;
};
template <class L, class V, class E>
struct slots_of<gradient<L, V, E>> {
    using type = concat_t<slots_of_t<L>, adjoints_of_t<L>>;
};

/// Kept for code that names the forward slots of an expression.
template <class E>
using forward_slots_t = slots_of_t<E>;

template <class E>
struct slot {
    Eigen::Matrix<double, E::rows, E::cols> value;
    bool ready = false;
};

/// A slot for the first occurrence of a node in the list, an empty base for a repeat.
template <bool First, std::size_t I, class E>
struct slot_if_first : slot<E> {};
template <std::size_t I, class E>
struct slot_if_first<false, I, E> {};

template <class Bound, class List, class Indices = std::make_index_sequence<List::size>>
struct context;

/// The per-eval storage: one slot per distinct stored node.
template <class Bound, class... Nodes, std::size_t... I>
struct context<Bound, type_list<Nodes...>, std::index_sequence<I...>>
    : slot_if_first<first_index<Nodes, Nodes...>() == I, I, Nodes>... {
    template <class E>
    static constexpr bool stores = one_of_v<E, Nodes...>;

    explicit context(const Bound& b) : in(b) {}
    const Bound& in;
};

template <class First, class... Rest>
struct first_of {
    using type = First;
};
template <class... Ts>
using first_of_t = typename first_of<Ts...>::type;

template <class E, class Ctx>
decltype(auto) value_of(const E& e, Ctx& ctx);

template <class Ctx, class A, class B>
void require(bool ok, const A& a, const B& b, long ar, long ac, long br, long bc, const char* rule) {
    if (!ok) {
        throw shape_error(concat_text("ctgrad: ", detail::describe(a), " ", shape_text(ar, ac), " and ", detail::describe(b), " ",
                                      shape_text(br, bc), ": ", rule));
    }
}

/// Checks the sizes known only now, so a mismatch is an exception naming the operands
/// instead of an Eigen assertion.
template <class Ctx, class Node, class A, class B>
void check_runtime_sizes(const Node& n, const A& a, const B& b) {
    using op = typename Node::op_type;
    using left = arg_t<0, Node>;
    using right = arg_t<1, Node>;
    if constexpr (std::is_same_v<op, matmul_op>) {
        detail::require<Ctx>(a.cols() == b.rows(), ctgrad::arg<0>(n), ctgrad::arg<1>(n), a.rows(), a.cols(), b.rows(), b.cols(),
                     "columns of the left operand must equal rows of the right operand");
    } else if constexpr (requires { op::pairs_operands; }) {
        constexpr pairing p = std::is_same_v<op, hadamard_op> ? pairing::same
                              : requires { op::template shapes_fit<left, right>; } && std::is_base_of_v<loss_shape, op>
                                  ? pairing::same
                                  : pairing_of<left, right>();
        bool ok = true;
        if constexpr (p == pairing::same) ok = a.rows() == b.rows() && a.cols() == b.cols();
        else if constexpr (p == pairing::row_right || p == pairing::row_left) ok = a.cols() == b.cols();
        detail::require<Ctx>(ok, ctgrad::arg<0>(n), ctgrad::arg<1>(n), a.rows(), a.cols(), b.rows(), b.cols(),
                     "the shapes must be equal (or a row broadcast over rows)");
    }
}

template <class Op, class... Args, class Ctx, std::size_t... I>
auto compute_node(const node<Op, Args...>& n, Ctx& ctx, std::index_sequence<I...>) {
    if constexpr (sizeof...(Args) == 2) {
        const auto& a = detail::value_of(ctgrad::arg<0>(n), ctx);
        const auto& b = detail::value_of(ctgrad::arg<1>(n), ctx);
        detail::check_runtime_sizes<Ctx>(n, a, b);
        return Op::value(n, a, b);
    } else if constexpr (requires { Op::elementwise; }) {
        return Op::apply(detail::value_of(ctgrad::arg<0>(n), ctx).array()).matrix();
    } else {
        return Op::value(n, detail::value_of(ctgrad::arg<I>(n), ctx)...);
    }
}

/// The Eigen loop that stores a value. Its instantiation depends only on Eigen types, so the
/// layers of a deep net share one copy instead of each inlining its own.
template <class Dst, class Src>
CTGRAD_NOINLINE void assign(Dst& dst, const Src& src) {
    dst.noalias() = src;
}

/// Computes a stored node once. Kept out of line on purpose: inlined, every gradient would
/// carry its own copy of the whole chain of adjoints it reaches, and code size (and compile
/// time) would grow with the square of the depth.
template <class E, class Ctx>
CTGRAD_NOINLINE void fill_slot(const E& e, Ctx& ctx) {
    auto& s = static_cast<slot<E>&>(ctx);
    if constexpr (is_adjoint_v<E>) {
        detail::assign(s.value, detail::value_of(e.value, ctx));
    } else {
        detail::assign(s.value, detail::compute_node(e, ctx, std::make_index_sequence<std::tuple_size_v<typename E::args_type>>{}));
    }
    s.ready = true;
}

/// The value of `e`: a reference to a bound matrix or to a stored slot, or a lazy Eigen
/// expression. Never a plain matrix by value, so nothing a caller keeps can dangle.
template <class E, class Ctx>
decltype(auto) value_of(const E& e, Ctx& ctx) {
    if constexpr (is_variable_v<E>) {
        return ctx.in.template get<E>();
    } else if constexpr (is_literal_v<E>) {
        return eigen_kit<E>::scalar(E::value);
    } else if constexpr (std::is_same_v<E, constant>) {
        return eigen_kit<E>::scalar(e.value);
    } else if constexpr (is_gradient_v<E>) {
        return detail::value_of(e.expr, ctx);
    } else if constexpr (Ctx::template stores<E>) {
        auto& s = static_cast<slot<E>&>(ctx);
        if (!s.ready) {
            detail::fill_slot(e, ctx);
        }
        return std::as_const(s.value);
    } else if constexpr (is_adjoint_v<E>) {
        return detail::value_of(e.value, ctx);
    } else {
        static_assert(is_node_v<E>, "ctgrad: eval: this is not an expression ctgrad can evaluate");
        return detail::compute_node(e, ctx, std::make_index_sequence<std::tuple_size_v<typename E::args_type>>{});
    }
}

template <class E>
using result_t = std::conditional_t<is_scalar_v<E>, double, Eigen::Matrix<double, E::rows, E::cols>>;

template <class E, class Ctx>
result_t<E> materialise(const E& e, Ctx& ctx) {
    Eigen::Matrix<double, E::rows, E::cols> out;
    out.noalias() = detail::value_of(e, ctx);
    if constexpr (is_scalar_v<E>) {
        return out(0, 0);
    } else {
        return out;
    }
}

template <class Bound, class... Es>
constexpr bool check_bound() {
    using needed = concat_t<variables_of_t<Es>...>;
    constexpr bool all_bound = []<class... Vs>(type_list<Vs...>) {
        return (contains_v<typename Bound::variables, Vs> && ...);
    }(needed{});
    static_assert(all_bound, "ctgrad: eval: the expression uses a variable that bind(...) does not bind");
    return all_bound;
}

}  // namespace detail

/// The value of `e` with the variables bound in `in`: a double for a 1x1 expression, else an
/// Eigen::Matrix<double, R, C> with the expression's static sizes. Each forward intermediate
/// and each adjoint is computed once per call.
template <expression E, class Bound>
auto eval(const E& e, const Bound& in) {
    if constexpr (is_invalid_v<E>) {
        return 0.0;  // the static_assert that made it has already been reported
    } else if constexpr (!detail::check_bound<Bound, E>()) {
        return 0.0;
    } else {
        detail::context<Bound, detail::slots_of_t<E>> ctx(in);
        return detail::materialise(e, ctx);
    }
}

/// eval(grads(L, W1, b1, ...), in): every gradient in one pass sharing forward values and
/// adjoints; a std::tuple in the order asked.
template <class... Gradients, class Bound>
auto eval(const gradient_list<Gradients...>& list, const Bound& in) {
    if constexpr (!detail::check_bound<Bound, Gradients...>()) {
        return std::tuple<detail::result_t<Gradients>...>{};
    } else {
        // grads(L, ...) gives every gradient the same loss, and the slots depend on the loss only.
        using first = detail::first_of_t<Gradients...>;
        static_assert((std::is_same_v<typename Gradients::loss_type, typename first::loss_type> && ...));
        detail::context<Bound, detail::slots_of_t<first>> ctx(in);
        return std::apply([&](const auto&... g) { return std::tuple<detail::result_t<Gradients>...>{detail::materialise(g, ctx)...}; },
                          list.items);
    }
}

namespace detail {

/// `in` with one variable rebound to `m`, for perturbing it in finite differences.
template <class Bound, class Variable, class M>
struct rebound {
    using variables = typename Bound::variables;
    const Bound& base;
    const M& replacement;

    template <class V>
    const auto& get() const {
        if constexpr (std::is_same_v<V, Variable>) {
            return replacement;
        } else {
            return base.template get<V>();
        }
    }
};

}  // namespace detail

/// Compares grad(L, V) with central finite differences of L in double precision, entry by
/// entry; returns the worst of |g - fd| / max(1, |g|, |fd|) (relative, absolute below 1).
template <expression L, class V, class Bound>
double check_gradient(const L& loss, const V& v, const Bound& in) {
    static_assert(is_variable_v<V>, "ctgrad: check_gradient(L, V, in): V must be a variable");
    Eigen::Matrix<double, V::rows, V::cols> g;
    if constexpr (is_scalar_v<V>) {
        g(0, 0) = eval(grad(loss, v), in);
    } else {
        g = eval(grad(loss, v), in);
    }
    Eigen::Matrix<double, V::rows, V::cols> x = in.template get<V>();
    const detail::rebound<Bound, V, decltype(x)> moved{in, x};
    double worst = 0;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
        const double original = x(i);
        const double h = 1e-5 * std::max(1.0, std::abs(original));
        x(i) = original + h;
        const double up = eval(loss, moved);
        x(i) = original - h;
        const double down = eval(loss, moved);
        x(i) = original;
        const double fd = (up - down) / (2 * h);
        const double err = std::abs(g(i) - fd) / std::max({1.0, std::abs(g(i)), std::abs(fd)});
        worst = std::max(worst, err);
    }
    return worst;
}

}  // namespace ctgrad
