// MathML and HTML pages from the LaTeX ctgrad prints: the subset latex.hpp and
// derivation_steps.hpp write (\frac, \partial, \hat, \operatorname, \text, \sum, \left/\right,
// aligned blocks, scripts, Greek letters), so a derivation opens in any browser with no TeX
// toolchain and no script. LaTeX outside that subset is an error, not a silent guess.
#pragma once

#include <string>
#include <string_view>

namespace ctgrad::gen {

/// `<math>...</math>` for a LaTeX formula; `display` for a block. An aligned or align*
/// environment becomes an <mtable> of its rows. Throws tool_error on LaTeX it does not know.
std::string mathml(std::string_view latex, bool display);

/// Text with $...$ and $$...$$ math (ctgrad's Markdown) as XHTML paragraphs: text escaped,
/// math as MathML, a line starting with "## " as a heading, "```" blocks as <pre>.
std::string markdown_to_xhtml(std::string_view markdown);

/// A complete, self-contained page: UTF-8, XHTML (well-formed XML), a small style sheet, no
/// scripts, no external files. `body` is XHTML; `lang` is the page's language (en, ru).
std::string html_page(std::string_view title, std::string_view body, std::string_view lang);

/// `text` with &, <, > and " escaped for XML.
std::string xml_escape(std::string_view text);

}  // namespace ctgrad::gen
