// Support code for the programs ctgrad-gen writes: the derivation's outputs, the comparison
// behind `check`, random inputs. The generator embeds this file in every program (see
// generator/CMakeLists.txt), so a program needs only ctgrad and its dependencies. A program
// that evaluates (check) defines CTGRAD_GEN_NUMERIC first; the others never include Eigen.
#pragma once

#include <ctgrad/derivation.hpp>
#include <ctgrad/detail/describe.hpp>
#include <ctgrad/operations.hpp>
#include <ctgrad/variables.hpp>

#if __has_include(<ctgrad/derivation_steps.hpp>)
#include <ctgrad/derivation_steps.hpp>
#define CTGRAD_GEN_HAS_DERIVATION 1
#endif

#ifdef CTGRAD_GEN_NUMERIC
#include <ctgrad/evaluation.hpp>

#include <Eigen/Core>

#include <random>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace ctgrad_gen {

// ---- symbolic comparison --------------------------------------------------------------------

/// The derived gradient's type with its adjoint names removed: what a claim written by hand
/// can equal. Two expressions are symbolically equal when these types are the same and their
/// double constants agree.
template <class E>
struct stripped {
    using type = E;
};
template <class F, class A>
struct stripped<ctgrad::adjoint<F, A>> {
    using type = typename stripped<ctgrad::definition_t<A>>::type;
};
template <class Op, class... Args>
struct stripped<ctgrad::node<Op, Args...>> {
    using type = ctgrad::node<Op, typename stripped<Args>::type...>;
};
template <class L, class V, class E>
struct stripped<ctgrad::gradient<L, V, E>> {
    using type = typename stripped<E>::type;
};

// By value: a stateless expression's parts are made on request (ctgrad::adjoint_value_of).
template <class E>
auto unwrap(const E& e) {
    if constexpr (ctgrad::is_adjoint_v<E>) {
        return unwrap(ctgrad::adjoint_value_of(e));
    } else if constexpr (ctgrad::is_gradient_v<E>) {
        return unwrap(ctgrad::expr_of(e));
    } else {
        return ctgrad::detail::as_plain(e);
    }
}

template <class A, class B>
bool same_expression(const A& a_in, const B& b_in) {
    const auto a = unwrap(a_in);
    const auto b = unwrap(b_in);
    using TA = std::remove_cvref_t<decltype(a)>;
    using TB = std::remove_cvref_t<decltype(b)>;
    if constexpr (!std::is_same_v<typename stripped<TA>::type, typename stripped<TB>::type>) {
        return false;
    } else if constexpr (std::is_same_v<TA, ctgrad::constant>) {
        return a.value == b.value;
    } else if constexpr (ctgrad::is_node_v<TA>) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return (same_expression(ctgrad::arg<I>(a), ctgrad::arg<I>(b)) && ...);
        }(std::make_index_sequence<std::tuple_size_v<typename TA::args_type>>{});
    } else {
        return true;
    }
}

// ---- text -------------------------------------------------------------------------------------

/// A JSON string literal.
inline std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += ch;
                }
        }
    }
    return out + "\"";
}

/// The text of a derived expression for messages (the correct answer `check` prints).
template <class E>
std::string expression_text(const E& e) {
#ifdef CTGRAD_GEN_HAS_DERIVATION
    return ctgrad::text(e);
#else
    return ctgrad::detail::describe(unwrap(e));
#endif
}

#ifdef CTGRAD_GEN_HAS_DERIVATION

/// A complete LaTeX document around a derivation: compiles with pdflatex (article, amsmath; in
/// Russian also T2A fonts and babel, Debian's texlive-lang-cyrillic).
inline std::string standalone_document(std::string_view loss_latex, const std::string& align, ctgrad::lang l) {
    const bool ru = l == ctgrad::lang::ru;
    std::string out = "\\documentclass{article}\n";
    if (ru) out += "\\usepackage[T2A]{fontenc}\n\\usepackage[utf8]{inputenc}\n\\usepackage[russian]{babel}\n";
    out += "\\usepackage{amsmath}\n\\allowdisplaybreaks\n\\begin{document}\n\\noindent ";
    out += ru ? "Градиенты функции\n\\[\n  L = " : "The gradients of\n\\[\n  L = ";
    out += loss_latex;
    out += ru ? "\n\\]\nпо шагам, как их выводит ctgrad:\n\\small\n" : "\n\\]\nstep by step, as derived by ctgrad:\n\\small\n";
    out += align;
    out += "\\end{document}\n";
    return out;
}

