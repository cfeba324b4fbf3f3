// Exercise variants and sheets (see exercise.hpp).
#include "exercise.hpp"

#include <algorithm>
#include <random>
#include <set>

#include "diagnostic.hpp"
#include "mathml.hpp"

namespace ctgrad::gen {

namespace {

/// The activations of the exercise family (their kinds come from ctgrad's descriptors).
const std::vector<op>& family_activations() {
    static const std::vector<op> kinds{function_kind("relu"), function_kind("tanh"), function_kind("sigmoid"),
                                       function_kind("softplus")};
    return kinds;
}

/// The hidden sizes' names, layer by layer (the output is one column).
constexpr const char* hidden_sizes[] = {"H", "K"};

std::string call_name(op f) { return f == function_kind("relu") ? "ReLU" : std::string(info(f).builder); }

std::string latex_call(op f) {
    if (f == function_kind("relu")) return "\\operatorname{ReLU}";
    if (f == function_kind("tanh")) return "\\tanh";
    if (f == function_kind("sigmoid")) return "\\sigma";
    return "\\operatorname{softplus}";
}

/// f'(Z_k) as the lecture writes it, in the formula language: ReLU' = I{Z > 0} (step),
/// tanh' = 1 - A^2, sigmoid' = A (1 - A), softplus' = sigmoid(Z).
std::string derivative_claim(op f, const std::string& z, const std::string& a) {
    if (f == function_kind("relu")) return "step(" + z + ")";
    if (f == function_kind("tanh")) return "(1 - " + a + "^2)";
    if (f == function_kind("sigmoid")) return a + " .* (1 - " + a + ")";
    return "sigmoid(" + z + ")";
}

net_variant make_variant(std::vector<op> activations, bool bce) {
    net_variant v;
    v.activations = std::move(activations);
    v.bce = bce;
    const std::size_t layers = v.activations.size();
    std::string a = "X";
    std::string rows = "d";
    v.dims = "X=n,d";
    for (std::size_t k = 1; k <= layers; ++k) {
        const std::string K = std::to_string(k);
        const std::string cols = k == layers ? "1" : hidden_sizes[k - 1];
        a = call_name(v.activations[k - 1]) + "(" + a + "*W" + K + " + b" + K + "^T)";
        v.dims += " W" + K + "=" + rows + "," + cols + " b" + K + "=" + cols;
        v.wrt += std::string(v.wrt.empty() ? "" : ",") + "W" + K + ",b" + K;
        rows = cols;
    }
    v.dims += " Y=n,1";
    v.formula = std::string(bce ? "bce(" : "mse(") + a + ", Y)";
    return v;
}

}  // namespace

std::string net_variant::key() const { return formula; }

std::string net_variant::steps() const {
    const std::size_t layers = activations.size();
    const auto a_name = [&](std::size_t k) { return k == 0 ? std::string("X") : k == layers ? std::string("yhat") : "A" + std::to_string(k); };
    std::string out = "# The model answer, step by step (ctgrad-gen check '" + formula + "' --dims '" + dims +
                      "' --steps FILE)\n";
    out += bce ? "dL/dyhat = 1/n * (yhat - Y) / (yhat .* (1 - yhat))\n" : "dL/dyhat = 2/n * (yhat - Y)\n";
    for (std::size_t k = layers; k >= 1; --k) {
        const std::string K = std::to_string(k);
        const std::string z = "Z" + K, a = a_name(k);
        out += "dL/d" + z + " = d" + a + " .* " + derivative_claim(activations[k - 1], z, a) + "\n";
        out += "dL/dW" + K + " = " + a_name(k - 1) + "^T * d" + z + "\n";
        out += "dL/db" + K + " = column_sums(d" + z + ")^T\n";
        if (k > 1) out += "dL/d" + a_name(k - 1) + " = d" + z + " * W" + K + "^T\n";
    }
    return out;
}

std::size_t variant_family_size() {
    std::size_t total = 0, power = 1;
    for (std::size_t layers = 1; layers <= 3; ++layers) {
        total += power * 4 + power;  // MSE: any activations; BCE: the last one is sigmoid
        power *= 4;
    }
    return total;
}

std::vector<net_variant> draw_variants(std::size_t count, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    std::vector<net_variant> out;
    std::set<std::string> seen;
    // Rejection of repeats: with count at most the family's size, this ends (and quickly: the
    // family has 105 nets).
    while (out.size() < count) {
        const std::size_t layers = 1 + pick(3);
        const bool bce = pick(2) == 1;
        std::vector<op> activations;
        for (std::size_t k = 0; k < layers; ++k) activations.push_back(family_activations()[pick(4)]);
        if (bce) activations.back() = function_kind("sigmoid");
        net_variant v = make_variant(std::move(activations), bce);
        if (seen.insert(v.key()).second) out.push_back(std::move(v));
    }
    return out;
}

exercise_item exercise_of(const net_variant& v) {
    exercise_item e;
    e.formula = v.formula;
    const std::size_t layers = v.activations.size();
    std::string a = "X", rows = "d";
    e.sizes_latex = "X \\in \\mathbb{R}^{n \\times d}";
    for (std::size_t k = 1; k <= layers; ++k) {
        const std::string K = std::to_string(k);
        const std::string cols = k == layers ? "1" : hidden_sizes[k - 1];
        const std::string next = k == layers ? "\\hat{y}" : "A_" + K;
        e.forward_latex += "Z_" + K + " &= " + a + " W_" + K + " + b_" + K + "^{T} \\\\\n";
        e.forward_latex += next + " &= " + latex_call(v.activations[k - 1]) + "(Z_" + K + ") \\\\\n";
        e.sizes_latex += ", W_" + K + " \\in \\mathbb{R}^{" + rows + " \\times " + cols + "}, b_" + K + " \\in \\mathbb{R}^{" +
                         cols + "}";
        e.wrt.push_back("W_" + K);
        e.wrt.push_back("b_" + K);
        a = next;
        rows = cols;
    }
    e.forward_latex += std::string("L &= \\operatorname{") + (v.bce ? "BCE" : "MSE") + "}(\\hat{y}, Y)";
    e.sizes_latex += ", Y \\in \\mathbb{R}^{n}";
    return e;
}

sheet exercise_sheet(const std::vector<exercise_item>& items, const std::string& title, language l) {
    const bool ru = l == language::ru;
    sheet s;
    s.push_back({sheet_block::heading, title});
    s.push_back({sheet_block::paragraph,
                 ru ? "Для каждой сети выпишите прямой проход, найдите градиенты функции потерь $L$ по указанным "
                      "параметрам, идя от последнего слоя к первому (цепное правило), и запишите правила обновления "
                      "параметров в Stochastic Gradient Descent: $W := W - \\eta \\frac{\\partial L}{\\partial W}$. "
                      "Каждая строка $X$ — один элемент выборки, $n$ — размер батча, $\\eta$ — скорость обучения."
                    : "For each net, write the forward pass, find the gradients of the loss $L$ with respect to the "
                      "parameters asked for, from the last layer back to the first (the chain rule), and write the "
                      "Stochastic Gradient Descent update of each: $W := W - \\eta \\frac{\\partial L}{\\partial W}$. "
                      "Each row of $X$ is one example, $n$ is the batch size, $\\eta$ the learning rate."});
    for (std::size_t i = 0; i < items.size(); ++i) {
        const exercise_item& e = items[i];
        s.push_back({sheet_block::subheading, (ru ? "Вариант " : "Variant ") + std::to_string(i + 1)});
        if (!e.sizes_latex.empty()) {
            s.push_back({sheet_block::paragraph, (ru ? "Сеть и размеры: $" : "The net and its sizes: $") + e.sizes_latex + "$."});
        }
        if (!e.forward_latex.empty()) {
            s.push_back({sheet_block::display, "\\begin{aligned}\n" + e.forward_latex + "\n\\end{aligned}"});
        } else {
            s.push_back({sheet_block::paragraph, ru ? "Функция потерь и промежуточные величины:" : "The loss and its intermediates:"});
            s.push_back({sheet_block::code, e.forward_plain});
        }
        std::string asked;
        for (const auto& w : e.wrt) {
            asked += std::string(asked.empty() ? "" : ", ") + "$\\frac{\\partial L}{\\partial " + w + "}$";
        }
        s.push_back({sheet_block::paragraph,
                     (ru ? "Найдите " + asked + " и правила обновления этих параметров."
                         : "Find " + asked + " and the updates of these parameters.")});
    }
    return s;
}

std::string sheet_markdown(const sheet& s) {
    std::string out;
    for (const auto& b : s) {
        switch (b.kind) {
            case sheet_block::heading: out += "# " + b.text + "\n\n"; break;
            case sheet_block::subheading: out += "## " + b.text + "\n\n"; break;
            case sheet_block::paragraph: out += b.text + "\n\n"; break;
            case sheet_block::display: out += "$$\n" + b.text + "\n$$\n\n"; break;
            case sheet_block::code: out += "```\n" + b.text + (b.text.ends_with("\n") ? "" : "\n") + "```\n\n"; break;
            case sheet_block::derivation: out += b.text + "\n"; break;
        }
    }
    return out;
}

namespace {

/// Prose for LaTeX: the text between $...$ with TeX's special characters escaped.
std::string latex_prose(std::string_view text) {
    std::string out;
    bool math = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '$') math = !math;
        if (!math && c != '$' && std::string_view("&%#_{}").find(c) != std::string_view::npos) {
            out += '\\';
            out += c;
        } else if (!math && (c == '~' || c == '^')) {
            out += c == '~' ? "\\textasciitilde{}" : "\\textasciicircum{}";
        } else if (!math && c == '\\') {
            out += "\\textbackslash{}";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

std::string sheet_latex(const sheet& s, language l) {
    std::string out = "\\documentclass{article}\n";
    if (l == language::ru) out += "\\usepackage[T2A]{fontenc}\n\\usepackage[utf8]{inputenc}\n\\usepackage[russian]{babel}\n";
    out += "\\usepackage{amsmath,amssymb}\n\\usepackage[margin=2cm]{geometry}\n\\allowdisplaybreaks\n\\begin{document}\n";
    for (const auto& b : s) {
        switch (b.kind) {
            case sheet_block::heading: out += "\\section*{" + latex_prose(b.text) + "}\n\n"; break;
            case sheet_block::subheading: out += "\\subsection*{" + latex_prose(b.text) + "}\n\n"; break;
            case sheet_block::paragraph: out += latex_prose(b.text) + "\n\n"; break;
            case sheet_block::display: {
                // A whole derivation is an align* block already; anything else goes in \[ \].
                if (b.text.starts_with("\\begin{align*}")) {
                    out += "{\\small\n" + b.text + (b.text.ends_with("\n") ? "" : "\n") + "}\n\n";
                } else {
                    out += "\\[\n" + b.text + "\n\\]\n\n";
                }
                break;
            }
            case sheet_block::code: out += "\\begin{verbatim}\n" + b.text + (b.text.ends_with("\n") ? "" : "\n") + "\\end{verbatim}\n\n"; break;
            case sheet_block::derivation: out += "{\\small\n" + b.latex + "}\n\n"; break;
        }
    }
    return out + "\\end{document}\n";
}

std::string sheet_html(const sheet& s, const std::string& title, language l) {
    std::string body;
    for (const auto& b : s) {
        switch (b.kind) {
            case sheet_block::heading: body += markdown_to_xhtml("# " + b.text); break;
            case sheet_block::subheading: body += markdown_to_xhtml("## " + b.text); break;
            case sheet_block::paragraph: body += markdown_to_xhtml(b.text); break;
            case sheet_block::display: body += mathml(b.text, true) + "\n"; break;
            case sheet_block::code: body += "<pre>" + xml_escape(b.text) + "</pre>\n"; break;
            case sheet_block::derivation: body += markdown_to_xhtml(b.text); break;
        }
    }
    return html_page(title, body, l == language::ru ? "ru" : "en");
}

}  // namespace ctgrad::gen
