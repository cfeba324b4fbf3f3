// type_set: a duplicate-free list of types with constant-time membership tests.
#pragma once

#include <type_traits>

namespace ctgrad::detail {

// Membership is a base-class lookup, so a test costs the compiler one lookup,
// not a walk over the list: keeps slot collection close to linear in the formula.
template <class T>
struct type_tag {};

template <class... Ts>
struct type_set : type_tag<Ts>... {};

template <class Set, class T>
inline constexpr bool contains_v = std::is_base_of_v<type_tag<T>, Set>;

template <class Set, class T>
struct insert;

template <class... Ts, class T>
struct insert<type_set<Ts...>, T> {
    using type = std::conditional_t<contains_v<type_set<Ts...>, T>, type_set<Ts...>, type_set<Ts..., T>>;
};

template <class Set, class T>
using insert_t = typename insert<Set, T>::type;

template <class Set, class Other>
struct unite;

template <class Set>
struct unite<Set, type_set<>> {
    using type = Set;
};

template <class Set, class T, class... Rest>
struct unite<Set, type_set<T, Rest...>> {
    using type = typename unite<insert_t<Set, T>, type_set<Rest...>>::type;
};

template <class... Sets>
struct unite_all {
    using type = type_set<>;
};

template <class Set, class... Sets>
struct unite_all<Set, Sets...> {
    using type = typename unite<Set, typename unite_all<Sets...>::type>::type;
};

template <class... Sets>
using unite_t = typename unite_all<Sets...>::type;

}  // namespace ctgrad::detail
