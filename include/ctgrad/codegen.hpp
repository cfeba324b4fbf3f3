// codegen: C++/Eigen source text for a loss and its derived gradients, as a self-contained header.
#pragma once

#include <cstddef>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "derivation.hpp"
#include "expression.hpp"
#include "ops/all.hpp"

namespace ctgrad {
namespace codegen_detail {

/// A value in the generated code: the C++ text that reads it (a temporary's name, a
/// parameter, a number) and whether it is a plain double (1x1 values are) or an Eigen matrix.
struct value {
    std::string code;
    bool scalar = false;
};

inline std::string number_text(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // 2 -> 2.0, so it is a double
    return v < 0 ? "(" + s + ")" : s;
}

inline std::string size_text(int n) { return n < 0 ? "Eigen::Dynamic" : std::to_string(n); }

inline std::string matrix_type(int rows, int cols) {
    return "Eigen::Matrix<double, " + size_text(rows) + ", " + size_text(cols) + ">";
}

/// A C++ identifier from a variable's LaTeX name: W_1 -> W_1, \hat{y} -> hat_y.
inline std::string identifier_of(std::string_view latex) {
    std::string out;
    for (char c : latex) {
        const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (word) {
            out += c;
        } else if (!out.empty() && out.back() != '_') {
            out += '_';
        }
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out = "v_" + out;
    // M_{PI} would be the macro M_PI of <cmath>: a capital, '_', then capitals is how C and Eigen
    // spell macros, so such a name gets a suffix.
    const std::size_t underscore = out.find('_');
    bool macro_like = underscore != std::string::npos && underscore + 2 < out.size();
    for (char c : out) macro_like = macro_like && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
    if (macro_like) out += "_v";
    return out;
}

// ---- one printer per operation ------------------------------------------------------------
// op_code<Op>::print(self, args...) gives the C++ expression of the node from its operands'
// values. Every descriptor in all_operations must have one (checked below), so adding an
// operation without teaching the code printer fails to compile here.

template <class Op>
struct op_code;

/// a OP b for +, -, /, hadamard with ctgrad's pairing (ops/op_base.hpp): scalars, row broadcast, equal shapes.
template <class Node>
std::string paired_code(const value& a, const value& b, char symbol) {
    using left = arg_t<0, Node>;
    using right = arg_t<1, Node>;
    const std::string o = std::string(" ") + symbol + " ";
    if (a.scalar && b.scalar) return "(" + a.code + o + b.code + ")";
    constexpr detail::pairing p = detail::pairing_of<left, right>();
    if constexpr (p == detail::pairing::scalar_left) {
        return "(" + a.code + o + b.code + ".array()).matrix()";
    } else if constexpr (p == detail::pairing::scalar_right) {
        return "(" + a.code + ".array()" + o + b.code + ").matrix()";
    } else if constexpr (p == detail::pairing::row_right) {
        return "(" + a.code + ".array()" + o + b.code + ".replicate(" + a.code + ".rows(), 1).array()).matrix()";
    } else if constexpr (p == detail::pairing::row_left) {
        return "(" + a.code + ".replicate(" + b.code + ".rows(), 1).array()" + o + b.code + ".array()).matrix()";
    } else if constexpr (p == detail::pairing::column_right) {
        return "(" + a.code + ".array()" + o + b.code + ".replicate(1, " + a.code + ".cols()).array()).matrix()";
    } else if constexpr (p == detail::pairing::column_left) {
        return "(" + a.code + ".replicate(1, " + b.code + ".cols()).array()" + o + b.code + ".array()).matrix()";
    } else {
        return "(" + a.code + ".array()" + o + b.code + ".array()).matrix()";
    }
}

template <>
struct op_code<add_op> {
    template <class Node>
    static std::string print(const Node&, const value& a, const value& b) { return paired_code<Node>(a, b, '+'); }
};
template <>
struct op_code<subtract_op> {
    template <class Node>
    static std::string print(const Node&, const value& a, const value& b) { return paired_code<Node>(a, b, '-'); }
};
template <>
struct op_code<divide_op> {
    template <class Node>
    static std::string print(const Node&, const value& a, const value& b) { return paired_code<Node>(a, b, '/'); }
};
template <>
struct op_code<negate_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) { return "(-" + a.code + ")"; }
};
template <>
struct op_code<matmul_op> {
    template <class Node>
    static std::string print(const Node&, const value& a, const value& b) {
        if (!a.scalar && !b.scalar && is_scalar_v<Node>) return "(" + a.code + " * " + b.code + ").value()";
        return "(" + a.code + " * " + b.code + ")";
    }
};
template <>
struct op_code<scale_op> {
    template <class Node>
    static std::string print(const Node&, const value& s, const value& a) { return "(" + s.code + " * " + a.code + ")"; }
};
template <>
struct op_code<hadamard_op> {
    template <class Node>
    static std::string print(const Node&, const value& a, const value& b) { return paired_code<Node>(a, b, '*'); }
};
template <>
struct op_code<transpose_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) { return a.scalar ? a.code : a.code + ".transpose()"; }
};

