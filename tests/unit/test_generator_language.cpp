// ctgrad-gen's language is read from ctgrad's operation descriptors (ops/all.hpp): every
// operation is in it or is built only by derivative rules; each one's spelling, operands and
// shape come from its descriptor; the shape check asks the descriptors' own rules.
#if __has_include("generator.hpp")

#include <catch2/catch.hpp>

#include <ctgrad/ctgrad.hpp>

#include <string>
#include <tuple>

#include "generator.hpp"

namespace {

using namespace ctgrad::gen;

typed_formula typed(const std::string& formula, const std::string& dims = "") {
    shape_options o;
    o.dims = parse_dims(dims);
    return infer_shapes(parse(formula), o);
}

std::string shape_of_top(const typed_formula& t) { return t.shape_text_of(t.source.root); }

/// Whether an operation is in the language (a call_form), or is a node only derivative rules
/// build, or names a C++ intermediate (named<"H">, which formulas cannot write).
template <class Op>
bool accounted_for(std::string& missing) {
    if constexpr (requires { Op::call; }) {
        const auto kind = function_named(Op::call.builder);
        if (!kind || info(*kind).builder != Op::call.builder || info(*kind).arity != Op::call.arity) {
            missing += std::string(Op::name) + " ";
            return false;
        }
        return true;
    } else if constexpr (requires { requires Op::built_by_derivatives; } || requires { Op::label; }) {
        return true;
    } else {
        missing += std::string(Op::name) + " ";
        return false;
    }
}

template <class... Ops>
bool all_accounted_for(std::tuple<Ops...>*, std::string& missing) {
    return (accounted_for<Ops>(missing) & ...);
}

}  // namespace

TEST_CASE("Every ctgrad operation is in ctgrad-gen's language or is built only by derivative rules", "[cli][names]") {
    std::string missing;
    CHECK(all_accounted_for(static_cast<ctgrad::all_operations*>(nullptr), missing));
    INFO("missing: " << missing);
    CHECK(missing.empty());
    // The table has one entry per descriptor, in ops/all.hpp's order, after the two leaves.
    CHECK(all_operations().size() == std::tuple_size_v<ctgrad::all_operations> + 2);
}

TEST_CASE("Descriptor flags carry values: an activation is one because its latex_form says true", "[cli][names]") {
    CHECK(info(*function_named("tanh")).activation);
    CHECK(info(*function_named("softmax")).activation);
    CHECK_FALSE(info(*function_named("log")).activation);
    CHECK_FALSE(info(*function_named("sqrt")).activation);
    CHECK(info(*function_named("mse")).loss);
    CHECK_FALSE(info(*function_named("cross_entropy")).loss);
    CHECK(info(*function_named("count")).size_only);
    CHECK(info(*function_named("cross_entropy")).second == ctgrad::operand_domain::probability_rows);
    CHECK(info(*function_named("sqrt")).first == ctgrad::operand_domain::positive);
}

TEST_CASE("The new operations type: softmax classifier, layer norm, attention, column blocks", "[cli][shapes]") {
    CHECK(shape_of_top(typed("softmax(X*W)")) == "(n x H)");
    CHECK(shape_of_top(typed("row_sums(X)")) == "(n x 1)");
    CHECK(shape_of_top(typed("row_means(X)")) == "(n x 1)");
    CHECK(shape_of_top(typed("column_means(X)")) == "(1 x d)");
    CHECK(shape_of_top(typed("cross_entropy(X*W, Y)")) == "(1 x 1)");
    const typed_formula norm = typed("sum((X - row_means(X)) / sqrt(row_means(square(X - row_means(X))) + 1e-5))");
    CHECK(shape_of_top(norm) == "(1 x 1)");
    const typed_formula gate = typed("sum(hadamard(X, b^T))");
    CHECK(gate.shape_text(gate.find_variable("b")->rows, gate.find_variable("b")->cols) == "(d x 1)");
    const typed_formula attention = typed("sum(softmax(0.5 * ((X*Wq) * transpose(X*Wk))) * (X*Wv))");
    CHECK(shape_of_top(attention) == "(1 x 1)");
    const typed_formula blocks = typed("sum(slice_cols(concat_cols(X, H) * W, 2, 2))", "X=n,2 H=n,3 W=5,4");
    CHECK(blocks.shape_text_of(blocks.source[blocks.source.root].args[0]) == "(n x 2)");
    const std::string code = formula_code(blocks);
    CHECK(code.find("ctgrad::slice_cols<2, 2>(") != std::string::npos);
    CHECK(code.find("ctgrad::concat_cols(") != std::string::npos);
}

TEST_CASE("The new operations' misuses are input errors with a caret", "[cli][shapes]") {
    CHECK_THROWS_WITH(typed("sum(slice_cols(X, 1, 2))"), Catch::Contains("as a number"));
    CHECK_THROWS_WITH(typed("sum(slice_cols(X, 1, 2))", "X=n,2"), Catch::Contains("is not inside 0 .. 1"));
    CHECK_THROWS_WITH(typed("sum(slice_cols(X, 0, 1.5))", "X=n,2"), Catch::Contains("whole numbers"));
    CHECK_THROWS_WITH(typed("cross_entropy(X*W, Y)", "W=d,3 Y=n,2"), Catch::Contains("needs equal shapes"));
    CHECK_THROWS_WITH(typed("sum(sqrt(-2) * X)"), Catch::Contains("sqrt is defined for positive numbers only"));
    CHECK_THROWS_WITH(typed("sum(hadamard(X, W))", "X=n,3 W=2,2"), Catch::Contains("multiply entry by entry"));
}

TEST_CASE("The shape check asks the descriptors' own rules", "[cli][shapes]") {
    const op add = op::add;
    CHECK(descriptor_rule(add, 2, 3, 1, 3).fits);    // a row over every row
    CHECK(descriptor_rule(add, 2, 3, 2, 1).fits);    // a column over every column
    CHECK_FALSE(descriptor_rule(add, 2, 3, 2, 4).fits);
    const rule_answer product = descriptor_rule(op::matmul, 2, 3, 3, 4);
    CHECK((product.fits && product.rows == 2 && product.cols == 4));
    CHECK_FALSE(descriptor_rule(op::matmul, 2, 3, 2, 3).fits);
    CHECK(descriptor_rule(*function_named("cross_entropy"), 2, 3, 2, 3).fits);
    CHECK_FALSE(descriptor_rule(*function_named("cross_entropy"), 2, 3, 2, 4).fits);
    CHECK_FALSE(descriptor_rule(*function_named("slice_cols"), 2, 3).known);  // its rule has numbers of its own
}

#endif
