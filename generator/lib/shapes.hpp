// Shape inference: symbolic dimensions for every variable and node of a formula, by
// unification (X*W1 forces cols(X) = rows(W1)), then a check with ctgrad's own shape rules.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formula.hpp"
#include "options.hpp"

namespace ctgrad::gen {

/// What inference needs besides the formula.
struct shape_options {
    std::vector<std::string> data{"X", "Y"};  ///< LaTeX names of the data variables (rows = batch n)
    dims_option dims;
};

/// A dimension after inference.
struct dim_info {
    std::string name;  ///< as shown: n, d, H, 1, ...
    int size = 0;      ///< the size the C++ program uses; -1 (ctgrad::dynamic) for the batch
    bool batch = false;
};

/// A variable of the formula with its inferred shape.
struct variable_info {
    std::string latex;    ///< W_1
    std::string written;  ///< W1, as first typed
    std::string cpp;      ///< a C++ identifier for generated programs
    int node = -1;        ///< first occurrence
    int rows = -1, cols = -1;  ///< dimension ids (see typed_formula::dim)
    bool data = false;
};

/// A formula whose every node has a shape. Dimension ids index a table shared with the
/// claims checked against it.
class typed_formula {
public:
    formula source;
    std::vector<variable_info> variables;  ///< in order of first appearance

    /// Per node: rows and columns (dimension ids), whether the node is pure arithmetic on
    /// numbers (then `number_value` holds it), and the operation after resolving `*`
    /// (a product with a number or with a 1x1 side is a scale; `scalar_right` says the 1x1
    /// factor is the right operand).
    struct node_type {
        int rows = -1, cols = -1;
        bool pure_number = false;
        double number_value = 0;
        op kind = op::number;
        bool scalar_right = false;
    };
    std::vector<node_type> nodes;

    const node_type& operator[](int i) const { return nodes[static_cast<std::size_t>(i)]; }
    const variable_info* find_variable(std::string_view latex) const;

    dim_info dim(int id) const;
    std::string shape_text(int rows, int cols) const;  ///< "(n x d)"
    std::string shape_text_of(int node) const;
    bool same_dim(int a, int b) const;
    bool is_one(int id) const;
    bool is_scalar(int node) const;

    // The dimension table (union-find); public to the inference code in shapes.cpp.
    struct dim_class {
        enum kind_t { free, number, named } kind = free;
        long value = 0;
        std::string name;
        bool batch = false;
        int order = 0;
        int size = 0;  ///< assigned when frozen
        bool inferred = false;  ///< named by inference (no --dims fixed it): check's hints
    };
    mutable std::vector<int> parent;
    std::vector<dim_class> classes;
    int one = -1;
    int batch = -1;
    bool frozen = false;

    int root(int id) const;
};

/// The most entries a matrix of static size may have (Eigen's stack limit, 128 KB of doubles).
inline constexpr long max_static_entries = 16384;

/// Infers the shapes of `f`'s variables and nodes, then checks every operation with ctgrad's
/// rules (row broadcast of X W + b^T, scalars, matrix products). Free dimensions get sizes
/// 3, 4, 5, 7, 8, ... (6 is the batch at run time) and names d, H, K, M, ...
/// Throws input_error naming both operands and their shapes on an inconsistency.
typed_formula infer_shapes(formula f, const shape_options& options = {});

/// A claim typed against a formula: its nodes use the formula's (frozen) dimensions; names
/// resolve to the formula's variables, to named intermediates, or to `n` (the batch size).
struct typed_claim {
    formula source;
    std::vector<typed_formula::node_type> nodes;
    /// Per claim node of kind op::variable: the formula node it stands for (a variable's first
    /// occurrence or an intermediate), or -1 for `n`.
    std::vector<int> refers_to;
    /// Per claim node: the formula node whose adjoint dL/d(node) a d-name (dZ2) stands for, or -1.
    std::vector<int> adjoint_of;
};

/// Named intermediates a claim may use: LaTeX name -> formula node.
using intermediate_names = std::vector<std::pair<std::string, int>>;

/// Types `claim` against `f`: its names are the formula's variables, the `names` (intermediates),
/// `n`, and the `adjoints` (a d-name such as dZ_2 for dL/dZ2, with the node it differentiates).
/// Throws shape_mismatch when the claim is a formula whose shapes do not fit, input_error for
/// an unknown name.
typed_claim infer_claim_shapes(const typed_formula& f, formula claim, const intermediate_names& names,
                               const intermediate_names& adjoints = {});

/// The intermediates a derivation names, as (LaTeX name, formula node): pre-activations Z_k,
/// activations A_k and the output \hat{y}, numbered from the input. Claims may use them.
intermediate_names name_intermediates(const typed_formula& f);

// ---- the request's formula, typed ---------------------------------------------------------

/// Parses and types `text` with the request's --data and --dims; a variable named like a
/// quantity of the derivation (L, eta, Z1, yhat) is an input error.
typed_formula type_formula(const std::string& text, const request& r);

/// Throws input_error unless the formula is a 1x1 loss with variables.
void require_loss(const typed_formula& t);

/// The variables to differentiate (LaTeX names): --wrt, validated, or every non-data variable.
std::vector<std::string> wrt_of(const typed_formula& t, const request& r);

/// "X (n x d), W_1 (d x H) ...; d = 3, H = 4; n, the batch, is any size", for comments.
std::string shapes_summary(const typed_formula& t);

}  // namespace ctgrad::gen