/// Element-wise functions: the scalar form and the Eigen array form of the same formula.
struct elementwise_code {
    std::string_view scalar_form;  // with `@` for the operand
    std::string_view array_form;   // `@` is the operand as an Eigen array
};

inline std::string substitute(std::string_view form, const std::string& operand) {
    std::string out;
    for (char c : form) {
        if (c == '@') {
            out += operand;
        } else {
            out += c;
        }
    }
    return out;
}

template <class Op, const elementwise_code& Forms>
struct elementwise_printer {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        if (a.scalar) return substitute(Forms.scalar_form, a.code);
        return "(" + substitute(Forms.array_form, a.code + ".array()") + ").matrix()";
    }
};

inline constexpr elementwise_code relu_forms{"std::max(@, 0.0)", "@.max(0.0)"};
inline constexpr elementwise_code step_forms{"(@ > 0.0 ? 1.0 : 0.0)", "(@ > 0.0).cast<double>()"};
inline constexpr elementwise_code tanh_forms{"std::tanh(@)", "@.tanh()"};
inline constexpr elementwise_code sigmoid_forms{"(1.0 / (1.0 + std::exp(-@)))", "@.logistic()"};
inline constexpr elementwise_code exp_forms{"std::exp(@)", "@.exp()"};
inline constexpr elementwise_code log_forms{"std::log(@)", "@.log()"};
inline constexpr elementwise_code softplus_forms{"(std::max(@, 0.0) + std::log1p(std::exp(-std::abs(@))))",
                                                 "@.max(0.0) + (-@.abs()).exp().log1p()"};
inline constexpr elementwise_code square_forms{"(@ * @)", "@.square()"};
inline constexpr elementwise_code identity_forms{"@", "@"};
inline constexpr elementwise_code sqrt_forms{"std::sqrt(@)", "@.sqrt()"};
inline constexpr elementwise_code abs_forms{"std::abs(@)", "@.abs()"};
inline constexpr elementwise_code sign_forms{"[](double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0); }(@)", "@.sign()"};
inline constexpr elementwise_code gelu_forms{
    "[](double x) { return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))); }(@)",
    "[](const auto& x) { return (0.5 * x * (1.0 + (0.7978845608028654 * (x + 0.044715 * x.cube())).tanh())).eval(); }(@)"};
inline constexpr elementwise_code gelu_derivative_forms{
    "[](double x) { const double t = std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)); "
    "return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * x * x); }(@)",
    "[](const auto& x) { const auto t = (0.7978845608028654 * (x + 0.044715 * x.cube())).tanh().eval(); "
    "return (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t.square()) * 0.7978845608028654 * (1.0 + 3.0 * 0.044715 * x.square())).eval(); }(@)"};

