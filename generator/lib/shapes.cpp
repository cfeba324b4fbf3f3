// Shape inference by unification over a union-find of dimensions, then ctgrad's shape rules.
#include "shapes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "diagnostic.hpp"

namespace ctgrad::gen {

// ---- the dimension table ------------------------------------------------------------------

int typed_formula::root(int id) const {
    while (parent[static_cast<std::size_t>(id)] != id) {
        const int up = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(id)])];
        parent[static_cast<std::size_t>(id)] = up;
        id = up;
    }
    return id;
}

bool typed_formula::same_dim(int a, int b) const {
    const int ra = root(a), rb = root(b);
    if (ra == rb) return true;
    const auto& ca = classes[static_cast<std::size_t>(ra)];
    const auto& cb = classes[static_cast<std::size_t>(rb)];
    return ca.kind == dim_class::number && cb.kind == dim_class::number && ca.value == cb.value;
}

bool typed_formula::is_one(int id) const {
    const auto& c = classes[static_cast<std::size_t>(root(id))];
    return c.kind == dim_class::number && c.value == 1;
}

bool typed_formula::is_scalar(int node) const { return is_one((*this)[node].rows) && is_one((*this)[node].cols); }

const variable_info* typed_formula::find_variable(std::string_view latex) const {
    for (const auto& v : variables) {
        if (v.latex == latex) return &v;
    }
    return nullptr;
}

namespace {

constexpr std::array<std::string_view, 10> free_names{"d", "H", "K", "M", "P", "Q", "R", "S", "U", "V"};

}  // namespace

dim_info typed_formula::dim(int id) const {
    const auto& c = classes[static_cast<std::size_t>(root(id))];
    dim_info out;
    out.batch = c.batch;
    switch (c.kind) {
        case dim_class::number:
            out.name = std::to_string(c.value);
            out.size = static_cast<int>(c.value);
            return out;
        case dim_class::named:
            out.name = c.name;
            out.size = c.batch ? -1 : c.size;
            return out;
        case dim_class::free: break;
    }
    // Not frozen yet (an error message during inference): rank the free classes by age.
    std::set<std::string> taken;
    for (std::size_t i = 0; i < classes.size(); ++i) {
        if (root(static_cast<int>(i)) == static_cast<int>(i) && classes[i].kind == dim_class::named) taken.insert(classes[i].name);
    }
    std::size_t rank = 0;
    for (std::size_t i = 0; i < classes.size(); ++i) {
        if (root(static_cast<int>(i)) != static_cast<int>(i) || classes[i].kind != dim_class::free) continue;
        if (static_cast<int>(i) == root(id)) break;
        ++rank;
    }
    std::size_t k = 0;
    for (std::size_t i = 0;; ++i) {
        std::string candidate = i < free_names.size() ? std::string(free_names[i]) : "D_" + std::to_string(i - free_names.size() + 1);
        if (taken.count(candidate)) continue;
        if (k++ == rank) {
            out.name = candidate;
            break;
        }
    }
    return out;
}

std::string typed_formula::shape_text(int rows, int cols) const {
    return "(" + dim(rows).name + " x " + dim(cols).name + ")";
}

std::string typed_formula::shape_text_of(int node) const { return shape_text((*this)[node].rows, (*this)[node].cols); }

// ---- inference ------------------------------------------------------------------------------

namespace {

using node_type = typed_formula::node_type;
using dim_class = typed_formula::dim_class;

int new_dim(typed_formula& t, dim_class c);

/// Types the nodes of one formula (the formula itself, or a claim against it).
class inference {
public:
    /// Resolves a variable node: returns its (rows, cols); may add dimensions to the table.
    using resolver = std::function<std::pair<int, int>(int node)>;

    inference(typed_formula& table, const formula& f, std::vector<node_type>& out, resolver resolve)
        : t_(table), f_(f), out_(out), resolve_(std::move(resolve)) {}

    void run() {
        out_.assign(f_.nodes.size(), node_type{});
        for (int i = 0; i < static_cast<int>(f_.nodes.size()); ++i) infer(i);
        for (int i = 0; i < static_cast<int>(f_.nodes.size()); ++i) verify(i);
    }

private:
    const node_type& type(int i) const { return out_[static_cast<std::size_t>(i)]; }
    node_type& type(int i) { return out_[static_cast<std::size_t>(i)]; }
    int arg(int i, int k) const { return f_[i].args[static_cast<std::size_t>(k)]; }