/// {"formula": ..., "equations": [{"lhs": ..., "rhs": ..., "latex": ...}, ...]}: every equation
/// of the derivation's align* block (`lhs &rhs \\` lines), forward pass then backward pass;
/// `rhs` is what follows the relation (= or :=), `latex` the whole equation. A line continuing
/// the one above (`&= ...`) repeats its lhs; lines without a relation (the convention, \vdots)
/// are not equations. Read from the public output, so it follows whatever latex() prints.
inline std::string json_of(std::string_view formula, std::string_view align) {
    std::string out = "{\"formula\": " + json_string(formula) + ", \"equations\": [";
    bool first = true;
    std::string lhs;
    std::size_t at = 0;
    while (at < align.size()) {
        const std::size_t end = std::min(align.find('\n', at), align.size());
        std::string_view line = align.substr(at, end - at);
        at = end + 1;
        if (line.starts_with("\\begin{") || line.starts_with("\\end{")) continue;
        if (line.ends_with(" \\\\")) line.remove_suffix(3);
        const std::size_t amp = line.find('&');
        if (amp == std::string_view::npos) continue;
        std::string_view left = line.substr(0, amp);
        while (!left.empty() && left.back() == ' ') left.remove_suffix(1);
        const std::string_view right = line.substr(amp + 1);
        std::string_view rhs = right;
        bool relation = false;
        for (std::string_view r : {":= ", "= "}) {
            if (rhs.starts_with(r)) {
                rhs.remove_prefix(r.size());
                relation = true;
                break;
            }
        }
        if (!relation) continue;
        if (!left.empty()) lhs = std::string(left);
        if (lhs.empty()) continue;
        out += std::string(first ? "\n  " : ",\n  ") + "{\"lhs\": " + json_string(lhs) + ", \"rhs\": " +
               json_string(rhs) + ", \"latex\": " + json_string(lhs + " " + std::string(right)) + "}";
        first = false;
    }
    return out + "\n]}\n";
}

#endif

/// What a `derive` program prints: one form, fixed when the generator writes the program.
enum class derive_form { latex, latex_standalone, markdown, text, json };

/// The main of `derive` programs: prints the one form, in the one language, the program was
/// written for. A small formula's derivation is printed while compiling (ctgrad's latex.hpp,
/// `print_while_compiling`), most of the compile's time: a program that could print every form
/// would make all six texts (three forms, two languages) for one that is read.
template <derive_form Form, bool Russian, class L, class... V>
int derive_main(std::string_view formula, const L& loss, const V&... wrt) {
#ifdef CTGRAD_GEN_HAS_DERIVATION
    constexpr ctgrad::lang l = Russian ? ctgrad::lang::ru : ctgrad::lang::en;
    const auto steps = ctgrad::derivation(loss, wrt...);
    if constexpr (Form == derive_form::latex) {
        std::cout << steps.template latex<l>();
    } else if constexpr (Form == derive_form::latex_standalone) {
        std::cout << standalone_document(ctgrad::latex(loss), steps.template latex<l>(), l);
    } else if constexpr (Form == derive_form::markdown) {
        std::cout << steps.template markdown<l>();
    } else if constexpr (Form == derive_form::text) {
        std::cout << steps.template text<l>();
    } else {
        std::cout << json_of(formula, steps.template latex<l>());
    }
#else
    (void)formula;
    ((std::cout << "dL/d" << V::name << " = " << expression_text(ctgrad::grad(loss, wrt)) << "\n"), ...);
#endif
    return 0;
}

#ifdef CTGRAD_GEN_NUMERIC
// ---- numeric comparison (check) -------------------------------------------------------------

/// A matrix of standard normal entries; `rows`/`cols` matter where the size is dynamic.
template <int Rows, int Cols>
Eigen::Matrix<double, Rows, Cols> random_matrix(std::mt19937_64& rng, Eigen::Index rows, Eigen::Index cols) {
    std::normal_distribution<double> entry(0.0, 1.0);
    Eigen::Matrix<double, Rows, Cols> m(rows, cols);
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
        for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = entry(rng);
    }
    return m;
}

/// Entries in [0.5, 1.5]: inside the domain of log and sqrt, away from their singularity at 0.
template <int Rows, int Cols>
Eigen::Matrix<double, Rows, Cols> random_positive(std::mt19937_64& rng, Eigen::Index rows, Eigen::Index cols) {
    std::uniform_real_distribution<double> entry(0.5, 1.5);
    Eigen::Matrix<double, Rows, Cols> m(rows, cols);
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
        for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = entry(rng);
    }
    return m;
}