template <> struct op_code<relu_op> : elementwise_printer<relu_op, relu_forms> {};
template <> struct op_code<step_op> : elementwise_printer<step_op, step_forms> {};
template <> struct op_code<tanh_op> : elementwise_printer<tanh_op, tanh_forms> {};
template <> struct op_code<sigmoid_op> : elementwise_printer<sigmoid_op, sigmoid_forms> {};
template <> struct op_code<exp_op> : elementwise_printer<exp_op, exp_forms> {};
template <> struct op_code<log_op> : elementwise_printer<log_op, log_forms> {};
template <> struct op_code<softplus_op> : elementwise_printer<softplus_op, softplus_forms> {};
template <> struct op_code<square_op> : elementwise_printer<square_op, square_forms> {};
template <> struct op_code<identity_op> : elementwise_printer<identity_op, identity_forms> {};
template <> struct op_code<sqrt_op> : elementwise_printer<sqrt_op, sqrt_forms> {};
template <> struct op_code<abs_op> : elementwise_printer<abs_op, abs_forms> {};
template <> struct op_code<sign_op> : elementwise_printer<sign_op, sign_forms> {};
template <> struct op_code<gelu_op> : elementwise_printer<gelu_op, gelu_forms> {};
template <> struct op_code<gelu_derivative_op> : elementwise_printer<gelu_derivative_op, gelu_derivative_forms> {};

/// log softmax of each row of an Eigen matrix, as in ops/softmax.hpp: the row's largest entry
/// taken out first, then the log of the sum of exponentials.
inline constexpr std::string_view log_softmax_lambda =
    "[](const auto& z) { Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic> a = z.array(); "
    "const Eigen::Array<double, Eigen::Dynamic, 1> largest = a.rowwise().maxCoeff(); a.colwise() -= largest; "
    "const Eigen::Array<double, Eigen::Dynamic, 1> log_total = a.exp().rowwise().sum().log(); a.colwise() -= log_total; "
    "return a; }";

template <>
struct op_code<softmax_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        if (a.scalar) return "1.0";  // a single class has probability 1
        return matrix_type(Node::rows, Node::cols) + "(" + std::string(log_softmax_lambda) + "(" + a.code + ").exp().matrix())";
    }
};
template <>
struct op_code<log_softmax_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        if (a.scalar) return "0.0";
        return matrix_type(Node::rows, Node::cols) + "(" + std::string(log_softmax_lambda) + "(" + a.code + ").matrix())";
    }
};
/// Without cross_entropy's check of the targets (the header throws nothing): the caller passes
/// probability rows.
template <>
struct op_code<cross_entropy_op> {
    template <class Node>
    static std::string print(const Node&, const value& z, const value& y) {
        if (z.scalar) return "(-" + y.code + " * 0.0)";
        return "(-(" + y.code + ".array() * " + std::string(log_softmax_lambda) + "(" + z.code +
               ")).sum() / static_cast<double>(" + z.code + ".rows()))";
    }
};
/// The emitted header checks nothing: its caller passes probability rows.
template <>
struct op_code<probability_rows_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) { return a.code; }
};
template <>
struct op_code<concat_cols_op> {
    template <class Node>
    static std::string print(const Node&, const value& a, const value& b) {
        const std::string rows = a.scalar ? "1" : a.code + ".rows()";
        return "(" + matrix_type(Node::rows, Node::cols) + "(" + rows + ", " + std::to_string(Node::cols) + ") << " + a.code +
               ", " + b.code + ").finished()";
    }
};
template <int Begin, int Count>
struct op_code<slice_cols_op<Begin, Count>> {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        if (a.scalar) return a.code;
        if constexpr (is_scalar_v<Node>) {
            return a.code + "(0, " + std::to_string(Begin) + ")";
        } else {
            return a.code + ".middleCols(" + std::to_string(Begin) + ", " + std::to_string(Count) + ")";
        }
    }
};
template <int Begin, int Total>
struct op_code<embed_cols_op<Begin, Total>> {
    template <class Node>
    static std::string print(const Node&, const value& g) {
        const std::string type = matrix_type(Node::rows, Node::cols);
        const std::string rows = g.scalar ? "1" : g.code + ".rows()";
        const std::string place = g.scalar ? "m(0, " + std::to_string(Begin) + ") = " + g.code
                                           : "m.middleCols(" + std::to_string(Begin) + ", " +
                                                 std::to_string(arg_t<0, Node>::cols) + ") = " + g.code;
        return "[&] { " + type + " m = " + type + "::Zero(" + rows + ", " + std::to_string(Total) + "); " + place +
               "; return m; }()";
    }
};