    bool scalar(int i) const { return t_.is_one(type(i).rows) && t_.is_one(type(i).cols); }
    bool free(int d) const { return t_.classes[static_cast<std::size_t>(t_.root(d))].kind == dim_class::free; }
    bool batch(int d) const { return t_.classes[static_cast<std::size_t>(t_.root(d))].batch; }

    /// Makes two dimensions one; false when both are fixed and differ.
    bool unify(int a, int b) {
        int ra = t_.root(a), rb = t_.root(b);
        if (ra == rb) return true;
        auto& ca = t_.classes[static_cast<std::size_t>(ra)];
        auto& cb = t_.classes[static_cast<std::size_t>(rb)];
        if (ca.kind == dim_class::free && cb.kind == dim_class::free) {
            // The older class names the merged one, so names follow first appearance.
            if (ca.order < cb.order) std::swap(ra, rb);
            t_.parent[static_cast<std::size_t>(ra)] = rb;
            return true;
        }
        if (ca.kind == dim_class::free) {
            t_.parent[static_cast<std::size_t>(ra)] = rb;
            return true;
        }
        if (cb.kind == dim_class::free) {
            t_.parent[static_cast<std::size_t>(rb)] = ra;
            return true;
        }
        if (ca.kind == dim_class::number && cb.kind == dim_class::number && ca.value == cb.value) {
            t_.parent[static_cast<std::size_t>(rb)] = ra;
            return true;
        }
        return false;
    }

    void set(int i, int rows, int cols) {
        type(i).rows = rows;
        type(i).cols = cols;
    }
    void copy_shape(int i, int from) { set(i, type(from).rows, type(from).cols); }

    std::string operand(int i) const { return quote(f_.source(i), 24) + " " + t_.shape_text(type(i).rows, type(i).cols); }

    [[noreturn]] void fail(int i, const std::string& message) const {
        const auto& n = f_[i];
        fail_at(message, f_.text, n.begin, n.end, n.at);
    }

    /// Node i is arithmetic on numbers with this value: out of range when it overflows, or when it
    /// underflows to 0 from operands that are not 0 (1e-200 * 1e-200).
    void number_result(int i, double value, bool zero_operand) {
        if (!std::isfinite(value) || (value == 0 && !zero_operand)) fail(i, "this arithmetic on numbers is out of range");
        type(i).pure_number = true;
        type(i).number_value = value;
    }

    /// A well-formed formula whose shapes do not fit: a wrong claim, not unreadable text.
    [[noreturn]] void fail_shape(int i, const std::string& message) const {
        const auto& n = f_[i];
        throw shape_mismatch(diagnostic{message, f_.text, n.begin, n.end, n.at});
    }

    [[noreturn]] void fail_pairing(int i) const {
        const auto& n = f_[i];
        const std::string verb = n.kind == op::add        ? "add"
                                 : n.kind == op::subtract ? "subtract"
                                 : n.kind == op::hadamard ? "multiply entry by entry"
                                                          : "divide";
        const std::string joint = n.kind == op::add ? " and " : n.kind == op::subtract ? " from " : n.kind == op::hadamard ? " and " : " by ";
        const int a = arg(i, 0), b = arg(i, 1);
        const std::string first = n.kind == op::subtract ? operand(b) : operand(a);
        const std::string second = n.kind == op::subtract ? operand(a) : operand(b);
        fail_shape(i, "cannot " + verb + " " + first + joint + second +
                    ": the shapes must be equal, or one side a 1 x k row (applied to every row), an n x 1 column "
                    "(applied to every column) or 1 x 1");
    }

    [[noreturn]] void fail_product(int i) const {
        const int a = arg(i, 0), b = arg(i, 1);
        fail_shape(i, "cannot multiply " + operand(a) + " by " + operand(b) + ": columns of the left (" +
                    t_.dim(type(a).cols).name + ") must equal rows of the right (" + t_.dim(type(b).rows).name + ")");
    }

    [[noreturn]] void fail_equal(int i) const {
        const auto& n = f_[i];
        const int a = arg(i, 0), b = arg(i, 1);
        std::string what = n.kind == op::hadamard ? "the element-wise product" : std::string(info(n.kind).builder) + "(...)";
        fail_shape(i, what + " needs equal shapes: " + operand(a) + " and " + operand(b));
    }

