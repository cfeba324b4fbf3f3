// Judging a line from the numbers (see judge.hpp).
#include "judge.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "diagnostic.hpp"

namespace ctgrad::gen {

const std::vector<values>* program_values::find(char tag, std::size_t k, std::size_t j) const {
    const auto it = by_tag.find({tag, k, j});
    return it == by_tag.end() ? nullptr : &it->second;
}

program_values read_program_values(std::string_view out) {
    program_values pv;
    std::size_t at = 0;
    while (at < out.size()) {
        const std::size_t end = std::min(out.find('\n', at), out.size());
        const std::string line(out.substr(at, end - at));
        at = end + 1;
        if (line.empty()) continue;
        std::istringstream in(line);
        char tag = 0;
        in >> tag;
        std::size_t k = 0, j = 0;
        if (tag == 'D') {
            in >> pv.draws;
        } else if (tag == 'X') {
            in >> k;
            std::string text;
            std::getline(in, text);
            pv.text[k] = text.empty() ? text : text.substr(1);
        } else if (tag == 'S') {
            int same = 0;
            in >> k >> same;
            pv.symbolic[k] = same != 0;
        } else if (tag == 'N') {
            in >> k;
            pv.unnamed.push_back(k);
        } else {
            values m;
            in >> k >> j >> m.rows >> m.cols;
            // strtod, not >>: streams refuse "nan" and "inf", which a wrong claim may well be.
            std::string word;
            while (in >> word) m.v.push_back(std::strtod(word.c_str(), nullptr));
            if (!in.eof() || m.rows < 0 || m.cols < 0 || static_cast<long>(m.v.size()) != m.rows * m.cols) {
                throw tool_error("the check program printed a line ctgrad-gen cannot read: " + quote(line, 80));
            }
            pv.by_tag[{tag, k, j}].push_back(std::move(m));
        }
    }
    return pv;
}

std::string factor_text(double x) {
    for (int den = 1; den <= 12; ++den) {
        const double num = x * den;
        if (std::abs(num - std::round(num)) <= 1e-9 * std::max(1.0, std::abs(num)) && std::abs(num) < 1000) {
            const long n = std::lround(num);
            return den == 1 ? std::to_string(n) : std::to_string(n) + "/" + std::to_string(den);
        }
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", x);
    return buf;
}

namespace {

bool close(double a, double b) {
    return std::abs(a - b) <= judge_tolerance * std::max({1.0, std::abs(a), std::abs(b)});
}

/// Whether `a` (transposed when asked) equals `b` at every draw.
bool equal(const std::vector<values>& a, const std::vector<values>& b, bool transposed = false) {
    if (a.size() != b.size() || a.empty()) return false;
    for (std::size_t d = 0; d < a.size(); ++d) {
        const values &x = a[d], &y = b[d];
        if ((transposed ? x.cols : x.rows) != y.rows || (transposed ? x.rows : x.cols) != y.cols) return false;
        for (long r = 0; r < y.rows; ++r) {
            for (long c = 0; c < y.cols; ++c) {
                if (!close(transposed ? x.at(c, r) : x.at(r, c), y.at(r, c))) return false;
            }
        }
    }
    return true;
}

/// The factor s with claim = s * truth at every entry of every draw, when there is one
/// (and the truth is not zero everywhere).
bool constant_factor(const std::vector<values>& claim, const std::vector<values>& truth, double& s) {
    double dot = 0, norm = 0;
    for (std::size_t d = 0; d < truth.size() && d < claim.size(); ++d) {
        if (claim[d].v.size() != truth[d].v.size()) return false;
        for (std::size_t i = 0; i < truth[d].v.size(); ++i) {
            dot += claim[d].v[i] * truth[d].v[i];
            norm += truth[d].v[i] * truth[d].v[i];
        }
    }
    if (norm == 0 || !std::isfinite(dot)) return false;
    s = dot / norm;
    if (std::abs(s) < 1e-12) return false;
    for (std::size_t d = 0; d < truth.size(); ++d) {
        for (std::size_t i = 0; i < truth[d].v.size(); ++i) {
            if (!close(claim[d].v[i], s * truth[d].v[i])) return false;
        }
    }
    return true;
}

/// A size inference made up (no --dims named it) equal to |s| or 1/|s|: the likely cause of a
/// constant factor, such as Y's free column count in mse's 1/(n K). Fills the hint of `out`.
void free_size_hint(const typed_formula& f, double s, verdict& out) {
    // The data first: a free column count of Y is the usual cause (mse divides by n K).
    std::vector<const variable_info*> order;
    for (const auto& v : f.variables) {
        if (v.data) order.push_back(&v);
    }
    for (const auto& v : f.variables) {
        if (!v.data) order.push_back(&v);
    }
    for (const variable_info* p : order) {
        const variable_info& v = *p;
        for (const bool columns : {true, false}) {
            const int id = columns ? v.cols : v.rows;
            const auto& c = f.classes[static_cast<std::size_t>(f.root(id))];
            if (!c.inferred || c.size <= 1) continue;
            const double size = c.size;
            if (!close(std::abs(s), size) && !close(std::abs(s), 1 / size)) continue;
            const std::string other = f.dim(columns ? v.rows : v.cols).name;
            out.hint_variable = v.written;
            out.hint_columns = columns;
            out.hint_size_name = c.name;
            out.hint_size = c.size;
            out.hint_dims = v.written + "=" + (columns ? other + ",1" : "1," + other);
            out.hint = v.written + " has " + c.name + (columns ? " columns" : " rows") + " here (" + c.name + " = " +
                   std::to_string(c.size) + " in the random draws: no --dims named the size); if " + v.written +
                   " is one " + (columns ? "column" : "row") + ", use --dims '" + v.written + "=" +
                   (columns ? other + ",1" : "1," + other) + "'";
            return;
        }
    }
}

std::string op_name(op k) { return std::string(info(k).builder); }

}  // namespace

verdict judge(const typed_formula& f, const std::vector<step_plan>& plans, std::size_t k, const program_values& pv) {
    const step_plan& p = plans[k];
    verdict out;
    out.quantity = p.target >= 0 ? p.name : p.source.quantity;
    out.draws = pv.draws;
    if (p.target < 0) {
        out.kind = verdict::not_a_quantity;
        return out;
    }
    if (std::find(pv.unnamed.begin(), pv.unnamed.end(), k) != pv.unnamed.end()) {
        out.kind = verdict::not_a_quantity;
        out.finding = verdict::unnamed;
        return out;
    }
    if (const auto it = pv.text.find(k); it != pv.text.end()) out.correct_text = it->second;
    out.truth_shape = f.shape_text(p.rows, p.cols);
    const std::vector<values>* truth = pv.find('T', k);
    if (truth == nullptr || pv.draws == 0) {
        out.kind = verdict::not_finite;
        return out;
    }
    const auto lost_transpose = [&]() {
        for (std::size_t j = 0; j < p.repairs.size(); ++j) {
            const std::vector<values>* r = pv.find('R', k, j);
            if (r != nullptr && equal(*r, *truth)) {
                out.finding = verdict::lost_transpose;
                out.repair_from = p.repairs[j].from;
                out.repair_to = p.repairs[j].to;
                return true;
            }
        }
        return false;
    };
    if (!p.claim) {
        out.kind = verdict::wrong_shape;
        out.finding = verdict::misfit;
        out.misfit_message = p.misfit;
        lost_transpose();
        return out;
    }
    const auto& top = p.claim->nodes[static_cast<std::size_t>(p.claim->source.root)];
    out.claim_shape = top.pure_number ? "(1 x 1)" : f.shape_text(top.rows, top.cols);
    const std::vector<values>* claim = pv.find('C', k);
    if (claim == nullptr) throw tool_error("the check program printed no value for line " + std::to_string(p.source.line));
    const bool fits = top.pure_number ? f.is_one(p.rows) && f.is_one(p.cols)
                                      : f.same_dim(top.rows, p.rows) && f.same_dim(top.cols, p.cols);
    if (!fits) {
        out.kind = verdict::wrong_shape;
        out.finding = verdict::shapes_differ;
        if (equal(*claim, *truth, true)) {
            out.finding = verdict::transpose;
        } else {
            lost_transpose();
        }
        return out;
    }
    if (const auto s = pv.symbolic.find(k); s != pv.symbolic.end() && s->second) {
        out.finding = verdict::symbolic;
        return out;
    }
    if (equal(*claim, *truth)) {
        out.finding = verdict::numeric;
        return out;
    }
    out.kind = verdict::wrong;
    double s = 0;
    if (constant_factor(*claim, *truth, s)) {
        out.factor = s;
        out.factor_text = factor_text(s);
        out.finding = close(s, -1) ? verdict::sign : verdict::constant_factor;
        if (out.finding == verdict::constant_factor) free_size_hint(f, s, out);
        return out;
    }
    // A square quantity: the claim may be the transpose with the right shape.
    if (equal(*claim, *truth, true)) {
        out.finding = verdict::transpose;
        return out;
    }
    if (p.activation >= 0) {
        const op own = f.source[p.activation].kind;
        std::size_t j = 0;
        for (op candidate : activation_candidates()) {
            const std::vector<values>* a = pv.find('A', k, j++);
            if (a == nullptr || candidate == own || !equal(*claim, *a)) continue;
            out.finding = candidate == function_kind("identity") ? verdict::activation_removed : verdict::activation_swapped;
            out.function = op_name(own);
            out.exchanged = op_name(candidate);
            out.intermediate = p.preactivation_name;
            return out;
        }
    }
    out.finding = verdict::largest_difference;
    double worst = -1;
    for (std::size_t d = 0; d < truth->size(); ++d) {
        const values &c = (*claim)[d], &t = (*truth)[d];
        for (long col = 0; col < t.cols; ++col) {
            for (long row = 0; row < t.rows; ++row) {
                const double g = t.at(row, col), v = c.at(row, col);
                double diff = std::abs(v - g) / std::max({1.0, std::abs(v), std::abs(g)});
                if (!std::isfinite(v)) diff = INFINITY;
                if (diff > worst) {
                    worst = diff;
                    out.row = row;
                    out.col = col;
                    out.draw = static_cast<int>(d) + 1;
                    out.claimed = v;
                    out.derived = g;
                    out.difference = diff;
                }
            }
        }
    }
    return out;
}

}  // namespace ctgrad::gen