template <>
struct op_code<sum_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) { return a.scalar ? a.code : a.code + ".sum()"; }
};
template <>
struct op_code<mean_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) { return a.scalar ? a.code : a.code + ".mean()"; }
};
template <>
struct op_code<column_sums_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        if constexpr (is_scalar_v<Node>) {
            return a.scalar ? a.code : a.code + ".sum()";
        } else {
            return a.code + ".colwise().sum()";
        }
    }
};
template <>
struct op_code<column_means_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        if constexpr (is_scalar_v<Node>) {
            return a.scalar ? a.code : a.code + ".mean()";
        } else {
            return a.code + ".colwise().mean()";
        }
    }
};
template <>
struct op_code<row_sums_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        if constexpr (is_scalar_v<Node>) {
            return a.scalar ? a.code : a.code + ".sum()";
        } else {
            return a.code + ".rowwise().sum()";
        }
    }
};
template <>
struct op_code<row_means_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        if constexpr (is_scalar_v<Node>) {
            return a.scalar ? a.code : a.code + ".mean()";
        } else {
            return a.code + ".rowwise().mean()";
        }
    }
};
template <bool Rows>
struct op_code<dimension_count_op<Rows>> {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        return a.scalar ? "1.0" : "static_cast<double>(" + a.code + (Rows ? ".rows())" : ".cols())");
    }
};
template <>
struct op_code<count_op> {
    template <class Node>
    static std::string print(const Node&, const value& a) {
        return a.scalar ? "1.0" : "static_cast<double>(" + a.code + ".size())";
    }
};
template <>
struct op_code<mse_op> {
    template <class Node>
    static std::string print(const Node&, const value& p, const value& y) {
        if (p.scalar) return "((" + p.code + " - " + y.code + ") * (" + p.code + " - " + y.code + "))";
        return "((" + p.code + " - " + y.code + ").squaredNorm() / static_cast<double>(" + p.code + ".size()))";
    }
};
template <>
struct op_code<bce_op> {
    template <class Node>
    static std::string print(const Node&, const value& p, const value& y) {
        if (p.scalar) {
            return "(-(" + y.code + " * std::log(" + p.code + ") + (1.0 - " + y.code + ") * std::log(1.0 - " + p.code + ")))";
        }
        return "(-(" + y.code + ".array() * " + p.code + ".array().log() + (1.0 - " + y.code + ".array()) * (1.0 - " +
               p.code + ".array()).log()).mean())";
    }
};
/// bce(sigma(Z), Y) on the logits, as its value rule: max(z, 0) + log1p(e^{-|z|}) - y z per entry.
template <>
struct op_code<bce_logits_op> {
    template <class Node>
    static std::string print(const Node&, const value& z, const value& y) {
        if (z.scalar) {
            return "(std::fmax(" + z.code + ", 0.0) + std::log1p(std::exp(-std::abs(" + z.code + "))) - " + y.code + " * " +
                   z.code + ")";
        }
        return "((" + z.code + ".array().max(0.0) + (-" + z.code + ".array().abs()).exp().log1p() - " + y.code +
               ".array() * " + z.code + ".array()).mean())";
    }
};
template <>
struct op_code<broadcast_op> {
    template <class Node>
    static std::string print(const Node&, const value& g, const value& a) {
        if constexpr (is_scalar_v<Node>) {
            return g.code;
        } else if (g.scalar) {
            return matrix_type(Node::rows, Node::cols) + "::Constant(" + a.code + ".rows(), " + a.code + ".cols(), " +
                   g.code + ")";
        } else if constexpr (arg_t<0, Node>::rows == 1) {
            return g.code + ".replicate(" + a.code + ".rows(), 1)";
        } else {
            return g.code + ".replicate(1, " + a.code + ".cols())";
        }
    }
};