    void infer(int i) {
        const auto& n = f_[i];
        node_type& out = type(i);
        out.kind = n.kind;
        switch (n.kind) {
            case op::number:
                out.pure_number = true;
                out.number_value = n.value;
                set(i, t_.one, t_.one);
                return;
            case op::variable: {
                const auto [rows, cols] = resolve_(i);
                set(i, rows, cols);
                return;
            }
            case op::negate:
                copy_shape(i, arg(i, 0));
                if (type(arg(i, 0)).pure_number) {
                    out.pure_number = true;
                    out.number_value = -type(arg(i, 0)).number_value;
                }
                return;
            case op::transpose:
                set(i, type(arg(i, 0)).cols, type(arg(i, 0)).rows);
                if (type(arg(i, 0)).pure_number) {
                    out.pure_number = true;  // a number's transpose is itself
                    out.number_value = type(arg(i, 0)).number_value;
                }
                return;
            case op::add:
            case op::subtract:
            case op::divide:
                return infer_paired(i);
            case op::matmul:
                return infer_product(i);
            case op::scale: {
                const int s = arg(i, 0), a = arg(i, 1);
                if (!unify(type(s).rows, t_.one) || !unify(type(s).cols, t_.one)) {
                    fail_shape(i, "scale(s, A): the factor s must be 1 x 1, and " + operand(s) + " is not");
                }
                copy_shape(i, a);
                return;
            }
            case op::hadamard:
                return infer_paired(i);
            default:
                return infer_call(i);
        }
    }

    /// A size of node i that must be a number (a column count of concat_cols or slice_cols).
    long numeric_size(int i, int operand, int d, std::string_view what) const {
        const auto& c = t_.classes[static_cast<std::size_t>(t_.root(d))];
        if (c.kind != dim_class::number) {
            fail(i, std::string(info(f_[i].kind).builder) + " needs the number of columns of " + operand_text(operand) +
                        " as a number, not " + t_.dim(d).name + " (" + std::string(what) + "); give it with --dims");
        }
        return c.value;
    }
    std::string operand_text(int i) const { return quote(f_.source(i), 24) + " " + t_.shape_text(type(i).rows, type(i).cols); }

    /// A call of an operation known by its descriptor: its call_form says how its shape follows.
    void infer_call(int i) {
        const op_info& what = info(f_[i].kind);
        const int a = arg(i, 0);
        // log(0), sqrt(-1): a literal number outside the domain is never meant.
        if (what.first == operand_domain::positive && type(a).pure_number && type(a).number_value <= 0) {
            const double x = type(a).number_value;
            const std::string name(what.builder);
            fail(i, name + " of " + (x == 0 ? std::string("0") : "a negative number (" + quote(f_.source(a), 24) + ")") + ": " +
                        name + " is defined for positive numbers only");
        }
        switch (what.shape) {
            case call_shape::scalar:
                return set(i, t_.one, t_.one);
            case call_shape::row:
                return set(i, t_.one, type(a).cols);
            case call_shape::column:
                return set(i, type(a).rows, t_.one);
            case call_shape::loss: {
                const int b = arg(i, 1);
                if (!unify(type(a).rows, type(b).rows) || !unify(type(a).cols, type(b).cols)) fail_equal(i);
                return set(i, t_.one, t_.one);
            }
            case call_shape::concat: {
                const int b = arg(i, 1);
                if (!unify(type(a).rows, type(b).rows)) {
                    fail_shape(i, "concat_cols needs equal rows: " + operand(a) + " and " + operand(b));
                }
                const long left = numeric_size(i, a, type(a).cols, "its block's width");
                const long right = numeric_size(i, b, type(b).cols, "its block's width");
                return set(i, type(a).rows, new_dim(t_, {dim_class::number, left + right, "", false, 0, 0}));
            }
            case call_shape::slice: {
                const long columns = numeric_size(i, a, type(a).cols, "the columns to cut from");
                const long begin = static_cast<long>(f_[arg(i, 1)].value);
                const long count = static_cast<long>(f_[arg(i, 2)].value);
                if (count < 1 || begin + count > columns) {
                    fail_shape(i, "slice_cols(A, begin, count) takes columns begin .. begin+count-1, counted from 0, of " + operand(a) +
                                ": " + std::to_string(begin) + " .. " + std::to_string(begin + count - 1) + " is not inside 0 .. " +
                                std::to_string(columns - 1));
                }
                return set(i, type(a).rows, count == 1 ? t_.one : new_dim(t_, {dim_class::number, count, "", false, 0, 0}));
            }
            default:  // element-wise functions
                return copy_shape(i, a);
        }
    }

