// Reading and typing a steps file (see steps.hpp).
#include "steps.hpp"

#include <algorithm>

#include "diagnostic.hpp"
#include "formula.hpp"

namespace ctgrad::gen {

namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// `dL/dV` (or `∂L/∂V`) at `at`: the length of the prefix before V, or 0.
std::size_t adjoint_prefix(std::string_view s, std::size_t at) {
    for (std::string_view p : {std::string_view("dL/d"), std::string_view("\xe2\x88\x82L/\xe2\x88\x82")}) {
        if (s.substr(at, p.size()) == p && at + p.size() < s.size() && is_name_start(s[at + p.size()])) return p.size();
    }
    return 0;
}

/// dL/dZ2 in a claim becomes dZ2 followed by spaces, so offsets (for carets) stay the same.
std::string claim_text(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const bool boundary = i == 0 || !is_name_char(s[i - 1]);
        const std::size_t p = boundary ? adjoint_prefix(s, i) : 0;
        if (p == 0) {
            out += s[i++];
            continue;
        }
        out += 'd';
        i += p;
        std::size_t end = i;
        while (end < s.size() && is_name_char(s[end])) ++end;
        out.append(s.substr(i, end - i));
        out.append(p - 1, ' ');
        i = end;
    }
    return out;
}

/// "line 3: " before a message about a line of a file; nothing for --claim (line 0).
std::string line_prefix(const step& s) { return s.line > 0 ? "line " + std::to_string(s.line) + ": " : ""; }

std::string d_name(std::string_view latex) { return latex_name("d" + plain_name(latex)); }

/// The entry-wise activations whose derivative the diagnosis can exchange (not softmax: its
/// derivative is not entry by entry).
bool is_activation(op k) {
    static const std::vector<op> kinds{function_kind("relu"),     function_kind("tanh"), function_kind("sigmoid"),
                                       function_kind("softplus"), function_kind("exp"),  function_kind("identity"),
                                       function_kind("step")};
    return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
}

}  // namespace

const std::vector<op>& activation_candidates() {
    static const std::vector<op> kinds{function_kind("identity"), function_kind("relu"), function_kind("tanh"),
                                       function_kind("sigmoid"), function_kind("softplus")};
    return kinds;
}

std::vector<step> parse_steps(std::string_view text) {
    std::vector<step> out;
    int number = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        std::string line(text.substr(at, end - at));
        at = end + 1;
        ++number;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#' || line[first] == '%') continue;
        const std::size_t equals = line.find('=');
        const std::string where = "line " + std::to_string(number) + ": ";
        if (equals == std::string::npos) {
            fail_at(where + "expected `dL/dV = <expression>` or `dV = <expression>`", line, first, line.size(), first);
        }
        std::size_t name_at = first;
        if (const std::size_t p = adjoint_prefix(line, first)) {
            name_at = first + p;
        } else if (line[first] == 'd' && first + 1 < line.size() && is_name_start(line[first + 1])) {
            name_at = first + 1;
        } else {
            fail_at(where + "a step starts with dL/dV or dV, the quantity it differentiates", line, first, equals, first);
        }
        std::size_t name_end = name_at;
        while (name_end < line.size() && is_name_char(line[name_end])) ++name_end;
        const std::size_t after = line.find_first_not_of(" \t", name_end);
        if (after != equals) {
            fail_at(where + "expected ' = ' after the quantity's name", line, name_end, equals, after == std::string::npos ? name_end : after);
        }
        step s;
        s.line = number;
        s.text = line;
        s.quantity = line.substr(name_at, name_end - name_at);
        s.quantity_at = name_at;
        s.claim_at = equals + 1;
        s.claim = claim_text(std::string_view(line).substr(equals + 1));
        out.push_back(std::move(s));
    }
    if (out.empty()) fail_at("the steps file has no step (lines such as dL/dZ2 = ...)", text, 0, text.size(), 0);
    return out;
}

std::string quantities_of(const typed_formula& f) {
    std::string out;
    for (const auto& [latex, node] : name_intermediates(f)) out += (out.empty() ? "" : ", ") + plain_name(latex);
    for (const auto& v : f.variables) out += (out.empty() ? "" : ", ") + v.written;
    return out;
}

