// ctgrad-gen check --steps: reading a hand derivation, judging each line (the diagnoses on made-up
// numbers, without compiling), and end to end on the lecture's board exercise with the steps
// files of examples/steps (three programs, compiled once per build directory).
#if __has_include("generator.hpp")

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "generator.hpp"

namespace {

using namespace ctgrad::gen;

const std::string board = "mse(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T), Y)";
const std::string board_dims = "X=n,d W1=d,H b1=H W2=H,1 b2=1 Y=n,1";

typed_formula board_typed(const std::string& dims = board_dims) {
    request r;
    r.dims = dims;
    return type_formula(board, r);
}

values matrix_of(long rows, long cols, std::vector<double> v) { return {rows, cols, std::move(v)}; }

/// Two draws of a made-up truth for line 0 with the given claim values.
program_values one_line(const std::vector<values>& truth, const std::vector<values>& claim) {
    program_values pv;
    pv.draws = static_cast<int>(truth.size());
    pv.by_tag[{'T', 0, 0}] = truth;
    pv.by_tag[{'C', 0, 0}] = claim;
    return pv;
}

std::vector<values> scaled(const std::vector<values>& m, double s) {
    std::vector<values> out = m;
    for (auto& x : out) {
        for (double& v : x.v) v *= s;
    }
    return out;
}

outcome check_steps(const std::string& steps_file, const std::string& format = "", const std::string& lang = "") {
    request r;
    r.command = "check";
    r.formula = board;
    r.has_formula = true;
    r.dims = board_dims;
    r.steps = steps_file;
    r.has_steps = true;
    r.format = format;
    r.lang = lang;
    return run(r, {toolchain::configured(), CTGRAD_GEN_TEST_CACHE});
}

const std::string examples = std::string(CTGRAD_GOLDEN_DIR) + "/../../examples/steps/";

}  // namespace

TEST_CASE("parse_steps reads dL/dV = ... and dV = ... lines, skipping comments", "[generator][steps]") {
    const auto steps = parse_steps("# a comment\n\ndL/dZ2 = dL/dyhat .* (1 - yhat^2)\r\n  dW2 = A1^T * dZ2\n");
    REQUIRE(steps.size() == 2);
    CHECK(steps[0].line == 3);
    CHECK(steps[0].quantity == "Z2");
    // dL/dyhat in a claim reads as dyhat, padded so carets still point into the line as written
    CHECK(steps[0].claim == " dyhat    .* (1 - yhat^2)");
    CHECK(steps[0].text.substr(steps[0].claim_at) == " dL/dyhat .* (1 - yhat^2)");
    CHECK(steps[1].line == 4);
    CHECK(steps[1].quantity == "W2");
    CHECK_THROWS_WITH(parse_steps("W2 = A1^T\n"), Catch::Contains("line 1: a step starts with dL/dV or dV"));
    CHECK_THROWS_WITH(parse_steps("dL/dW2 A1\n"), Catch::Contains("line 1: expected `dL/dV = <expression>`"));
    CHECK_THROWS_WITH(parse_steps("# only a comment\n"), Catch::Contains("has no step"));
}

TEST_CASE("plan_steps resolves quantities, d-names of earlier lines, and a misfit claim's transposes", "[generator][steps]") {
    const typed_formula t = board_typed();
    const auto plans = plan_steps(t, parse_steps("dZ2 = (yhat - Y)\ndW2 = A1 * dZ2\ndZ3 = Z2\ndW1 = X^T * dZ2\n"));
    REQUIRE(plans.size() == 4);
    CHECK(plans[0].name == "Z2");
    CHECK(plans[0].activation_name == "yhat");  // dL/dZ2 meets tanh(Z2) first
    CHECK(plans[0].preactivation_name == "Z2");
    // A1 (n x H) * dZ2 (n x 1) does not fit; A1^T in place of A1 gives W2's shape
    CHECK(!plans[1].claim);
    CHECK_THAT(plans[1].misfit, Catch::Contains("cannot multiply A1 (n x H) by dZ2 (n x 1)"));
    REQUIRE(plans[1].repairs.size() == 1);
    CHECK(plans[1].repairs[0].from == "A1");
    CHECK(plans[1].repairs[0].to == "A1^T");
    CHECK(plans[2].target < 0);  // no Z3 in this derivation
    // X^T (d x n) * dZ2 (n x 1) is (d x 1): it types, W1 is (d x H)
    REQUIRE(plans[3].claim);
    CHECK(plans[3].activation_name == "A1");
    // a d-name not defined on an earlier line is an unknown name, an input error
    CHECK_THROWS_WITH(plan_steps(t, parse_steps("dW2 = A1^T * dZ2\n")), Catch::Contains("line 1: the claim uses 'dZ2'"));
}