    void infer_paired(int i) {
        const auto& n = f_[i];
        const int a = arg(i, 0), b = arg(i, 1);
        const node_type &ta = type(a), &tb = type(b);
        if (ta.pure_number && tb.pure_number) {
            if (n.kind == op::divide && tb.number_value == 0) fail(i, "division by zero");
            const double x = ta.number_value, y = tb.number_value;
            if (n.kind == op::hadamard) {
                number_result(i, x * y, x == 0 || y == 0);
            } else {
                number_result(i, n.kind == op::add ? x + y : n.kind == op::subtract ? x - y : x / y,
                              n.kind != op::divide || x == 0);
            }
            set(i, t_.one, t_.one);
            return;
        }
        // Dividing a matrix by the number 0 is never meant (every entry becomes infinite).
        if (n.kind == op::divide && tb.pure_number && tb.number_value == 0) fail(i, "division by zero");
        const bool a_scalar = ta.pure_number || scalar(a);
        const bool b_scalar = tb.pure_number || scalar(b);
        if (a_scalar && !b_scalar) return copy_shape(i, b);
        if (b_scalar && !a_scalar) return copy_shape(i, a);
        const int ra = ta.rows, rb = tb.rows;
        // The lecture's X W + b^T: a side whose rows are 1 (or still free, facing the batch)
        // is a row added to every row of the other.
        const bool row_right = (t_.is_one(rb) && !t_.is_one(ra)) || (free(rb) && !free(ra) && batch(ra));
        const bool row_left = !row_right && ((t_.is_one(ra) && !t_.is_one(rb)) || (free(ra) && !free(rb) && batch(rb)));
        if (row_right) {
            if (!unify(rb, t_.one) || !unify(ta.cols, tb.cols)) fail_pairing(i);
            return copy_shape(i, a);
        }
        if (row_left) {
            if (!unify(ra, t_.one) || !unify(ta.cols, tb.cols)) fail_pairing(i);
            return copy_shape(i, b);
        }
        // Z - row_means(Z): a side of one column is spread over the columns of the other.
        const bool column_right = t_.is_one(tb.cols) && !t_.is_one(ta.cols);
        const bool column_left = !column_right && t_.is_one(ta.cols) && !t_.is_one(tb.cols);
        if (column_right || column_left) {
            if (!unify(ra, rb)) fail_pairing(i);
            return copy_shape(i, column_right ? a : b);
        }
        if (!unify(ra, rb) || !unify(ta.cols, tb.cols)) fail_pairing(i);
        copy_shape(i, a);
    }

    void infer_product(int i) {
        node_type& out = type(i);
        const int a = arg(i, 0), b = arg(i, 1);
        const node_type &ta = type(a), &tb = type(b);
        if (ta.pure_number && tb.pure_number) {
            const double x = ta.number_value, y = tb.number_value;
            number_result(i, x * y, x == 0 || y == 0);
            set(i, t_.one, t_.one);
            return;
        }
        if (!f_[i].called) {
            // `2 * X`, `X * 0.5`, and `s * A` with a 1x1 s scale, as ctgrad's `times` does.
            const bool a_scalar = ta.pure_number || (scalar(a) && !t_.is_one(tb.rows));
            const bool b_scalar = !a_scalar && (tb.pure_number || (scalar(b) && !t_.is_one(ta.cols)));
            if (a_scalar || b_scalar) {
                out.kind = op::scale;
                out.scalar_right = b_scalar;
                return copy_shape(i, a_scalar ? b : a);
            }
        }
        if (!unify(ta.cols, tb.rows)) fail_product(i);
        set(i, ta.rows, tb.cols);
    }