/// Rows that are distributions (positive entries summing to 1): cross_entropy's targets.
template <int Rows, int Cols>
Eigen::Matrix<double, Rows, Cols> random_probability_rows(std::mt19937_64& rng, Eigen::Index rows, Eigen::Index cols) {
    Eigen::Matrix<double, Rows, Cols> m = random_positive<Rows, Cols>(rng, rows, cols);
    for (Eigen::Index i = 0; i < m.rows(); ++i) m.row(i) /= m.row(i).sum();
    return m;
}

inline Eigen::MatrixXd as_matrix(double v) { return Eigen::MatrixXd::Constant(1, 1, v); }
template <class M>
Eigen::MatrixXd as_matrix(const M& m) {
    return m;
}

// ---- check: values for the generator to judge (generator/lib/judge.cpp) -----------------------

/// No adjoint: the backward pass names none for this node (its adjoint is a leaf or a constant).
struct no_adjoint {};

template <class F>
constexpr auto adjoint_sum() {
    return no_adjoint{};
}
template <class F, class A, class... Rest>
constexpr auto adjoint_sum(const A& a, const Rest&... rest) {
    const auto others = adjoint_sum<F>(rest...);
    if constexpr (!std::is_same_v<typename A::forward_type, F>) {
        return others;
    } else if constexpr (std::is_same_v<std::remove_cvref_t<decltype(others)>, no_adjoint>) {
        return a;
    } else {
        return ctgrad::plus(a, others);
    }
}
template <class F, class... A>
constexpr auto adjoint_in(ctgrad::detail::type_list<A...>) {
    return adjoint_sum<F>(A{}...);
}

/// The prediction p = sigma(Z) of bce(sigmoid(Z), Y) is not in the loss's graph: ctgrad builds
/// that loss as one node on the logits (bce_logits_op). Its adjoint is then the one bce of a
/// probability hands its prediction, dL/dp = G/n (p - Y) / (p (.) (1 - p)) for G the fused
/// node's adjoint (node I of the graph), so a model answer's dL/dyhat is judged as before.
template <class L, class F, std::size_t I>
constexpr auto fused_prediction_adjoint() {
    using reader = typename ctgrad::detail::loss_graph<L>::template node_at<I>;
    if constexpr (!ctgrad::is_node_v<reader>) {
        return no_adjoint{};
    } else if constexpr (!std::is_same_v<typename reader::op_type, ctgrad::bce_logits_op>) {
        return no_adjoint{};
    } else if constexpr (!std::is_same_v<ctgrad::arg_t<0, reader>, ctgrad::arg_t<0, F>>) {
        return no_adjoint{};
    } else {
        using g = typename ctgrad::detail::adjoint_in_graph<L, I>::named;
        if constexpr (std::is_same_v<g, ctgrad::no_contribution>) {
            return no_adjoint{};
        } else {
            return ctgrad::bce_op::template backward<0>(ctgrad::make_node(ctgrad::bce_op{}, F{}, ctgrad::arg_t<1, reader>{}), g{});
        }
    }
}
/// The first of the candidates that is not no_adjoint (no_adjoint when none is).
template <class First, class... Rest>
constexpr auto first_judged(const First& first, const Rest&... rest) {
    if constexpr (sizeof...(Rest) == 0 || !std::is_same_v<First, no_adjoint>) {
        return first;
    } else {
        return first_judged(rest...);
    }
}
template <class L, class F>
constexpr auto fused_prediction_adjoint_of() {
    if constexpr (!ctgrad::is_node_v<F>) {
        return no_adjoint{};
    } else if constexpr (!std::is_same_v<typename F::op_type, ctgrad::sigmoid_op>) {
        return no_adjoint{};
    } else {
        return []<std::size_t... I>(std::index_sequence<I...>) {
            return first_judged(no_adjoint{}, fused_prediction_adjoint<L, F, I>()...);
        }(std::make_index_sequence<ctgrad::detail::loss_graph<L>::nodes::size>{});
    }
}

/// dL/dF as ctgrad's backward pass derives it for the forward node F: the adjoint it names for
/// F (the sum when F is reached on several paths); else, in the graph, the adjoint F's one
/// reader hands on unchanged (A_1 under H_1 = X + A_1 gets dL/dH_1, as the derivation's line
/// dL/dA_1 = dL/dH_1 says); else, for a sigmoid that bce fused away, its adjoint as bce's
/// prediction; else no_adjoint.
template <class L, class F>
constexpr auto adjoint_of(const L&, const F&) {
    using forward = ctgrad::plain_t<std::remove_cvref_t<F>>;
    using P = ctgrad::plain_t<L>;
    using own = decltype(adjoint_in<forward>(ctgrad::detail::adjoints_of_t<P>{}));
    if constexpr (!std::is_same_v<own, no_adjoint> || !ctgrad::is_stateless_v<P>) {
        return adjoint_in<forward>(ctgrad::detail::adjoints_of_t<P>{});
    } else if constexpr (ctgrad::detail::index_in<forward, typename ctgrad::detail::loss_graph<P>::map>() ==
                         ctgrad::detail::loss_graph<P>::nodes::size) {
        return fused_prediction_adjoint_of<P, forward>();
    } else {
        using graph = ctgrad::detail::loss_graph<P>;
        using named = typename ctgrad::detail::adjoint_in_graph<P, ctgrad::detail::index_in<forward, typename graph::map>()>::named;
        if constexpr (ctgrad::is_adjoint_v<named>) {
            return named{};
        } else {
            return no_adjoint{};
        }
    }
}

