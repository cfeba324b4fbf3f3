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
    using type = typename stripped<A>::type;
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
        return e;
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

/// A complete LaTeX document around a derivation: compiles with pdflatex (article, amsmath).
inline std::string standalone_document(std::string_view loss_latex, const std::string& align) {
    std::string out =
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\allowdisplaybreaks\n\\begin{document}\n"
        "\\noindent The gradients of\n\\[\n  L = ";
    out += loss_latex;
    out += "\n\\]\nstep by step, as derived by ctgrad:\n\\small\n";
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

/// The main of `derive` programs: argv[1] is the format (latex, markdown, text, json),
/// argv[2] "standalone" for a complete LaTeX document; `gradient K` prints the K-th gradient.
template <class L, class... V>
int derive_main(int argc, char** argv, std::string_view formula, const L& loss, const V&... wrt) {
    const std::string format = argc > 1 ? argv[1] : "latex";
    const bool standalone = argc > 2 && std::string_view(argv[2]) == "standalone";
    if (format == "gradient") {
        const int k = argc > 2 ? std::atoi(argv[2]) : 0;
        int i = 0;
        ((i++ == k ? (std::cout << expression_text(ctgrad::grad(loss, wrt)) << "\n", 0) : 0), ...);
        return 0;
    }
#ifdef CTGRAD_GEN_HAS_DERIVATION
    const auto steps = ctgrad::derivation(loss, wrt...);
    if (format == "latex") {
        std::cout << (standalone ? standalone_document(ctgrad::latex(loss), steps.latex()) : steps.latex());
    } else if (format == "markdown") {
        std::cout << steps.markdown();
    } else if (format == "text") {
        std::cout << steps.text();
    } else if (format == "json") {
        std::cout << json_of(formula, steps.latex());
    } else {
        std::cerr << "unknown format " << format << "\n";
        return 3;
    }
#else
    (void)formula;
    (void)standalone;
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

/// The largest relative difference |c - g| / max(1, |c|, |g|) seen over all draws, and where.
struct comparison {
    double worst = 0;
    Eigen::Index row = 0, col = 0;
    double claimed = 0, derived = 0;
    int draw = 0;
    int draws = 0;
};

inline void compare(const Eigen::MatrixXd& derived, const Eigen::MatrixXd& claimed, comparison& c) {
    ++c.draws;
    for (Eigen::Index j = 0; j < derived.cols(); ++j) {
        for (Eigen::Index i = 0; i < derived.rows(); ++i) {
            const double g = derived(i, j), v = claimed(i, j);
            double difference = std::abs(v - g) / std::max({1.0, std::abs(v), std::abs(g)});
            if (!std::isfinite(v)) difference = INFINITY;
            if (difference > c.worst || (c.draws == 1 && i == 0 && j == 0)) {
                c.worst = difference;
                c.row = i;
                c.col = j;
                c.claimed = v;
                c.derived = g;
                c.draw = c.draws;
            }
        }
    }
}

inline std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

/// Prints the verdict of `check` and returns the exit code: 0 correct, 1 wrong, 4 when the
/// gradient was not finite at enough random points to compare.
inline int report_check(bool symbolic, const comparison& c, int wanted, double tolerance, std::string_view variable,
                        const std::string& correct) {
    const std::string gradient = "dL/d" + std::string(variable);
    if (c.draws < wanted && !symbolic) {
        std::cout << "cannot compare: " << gradient << " was finite at only " << c.draws << " of the random points tried\n";
        return 4;
    }
    if (symbolic) {
        std::cout << "correct: the claim equals " << gradient << " symbolically (the same expression after simplification)";
        if (c.draws > 0) std::cout << "; numerically the largest relative difference at " << c.draws << " random draws is " << number(c.worst);
        std::cout << "\n";
        return 0;
    }
    if (c.worst <= tolerance) {
        std::cout << "correct: the claim equals " << gradient << " numerically at " << c.draws
                  << " random draws of every input (largest relative difference " << number(c.worst) << ", tolerance "
                  << number(tolerance) << "); the expressions differ symbolically\n";
        return 0;
    }
    std::cout << "wrong: the claim differs from " << gradient << ": the largest difference is at entry (" << c.row + 1 << ", "
              << c.col + 1 << ") of random draw " << c.draw << ": the claim gives " << number(c.claimed) << ", "
              << gradient << " is " << number(c.derived) << " (relative difference " << number(c.worst) << ")\n";
    std::cout << "correct: " << gradient << " = " << correct << "\n";
    return 1;
}

#endif  // CTGRAD_GEN_NUMERIC

}  // namespace ctgrad_gen