TEST_CASE("judge finds a constant factor, a flipped sign, a transpose and the largest difference", "[generator][steps]") {
    const typed_formula t = board_typed();
    const auto plans = plan_steps(t, parse_steps("dyhat = 2/n * (yhat - Y)\n"));
    const std::vector<values> truth{matrix_of(2, 1, {1.5, -0.25}), matrix_of(2, 1, {0.5, 2})};

    verdict v = judge(t, plans, 0, one_line(truth, scaled(truth, 0.5)));
    CHECK(v.kind == verdict::wrong);
    CHECK(v.finding == verdict::constant_factor);
    CHECK(v.factor_text == "1/2");
    CHECK(diagnosis_text(v, language::en, "dL/dyhat", "") ==
          "the claim is 1/2× dL/dyhat at every entry: a lost factor 2?");
    CHECK(v.hint.empty());  // every size was named with --dims

    v = judge(t, plans, 0, one_line(truth, scaled(truth, -1)));
    CHECK(v.finding == verdict::sign);
    CHECK(diagnosis_text(v, language::ru, "dL/dyhat", "") == "утверждение равно −dL/dyhat в каждом элементе: перепутан знак");

    v = judge(t, plans, 0, one_line(truth, truth));
    CHECK(v.kind == verdict::correct);
    CHECK(v.finding == verdict::numeric);

    std::vector<values> off = truth;
    off[1].v[1] = 3;
    v = judge(t, plans, 0, one_line(truth, off));
    CHECK(v.finding == verdict::largest_difference);
    CHECK(v.draw == 2);
    CHECK(v.row == 1);
    CHECK(v.claimed == 3);
    CHECK(v.derived == 2);

    // A square quantity (here made up: a 2 x 2 truth) whose claim is its transpose.
    const std::vector<values> square{matrix_of(2, 2, {1, 2, 3, 4})};
    v = judge(t, plans, 0, one_line(square, {matrix_of(2, 2, {1, 3, 2, 4})}));
    CHECK(v.finding == verdict::transpose);
}

TEST_CASE("judge: a constant factor that is a size inference left free suggests --dims", "[generator][steps]") {
    // Without --dims, Y gets K columns and mse divides by n K: a claim written with 2/n is K times
    // ctgrad's value.
    const typed_formula t = board_typed("");
    const auto plans = plan_steps(t, parse_steps("dyhat = 2/n * (yhat - Y)\n"));
    int K = 0;
    for (const auto& var : t.variables) {
        if (var.written == "Y") K = t.dim(var.cols).size;
    }
    REQUIRE(K > 1);
    const std::vector<values> truth{matrix_of(1, 2, {1, 2})};
    const verdict v = judge(t, plans, 0, one_line(truth, scaled(truth, K)));
    CHECK(v.finding == verdict::constant_factor);
    CHECK(v.hint == "Y has K columns here (K = " + std::to_string(K) +
                        " in the random draws: no --dims named the size); if Y is one column, use --dims 'Y=n,1'");
    CHECK(diagnosis_text(v, language::en, "dL/dyhat", "") ==
          "the claim is " + std::to_string(K) + "× dL/dyhat at every entry: " + v.hint);
    CHECK(diagnosis_text(v, language::ru, "dL/dyhat", "") ==
          "утверждение равно " + std::to_string(K) + "× dL/dyhat в каждом элементе: у Y здесь K столбцов (K = " +
              std::to_string(K) + " в случайных наборах: размер не задан в --dims); если у Y один столбец, укажите "
                                  "--dims 'Y=n,1'");
}