    // ctgrad's own rules on the final shapes: each operation's descriptor (shapes_fit, rows, cols)
    // asked through names.hpp's descriptor_rule, with sizes equal only when they are the same
    // symbol: stricter than ctgrad's run-time check of dynamic sizes, so a generated program
    // never throws shape_error.
    void verify(int i) {
        const auto& n = f_[i];
        const node_type& out = type(i);
        if (out.pure_number || n.kind == op::number || n.kind == op::variable) return;
        const op_info& what = info(out.kind);
        std::vector<int> operands;
        for (std::size_t k = 0; k + static_cast<std::size_t>(what.template_numbers) < n.args.size(); ++k) {
            operands.push_back(n.args[k]);
        }
        if (out.kind == op::scale && !n.called && out.scalar_right) std::swap(operands[0], operands[1]);  // factor first
        // Every size as a small number: 1, or 2, 3, ... for each distinct size in order.
        std::vector<int> seen;
        const auto canonical = [&](int d) {
            if (t_.is_one(d)) return 1;
            for (std::size_t k = 0; k < seen.size(); ++k) {
                if (t_.same_dim(seen[k], d)) return static_cast<int>(k) + 2;
            }
            seen.push_back(d);
            return static_cast<int>(seen.size()) + 1;
        };
        int sizes[4] = {1, 1, 1, 1};
        for (std::size_t k = 0; k < operands.size() && k < 2; ++k) {
            const node_type& o = type(operands[k]);
            sizes[2 * k] = o.pure_number ? 1 : canonical(o.rows);
            sizes[2 * k + 1] = o.pure_number ? 1 : canonical(o.cols);
        }
        const rule_answer rule = descriptor_rule(out.kind, sizes[0], sizes[1], sizes[2], sizes[3]);
        if (!rule.known) return;
        // The result's sizes: each the one inferred, unless the rule computes a new size (a sum).
        const auto agrees = [&](int value, int d) {
            if (value == 1) return t_.is_one(d);
            const std::size_t k = static_cast<std::size_t>(value - 2);
            return what.shape == call_shape::concat || k >= seen.size() || t_.same_dim(seen[k], d);
        };
        if (rule.fits && agrees(rule.rows, out.rows) && agrees(rule.cols, out.cols)) return;
        switch (what.shape) {
            case call_shape::paired: fail_pairing(i);
            case call_shape::product: fail_product(i);
            case call_shape::scale: fail_shape(i, "the factor " + operand(operands[0]) + " of this scaling must be 1 x 1");
            case call_shape::loss: fail_equal(i);
            default:
                fail_shape(i, std::string(what.signature) + " does not accept " + operand(operands[0]) +
                            (operands.size() > 1 ? " and " + operand(operands[1]) : std::string()));
        }
    }

    typed_formula& t_;
    const formula& f_;
    std::vector<node_type>& out_;
    resolver resolve_;
};

int new_dim(typed_formula& t, dim_class c) {
    c.order = static_cast<int>(t.classes.size());
    t.classes.push_back(std::move(c));
    t.parent.push_back(static_cast<int>(t.parent.size()));
    return static_cast<int>(t.classes.size()) - 1;
}

/// Gives every class left free a name and a size; fixed names get sizes too.
void freeze(typed_formula& t) {
    std::set<long> used_numbers{6};  // 6: the batch size of the programs' random draws
    std::set<std::string> taken{"n"};
    for (std::size_t i = 0; i < t.classes.size(); ++i) {
        if (t.root(static_cast<int>(i)) != static_cast<int>(i)) continue;
        const auto& c = t.classes[i];
        if (c.kind == dim_class::number) used_numbers.insert(c.value);
        if (c.kind == dim_class::named) taken.insert(c.name);
    }
    // Names first (they depend on the order of the free classes), then sizes.
    std::vector<std::string> names(t.classes.size());
    for (std::size_t i = 0; i < t.classes.size(); ++i) {
        if (t.root(static_cast<int>(i)) == static_cast<int>(i) && t.classes[i].kind == dim_class::free) {
            names[i] = t.dim(static_cast<int>(i)).name;
        }
    }
    long next = 3;
    for (std::size_t i = 0; i < t.classes.size(); ++i) {
        if (t.root(static_cast<int>(i)) != static_cast<int>(i)) continue;
        auto& c = t.classes[i];
        if (c.kind == dim_class::free) {
            c.kind = dim_class::named;
            c.name = names[i];
            c.inferred = true;
        }
        if (c.kind == dim_class::named && !c.batch) {
            while (used_numbers.count(next)) ++next;
            c.size = static_cast<int>(next++);
        }
    }
    t.frozen = true;
}

}  // namespace

