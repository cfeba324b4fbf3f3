// ctgrad-gen exercise: exercise and solution sheets for a class. Variants come from the lecture's
// family of nets (one to three layers Z_k = A_{k-1} W_k + b_k^T, A_k = f_k(Z_k), activations from
// ReLU, tanh, sigmoid and softplus, MSE or BCE after a sigmoid output), drawn deterministically
// from a seed. The sheets are documents (blocks of prose with $math$) rendered as Markdown,
// LaTeX and HTML; the solutions' derivations are ctgrad's, added by the command.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "names.hpp"
#include "options.hpp"

namespace ctgrad::gen {

/// One net of the family.
struct net_variant {
    std::vector<op> activations;  ///< per layer, input first; the last makes yhat
    bool bce = false;             ///< BCE (the last activation is then sigmoid), else MSE
    std::string formula;          ///< in the formula language
    std::string dims;             ///< --dims, every size named (d, H, K, ...)
    std::string wrt;              ///< the parameters asked for: W1,b1,...
    /// The model answer as a steps file (check --steps), from the family's rules.
    std::string steps() const;
    std::string key() const;      ///< what makes two variants the same
};

/// The family's size: how many distinct variants exist (1..3 layers, 4 activations, 2 losses).
std::size_t variant_family_size();

/// `count` distinct variants drawn from `seed`; the same seed gives the same list on every
/// platform (mt19937_64, whose output the standard fixes, and no distribution classes).
std::vector<net_variant> draw_variants(std::size_t count, std::uint64_t seed);

/// A document: headings, paragraphs with $inline math$, display math, code.
struct sheet_block {
    enum kind_t { heading, subheading, paragraph, display, code, derivation } kind = paragraph;
    std::string text;   ///< LaTeX for display; raw for code; ctgrad's Markdown for a derivation
    std::string latex;  ///< a derivation: ctgrad's align* block

    sheet_block(kind_t k, std::string t, std::string l = {}) : kind(k), text(std::move(t)), latex(std::move(l)) {}
};
using sheet = std::vector<sheet_block>;

std::string sheet_markdown(const sheet& s);
std::string sheet_latex(const sheet& s, language l);  ///< a complete document (pdflatex)
std::string sheet_html(const sheet& s, const std::string& title, language l);

/// One exercise as the sheet states it: the net (formula, sizes, forward pass) and the question.
struct exercise_item {
    std::string formula;              ///< in the formula language
    std::string forward_latex;        ///< the forward pass: aligned lines, `Z_1 &= X W_1 + b_1^{T} \\ ...`
    std::string forward_plain;        ///< or, for a formula given by hand, as typed (Z1 = X*W1 + b1^T)
    std::string sizes_latex;          ///< X \in \mathbb{R}^{n \times d}, ...
    std::vector<std::string> wrt;     ///< LaTeX names asked for
};

/// The exercise sheet for `items`.
sheet exercise_sheet(const std::vector<exercise_item>& items, const std::string& title, language l);

/// The forward pass of a family variant in LaTeX (Z_1 &= X W_1 + b_1^{T} \\ A_1 &= ... ).
exercise_item exercise_of(const net_variant& v);

}  // namespace ctgrad::gen
