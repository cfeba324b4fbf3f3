// ctgrad/svg.hpp: the SVG line plot is well-formed XML and draws every series it is given.
#include <ctgrad/svg.hpp>

#include <catch2/catch.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// A small XML well-formedness check, written for these tests: tags nest and close in order,
// attributes are name="value", text holds no raw '<' and every '&' starts an entity.
// Returns an empty string when the document is well formed, else what is wrong.
std::string xml_problem(const std::string& doc) {
    std::vector<std::string> open;
    std::size_t i = 0;
    auto entity_ok = [&](std::size_t at) {
        for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
            if (doc.compare(at, std::string(e).size(), e) == 0) return true;
        }
        return false;
    };
    bool root_seen = false;
    while (i < doc.size()) {
        if (doc[i] == '&' && !entity_ok(i)) return "a raw '&' at " + std::to_string(i);
        if (doc[i] == '>') return "a raw '>' in text at " + std::to_string(i);
        if (doc[i] != '<') {
            if (open.empty() && !std::isspace(static_cast<unsigned char>(doc[i]))) return "text outside the root";
            ++i;
            continue;
        }
        if (doc.compare(i, 5, "<?xml") == 0) {
            const std::size_t end = doc.find("?>", i);
            if (end == std::string::npos || i != 0) return "a bad XML declaration";
            i = end + 2;
            continue;
        }
        const std::size_t end = doc.find('>', i);
        if (end == std::string::npos) return "an unclosed tag at " + std::to_string(i);
        std::string tag = doc.substr(i + 1, end - i - 1);
        i = end + 1;
        if (!tag.empty() && tag[0] == '/') {
            const std::string name = tag.substr(1);
            if (open.empty() || open.back() != name) return "</" + name + "> closes nothing open";
            open.pop_back();
            continue;
        }
        const bool self_closing = !tag.empty() && tag.back() == '/';
        if (self_closing) tag.pop_back();
        std::size_t k = 0;
        while (k < tag.size() && !std::isspace(static_cast<unsigned char>(tag[k]))) ++k;
        const std::string name = tag.substr(0, k);
        if (name.empty()) return "a tag without a name";
        // Attributes: name="value" pairs separated by spaces.
        while (k < tag.size()) {
            while (k < tag.size() && std::isspace(static_cast<unsigned char>(tag[k]))) ++k;
            if (k == tag.size()) break;
            const std::size_t eq = tag.find('=', k);
            if (eq == std::string::npos || eq + 1 >= tag.size() || tag[eq + 1] != '"') return "a bad attribute in <" + name;
            const std::size_t close = tag.find('"', eq + 2);
            if (close == std::string::npos) return "an unterminated attribute in <" + name;
            const std::string value = tag.substr(eq + 2, close - eq - 2);
            if (value.find('<') != std::string::npos) return "a '<' inside an attribute of <" + name;
            for (std::size_t a = value.find('&'); a != std::string::npos; a = value.find('&', a + 1)) {
                const std::string rest = value.substr(a);
                if (rest.rfind("&amp;", 0) && rest.rfind("&lt;", 0) && rest.rfind("&gt;", 0) && rest.rfind("&quot;", 0) &&
                    rest.rfind("&apos;", 0)) {
                    return "a raw '&' in an attribute of <" + name;
                }
            }
            k = close + 1;
        }
        if (open.empty()) {
            if (root_seen) return "a second root element <" + name;
            root_seen = true;
        }
        if (!self_closing) open.push_back(name);
    }
    if (!open.empty()) return "<" + open.back() + "> is never closed";
    if (!root_seen) return "no root element";
    return {};
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// The number of points in each <polyline points="..."> of the document, in order.
std::vector<std::size_t> polyline_sizes(const std::string& doc) {
    std::vector<std::size_t> sizes;
    const std::string key = "<polyline points=\"";
    for (std::size_t at = doc.find(key); at != std::string::npos; at = doc.find(key, at + 1)) {
        const std::size_t start = at + key.size();
        const std::string points = doc.substr(start, doc.find('"', start) - start);
        sizes.push_back(count_of(points, ",") );
    }
    return sizes;
}

}  // namespace

