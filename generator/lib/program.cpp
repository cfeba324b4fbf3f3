// Writing the programs: the typed formula (and claim) as ctgrad C++ code, and their mains.
#include "program.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <optional>
#include <set>

#include "diagnostic.hpp"

namespace ctgrad::gen {

namespace {

/// A C++ string literal.
std::string cpp_string(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '\\' || ch == '"') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\%03o", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string double_text(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

std::string constant_code(double v) { return "ctgrad::constant{{}, " + double_text(v) + "}"; }

std::string size_code(const dim_info& d) { return d.size < 0 ? "ctgrad::dynamic" : std::to_string(d.size); }

/// One line for a // comment.
std::string comment_line(std::string_view s) { return printable(s); }

/// The call that builds node `i` from the references of its operands.
std::string build_code(const formula& src, const typed_formula::node_type& t, int i,
                       const std::vector<std::string>& operands) {
    const auto& n = src[i];
    if (t.kind == op::scale && !n.called) {
        // `*` with a 1x1 side: ctgrad's times puts the factor first.
        const std::string& factor = t.scalar_right ? operands[1] : operands[0];
        const std::string& matrix = t.scalar_right ? operands[0] : operands[1];
        return "ctgrad::scale(" + factor + ", " + matrix + ")";
    }
    const op_info& what = info(t.kind);
    // Trailing whole numbers (slice_cols(A, begin, count)) are template arguments.
    const std::size_t values = n.args.size() - static_cast<std::size_t>(what.template_numbers);
    std::string out = "ctgrad::" + std::string(what.builder);
    if (what.template_numbers > 0) {
        out += "<";
        for (std::size_t k = values; k < n.args.size(); ++k) {
            out += (k > values ? ", " : "") + std::to_string(static_cast<long long>(src[n.args[k]].value));
        }
        out += ">";
    }
    out += "(";
    for (std::size_t k = 0; k < values; ++k) out += (k ? ", " : "") + operands[k];
    return out + ")";
}

std::string formula_reference(const typed_formula& f, int i) {
    const auto& t = f[i];
    if (t.pure_number) return constant_code(t.number_value);
    if (f.source[i].kind == op::variable) return f.find_variable(f.source[i].latex)->cpp;
    return "e" + std::to_string(i);
}

/// An exact fraction for arithmetic on integers in claims, so `1 - tanh(Z2)^2` meets ctgrad's
/// own literal<1> and can match symbolically. Nothing when a value is not a small fraction.
std::optional<std::pair<long long, long long>> fraction(const typed_claim& c, int i) {
    const auto& n = c.source[i];
    using frac = std::pair<long long, long long>;
    const auto make = [](long long num, long long den) -> std::optional<frac> {
        if (den == 0) return std::nullopt;
        if (den < 0) num = -num, den = -den;
        long long a = num < 0 ? -num : num, b = den;
        while (b != 0) {
            const long long r = a % b;
            a = b;
            b = r;
        }
        const long long g = a == 0 ? 1 : a;
        num /= g;
        den /= g;
        constexpr long long limit = 1000000;  // keeps every product below 2^63
        if (num > limit || num < -limit || den > limit) return std::nullopt;
        return frac{static_cast<long long>(num), static_cast<long long>(den)};
    };
    switch (n.kind) {
        case op::number:
            if (!n.integer) return std::nullopt;
            if (n.value > 1000000) return std::nullopt;
            return make(static_cast<long long>(n.value), 1);
        case op::negate:
        case op::transpose: {
            const auto a = fraction(c, n.args[0]);
            if (!a) return std::nullopt;
            return n.kind == op::negate ? make(-static_cast<long long>(a->first), a->second) : a;
        }
        case op::add:
        case op::subtract:
        case op::matmul:
        case op::scale:
        case op::hadamard:
        case op::divide: {
            const auto a = fraction(c, n.args[0]);
            const auto b = fraction(c, n.args[1]);
            if (!a || !b) return std::nullopt;
            const long long an = a->first, ad = a->second, bn = b->first, bd = b->second;
            switch (n.kind) {
                case op::add: return make(an * bd + bn * ad, ad * bd);
                case op::subtract: return make(an * bd - bn * ad, ad * bd);
                case op::divide: return make(an * bd, ad * bn);
                default: return make(an * bn, ad * bd);
            }
        }
        default: return std::nullopt;
    }
}

/// ctgrad's dL/d(node) for a formula node: a variable's gradient, else the adjoint the backward
/// pass names for the node (ctgrad_gen::adjoint_of, generator/runtime/program_support.hpp).
std::string truth_code(const typed_formula& f, int node, std::string_view loss = "loss") {
    if (f.source[node].kind == op::variable) {
        return "ctgrad::expr_of(ctgrad::grad(" + std::string(loss) + ", " + formula_reference(f, node) + "))";
    }
    return "ctgrad_gen::adjoint_of(" + std::string(loss) + ", e" + std::to_string(node) + ")";
}

std::string claim_reference(const typed_formula& f, const typed_claim& c, int i, const std::string& prefix) {
    const auto& t = c.nodes[static_cast<std::size_t>(i)];
    if (t.pure_number) {
        if (const auto q = fraction(c, i)) {
            return "ctgrad::literal<" + std::to_string(q->first) + ", " + std::to_string(q->second) + ">{}";
        }
        return constant_code(t.number_value);
    }
    const auto& n = c.source[i];
    if (n.kind == op::variable) {
        if (const int of = c.adjoint_of[static_cast<std::size_t>(i)]; of >= 0) return truth_code(f, of);
        const int target = c.refers_to[static_cast<std::size_t>(i)];
        if (target >= 0) return formula_reference(f, target);
        // n, the batch size: the number of entries of a row of length n.
        for (const auto& v : f.variables) {
            if (f.dim(v.rows).batch) return "ctgrad::count(ctgrad::column_sums(ctgrad::transpose(" + v.cpp + ")))";
        }
        fail_at("n, the batch size, needs a data variable with n rows in the formula", c.source.text, n.begin, n.end, n.at);
    }
    return prefix + std::to_string(i);
}

/// The declarations of a claim's nodes (`<prefix><i>`) and, last, `<name>`.
std::string claim_code(const typed_formula& f, const typed_claim& c, const std::string& prefix, const std::string& name) {
    std::string out;
    const formula& src = c.source;
    for (int i = 0; i < static_cast<int>(src.nodes.size()); ++i) {
        const auto& t = c.nodes[static_cast<std::size_t>(i)];
        if (t.pure_number || src[i].kind == op::variable || src[i].kind == op::number) continue;
        std::vector<std::string> operands;
        for (int a : src[i].args) operands.push_back(claim_reference(f, c, a, prefix));
        out += "inline constexpr auto " + prefix + std::to_string(i) + " = " + build_code(src, t, i, operands) + ";\n";
    }
    return out + "inline constexpr auto " + name + " = " + claim_reference(f, c, src.root, prefix) + ";\n";
}

enum class program_kind { symbolic, numeric, codegen };

/// The sizes the program makes up for dimensions known by name (d, H, or a name given with
/// --dims), as a function ctgrad prints them with (CTGRAD_SIZE_NAME): a derivation shows H,
/// never the 4 it was compiled with.
std::string size_names_code(const typed_formula& f) {
    std::set<std::pair<int, std::string>> named;
    for (const auto& v : f.variables) {
        for (int id : {v.rows, v.cols}) {
            const dim_info d = f.dim(id);
            // (a size given as a number is its own name, as in shapes_summary)
            if (!d.batch && d.size > 1 && d.name != std::to_string(d.size)) named.insert({d.size, d.name});
        }
    }
    // Every run-time size of a formula here is the batch, n (ctgrad would print a dynamic column
    // count, as in (X W)^T, as m).
    std::string out = "#include <string_view>\nnamespace ctgrad_gen_sizes {\nconstexpr std::string_view name_of(int size) {\n"
                      "    if (size == -1) return \"n\";\n";
    for (const auto& [size, name] : named) out += "    if (size == " + std::to_string(size) + ") return " + cpp_string(name) + ";\n";
    out += "    return {};\n}\n}  // namespace ctgrad_gen_sizes\n#define CTGRAD_SIZE_NAME(size) ::ctgrad_gen_sizes::name_of(size)\n";
    return out;
}

/// The program's opening: what it is for, and only the headers it needs (Eigen only where it
/// evaluates: it is most of a program's compile time).
std::string header(const typed_formula& f, std::string_view purpose, program_kind kind) {
    std::string out = "// Written by ctgrad-gen: " + std::string(purpose) + "\n// formula: " + comment_line(f.source.text) + "\n";
    if (kind != program_kind::codegen) out += size_names_code(f);
    if (kind == program_kind::numeric) out += "#define CTGRAD_GEN_NUMERIC 1\n";
    if (kind == program_kind::codegen) out += "#include <ctgrad/codegen.hpp>\n";
    out += "\n" + program_support() + "\n";
    return out;
}

std::string variable_list(const typed_formula& f, const std::vector<std::string>& wrt) {
    std::string out;
    for (const auto& latex : wrt) out += ", generated::" + f.find_variable(latex)->cpp;
    return out;
}

}  // namespace

std::string formula_code(const typed_formula& f) {
    const formula& src = f.source;
    std::string out = "namespace generated {\n";
    for (const auto& v : f.variables) {
        out += "inline constexpr ctgrad::matrix<" + cpp_string(v.latex) + ", " + size_code(f.dim(v.rows)) + ", " +
               size_code(f.dim(v.cols)) + "> " + v.cpp + "{};  // " + comment_line(v.written) + ": " +
               f.shape_text(v.rows, v.cols) + "\n";
    }
    for (int i = 0; i < static_cast<int>(src.nodes.size()); ++i) {
        const auto& t = f[i];
        if (t.pure_number || src[i].kind == op::variable || src[i].kind == op::number) continue;
        std::vector<std::string> operands;
        for (int a : src[i].args) operands.push_back(formula_reference(f, a));
        out += "inline constexpr auto e" + std::to_string(i) + " = " + build_code(src, t, i, operands) + ";\n";
    }
    out += "inline constexpr auto loss = " + formula_reference(f, src.root) + ";\n}  // namespace generated\n";
    return out;
}

std::string derive_program(const typed_formula& f, const std::vector<std::string>& wrt, const derive_output& output) {
    const std::string& format = output.format;
    const std::string form = format == "latex"      ? (output.standalone ? "latex_standalone" : "latex")
                             : format == "markdown" ? "markdown"
                             : format == "text"     ? "text"
                             : format == "json"     ? "json"
                                                    : "";
    if (form.empty()) throw tool_error("a derive program cannot print the format " + format);
    std::string out = header(f, "the derivation of the formula's gradients", program_kind::symbolic);
    out += formula_code(f);
    out += "\nint main() {\n    return ctgrad_gen::derive_main<ctgrad_gen::derive_form::" + form + ", " +
           (output.russian ? "true" : "false") + ">(\n        " + cpp_string(f.source.text) + ", generated::loss" +
           variable_list(f, wrt) + ");\n}\n";
    return out;
}

std::string steps_program(const typed_formula& f, const std::vector<step_plan>& plans) {
    std::string out = header(f, "a check of a derivation, step by step", program_kind::numeric);
    for (const auto& p : plans) out += "// line " + std::to_string(p.source.line) + ": " + comment_line(p.source.text) + "\n";
    out += formula_code(f);
    out += "namespace generated {\n";
    // Per line k: truth_k, claim_k, repair_k_j, and the surrogate loss sum(Z .* G_k) whose
    // gradient carries a changed dL/dZ down to the quantity (G_k = dL/dA .* g'(Z), bound at
    // run time): the truth with the activation derivative removed or exchanged.
    // Data inside each operation's domain (ops' call_form): positive under log and sqrt,
    // probability rows as cross_entropy's targets.
    const auto domain_of = [&](const variable_info& v) {
        operand_domain d = operand_domain::any;
        for (const auto& n : f.source.nodes) {
            const op_info& what = info(n.kind);
            for (std::size_t k = 0; k < n.args.size() && k < 2; ++k) {
                const operand_domain wanted = k == 0 ? what.first : what.second;
                const auto& a = f.source[n.args[k]];
                if (wanted != operand_domain::any && a.kind == op::variable && a.latex == v.latex) d = wanted;
            }
        }
        return d;
    };
    std::string binds;
    for (const auto& v : f.variables) binds += std::string(binds.empty() ? "" : ", ") + v.cpp + " = m_" + v.cpp;
    std::string body;
    for (std::size_t k = 0; k < plans.size(); ++k) {
        const step_plan& p = plans[k];
        if (p.target < 0) continue;
        const std::string K = std::to_string(k);
        out += "inline constexpr auto truth_" + K + " = " +
               (p.variable ? "ctgrad::grad(loss, " + formula_reference(f, p.target) + ")" : truth_code(f, p.target)) + ";\n";
        body += "        ctgrad_gen::print_value('T', " + K + ", 0, truth_" + K + ", in);\n";
        if (p.claim) {
            out += claim_code(f, *p.claim, "c" + K + "_", "claim_" + K);
            body += "        ctgrad_gen::print_value('C', " + K + ", 0, claim_" + K + ", in);\n";
        }
        for (std::size_t j = 0; j < p.repairs.size(); ++j) {
            const std::string J = std::to_string(j);
            out += claim_code(f, p.repairs[j].claim, "r" + K + "_" + J + "_", "repair_" + K + "_" + J);
            body += "        ctgrad_gen::print_value('R', " + K + ", " + J + ", repair_" + K + "_" + J + ", in);\n";
        }
        if (p.activation >= 0) {
            const int z = p.preactivation;
            const dim_info r = f.dim(f[z].rows), c = f.dim(f[z].cols);
            const std::string g = "g_" + K;
            out += "inline constexpr ctgrad::matrix<\"G_{" + K + "}\", " + size_code(r) + ", " + size_code(c) + "> " + g + "{};\n";
            out += "inline constexpr auto surrogate_" + K + " = ctgrad::sum(ctgrad::hadamard(" + formula_reference(f, z) + ", " + g + "));\n";
            std::string through;
            if (p.target == z) {
                through = g;  // the quantity is Z itself: dL/dZ is G
            } else if (p.variable) {
                through = "ctgrad::grad(surrogate_" + K + ", " + formula_reference(f, p.target) + ")";
            } else {
                through = truth_code(f, p.target, "surrogate_" + K);
            }
            out += "inline constexpr auto through_" + K + " = " + through + ";\n";
            std::string kinds;
            for (op candidate : activation_candidates()) {
                kinds += std::string(kinds.empty() ? "" : ", ") + std::to_string(static_cast<int>(candidate));
            }
            body += "        ctgrad_gen::print_activation_candidates<" + size_code(r) + ", " + size_code(c) + ">(" + K +
                    ", ctgrad_gen::adjoint_of(loss, " + formula_reference(f, p.activation) + "), " +
                    formula_reference(f, z) + ", in, {" + kinds + "}, [&](const auto& G) { return ctgrad::bind(" + binds +
                    ", " + g + " = G); }, through_" + K + ");\n";
        }
    }
    out += "}  // namespace generated\n\n";
    out += "int main() {\n    using namespace generated;\n";
    for (std::size_t k = 0; k < plans.size(); ++k) {
        if (plans[k].target < 0) continue;
        const std::string K = std::to_string(k);
        out += "    ctgrad_gen::print_text(" + K + ", truth_" + K + ");\n";
        if (plans[k].claim) out += "    ctgrad_gen::print_symbolic(" + K + ", truth_" + K + ", claim_" + K + ");\n";
    }
    out += "    std::mt19937_64 rng(20240901);\n";
    out += "    for (int attempt = 0, draws = 0; attempt < 100 && draws < " + std::to_string(check_draws) + "; ++attempt) {\n";
    for (const auto& v : f.variables) {
        const dim_info r = f.dim(v.rows), k = f.dim(v.cols);
        const operand_domain d = domain_of(v);
        const std::string draw = d == operand_domain::positive         ? "random_positive"
                                 : d == operand_domain::probability_rows ? "random_probability_rows"
                                                                         : "random_matrix";
        out += "        const auto m_" + v.cpp + " = ctgrad_gen::" + draw + "<" + size_code(r) + ", " + size_code(k) +
               ">(rng, " + std::to_string(r.size < 0 ? draw_rows : r.size) + ", " +
               std::to_string(k.size < 0 ? draw_rows : k.size) + ");\n";
    }
    out += "        const auto in = ctgrad::bind(" + binds + ");\n";
    out += "        if (!(true";
    for (std::size_t k = 0; k < plans.size(); ++k) {
        if (plans[k].target >= 0) out += " && ctgrad_gen::finite(truth_" + std::to_string(k) + ", in)";
    }
    out += ")) continue;\n        std::cout << \"D \" << ++draws << \"\\n\";\n" + body + "    }\n    return 0;\n}\n";
    return out;
}

std::string emit_program(const typed_formula& f, const std::vector<std::string>& wrt, const std::string& comment) {
    std::string out = header(f, "a C++ header for the formula's loss and gradients", program_kind::codegen);
    out += formula_code(f);
    out += "\nint main(int argc, char** argv) {\n    if (argc < 2) return 3;\n";
    out += "    std::cout << ctgrad::cpp_header(argv[1], generated::loss, ctgrad::grads(generated::loss" +
           variable_list(f, wrt) + "), " + cpp_string(comment) + ");\n    return 0;\n}\n";
    return out;
}

}  // namespace ctgrad::gen