typed_formula infer_shapes(formula f, const shape_options& options) {
    typed_formula t;
    t.source = std::move(f);
    const formula& src = t.source;
    t.one = new_dim(t, {dim_class::number, 1, "", false, 0, 1});
    t.batch = new_dim(t, {dim_class::named, 0, "n", true, 0, -1});
    std::map<std::string, int> named;
    named["n"] = t.batch;

    const auto dim_of = [&](const dim_spec& spec) {
        if (spec.number > 0) {
            return spec.number == 1 ? t.one : new_dim(t, {dim_class::number, spec.number, "", false, 0, 0});
        }
        if (const auto it = named.find(spec.name); it != named.end()) return it->second;
        return named[spec.name] = new_dim(t, {dim_class::named, 0, spec.name, false, 0, 0});
    };

    // Every --dims entry must name a variable of the formula.
    for (const auto& e : options.dims.entries) {
        const bool present = std::any_of(src.nodes.begin(), src.nodes.end(),
                                         [&](const formula_node& n) { return n.kind == op::variable && n.latex == e.latex; });
        if (!present) {
            fail_at("--dims: " + plain_name(e.latex) + " does not occur in the formula", options.dims.text, e.begin, e.end,
                    e.begin);
        }
    }

    const auto resolve = [&](int node) -> std::pair<int, int> {
        const auto& n = src[node];
        if (const auto* v = t.find_variable(n.latex)) return {v->rows, v->cols};
        variable_info v;
        v.latex = n.latex;
        v.written = n.written;
        v.node = node;
        v.data = std::find(options.data.begin(), options.data.end(), n.latex) != options.data.end();
        const auto spec = std::find_if(options.dims.entries.begin(), options.dims.entries.end(),
                                       [&](const dims_option::entry& e) { return e.latex == n.latex; });
        if (spec != options.dims.entries.end()) {
            v.rows = dim_of(spec->rows);
            v.cols = dim_of(spec->cols);
        } else {
            v.rows = v.data ? t.batch : new_dim(t, {});
            v.cols = new_dim(t, {});
        }
        // Distinct LaTeX names can share a C++ spelling (x_1 and x1 cannot, they are one name).
        std::string cpp = "v_" + cpp_identifier(n.latex);
        while (std::any_of(t.variables.begin(), t.variables.end(), [&](const variable_info& o) { return o.cpp == cpp; })) cpp += "_";
        v.cpp = cpp;
        t.variables.push_back(v);
        return {v.rows, v.cols};
    };

    inference(t, src, t.nodes, resolve).run();
    freeze(t);

    // Eigen keeps a matrix whose size is known at compile time on the stack, and refuses one
    // above 128 KB; a derivation does not depend on sizes, so small ones lose nothing.
    for (int i = 0; i < static_cast<int>(src.nodes.size()); ++i) {
        const dim_info r = t.dim(t[i].rows), c = t.dim(t[i].cols);
        if (r.size > 0 && c.size > 0 && static_cast<long>(r.size) * c.size > max_static_entries) {
            const auto& n = src[i];
            fail_at("this is " + t.shape_text_of(i) + " with sizes " + std::to_string(r.size) + " x " +
                        std::to_string(c.size) + ": more than " + std::to_string(max_static_entries) +
                        " entries, Eigen's limit for sizes known at compile time; choose smaller sizes with --dims",
                    src.text, n.begin, n.end, n.at);
        }
    }
    return t;
}

typed_claim infer_claim_shapes(const typed_formula& f, formula claim, const intermediate_names& names,
                               const intermediate_names& adjoints) {
    typed_claim out;
    out.source = std::move(claim);
    typed_formula table = f;  // a copy: a claim never changes the formula's dimensions
    const formula& src = out.source;
    out.refers_to.assign(src.nodes.size(), -1);
    out.adjoint_of.assign(src.nodes.size(), -1);
    const auto resolve = [&](int node) -> std::pair<int, int> {
        const auto& n = src[node];
        for (const auto& [latex, target] : adjoints) {
            if (latex == n.latex) {
                out.adjoint_of[static_cast<std::size_t>(node)] = target;
                return {f[target].rows, f[target].cols};
            }
        }
        if (const auto* v = f.find_variable(n.latex)) {
            out.refers_to[static_cast<std::size_t>(node)] = v->node;
            return {v->rows, v->cols};
        }
        for (const auto& [latex, target] : names) {
            if (latex == n.latex) {
                out.refers_to[static_cast<std::size_t>(node)] = target;
                return {f[target].rows, f[target].cols};
            }
        }
        if (n.written == "n") return {table.one, table.one};  // the batch size, 1 x 1
        std::string known;
        for (const auto& v : f.variables) known += (known.empty() ? "" : ", ") + v.written;
        for (const auto& [latex, target] : names) known += ", " + plain_name(latex);
        for (const auto& [latex, target] : adjoints) known += ", " + plain_name(latex);
        fail_at("the claim uses '" + quote(n.written) + "', which is not in the formula; it may use " + known +
                    (f.batch >= 0 ? ", n" : ""),
                src.text, n.begin, n.end, n.at);
    };
    inference(table, src, out.nodes, resolve).run();
    return out;
}