/// named<"H">(e) only names e for printed derivations: its value is e's.
template <detail::fixed_string Name>
struct op_code<named_op<Name>> {
    template <class Node>
    static std::string print(const Node&, const value& a) { return a.code; }
};

template <class Op>
static constexpr bool has_printer = requires { sizeof(op_code<Op>); };

template <class Tuple>
struct all_printed;
template <class... Ops>
struct all_printed<std::tuple<Ops...>> {
    static constexpr bool value = (has_printer<Ops> && ...);
};
static_assert(all_printed<all_operations>::value,
              "ctgrad: internal: codegen.hpp: an operation in all_operations has no op_code<Op> printer");

// ---- the writer ---------------------------------------------------------------------------

/// Walks expressions and writes one statement per distinct node. Identical subexpressions
/// print identical code, so the text of a node's code is its identity: each is computed once.
class writer {
public:
    std::vector<std::string> statements;
    std::vector<std::pair<std::string, std::string>> parameters;  // (LaTeX name, C++ name)
    /// Names the function's body uses besides its parameters (its result type, the local `out`):
    /// a parameter spelled like one of them, or like a temporary (t1, t2, ...), gets a '_' appended.
    std::vector<std::string> reserved;

    template <class E>
    value visit(const E& e) {
        if constexpr (is_variable_v<E>) {
            return {parameter(E::name, E::rows, E::cols), is_scalar_v<E>};
        } else if constexpr (is_literal_v<E>) {
            return {E::den == 1 ? number_text(static_cast<double>(E::num))
                                : "(" + number_text(static_cast<double>(E::num)) + " / " +
                                      number_text(static_cast<double>(E::den)) + ")",
                    true};
        } else if constexpr (ctgrad::detail::same_v<E, constant>) {
            return {number_text(e.value), true};
        } else if constexpr (is_gradient_v<E>) {
            return visit(ctgrad::expr_of(e));
        } else if constexpr (is_adjoint_v<E>) {
            return visit(ctgrad::adjoint_value_of(e));  // already stored once: the adjoint is its value's temporary
        } else if constexpr (is_node_v<E>) {
            return visit_node(e, std::make_index_sequence<E::op_type::arity>{});
        } else {
            static_assert(detail::always_false<E>, "ctgrad: codegen: cannot print this expression");
            return {};
        }
    }

    /// Records a parameter in order of first use; the same variable is one parameter.
    std::string parameter(std::string_view latex, int rows, int cols) {
        for (const auto& [name, cpp] : parameters) {
            if (name == latex) return cpp;
        }
        const auto taken = [&](const std::string& id) {
            if (id.size() > 1 && id[0] == 't' && id.find_first_not_of("0123456789", 1) == std::string::npos) return true;
            for (const auto& r : reserved) {
                if (r == id) return true;
            }
            for (const auto& [name, used] : parameters) {
                if (used == id) return true;
            }
            return false;
        };
        std::string cpp = identifier_of(latex);
        while (taken(cpp)) cpp += "_";
        parameters.emplace_back(std::string(latex), cpp);
        parameter_types.push_back(rows == 1 && cols == 1 ? "double" : matrix_type(rows, cols));
        return cpp;
    }

    std::vector<std::string> parameter_types;

private:
    template <class Node, std::size_t... I>
    value visit_node(const Node& n, std::index_sequence<I...>) {
        const value operands[] = {visit(ctgrad::arg<I>(n))...};
        const std::string code = op_code<typename Node::op_type>::print(n, operands[I]...);
        return store("t", Node::rows, Node::cols, code);
    }

    /// A name, a name's transpose or a number is read in place; anything else is computed
    /// once into a temporary.
    static bool cheap(const std::string& code) {
        std::string_view c = code;
        if (c.ends_with(".transpose()")) c.remove_suffix(12);
        if (c.empty()) return true;
        constexpr std::string_view word_chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
        const bool digit = c[0] >= '0' && c[0] <= '9';
        const bool name = !digit && c.find_first_not_of(word_chars) == std::string_view::npos;
        const bool number = digit && c.find_first_not_of("0123456789.e+-") == std::string_view::npos;
        return name || number;
    }

