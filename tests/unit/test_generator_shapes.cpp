// ctgrad-gen's front end without compiling: names, shape inference, the intermediates claims may
// use, and the C++ it writes for the library.
#if __has_include("generator.hpp")

#include <catch2/catch.hpp>

#include <string>

#include "generator.hpp"

namespace {

using namespace ctgrad::gen;

typed_formula typed(const std::string& formula, const std::string& dims = "") {
    shape_options o;
    o.dims = parse_dims(dims);
    return infer_shapes(parse(formula), o);
}

std::string shape_of(const typed_formula& t, const std::string& written) {
    for (const auto& v : t.variables) {
        if (v.written == written) return t.shape_text(v.rows, v.cols);
    }
    return "absent";
}

const std::string board = "mse(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T), Y)";

}  // namespace

TEST_CASE("Identifiers become the LaTeX names of ctgrad variables", "[cli][names]") {
    CHECK(latex_name("W1") == "W_1");
    CHECK(latex_name("W_1") == "W_1");
    CHECK(latex_name("W12") == "W_{12}");
    CHECK(latex_name("b2") == "b_2");
    CHECK(latex_name("yhat") == "\\hat{y}");
    CHECK(latex_name("y_hat") == "\\hat{y}");
    CHECK(latex_name("ŷ") == "\\hat{y}");
    CHECK(latex_name("theta") == "\\theta");
    CHECK(latex_name("θ") == "\\theta");
    CHECK(latex_name("Wout") == "\\mathit{Wout}");
    CHECK(latex_name("W_out") == "W_{out}");
    CHECK(latex_name("X") == "X");
    CHECK(plain_name("\\hat{y}") == "yhat");
    CHECK(plain_name("W_{12}") == "W12");
}

TEST_CASE("Function names follow the C++ API and the lecture's spellings", "[cli][names]") {
    const auto builder = [](const char* name) { return std::string(info(*function_named(name)).builder); };
    CHECK(builder("relu") == "relu");
    CHECK(builder("ReLU") == "relu");
    CHECK(builder("σ") == "sigmoid");
    CHECK(builder("sigma") == "sigmoid");
    CHECK(builder("sigmoid") == "sigmoid");
    CHECK(builder("MSE") == "mse");
    CHECK(builder("ln") == "log");
    CHECK(builder("Cross_Entropy") == "cross_entropy");
    CHECK(function_named("hadamard") == op::hadamard);
    CHECK(function_named("transpose") == op::transpose);
    CHECK_FALSE(function_named("frobnicate").has_value());
    CHECK(closest_function("tahn") == "tanh");
    CHECK(closest_function("sigmiod") == "sigmoid");
    CHECK(closest_function("qqqq").empty());
}

TEST_CASE("The lecture's habits parse like the C++ API: b^T, .*, ^2, unary minus", "[cli][parse]") {
    const formula a = parse("hadamard(transpose(b1), square(-X))");
    const formula b = parse("b1^T .* (-X)^2");
    REQUIRE(a.nodes.size() == b.nodes.size());
    for (std::size_t i = 0; i < a.nodes.size(); ++i) CHECK(a.nodes[i].kind == b.nodes[i].kind);
    CHECK(parse("X ⊙ Y").top().kind == op::hadamard);
    CHECK(parse("Xᵀ").top().kind == op::transpose);
    CHECK(parse("X^{T}").top().kind == op::transpose);
    CHECK(parse("2.*X").top().kind == op::hadamard);
    CHECK(parse("2.5*X").top().kind == op::matmul);  // resolved to a scale by shape inference
}

TEST_CASE("Numbers written as 0 are 0, and tiny or huge numbers that are doubles are kept", "[cli][parse]") {
    // Out of range (1e-400 would be 0, 1e400 infinite) is an error: test_generator_errors.cpp.
    for (const char* zero : {"0", "0.0", "0e-999", "00.000e5"}) {
        INFO(zero);
        CHECK(parse(zero).top().value == 0);
    }
    CHECK(parse("1e-320").top().value > 0);  // subnormal, but not 0
    CHECK(parse("1.5e308").top().value == 1.5e308);
    CHECK(typed("sum(X*W) + log(1e-300)").variables.size() == 2);  // log of a positive number
}

