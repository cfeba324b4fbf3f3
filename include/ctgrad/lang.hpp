// The language of the prose a derivation prints around its formulas: the headings of the
// forward and backward passes and the convention line. English, or Russian in the lecture's
// own terms (батч, скорость обучения, прямой и обратный проход).
#pragma once

#include <string_view>

namespace ctgrad {

/// derivation(L, V...).text(ctgrad::lang::ru): the same formulas, the prose in Russian.
enum class lang { en, ru };

namespace detail {

struct prose {
    std::string_view forward;             ///< the forward pass's heading (text and Markdown)
    std::string_view backward_text;       ///< the backward pass's heading in plain text
    std::string_view backward_markdown;   ///< ... and in Markdown
    std::string_view convention_text;     ///< the convention as a sentence, plain text
    std::string_view convention_markdown; ///< ... with $math$
    std::string_view convention_latex;    ///< ... as align* lines (no final \\)
};

inline constexpr prose english{
    "Forward pass:",
    "Backward pass, from the output to the input (chain rule = result; SGD update):",
    "Backward pass, from the output to the input: the chain rule, the result in named quantities, and the SGD "
    "update of each variable.",
    "Convention: each gradient ∂L/∂V has the shape of V (denominator layout); each row of a batch matrix is one "
    "example, n is the batch size; Zʲ is row j of Z; ⊙ and functions act entry by entry; η is the learning rate.",
    "Convention: each gradient $\\frac{\\partial L}{\\partial V}$ has the shape of $V$ (denominator layout); each row "
    "of a batch matrix is one example, and $n$ is the batch size; $Z^{j}$ is row $j$ of $Z$; $\\odot$ and functions "
    "act entry by entry; $\\eta$ is the learning rate.",
    "&\\text{each } \\frac{\\partial L}{\\partial V} \\text{ has the shape of } V \\text{ (denominator layout)} \\\\\n"
    "&\\text{each row of a batch matrix is one example; } n \\text{ is the batch size} \\\\\n"
    "&Z^{j} \\text{ is row } j \\text{ of } Z\\text{; } \\odot \\text{ and functions act entry by entry; } "
    "\\eta \\text{ is the learning rate}",
};

inline constexpr prose russian{
    "Прямой проход:",
    "Обратный проход, от выхода ко входу (цепное правило = результат; обновление SGD):",
    "Обратный проход, от выхода ко входу: цепное правило, результат через введённые обозначения и обновление SGD "
    "для каждой переменной.",
    "Соглашение: каждый градиент ∂L/∂V имеет размер V (denominator layout); каждая строка матрицы батча — один "
    "элемент выборки, n — размер батча; Zʲ — j-я строка Z; ⊙ и функции применяются поэлементно; η — скорость "
    "обучения.",
    "Соглашение: каждый градиент $\\frac{\\partial L}{\\partial V}$ имеет размер $V$ (denominator layout); каждая "
    "строка матрицы батча — один элемент выборки, $n$ — размер батча; $Z^{j}$ — $j$-я строка $Z$; $\\odot$ и "
    "функции применяются поэлементно; $\\eta$ — скорость обучения.",
    "&\\text{каждый } \\frac{\\partial L}{\\partial V} \\text{ имеет размер } V \\text{ (denominator layout)} \\\\\n"
    "&\\text{каждая строка матрицы батча --- один элемент выборки; } n \\text{ --- размер батча} \\\\\n"
    "&Z^{j} \\text{ --- } j\\text{-я строка } Z\\text{; } \\odot \\text{ и функции применяются поэлементно; } "
    "\\eta \\text{ --- скорость обучения}",
};

constexpr const prose& prose_of(lang l) { return l == lang::ru ? russian : english; }

}  // namespace detail
}  // namespace ctgrad
