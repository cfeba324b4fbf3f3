// type_list: a list of types that may repeat; membership by the compiler's identity builtin.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <type_traits>

#include "compile_time.hpp"

namespace ctgrad::detail {

// Why lists and not sets: building a set one insertion at a time makes the compiler create
// a class per intermediate set and check its bases for duplicates, which is cubic in the
// size of a deep net's formula on clang. Lists concatenate cheaply; the one place that needs
// distinct entries (the evaluation context) removes repeats once, at the end.

/// A count alone, in a base: a static member of type_list<Ts...> itself would be named (mangled)
/// by g++ after all of Ts (see node_facts in expression.hpp).
template <std::size_t N>
struct count_of {
    static constexpr std::size_t size = N;
};

template <class... Ts>
struct type_list : count_of<sizeof...(Ts)> {};

template <class... Lists>
struct concat_lists {
    using type = type_list<>;
};
template <class... As>
struct concat_lists<type_list<As...>> {
    using type = type_list<As...>;
};
template <class... As, class... Bs, class... Rest>
struct concat_lists<type_list<As...>, type_list<Bs...>, Rest...> {
    using type = typename concat_lists<type_list<As..., Bs...>, Rest...>::type;
};

template <class... Lists>
using concat_t = typename concat_lists<Lists...>::type;

/// Whether any / every flag is set. A fold (`(b || ...)`) over a pack of more than 256 stops
/// clang ("exceeded expression nesting limit"), and a deep net's lists are longer; a braced list
/// of any length does not. Call them qualified: their argument would bring std into lookup.
static constexpr bool any_true(std::initializer_list<bool> flags) {
    for (bool f : flags) {
        if (f) return true;
    }
    return false;
}
static constexpr bool all_true(std::initializer_list<bool> flags) {
    for (bool f : flags) {
        if (!f) return false;
    }
    return true;
}
static constexpr std::size_t sum_of(std::initializer_list<std::size_t> terms) {
    std::size_t total = 0;
    for (std::size_t t : terms) total += t;
    return total;
}

/// True when T is one of Ts (`__is_same` is a builtin of g++ and clang: no instantiation).
template <class T, class... Ts>
concept one_of_v = detail::any_true({false, __is_same(T, Ts)...});

template <class List, class T>
struct in_list_test : std::bool_constant<false> {};
template <class List, class T>
concept in_list_v = in_list_test<List, T>::value;
template <class... Ts, class T>
struct in_list_test<type_list<Ts...>, T> : std::bool_constant<one_of_v<T, Ts...>> {};

/// The index of the first T in Ts (sizeof...(Ts) when absent).
template <class T, class... Ts>
CTGRAD_COMPILE_TIME std::size_t first_index() {
    constexpr bool same[] = {false, __is_same(T, Ts)...};
    for (std::size_t i = 0; i < sizeof...(Ts); ++i) {
        if (same[i + 1]) return i;
    }
    return sizeof...(Ts);
}

}  // namespace ctgrad::detail