template <class E>
constexpr bool judged_v = !std::is_same_v<std::remove_cvref_t<E>, no_adjoint>;

/// `tag k j rows cols v11 v21 ...` (column by column), the protocol judge.cpp reads.
inline void print_matrix(char tag, std::size_t k, std::size_t j, const Eigen::MatrixXd& m) {
    std::cout << tag << ' ' << k << ' ' << j << ' ' << m.rows() << ' ' << m.cols();
    char buf[40];
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
        for (Eigen::Index r = 0; r < m.rows(); ++r) {
            std::snprintf(buf, sizeof buf, " %.17g", m(r, c));
            std::cout << buf;
        }
    }
    std::cout << '\n';
}

template <class E, class In>
void print_value(char tag, std::size_t k, std::size_t j, const E& e, const In& in) {
    if constexpr (judged_v<E>) print_matrix(tag, k, j, as_matrix(ctgrad::eval(e, in)));
}

template <class E, class In>
bool finite(const E& e, const In& in) {
    if constexpr (judged_v<E>) {
        return as_matrix(ctgrad::eval(e, in)).allFinite();
    } else {
        return true;
    }
}

/// `X k text`: ctgrad's expression for line k (or `N k` when it names no adjoint there).
template <class E>
void print_text(std::size_t k, const E& e) {
    if constexpr (judged_v<E>) {
        std::string text = expression_text(e);
        std::replace(text.begin(), text.end(), '\n', ' ');
        std::cout << "X " << k << ' ' << text << '\n';
    } else {
        std::cout << "N " << k << '\n';
    }
}

template <class T, class C>
void print_symbolic(std::size_t k, const T& truth, const C& claim) {
    if constexpr (judged_v<T>) std::cout << "S " << k << ' ' << (same_expression(truth, claim) ? 1 : 0) << '\n';
}

/// f'(z) entry by entry for the activations a diagnosis tries, by the generator's op numbers
/// (generator/lib/names.hpp): identity (removed: 1), relu, tanh, sigmoid, softplus.
inline Eigen::MatrixXd derivative(int kind, const Eigen::MatrixXd& z, int identity, int relu, int tanh_kind, int sigmoid) {
    const auto s = [](double x) { return 1 / (1 + std::exp(-x)); };
    return z.unaryExpr([&](double x) {
        if (kind == identity) return 1.0;
        if (kind == relu) return x > 0 ? 1.0 : 0.0;
        if (kind == tanh_kind) return 1 - std::tanh(x) * std::tanh(x);
        if (kind == sigmoid) return s(x) * (1 - s(x));
        return s(x);  // softplus' = sigmoid
    });
}

/// `A k j ...`: line k's quantity with dL/dZ = dL/dA .* g_j'(Z) carried down by `through`
/// (the surrogate loss's gradient), for each candidate g_j.
template <int Rows, int Cols, class DA, class Z, class In, class Rebind, class Through>
void print_activation_candidates(std::size_t k, const DA& dA, const Z& z, const In& in, std::initializer_list<int> kinds,
                                 const Rebind& rebind, const Through& through) {
    if constexpr (judged_v<DA>) {
        const Eigen::MatrixXd upstream = as_matrix(ctgrad::eval(dA, in));
        const Eigen::MatrixXd zv = as_matrix(ctgrad::eval(z, in));
        const int* order = kinds.begin();  // identity, relu, tanh, sigmoid, softplus
        std::size_t j = 0;
        for (int kind : kinds) {
            const Eigen::Matrix<double, Rows, Cols> g =
                upstream.cwiseProduct(derivative(kind, zv, order[0], order[1], order[2], order[3]));
            print_matrix('A', k, j++, as_matrix(ctgrad::eval(through, rebind(g))));
        }
    }
}

#endif  // CTGRAD_GEN_NUMERIC

}  // namespace ctgrad_gen
