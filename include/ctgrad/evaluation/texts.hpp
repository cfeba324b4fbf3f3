// Error-message texts made at compile time: short_text, an instruction's text (write_text), and its expansion at run time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "../detail/compile_time.hpp"
#include "../detail/inlining.hpp"
#include "../expression.hpp"
#include "instructions.hpp"

namespace ctgrad::detail {

// ---- error texts --------------------------------------------------------------------------

/// A short plain text built at compile time (an error message's name for a stored value);
/// longer texts end in "..".
struct short_text {
    static constexpr std::size_t capacity = 72;
    char data[capacity]{};
    std::size_t size = 0;

    constexpr short_text& operator<<(std::string_view piece) {
        for (char c : piece) {
            if (size + 1 >= capacity) {
                data[capacity - 3] = data[capacity - 2] = '.';
                size = capacity - 1;
                return *this;
            }
            data[size++] = c;
        }
        return *this;
    }
    constexpr short_text& operator<<(long long v) {
        char digits[24]{};
        int n = 0;
        const bool negative = v < 0;
        unsigned long long u = negative ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
        do {
            digits[n++] = static_cast<char>('0' + u % 10);
            u /= 10;
        } while (u != 0);
        if (negative) *this << "-";
        while (n > 0) {
            const char c[1] = {digits[--n]};
            *this << std::string_view(c, 1);
        }
        return *this;
    }
    std::string str() const { return std::string(data, size); }
};

/// Marks a stored value's number inside an instruction's text (see write_text).
inline constexpr char slot_mark = '\x01';
/// Marks a user's number's index in the eval's table of numbers (see write_text).
inline constexpr char number_mark = '\x02';

template <class E, int Depth, std::size_t... I>
CTGRAD_COMPILE_TIME void write_operand_texts(short_text& out, std::index_sequence<I...>);

/// The compile-time counterpart of describe(e), for error messages (depth-limited in the same
/// way). Also writes instructions: a bound variable by its name, and a stored value as its
/// number between two slot_marks, replaced by that value's own text when a message is made.
template <class E, int Depth = 3>
CTGRAD_COMPILE_TIME void write_text(short_text& out) {
    if constexpr (is_variable_v<E>) {
        out << E::name;
    } else if constexpr (is_bound_ref_v<E>) {
        out << E::variable_type::name;
    } else if constexpr (is_stored_ref_v<E>) {
        out << std::string_view(&slot_mark, 1) << static_cast<long long>(E::index) << std::string_view(&slot_mark, 1);
    } else if constexpr (is_number_ref_v<E>) {
        out << std::string_view(&number_mark, 1) << static_cast<long long>(E::index) << std::string_view(&number_mark, 1);
    } else if constexpr (is_number_leaf_v<E>) {
        out << "number";  // inside a stored value's text, which is made from its node type
    } else if constexpr (is_literal_v<E>) {
        out << E::num;
        if constexpr (E::den != 1) out << "/" << E::den;
    } else if constexpr (Depth < 0) {
        out << "..";
    } else if constexpr (is_adjoint_v<E>) {
        out << "dL/d(";
        write_text<typename E::forward_type, Depth - 1>(out);
        out << ")";
    } else if constexpr (is_node_v<E> || is_lazy_node_v<E>) {
        using op = typename E::op_type;
        if constexpr (op::arity == 2 && (op::name == "+" || op::name == "-" || op::name == "*" || op::name == "/")) {
            out << "(";
            write_text<arg_t<0, E>, Depth - 1>(out);
            out << " " << op::name << " ";
            write_text<arg_t<1, E>, Depth - 1>(out);
            out << ")";
        } else if constexpr (op::arity == 1) {
            out << op::name << "(";
            write_text<arg_t<0, E>, Depth - 1>(out);
            out << ")";
        } else {
            out << op::name << "(";
            detail::write_operand_texts<E, Depth - 1>(out, std::make_index_sequence<op::arity>{});
            out << ")";
        }
    } else {
        out << "?";
    }
}
/// Every operand of E, separated by commas, whatever E's arity.
template <class E, int Depth, std::size_t... I>
CTGRAD_COMPILE_TIME void write_operand_texts(short_text& out, std::index_sequence<I...>) {
    ((out << std::string_view(I == 0 ? "" : ", "), detail::write_text<arg_t<I, E>, Depth>(out)), ...);
}
template <class E>
CTGRAD_COMPILE_TIME short_text text_of() {
    short_text out;
    detail::write_text<E>(out);
    return out;
}
/// An instruction's text, made once per instruction and only where a check may fail.
template <class P>
static constexpr short_text instruction_text = detail::text_of<P>();

/// `text` with each stored value's number replaced by that value's text, and each user's
/// number's index by the number. Not a template, so every size check of every formula shares it.
CTGRAD_COLD inline std::string expand_text(const short_text& text, const short_text* slot_texts, const double* numbers = nullptr) {
    std::string out;
    for (std::size_t i = 0; i < text.size; ++i) {
        if (text.data[i] != slot_mark && text.data[i] != number_mark) {
            out += text.data[i];
            continue;
        }
        if (text.data[i] == number_mark) {
            std::size_t j = 0;
            std::size_t k = i + 1;
            for (; k < text.size && text.data[k] >= '0' && text.data[k] <= '9'; ++k) j = j * 10 + static_cast<std::size_t>(text.data[k] - '0');
            if (k >= text.size || text.data[k] != number_mark) {  // cut short by the text's capacity
                out += "..";
                break;
            }
            out += numbers != nullptr ? std::to_string(numbers[j]) : std::string("number");  // as describe() writes it
            i = k;
            continue;
        }
        std::size_t slot = 0;
        std::size_t k = i + 1;
        for (; k < text.size && text.data[k] >= '0' && text.data[k] <= '9'; ++k) slot = slot * 10 + static_cast<std::size_t>(text.data[k] - '0');
        if (k >= text.size || text.data[k] != slot_mark) {  // cut short by the text's capacity
            out += "..";
            break;
        }
        out += slot_texts[slot].str();
        i = k;
    }
    return out;
}

}  // namespace ctgrad::detail