TEST_CASE("judge: an activation derivative removed or exchanged, and a lost transpose", "[generator][steps]") {
    const typed_formula t = board_typed();
    auto plans = plan_steps(t, parse_steps("dZ1 = Z1\ndW2 = A1 * Z2\n"));
    const std::vector<values> truth{matrix_of(1, 2, {1, 2})}, other{matrix_of(1, 2, {5, 7})};
    program_values pv = one_line(truth, other);
    // The candidates in the order of activation_candidates: identity (removed), relu, tanh, ...
    pv.by_tag[{'A', 0, 0}] = {matrix_of(1, 2, {4, 4})};
    pv.by_tag[{'A', 0, 2}] = other;  // tanh'(Z1) in place of ReLU'(Z1)
    verdict v = judge(t, plans, 0, pv);
    CHECK(v.finding == verdict::activation_swapped);
    CHECK(diagnosis_text(v, language::en, "dL/dZ1", "") ==
          "the claim is dL/dZ1 with tanh'(Z1) in place of ReLU'(Z1): the wrong activation derivative");
    pv.by_tag[{'A', 0, 0}] = other;
    v = judge(t, plans, 0, pv);
    CHECK(v.finding == verdict::activation_removed);
    CHECK(diagnosis_text(v, language::en, "dL/dZ1", "") ==
          "the claim is dL/dZ1 without the factor ReLU'(Z1): a missing activation derivative");

    program_values misfit;
    misfit.draws = 1;
    misfit.by_tag[{'T', 1, 0}] = truth;
    misfit.by_tag[{'R', 1, 0}] = truth;
    v = judge(t, plans, 1, misfit);
    CHECK(v.kind == verdict::wrong_shape);
    CHECK(v.finding == verdict::lost_transpose);
    CHECK_THAT(diagnosis_text(v, language::en, "dL/dW2", ""),
               Catch::EndsWith("(dL/dW2 is (H x 1)); with A1^T in place of A1 the claim equals dL/dW2: a lost transpose"));
}

TEST_CASE("read_program_values reads the check program's protocol, nan included", "[generator][steps]") {
    const program_values pv = read_program_values("X 0 A₁ᵀ ∂L/∂Z₂\nS 0 1\nD 1\nT 0 0 2 1 1.5 -2\nC 0 0 2 1 nan 3\nN 4\n");
    CHECK(pv.draws == 1);
    CHECK(pv.text.at(0) == "A₁ᵀ ∂L/∂Z₂");
    CHECK(pv.symbolic.at(0));
    REQUIRE(pv.find('C', 0) != nullptr);
    CHECK(std::isnan(pv.find('C', 0)->at(0).v[0]));
    CHECK(pv.unnamed == std::vector<std::size_t>{4});
    CHECK_THROWS_AS(read_program_values("T 0 0 2 2 1 2 3\n"), tool_error);
}

// ---- end to end: each steps file is one program ----------------------------------------------

TEST_CASE("check --steps: ctgrad's own board derivation, written as steps, is correct line by line", "[cli][check][steps]") {
    const outcome o = check_steps(examples + "board.steps");
    INFO(o.out << o.err);
    CHECK(o.exit_code == 0);
    CHECK(o.out.find("line 5, dL/dyhat: correct\n") != std::string::npos);
    CHECK(o.out.find("line 12, dL/db1: correct\n") != std::string::npos);
    CHECK_THAT(o.out, Catch::EndsWith("all 8 lines are correct\n"));
}

TEST_CASE("check --steps: the lecture's slide solution is diagnosed as lost transposes", "[cli][check][steps]") {
    const outcome o = check_steps(examples + "board_slide.steps");
    INFO(o.out << o.err);
    CHECK(o.exit_code == 1);
    CHECK_THAT(o.out, Catch::Contains("line 8, dL/dW2: wrong shape: cannot multiply A1 (n x H) by dZ2 (n x 1)"));
    CHECK_THAT(o.out, Catch::Contains("with A1^T in place of A1 the claim equals dL/dW2: a lost transpose\n"));
    CHECK_THAT(o.out, Catch::Contains("with X^T in place of X the claim equals dL/dW1: a lost transpose\n"));
    CHECK(o.out.find("line 10, dL/dZ1: correct\n") != std::string::npos);
    CHECK_THAT(o.out, Catch::EndsWith("first wrong line: 8 (dL/dW2 = A1 * dL/dZ2)\n"));
}