    value store(std::string_view prefix, int rows, int cols, const std::string& code) {
        const bool scalar = rows == 1 && cols == 1;
        if (cheap(code)) return {code, scalar};
        const std::string key = std::string(prefix) + "|" + code;
        if (const auto it = memo_.find(key); it != memo_.end()) return {it->second, scalar};
        const std::string name = std::string(prefix) + std::to_string(++count_);
        statements.push_back("    const " + (scalar ? std::string("double") : matrix_type(rows, cols)) + " " + name +
                             " = " + code + ";");
        memo_.emplace(key, name);
        return {name, scalar};
    }

    std::map<std::string, std::string> memo_;
    int count_ = 0;
};

}  // namespace codegen_detail

/// The text of a C++ header that needs only Eigen (3.4): a struct `<Name>_result` with the loss
/// and the gradients, and `inline <Name>_result <Name>(inputs...)` that computes them for this
/// fixed formula. Inputs are L's variables in order of first use, as Eigen matrices of their
/// declared sizes (1x1 variables as double), named after them (one spelled like `<Name>_result`,
/// `out` or a temporary `t1` gets a '_' appended); gradients are named d_<variable>. Identical
/// subexpressions are computed once. Example: generator/ (`ctgrad-gen emit`).
template <expression L, class... Gradients>
std::string cpp_header(std::string_view name, const L& loss, const gradient_list<Gradients...>& gradients,
                       std::string_view comment = {}) {
    const std::string n(name);
    codegen_detail::writer w;
    w.reserved = {n + "_result", "out"};
    const codegen_detail::value loss_value = w.visit(detail::as_plain(loss));
    std::vector<std::pair<std::string, codegen_detail::value>> results;
    gradients.apply([&](const auto&... g) {
        (results.emplace_back(codegen_detail::identifier_of(std::remove_cvref_t<decltype(g)>::variable_type::name),
                              w.visit(g)),
         ...);
    });

    std::string out = "// " + n + ": a loss and its gradients, generated by ctgrad (codegen.hpp).\n";
    if (!comment.empty()) {
        std::string line;
        for (char c : comment) {
            if (c == '\n') {
                out += "// " + line + "\n";
                line.clear();
            } else {
                line += c;
            }
        }
        if (!line.empty()) out += "// " + line + "\n";
    }
    out += "// Needs only Eigen 3.4. Every input has the size its variable was declared with.\n";
    out += "#pragma once\n\n#include <Eigen/Core>\n\n#include <algorithm>\n#include <cmath>\n\n";
    out += "struct " + n + "_result {\n    double loss = 0;\n";
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((out += "    " +
                 (is_scalar_v<std::tuple_element_t<I, std::tuple<Gradients...>>>
                      ? std::string("double")
                      : codegen_detail::matrix_type(std::tuple_element_t<I, std::tuple<Gradients...>>::rows,
                                                    std::tuple_element_t<I, std::tuple<Gradients...>>::cols)) +
                 " d_" + results[I].first + ";  // dL/d" +
                 std::string(std::tuple_element_t<I, std::tuple<Gradients...>>::variable_type::name) + "\n"),
         ...);
    }(std::index_sequence_for<Gradients...>{});
    out += "};\n\n";
    out += "inline " + n + "_result " + n + "(";
    for (std::size_t i = 0; i < w.parameters.size(); ++i) {
        const bool scalar = w.parameter_types[i] == "double";
        out += std::string(i == 0 ? "\n    " : ",\n    ") + (scalar ? "double " : "const " + w.parameter_types[i] + "& ") +
               w.parameters[i].second;
    }
    out += ") {\n";
    for (const auto& s : w.statements) out += s + "\n";
    out += "    " + n + "_result out;\n";
    out += "    out.loss = " + loss_value.code + ";\n";
    for (const auto& [variable, v] : results) out += "    out.d_" + variable + " = " + v.code + ";\n";
    out += "    return out;\n}\n";
    return out;
}

}  // namespace ctgrad