// ---- named intermediates ---------------------------------------------------------------------

// The names mirror ctgrad's derivation (include/ctgrad/detail/naming.hpp), so a claim's Z1 is
// the derivation's Z_1: nodes are told apart by structure (ctgrad by type, where every double
// constant is one type), activations are the functions whose latex_form says so (exp, relu,
// tanh, softmax, ...) of something that depends on a variable, and k counts activations from
// the input. Last, a node still unnamed that two distinct nodes read (the residual sum
// X + A_1) is H_k, k counting such nodes from the input.
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
    enum class role { activation, preactivation, output, shared };
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

    // Nodes read by two distinct nodes (a parent that reads a node twice, as X .* X, counts once).
    // Children precede parents, so the first occurrence of a structure is where ctgrad's graph
    // lists that node, and the entries, once some node is shared, follow that order.
    std::vector<int> first_of(count, -1);  // per node: the first node of the same structure
    std::map<std::string, int> first_by_key;
    for (int i = 0; i < static_cast<int>(count); ++i) first_of[node(i)] = first_by_key.emplace(key[node(i)], i).first->second;
    std::vector<std::set<int>> readers(count);  // per first occurrence: its readers' first occurrences
    for (int i = 0; i < static_cast<int>(count); ++i) {
        for (int a : src[i].args) readers[node(first_of[node(a)])].insert(first_of[node(i)]);
    }
    bool any_shared = false;
    for (int i = 0; i < static_cast<int>(count); ++i) {
        if (first_of[node(i)] != i || is_leaf(i) || has_variable[node(i)] == 0 || readers[node(i)].size() < 2 || listed(i)) {
            continue;
        }
        entries.push_back({i, role::shared});
        any_shared = true;
    }
    if (any_shared) {
        // Entries are distinct structures, so no two tie. (Not std::stable_sort: libstdc++ 12's
        // uses get_temporary_buffer, which clang flags as deprecated.)
        std::sort(entries.begin(), entries.end(),
                  [&](const entry& a, const entry& b) { return first_of[node(a.node)] < first_of[node(b.node)]; });
    }

    // Z_k takes the layer of the activation it feeds; a (role, layer) shared by several entries
    // is numbered: A_{2,1}, A_{2,2}. H_k counts the shared nodes.
    const auto layer_of = [&](const entry& e) { return layer[node(e.node)] + (e.what == role::preactivation ? 1 : 0); };
    int shared_count = 0;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        const entry& e = entries[k];
        if (e.what == role::output) {
            out.emplace_back("\\hat{y}", e.node);
            continue;
        }
        if (e.what == role::shared) {
            const std::string number = std::to_string(++shared_count);
            out.emplace_back(shared_count >= 10 ? "H_{" + number + "}" : "H_" + number, e.node);
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

// ---- the request's formula, typed -------------------------------------------------------

namespace {

std::vector<std::string> latex_names(const std::vector<option_name>& names) {
    std::vector<std::string> out;
    for (const auto& n : names) out.push_back(n.latex);
    return out;
}

std::string variables_written(const typed_formula& t) {
    std::string known;
    for (const auto& v : t.variables) known += (known.empty() ? "" : ", ") + v.written;
    return known;
}

/// The variables L depends on through their values: every occurrence except those inside
/// count(...), which reads only a shape. ctgrad cannot differentiate with respect to the others.
std::set<std::string> value_variables(const formula& f) {
    std::vector<bool> reached(f.nodes.size(), false);
    reached[static_cast<std::size_t>(f.root)] = true;
    std::set<std::string> out;
    for (int i = f.root; i >= 0; --i) {  // children precede their parents
        const formula_node& n = f[i];
        if (!reached[static_cast<std::size_t>(i)]) continue;
        if (n.kind == op::variable) out.insert(n.latex);
        if (info(n.kind).size_only) continue;
        for (int a : n.args) reached[static_cast<std::size_t>(a)] = true;
    }
    return out;
}

}  // namespace

typed_formula type_formula(const std::string& text, const request& r) {
    formula f = parse(text);
    shape_options options;
    std::vector<option_name> data;
    if (r.has_data) {
        data = parse_name_list(r.data, "--data");
        if (data.empty()) fail_at("--data: name at least one variable", r.data, 0);
        options.data = latex_names(data);
    }
    options.dims = parse_dims(r.dims);
    typed_formula t = infer_shapes(std::move(f), options);
    for (const auto& n : data) {
        if (t.find_variable(n.latex) == nullptr) {
            fail_at("--data: " + plain_name(n.latex) + " does not occur in the formula (its variables: " +
                        variables_written(t) + ")",
                    r.data, n.begin, n.end, n.begin);
        }
    }
    // A variable may not take a name the derivation gives the loss, the learning rate or an
    // intermediate (Z1 = X W): the derivation would print two different things under one name.
    std::vector<std::pair<std::string, std::string>> owned{{"L", "the loss"}, {"\\eta", "the learning rate"}};
    for (const auto& [latex, node] : name_intermediates(t)) owned.emplace_back(latex, quote(std::string(t.source.source(node)), 40));
    for (const auto& [latex, meaning] : owned) {
        if (const variable_info* v = t.find_variable(latex)) {
            const formula_node& at = t.source[v->node];
            fail_at("the variable " + v->written + " has the name the derivation gives " + meaning + "; rename the variable",
                    t.source.text, at.begin, at.end, at.at);
        }
    }
    return t;
}

void require_loss(const typed_formula& t) {
    const formula& f = t.source;
    if (t.variables.empty()) fail_at("the formula has no variables to differentiate", f.text, 0, f.text.size(), 0);
    if (!t.is_scalar(f.root)) {
        fail_at("the formula is " + t.shape_text_of(f.root) +
                    ", not a loss: wrap it in mse(..., Y), bce(..., Y), sum(...) or mean(...) to get 1 x 1",
                f.text, f.top().begin, f.top().end, f.top().at);
    }
}


std::vector<std::string> wrt_of(const typed_formula& t, const request& r) {
    std::vector<std::string> out;
    const std::set<std::string> differentiable = value_variables(t.source);
    if (r.has_wrt) {
        const auto names = parse_name_list(r.wrt, "--wrt");
        if (names.empty()) fail_at("--wrt: name at least one variable", r.wrt, 0);
        for (const auto& n : names) {
            if (t.find_variable(n.latex) == nullptr) {
                fail_at("--wrt: " + plain_name(n.latex) + " does not occur in the formula (its variables: " +
                            variables_written(t) + ")",
                        r.wrt, n.begin, n.end, n.begin);
            }
            if (!differentiable.count(n.latex)) {
                fail_at("--wrt: " + plain_name(n.latex) + " occurs only inside count(...), which reads its shape, not its " +
                            "values: the loss does not depend on it",
                        r.wrt, n.begin, n.end, n.begin);
            }
            out.push_back(n.latex);
        }
        return out;
    }
    for (const auto& v : t.variables) {
        if (!v.data && differentiable.count(v.latex)) out.push_back(v.latex);
    }
    const bool has_parameters = std::any_of(t.variables.begin(), t.variables.end(), [](const auto& v) { return !v.data; });
    if (out.empty() && has_parameters) {  // then every parameter is inside count(...)
        fail_missing("the loss does not depend on the values of its parameters: they occur only inside count(...), "
                     "which reads their shapes",
                     t.source.text);
    }
    if (out.empty()) {
        fail_missing("every variable of the formula is data (the rows of a batch); name the ones to differentiate "
                     "with --wrt, or the data with --data",
                     t.source.text);
    }
    return out;
}


/// "X (n x d), W_1 (d x H) ...; sizes in the program: d = 3, H = 4; n any" for comments.
std::string shapes_summary(const typed_formula& t) {
    std::string shapes, sizes;
    std::set<std::string> seen;
    bool batch = false;
    for (const auto& v : t.variables) {
        shapes += (shapes.empty() ? "" : ", ") + v.written + " " + t.shape_text(v.rows, v.cols);
        for (int d : {v.rows, v.cols}) {
            const dim_info info = t.dim(d);
            if (info.batch) batch = true;
            if (info.batch || info.name == std::to_string(info.size) || !seen.insert(info.name).second) continue;
            sizes += (sizes.empty() ? "" : ", ") + info.name + " = " + std::to_string(info.size);
        }
    }
    std::string out = shapes;
    if (!sizes.empty()) out += "; " + sizes;
    if (batch) out += "; n, the batch, is any size";
    return out;
}

}  // namespace ctgrad::gen