TEST_CASE("check --steps: one planted mistake of each kind, in text, JSON and Russian", "[cli][check][steps]") {
    const std::string file = examples + "board_mistakes.steps";
    const outcome o = check_steps(file);
    INFO(o.out << o.err);
    CHECK(o.exit_code == 1);
    for (const char* expected : {
             "line 3, dL/dyhat: correct\n",
             "line 4, dL/dyhat: wrong: the claim is 1/2× dL/dyhat at every entry: a lost factor 2?\n",
             "line 5, dL/dyhat: wrong: the claim is -dL/dyhat at every entry: a flipped sign\n",
             "line 6, dL/dZ2: wrong: the claim is dL/dZ2 with sigmoid'(Z2) in place of tanh'(Z2): the wrong activation "
             "derivative\n",
             "line 7, dL/dW2: wrong shape: cannot multiply A1 (n x H) by dZ2 (n x 1)",
             "line 8, dL/db2: correct\n",
             "line 9, dL/dA1: wrong shape: the claim is (H x n), but dL/dA1 is (n x H): the claim is the transpose of dL/dA1\n",
             "line 10, dL/dZ1: wrong: the claim is dL/dZ1 without the factor ReLU'(Z1): a missing activation derivative\n",
             "line 11, dL/dW1: correct\n",
             "line 12, dL/db1: wrong: the largest difference is at entry (",
             "line 13, dL/dZ3: not a quantity of this derivation: this derivation's quantities are Z1, A1, Z2, yhat,",
             "  ctgrad: dL/dW2 = A₁ᵀ ∂L/∂Z₂\n",
         }) {
        CHECK_THAT(o.out, Catch::Contains(expected));
    }
    CHECK_THAT(o.out, Catch::EndsWith("first wrong line: 4 (dL/dyhat = 1/n * (yhat - Y))\n"));

    // The same program (from the cache) for an autograder: one JSON object per line, then a summary.
    const outcome json = check_steps(file, "json");
    CHECK(json.exit_code == 1);
    std::istringstream lines(json.out);
    std::vector<std::string> objects;
    for (std::string line; std::getline(lines, line);) objects.push_back(line);
    REQUIRE(objects.size() == 12);
    CHECK(objects[1] == "{\"line\": 4, \"quantity\": \"yhat\", \"claim\": \"1/n * (yhat - Y)\", \"verdict\": \"wrong\", "
                        "\"diagnosis\": \"constant factor\", \"factor\": 0.5, \"shape\": \"(n x 1)\", \"claim_shape\": "
                        "\"(n x 1)\", \"message\": \"the claim is 1/2× dL/dyhat at every entry: a lost factor 2?\", "
                        "\"ctgrad\": \"(2/n) (tanh(ReLU(X W₁ + b₁ᵀ) W₂ + b₂ᵀ) - Y)\"}");
    CHECK_THAT(objects[4], Catch::StartsWith("{\"line\": 7, \"quantity\": \"W2\", \"claim\": \"A1 * dZ2\", \"verdict\": "
                                             "\"wrong shape\", \"diagnosis\": \"lost transpose\""));
    CHECK(objects[11] == "{\"lines\": 11, \"correct\": 3, \"first_wrong_line\": 4}");

    const outcome ru = check_steps(file, "", "ru");
    CHECK(ru.exit_code == 1);
    CHECK_THAT(ru.out, Catch::Contains("строка 3, dL/dyhat: верно\n"));
    CHECK_THAT(ru.out, Catch::Contains("строка 4, dL/dyhat: неверно: утверждение равно 1/2× dL/dyhat в каждом элементе: "
                                       "потерян множитель 2?\n"));
    CHECK_THAT(ru.out, Catch::Contains("строка 13, dL/dZ3: не величина этого вывода"));
    CHECK_THAT(ru.out, Catch::EndsWith("первая неверная строка: 4 (dL/dyhat = 1/n * (yhat - Y))\n"));
}

#endif  // __has_include("generator.hpp")