std::vector<step_plan> plan_steps(const typed_formula& f, const std::vector<step>& steps) {
    const intermediate_names intermediates = name_intermediates(f);
    const formula& src = f.source;
    std::vector<int> parent(src.nodes.size(), -1);
    for (int i = 0; i < static_cast<int>(src.nodes.size()); ++i) {
        for (int a : src[i].args) parent[static_cast<std::size_t>(a)] = i;
    }
    const auto intermediate_at = [&](int node) -> const std::string* {
        for (const auto& [latex, n] : intermediates) {
            if (n == node) return &latex;
        }
        return nullptr;
    };

    intermediate_names defined;  // d-names of earlier lines
    std::vector<step_plan> out;
    for (const step& s : steps) {
        step_plan p;
        p.source = s;
        const std::string latex = latex_name(s.quantity);
        if (const variable_info* v = f.find_variable(latex)) {
            p.target = v->node;
            p.variable = true;
            p.name = v->written;
            p.rows = v->rows;
            p.cols = v->cols;
        } else {
            for (const auto& [name, node] : intermediates) {
                if (name == latex) {
                    p.target = node;
                    p.name = plain_name(name);
                    p.rows = f[node].rows;
                    p.cols = f[node].cols;
                }
            }
        }
        if (p.target < 0) {
            out.push_back(std::move(p));
            continue;
        }
        // The claim, against the formula, the intermediates and the earlier d-names.
        formula claim;
        try {
            claim = parse(s.claim);
        } catch (const input_error& e) {
            fail_at(line_prefix(s) + e.where.message, s.text, s.claim_at + e.where.begin,
                    s.claim_at + e.where.end, s.claim_at + e.where.caret);
        }
        const auto type = [&](formula c) { return infer_claim_shapes(f, std::move(c), intermediates, defined); };
        try {
            p.claim = type(claim);
        } catch (const shape_mismatch& e) {
            p.misfit = e.where.message;
        } catch (const input_error& e) {
            fail_at(line_prefix(s) + e.where.message, s.text, s.claim_at + e.where.begin,
                    s.claim_at + e.where.end, s.claim_at + e.where.caret);
        }
        const bool fits = p.claim && [&] {
            const auto& top = p.claim->nodes[static_cast<std::size_t>(p.claim->source.root)];
            return top.pure_number ? f.is_one(p.rows) && f.is_one(p.cols)
                                   : f.same_dim(top.rows, p.rows) && f.same_dim(top.cols, p.cols);
        }();
        if (!fits) {
            // One transpose added to, or removed from, a name of the claim.
            for (int i = 0; i < static_cast<int>(claim.nodes.size()) && p.repairs.size() < 6; ++i) {
                const formula_node& n = claim[i];
                if (n.kind != op::variable || n.written == "n") continue;
                int up = -1;
                for (int j = 0; j < static_cast<int>(claim.nodes.size()); ++j) {
                    for (int a : claim[j].args) {
                        if (a == i) up = j;
                    }
                }
                const bool transposed = up >= 0 && claim[up].kind == op::transpose;
                const std::size_t begin = transposed ? claim[up].begin : n.begin;
                const std::size_t end = transposed ? claim[up].end : n.end;
                const std::string name(claim.source(i));
                const std::string to = transposed ? name : name + "^T";
                const std::string text = s.claim.substr(0, begin) + to + s.claim.substr(end);
                try {
                    typed_claim r = type(parse(text));
                    const auto& top = r.nodes[static_cast<std::size_t>(r.source.root)];
                    if (!top.pure_number && f.same_dim(top.rows, p.rows) && f.same_dim(top.cols, p.cols)) {
                        p.repairs.push_back({std::string(claim.source(transposed ? up : i)), to, std::move(r)});
                    }
                } catch (const input_error&) {
                    // this change does not make a claim of the right shape either
                }
            }
        }
        // The nearest activation above the quantity (dL/dZ1 meets ReLU(Z1) first).
        for (int at = parent[static_cast<std::size_t>(p.target)]; at >= 0; at = parent[static_cast<std::size_t>(at)]) {
            if (is_activation(src[at].kind) && intermediate_at(at) != nullptr) {
                p.activation = at;
                p.preactivation = src[at].args[0];
                p.activation_name = plain_name(*intermediate_at(at));
                const std::string* z = intermediate_at(p.preactivation);
                p.preactivation_name = z ? plain_name(*z) : quote(src.source(p.preactivation), 24);
                break;
            }
        }
        defined.emplace_back(d_name(latex), p.target);
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace ctgrad::gen
