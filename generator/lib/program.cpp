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

std::string claim_reference(const typed_formula& f, const typed_claim& c, int i) {
    const auto& t = c.nodes[static_cast<std::size_t>(i)];
    if (t.pure_number) {
        if (const auto q = fraction(c, i)) {
            return "ctgrad::literal<" + std::to_string(q->first) + ", " + std::to_string(q->second) + ">{}";
        }
        return constant_code(t.number_value);
    }
    const auto& n = c.source[i];
    if (n.kind == op::variable) {
        const int target = c.refers_to[static_cast<std::size_t>(i)];
        if (target >= 0) return formula_reference(f, target);
        // n, the batch size: the number of entries of a row of length n.
        for (const auto& v : f.variables) {
            if (f.dim(v.rows).batch) return "ctgrad::count(ctgrad::column_sums(ctgrad::transpose(" + v.cpp + ")))";
        }
        fail_at("n, the batch size, needs a data variable with n rows in the formula", c.source.text, n.begin, n.end, n.at);
    }
    return "c" + std::to_string(i);
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

// The names mirror ctgrad's derivation (include/ctgrad/detail/naming.hpp), so a claim's Z1 is
// the derivation's Z_1: nodes are told apart by structure (ctgrad by type, where every double
// constant is one type), activations are the functions whose latex_form says so (exp, relu,
// tanh, softmax, ...) of something that depends on a variable, and k counts activations from
// the input.
intermediate_names name_intermediates(const typed_formula& f) {
    const formula& src = f.source;
    intermediate_names out;
    if (src.root < 0) return out;
    const std::size_t count = src.nodes.size();

    // Per node: a structural key, whether a variable occurs in it, its layer.
    std::vector<std::string> key(count);
    std::vector<char> has_variable(count, 0);
    std::vector<int> layer(count, 0);
    const auto node = [&](int i) { return static_cast<std::size_t>(i); };
    const auto is_leaf = [&](int i) { return src[i].kind == op::variable || f[i].pure_number; };
    const auto is_activation = [&](int i) {
        return info(src[i].kind).activation && has_variable[node(src[i].args[0])] != 0;
    };
    for (int i = 0; i < static_cast<int>(count); ++i) {
        const auto& n = src[i];
        if (f[i].pure_number) {
            key[node(i)] = "c";
        } else if (n.kind == op::variable) {
            key[node(i)] = "v:" + n.latex;
            has_variable[node(i)] = 1;
        } else {
            std::string k = std::to_string(static_cast<int>(f[i].kind)) + (f[i].scalar_right ? "r(" : "(");
            const std::size_t values = n.args.size() - static_cast<std::size_t>(info(n.kind).template_numbers);
            for (std::size_t position = 0; position < n.args.size(); ++position) {
                const int a = n.args[position];
                // Template numbers are part of ctgrad's type (slice_cols<0, 2> and <2, 2> differ).
                if (position >= values) k += std::to_string(static_cast<long long>(src[a].value));
                k += key[node(a)] + ",";
                has_variable[node(i)] |= has_variable[node(a)];
                layer[node(i)] = std::max(layer[node(i)], layer[node(a)]);
            }
            key[node(i)] = k + ")";
            if (is_activation(i)) ++layer[node(i)];
        }
    }

    // Entries in post-order, as collect_names builds them.
    enum class role { activation, preactivation, output };
    struct entry {
        int node;
        role what;
    };
    std::vector<entry> entries;
    const auto listed = [&](int i) {
        return std::any_of(entries.begin(), entries.end(), [&](const entry& e) { return key[node(e.node)] == key[node(i)]; });
    };
    for (int i = 0; i < static_cast<int>(count); ++i) {
        if (is_leaf(i) || !is_activation(i) || listed(i)) continue;
        const int operand = src[i].args[0];
        if (!is_leaf(operand) && !is_activation(operand) && !listed(operand)) entries.push_back({operand, role::preactivation});
        entries.push_back({i, role::activation});
    }
    if (!entries.empty() && key[node(entries.back().node)] == key[node(src.root)]) entries.pop_back();

    // The output: a loss's prediction, else the one activation of the top layer when no matrix
    // product comes after it.
    // Children precede parents and a subtree is parsed in one go, so node i's subtree is the run
    // first[i]..i of the array.
    std::vector<int> first(count);
    for (int i = 0; i < static_cast<int>(count); ++i) {
        first[node(i)] = i;
        for (int a : src[i].args) first[node(i)] = std::min(first[node(i)], first[node(a)]);
    }
    const auto contains = [&](int outer, const std::string& inner) {
        for (int j = first[node(outer)]; j <= outer; ++j) {
            if (key[node(j)] == inner) return true;
        }
        return false;
    };
    const auto product_outside = [&](auto&& self, int e, int out_node) -> bool {
        if (key[node(e)] == key[node(out_node)] || is_leaf(e)) return false;
        if (f[e].kind == op::matmul) return !contains(out_node, key[node(e)]);
        for (int a : src[e].args) {
            if (self(self, a, out_node)) return true;
        }
        return false;
    };
    const auto& top = src.top();
    if (info(top.kind).loss) {
        const int p = top.args[0];
        if (!is_leaf(p)) {
            const auto it = std::find_if(entries.begin(), entries.end(), [&](const entry& e) { return key[node(e.node)] == key[node(p)]; });
            if (it != entries.end()) {
                it->what = role::output;
            } else {
                entries.push_back({p, role::output});
            }
        }
    } else if (info(top.kind).logits) {
        // cross_entropy's logits are the pre-activation of its softmax.
        const int p = top.args[0];
        if (!is_leaf(p) && !listed(p)) entries.push_back({p, role::preactivation});
    } else {
        int highest = 0, how_many = 0, which = -1;
        for (const auto& e : entries) {
            if (e.what == role::activation) highest = std::max(highest, layer[node(e.node)]);
        }
        for (std::size_t k = 0; k < entries.size(); ++k) {
            if (entries[k].what == role::activation && layer[node(entries[k].node)] == highest) {
                ++how_many;
                if (which < 0) which = static_cast<int>(k);
            }
        }
        if (how_many == 1 && !product_outside(product_outside, src.root, entries[static_cast<std::size_t>(which)].node)) {
            entries[static_cast<std::size_t>(which)].what = role::output;
        }
    }

    // Z_k takes the layer of the activation it feeds; a (role, layer) shared by several entries
    // is numbered: A_{2,1}, A_{2,2}.
    const auto layer_of = [&](const entry& e) { return layer[node(e.node)] + (e.what == role::preactivation ? 1 : 0); };
    for (std::size_t k = 0; k < entries.size(); ++k) {
        const entry& e = entries[k];
        if (e.what == role::output) {
            out.emplace_back("\\hat{y}", e.node);
            continue;
        }
        int before = 0, total = 0;
        for (std::size_t j = 0; j < entries.size(); ++j) {
            if (entries[j].what == e.what && layer_of(entries[j]) == layer_of(e)) {
                ++total;
                if (j < k) ++before;
            }
        }
        const int rank = total > 1 ? before + 1 : 0;
        const int l = layer_of(e);
        std::string name = e.what == role::activation ? "A_" : "Z_";
        const bool braces = l >= 10 || rank > 0;
        name += (braces ? "{" : "") + std::to_string(l) + (rank > 0 ? "," + std::to_string(rank) : "") + (braces ? "}" : "");
        out.emplace_back(name, e.node);
    }
    return out;
}

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

std::string derive_program(const typed_formula& f, const std::vector<std::string>& wrt) {
    std::string out = header(f, "the derivation of the formula's gradients", program_kind::symbolic);
    out += formula_code(f);
    out += "\nint main(int argc, char** argv) {\n    return ctgrad_gen::derive_main(argc, argv, " +
           cpp_string(f.source.text) + ", generated::loss" + variable_list(f, wrt) + ");\n}\n";
    return out;
}

std::string check_program(const typed_formula& f, const typed_claim& claim, const std::string& wrt) {
    std::string out = header(f, "a check of a claimed gradient", program_kind::numeric);
    out += "// claim: " + comment_line(claim.source.text) + "\n";
    out += formula_code(f);
    out += "namespace generated {\n";
    const formula& src = claim.source;
    for (int i = 0; i < static_cast<int>(src.nodes.size()); ++i) {
        const auto& t = claim.nodes[static_cast<std::size_t>(i)];
        if (t.pure_number || src[i].kind == op::variable || src[i].kind == op::number) continue;
        std::vector<std::string> operands;
        for (int a : src[i].args) operands.push_back(claim_reference(f, claim, a));
        out += "inline constexpr auto c" + std::to_string(i) + " = " + build_code(src, t, i, operands) + ";\n";
    }
    out += "inline constexpr auto claim = " + claim_reference(f, claim, src.root) + ";\n}  // namespace generated\n\n";

    const variable_info& target = *f.find_variable(wrt);
    out += "int main() {\n    using namespace generated;\n";
    out += "    constexpr auto g = ctgrad::grad(loss, " + target.cpp + ");\n";
    out += "    const bool symbolic = ctgrad_gen::same_expression(g, claim);\n";
    out += "    ctgrad_gen::comparison c;\n    std::mt19937_64 rng(20240901);\n";
    out += "    for (int attempt = 0; attempt < 100 && c.draws < " + std::to_string(check_draws) + "; ++attempt) {\n";
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
    for (const auto& v : f.variables) {
        const dim_info r = f.dim(v.rows), k = f.dim(v.cols);
        const operand_domain d = domain_of(v);
        const std::string draw = d == operand_domain::positive         ? "random_positive"
                                 : d == operand_domain::probability_rows ? "random_probability_rows"
                                                                         : "random_matrix";
        out += "        const auto m_" + v.cpp + " = ctgrad_gen::" + draw + "<" + size_code(r) + ", " + size_code(k) +
               ">(rng, " + std::to_string(r.size < 0 ? draw_rows : r.size) + ", " +
               std::to_string(k.size < 0 ? draw_rows : k.size) + ");\n";
        binds += std::string(binds.empty() ? "" : ", ") + v.cpp + " = m_" + v.cpp;
    }
    out += "        const auto in = ctgrad::bind(" + binds + ");\n";
    out += "        const Eigen::MatrixXd derived = ctgrad_gen::as_matrix(ctgrad::eval(g, in));\n";
    out += "        if (!derived.allFinite()) continue;\n";
    out += "        ctgrad_gen::compare(derived, ctgrad_gen::as_matrix(ctgrad::eval(claim, in)), c);\n    }\n";
    out += "    return ctgrad_gen::report_check(symbolic, c, " + std::to_string(check_draws) + ", " +
           double_text(check_tolerance) + ", " + cpp_string(plain_name(target.latex)) + ", ctgrad_gen::expression_text(g));\n}\n";
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