TEST_CASE("a line plot with several series is well-formed SVG with one curve and one legend entry each", "[svg]") {
    ctgrad::line_plot plot("f and its fit");
    plot.x_label("x").y_label("y");
    std::vector<double> x, y1, y2;
    for (int i = 0; i <= 100; ++i) {
        x.push_back(i / 100.0);
        y1.push_back(std::sin(6 * x.back()));
        y2.push_back(0.5 * x.back());
    }
    plot.add("sin(6x)", x, y1).add({"x/2", x, y2, "black", 1.0, true});
    const std::string svg = plot.str();

    CHECK(xml_problem(svg).empty());
    CAPTURE(xml_problem(svg));
    CHECK(svg.rfind("<?xml", 0) == 0);
    CHECK(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
    CHECK(count_of(svg, "<g class=\"series\"") == 2);
    CHECK(svg.find("data-name=\"sin(6x)\"") != std::string::npos);
    CHECK(svg.find(">sin(6x)</text>") != std::string::npos);  // legend entry
    CHECK(svg.find(">x/2</text>") != std::string::npos);
    CHECK(svg.find("stroke-dasharray") != std::string::npos);
    CHECK(svg.find(">f and its fit</text>") != std::string::npos);
    CHECK(polyline_sizes(svg) == std::vector<std::size_t>{101, 101});
}

TEST_CASE("a log-scale plot leaves out non-positive values, breaks the line there and ticks each decade", "[svg]") {
    ctgrad::line_plot plot;
    plot.log_y();
    plot.add("norm", {1, 2, 3, 4, 5, 6}, {1e-3, 1e-2, 0.0, 1e-1, -1.0, 1.0});
    const std::string svg = plot.str();
    CHECK(xml_problem(svg).empty());
    CHECK(polyline_sizes(svg) == std::vector<std::size_t>{2, 1, 1});
    for (const char* decade : {">-3</tspan>", ">-2</tspan>", ">-1</tspan>", ">0</tspan>"}) {
        CAPTURE(decade);
        CHECK(svg.find(decade) != std::string::npos);
    }
}

TEST_CASE("a line plot escapes XML characters in names and skips points that are not finite", "[svg]") {
    ctgrad::line_plot plot("<L> & \"loss\"");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    plot.add("a < b & c", {0, 1, 2, 3}, {0, nan, 2, 3});
    const std::string svg = plot.str();
    CHECK(xml_problem(svg).empty());
    CHECK(svg.find("a &lt; b &amp; c") != std::string::npos);
    CHECK(svg.find("&lt;L&gt; &amp; &quot;loss&quot;") != std::string::npos);
    CHECK(polyline_sizes(svg) == std::vector<std::size_t>{1, 2});
}

TEST_CASE("a line plot puts its legend in the corner asked, or leaves it out", "[svg]") {
    ctgrad::line_plot plot;
    plot.size(400, 300).add("only", {0, 1}, {0, 1});
    auto legend_x = [&] {
        const std::string svg = plot.str();
        const std::size_t at = svg.find("<g class=\"legend\">\n<rect x=\"");
        return at == std::string::npos ? -1.0 : std::stod(svg.substr(at + 28));
    };
    const double right = legend_x();
    plot.legend(ctgrad::legend_position::bottom_left);
    const double left = legend_x();
    CHECK(left > 0);
    CHECK(left < right);
    plot.legend(ctgrad::legend_position::none);
    CHECK(legend_x() < 0);
    CHECK(plot.str().find(">only</text>") == std::string::npos);
}

TEST_CASE("line_plot rejects a series whose x and y differ in length and saves what str returns", "[svg]") {
    ctgrad::line_plot plot;
    CHECK_THROWS_AS(plot.add("bad", {0, 1}, {0}), std::invalid_argument);
    plot.add("ok", {0, 1}, {0, 1});
    const std::string path = "ctgrad_test_svg_plot.svg";
    plot.save(path);
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    CHECK(text.str() == plot.str());
    std::remove(path.c_str());
    CHECK_THROWS_AS(plot.save("/nonexistent-directory/plot.svg"), std::runtime_error);
}

TEST_CASE("the xml checker used by the svg tests rejects broken documents", "[svg]") {
    CHECK_FALSE(xml_problem("<svg><g></svg>").empty());
    CHECK_FALSE(xml_problem("<svg><text>a & b</text></svg>").empty());
    CHECK_FALSE(xml_problem("<svg x=1></svg>").empty());
    CHECK_FALSE(xml_problem("<svg></svg><svg></svg>").empty());
    CHECK(xml_problem("<?xml version=\"1.0\"?>\n<svg a=\"&amp;\"><g/></svg>\n").empty());
}
