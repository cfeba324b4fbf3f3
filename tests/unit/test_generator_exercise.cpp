// ctgrad-gen exercise: the variants (deterministic per seed, distinct, from the lecture's family),
// the exercise sheet against a golden file, and end to end one variant whose solution ctgrad
// derives and whose model answer check --steps accepts (two programs).
#if __has_include("generator.hpp")

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "generator.hpp"
#include "latex_support.hpp"

namespace {

using namespace ctgrad::gen;

std::vector<exercise_item> items_of(const std::vector<net_variant>& variants) {
    std::vector<exercise_item> out;
    for (const auto& v : variants) out.push_back(exercise_of(v));
    return out;
}

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("exercise variants: the lecture's family, distinct, the same for the same seed", "[generator][exercise]") {
    CHECK(variant_family_size() == 105);  // 1 to 3 layers, 4 activations, MSE or BCE after a sigmoid
    const auto a = draw_variants(30, 7), b = draw_variants(30, 7), c = draw_variants(30, 8);
    REQUIRE(a.size() == 30);
    std::set<std::string> formulas;
    for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].formula == b[i].formula);
        formulas.insert(a[i].formula);
        CHECK(!a[i].activations.empty());
        CHECK(a[i].activations.size() <= 3);
        if (a[i].bce) CHECK(a[i].activations.back() == function_kind("sigmoid"));
    }
    CHECK(formulas.size() == 30);
    bool differs = false;
    for (std::size_t i = 0; i < a.size(); ++i) differs = differs || a[i].formula != c[i].formula;
    CHECK(differs);
    // All 105 exist and can be drawn.
    CHECK(draw_variants(105, 1).size() == 105);
}

TEST_CASE("exercise sheet at seed 7 with 3 variants matches its golden Markdown", "[generator][exercise]") {
    const sheet s = exercise_sheet(items_of(draw_variants(3, 7)), "Gradients of small nets (3 variants, seed 7)", language::en);
    ctgrad_test::check_golden("exercise_board_seed7.md", sheet_markdown(s));
    const sheet ru = exercise_sheet(items_of(draw_variants(3, 7)), "Варианты", language::ru);
    const std::string md = sheet_markdown(ru);
    CHECK_THAT(md, Catch::Contains("## Вариант 3\n"));
    CHECK_THAT(md, Catch::Contains("скорость обучения"));
    CHECK_THAT(sheet_latex(ru, language::ru), Catch::Contains("\\usepackage[russian]{babel}"));
    CHECK_THAT(sheet_html(ru, "Варианты", language::ru), Catch::Contains("<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"ru\""));
}

TEST_CASE("exercise board: the solution is ctgrad's derivation and its steps file is a correct model answer", "[cli][exercise]") {
    const environment env{toolchain::configured(), CTGRAD_GEN_TEST_CACHE};
    const std::filesystem::path dir = std::filesystem::path(CTGRAD_GEN_TEST_CACHE).parent_path() / "exercise-test";
    std::filesystem::remove_all(dir);
    request r;
    r.command = "exercise";
    r.formula = "board";
    r.has_formula = true;
    r.variants = "1";
    r.has_variants = true;
    r.seed = "154";  // a three-layer net with BCE, ReLU and tanh
    r.has_seed = true;
    r.out = dir.string();
    r.has_out = true;
    r.lang = "ru";
    const outcome o = run(r, env);
    INFO(o.out << o.err);
    REQUIRE(o.exit_code == 0);
    const std::string solutions = read(dir / "solutions.md");
    CHECK_THAT(solutions, Catch::Contains("Прямой проход:"));
    CHECK_THAT(solutions, Catch::Contains("\\frac{\\partial L}{\\partial W_3}"));
    // pdflatex is installed where the tests run (.ci/install-deps): both sheets become PDFs.
    CHECK(std::filesystem::exists(dir / "exercises.pdf"));
    CHECK(std::filesystem::exists(dir / "solutions.pdf"));

    const std::string steps = read(dir / "variant-1.steps");
    REQUIRE(!steps.empty());
    request c;
    c.command = "check";
    c.formula = "bce(sigmoid(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T)*W3 + b3^T), Y)";
    c.has_formula = true;
    c.dims = "X=n,d W1=d,H b1=H W2=H,K b2=K W3=K,1 b3=1 Y=n,1";
    c.steps_text = steps;
    c.has_steps = true;
    CHECK_THAT(steps, Catch::Contains("check '" + c.formula + "' --dims '" + c.dims + "'"));
    const outcome checked = run(c, env);
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
    CHECK_THAT(checked.out, Catch::EndsWith("all 12 lines are correct\n"));
}

#endif  // __has_include("generator.hpp")