TEST_CASE("Shapes are inferred from the board formula: the batch n, then d and H by first appearance",
          "[cli][shapes]") {
    const typed_formula t = typed(board);
    CHECK(shape_of(t, "X") == "(n x d)");
    CHECK(shape_of(t, "W1") == "(d x H)");
    CHECK(shape_of(t, "b1") == "(H x 1)");  // b1^T is a row added to every row of X W1
    CHECK(shape_of(t, "W2") == "(H x K)");
    CHECK(shape_of(t, "b2") == "(K x 1)");
    CHECK(shape_of(t, "Y") == "(n x K)");
    CHECK(t.shape_text_of(t.source.root) == "(1 x 1)");
    // Sizes for the program: the batch is dynamic, free dimensions 3, 4, 5.
    const auto& w2 = *t.find_variable("W_2");
    CHECK(t.dim(t.find_variable("X")->rows).size == -1);
    CHECK(t.dim(w2.rows).size == 4);
    CHECK(t.dim(w2.cols).size == 5);
}

TEST_CASE("The dims option fixes shapes, a lone size is a column vector, numbers stay numbers", "[cli][shapes]") {
    const typed_formula t = typed(board, "X=n,d W1=d,H b1=H W2=H,1 b2=1 Y=n,1");
    CHECK(shape_of(t, "W2") == "(H x 1)");
    CHECK(shape_of(t, "b2") == "(1 x 1)");
    CHECK(shape_of(t, "Y") == "(n x 1)");
    const typed_formula sized = typed("mse(X*W, Y)", "W=10,2");
    CHECK(shape_of(sized, "X") == "(n x 10)");
    CHECK(sized.dim(sized.find_variable("W")->rows).size == 10);
}

TEST_CASE("A number or a 1x1 factor scales instead of multiplying matrices", "[cli][shapes]") {
    const typed_formula t = typed("sum(2*X + X*0.5 + sum(X)*X)");
    int scales = 0;
    for (const auto& n : t.nodes) scales += n.kind == op::scale;
    CHECK(scales == 3);
    CHECK(shape_of(t, "X") == "(n x d)");
}

TEST_CASE("The regressions' bias is a scalar when the output is one column", "[cli][shapes]") {
    const typed_formula t = typed("mse(identity(X*w + b), Y)", "w=d");
    CHECK(shape_of(t, "w") == "(d x 1)");
    CHECK(shape_of(t, "b") == "(1 x 1)");
    CHECK(shape_of(t, "Y") == "(n x 1)");
}

TEST_CASE("Intermediates are named as the derivation names them: Z_k, A_k, yhat", "[cli][shapes]") {
    const typed_formula t = typed(board);
    const auto names = name_intermediates(t);
    REQUIRE(names.size() == 4);
    CHECK(names[0].first == "Z_1");
    CHECK(t.source.source(names[0].second) == "X*W1 + b1^T");
    CHECK(names[1].first == "A_1");
    CHECK(names[2].first == "Z_2");
    CHECK(names[3].first == "\\hat{y}");
    CHECK(t.source.source(names[3].second) == "tanh(ReLU(X*W1 + b1^T)*W2 + b2^T)");
}

TEST_CASE("Intermediates follow ctgrad's naming rules beyond the board: the output without a loss, ranks, products",
          "[cli][shapes]") {
    const auto names_of = [](const std::string& formula) {
        std::string out;
        const typed_formula t = typed(formula);
        for (const auto& [latex, node] : name_intermediates(t)) out += latex + "=" + std::string(t.source.source(node)) + "; ";
        return out;
    };
    // Poisson regression: no mse or bce, so the one top activation is the output; the repeated
    // X*w + b is one quantity.
    CHECK(names_of("mean(exp(X*w + b) - Y .* (X*w + b))") == "Z_1=X*w + b; \\hat{y}=exp(X*w + b); ");
    // Linear regression without an activation: the loss's prediction is the output.
    CHECK(names_of("mse(X*w + b, Y)") == "\\hat{y}=X*w + b; ");
    // Two activations in one layer are numbered; a product after the top one leaves no output.
    CHECK(names_of("sum(tanh(X*W1) + relu(X*W2))") == "Z_{1,1}=X*W1; A_{1,1}=tanh(X*W1); Z_{1,2}=X*W2; A_{1,2}=relu(X*W2); ");
    CHECK(names_of("sum(tanh(X*W1)*W2)") == "Z_1=X*W1; A_1=tanh(X*W1); ");
    // Layers from 10 on are braced.
    CHECK(names_of(deep_tanh_formula(10)).find("Z_{10}=") != std::string::npos);
}

