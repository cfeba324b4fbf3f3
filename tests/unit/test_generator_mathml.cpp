// LaTeX to MathML (generator/lib/mathml.cpp): the subset ctgrad prints, exactly, and an error for
// anything else. The page as a whole is rendered by Chromium in cli.html_chromium_*.
#if __has_include("generator.hpp")

#include <catch2/catch.hpp>

#include <string>

#include "generator.hpp"
#include "mathml.hpp"

using namespace ctgrad::gen;

namespace {

/// The MathML inside <math ...>...</math>.
std::string inner(const std::string& latex) {
    const std::string m = mathml(latex, false);
    return m.substr(m.find('>') + 1, m.size() - m.find('>') - 1 - 7);
}

}  // namespace

TEST_CASE("mathml: fractions, scripts, hats and operator names as ctgrad writes them", "[generator][mathml]") {
    CHECK(inner("\\frac{\\partial L}{\\partial \\hat{y}}") ==
          "<mfrac><mrow><mi>∂</mi><mi>L</mi></mrow><mrow><mi>∂</mi><mover accent=\"true\"><mi>y</mi><mo>^</mo></mover>"
          "</mrow></mfrac>");
    CHECK(inner("b_1^{T}") == "<msubsup><mi>b</mi><mn>1</mn><mi>T</mi></msubsup>");
    CHECK(inner("\\operatorname{ReLU}(Z_1)") ==
          "<mrow><mi mathvariant=\"normal\">ReLU</mi><mo stretchy=\"false\">(</mo><msub><mi>Z</mi><mn>1</mn></msub>"
          "<mo stretchy=\"false\">)</mo></mrow>");
    CHECK(inner("W := W - \\eta") == "<mrow><mi>W</mi><mo>≔</mo><mi>W</mi><mo>−</mo><mi>η</mi></mrow>");
    CHECK(inner("\\sum_{j=1}^{n} x") ==
          "<mrow><munderover><mo largeop=\"true\" movablelimits=\"false\">∑</mo><mrow><mi>j</mi><mo>=</mo><mn>1</mn></mrow>"
          "<mi>n</mi></munderover><mi>x</mi></mrow>");
    CHECK(inner("\\left(a\\right)^{T}") ==
          "<msup><mrow><mo stretchy=\"true\">(</mo><mi>a</mi><mo stretchy=\"true\">)</mo></mrow><mi>T</mi></msup>");
    CHECK(inner("\\text{ is row } j") == "<mrow><mtext>\xc2\xa0is row\xc2\xa0</mtext><mi>j</mi></mrow>");
    CHECK(inner("x < 1 \\odot y") == "<mrow><mi>x</mi><mo>&lt;</mo><mn>1</mn><mo>⊙</mo><mi>y</mi></mrow>");
}

TEST_CASE("mathml: an aligned block is a table of its rows; unknown LaTeX is an error", "[generator][mathml]") {
    CHECK(inner("\\begin{aligned}\na &= b \\\\\n&= c\n\\end{aligned}") ==
          "<mtable displaystyle=\"true\"><mtr><mtd><mi>a</mi></mtd><mtd><mrow><mo>=</mo><mi>b</mi></mrow></mtd></mtr>"
          "<mtr><mtd><mrow></mrow></mtd><mtd><mrow><mo>=</mo><mi>c</mi></mrow></mtd></mtr></mtable>");
    CHECK_THROWS_AS(mathml("\\unknowncommand{x}", false), tool_error);
    CHECK_THROWS_AS(mathml("\\frac{a}{b", false), tool_error);
    CHECK_THROWS_AS(mathml("a}", false), tool_error);
}

TEST_CASE("markdown_to_xhtml: prose escaped, $math$ and $$ blocks as MathML, code as pre", "[generator][mathml]") {
    const std::string x = markdown_to_xhtml("## A & B\n\nLet $x$ be <small>.\n\n$$\nx^2\n$$\n\n```\nrun 'a'\n```\n");
    CHECK(x == "<h2>A &amp; B</h2>\n<p>Let <math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>x</mi></math> be "
               "&lt;small&gt;.</p>\n<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\"><msup><mi>x</mi>"
               "<mn>2</mn></msup></math>\n<pre>run 'a'\n</pre>\n");
    const std::string page = html_page("T <1>", x, "ru");
    CHECK(page.rfind("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"ru\"", 0) == 0);
    CHECK(page.find("<title>T &lt;1&gt;</title>") != std::string::npos);
    CHECK(page.find("<script") == std::string::npos);
}

#endif  // __has_include("generator.hpp")
