// fmt::formatter for ctgrad expressions and derivations: {} is LaTeX, {:t} plain text
// (and, for a derivation, {:m} Markdown).
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "derivation_steps.hpp"
#include "expression.hpp"
#include "latex.hpp"

namespace ctgrad::detail {

/// The presentation of {} ('l', LaTeX), {:t} ('t', text) and, where `markdown`, {:m}.
template <bool Markdown>
struct latex_spec {
    char style = 'l';

    constexpr auto parse(fmt::format_parse_context& ctx) {
        auto it = ctx.begin();
        if (it != ctx.end() && (*it == 'l' || *it == 't' || (Markdown && *it == 'm'))) style = *it++;
        if (it != ctx.end() && *it != '}') {
            throw fmt::format_error(Markdown ? "ctgrad: a derivation formats as {} (LaTeX), {:t} (text) or {:m} (Markdown)"
                                             : "ctgrad: an expression formats as {} (LaTeX) or {:t} (plain text)");
        }
        return it;
    }
};

template <class T>
static constexpr bool is_derivation_v = false;
template <class L, class... V>
static constexpr bool is_derivation_v<derivation_steps<L, V...>> = true;

}  // namespace ctgrad::detail

/// fmt::format("{}", e) is latex(e); fmt::format("{:t}", e) is text(e).
template <class E>
    requires ctgrad::expression<E>
struct fmt::formatter<E, char, void> : ctgrad::detail::latex_spec<false> {
    template <class FormatContext>
    auto format(const E& e, FormatContext& ctx) const {
        const std::string s = style == 't' ? ctgrad::text(e) : ctgrad::latex(e);
        return std::copy(s.begin(), s.end(), ctx.out());
    }
};

/// fmt::format("{}", derivation(L, W)) is its .latex(); {:t} its .text(); {:m} its .markdown().
template <class D>
    requires ctgrad::detail::is_derivation_v<D>
struct fmt::formatter<D, char, void> : ctgrad::detail::latex_spec<true> {
    template <class FormatContext>
    auto format(const D& d, FormatContext& ctx) const {
        const std::string s = style == 't' ? d.text() : style == 'm' ? d.markdown() : d.latex();
        return std::copy(s.begin(), s.end(), ctx.out());
    }
};