TEST_CASE("An unnamed intermediate that two nodes read is H_k, as in ctgrad's derivation", "[cli][shapes]") {
    const auto names_of = [](const std::string& formula) {
        std::string out;
        for (const auto& [latex, node] : name_intermediates(typed(formula))) out += latex + " ";
        return out;
    };
    // The residual block of tests/golden/residual_derivation.txt: X + A_1 is read by Z_2's
    // product and by the next sum (written twice, one node); that sum is read once.
    const typed_formula t = typed("mse((X + tanh(X*W1 + b1^T) + tanh((X + tanh(X*W1 + b1^T))*W2 + b2^T))*W3, Y)");
    const auto names = name_intermediates(t);
    REQUIRE(names.size() == 6);
    CHECK(names[2].first == "H_1");
    CHECK(t.source.source(names[2].second) == "X + tanh(X*W1 + b1^T)");
    CHECK(names_of("mse((X + tanh(X*W1 + b1^T) + tanh((X + tanh(X*W1 + b1^T))*W2 + b2^T))*W3, Y)") ==
          "Z_1 A_1 H_1 Z_2 A_2 \\hat{y} ");
    // Read twice by one node (X*W - Y squared as a product): one reader, no name. Read by an
    // activation and another node: Z_1 as before.
    CHECK(names_of("sum((X*W - Y) .* (X*W - Y))") == "");
    CHECK(names_of("mean(exp(X*w + b) - Y .* (X*w + b))") == "Z_1 \\hat{y} ");
    // Numbered from the input, in the order of ctgrad's graph.
    CHECK(names_of("sum((X + X*W)*V + (X + X*W) + ((X + X*W)*V + (X + X*W))*U)") == "H_1 H_2 ");
}

TEST_CASE("Claims are typed against the formula's dimensions and may use n and the intermediates", "[cli][shapes]") {
    const typed_formula t = typed(board, "W2=H,1");
    const typed_claim c = infer_claim_shapes(t, parse("A1^T * ((2/n * (yhat - Y)) .* (1 - tanh(Z2)^2))"), name_intermediates(t));
    const auto& top = c.nodes[static_cast<std::size_t>(c.source.root)];
    CHECK(t.shape_text(top.rows, top.cols) == "(H x 1)");
    CHECK_THROWS_AS(infer_claim_shapes(t, parse("Z3"), name_intermediates(t)), input_error);
}

TEST_CASE("The program declares every variable with its sizes and builds the formula with the library",
          "[cli][program]") {
    const typed_formula t = typed(board, "X=n,d W1=d,H b1=H W2=H,1 b2=1 Y=n,1");
    const std::string code = formula_code(t);
    CHECK(code.find("ctgrad::matrix<\"X\", ctgrad::dynamic, 3> v_X{};") != std::string::npos);
    CHECK(code.find("ctgrad::matrix<\"W_1\", 3, 4> v_W_1{};") != std::string::npos);
    CHECK(code.find("ctgrad::matrix<\"b_2\", 1, 1> v_b_2{};") != std::string::npos);
    CHECK(code.find("ctgrad::mse(") != std::string::npos);
    CHECK(code.find("ctgrad::relu(") != std::string::npos);
    CHECK(code.find("inline constexpr auto loss = ") != std::string::npos);
    // The support code is embedded, so a program needs nothing but ctgrad.
    CHECK(derive_program(t, {"W_1"}).find("namespace ctgrad_gen") != std::string::npos);
}

TEST_CASE("Every lecture formula types as a 1x1 loss", "[cli][lecture]") {
    for (const auto& f : lecture_formulas()) {
        INFO(f.name);
        const typed_formula t = typed(f.formula, f.dims);
        CHECK(t.is_scalar(t.source.root));
    }
    CHECK(find_lecture("board") != nullptr);
    CHECK(find_lecture("deep100")->formula.find("W100") != std::string::npos);
}

TEST_CASE("Program keys change with the program's text and nothing else", "[cli][cache]") {
    toolchain tools;
    tools.compiler = "/nonexistent/c++";
    tools.ctgrad_include = "/nonexistent";
    CHECK(program_key(tools, "a") == program_key(tools, "a"));
    CHECK(program_key(tools, "a") != program_key(tools, "b"));
    CHECK(program_key(tools, "a").size() == 32);
}

#endif  // __has_include("generator.hpp")
