// type_set: a duplicate-free list of types with constant-time membership tests.
#pragma once

#include <type_traits>

#include "type_list.hpp"

namespace ctgrad::detail {

// Membership is a base-class lookup, so a test costs the compiler one lookup,
// not a walk over the list: keeps slot collection close to linear in the formula.
template <class T>
struct type_tag {};

template <class... Ts>
struct type_set : type_tag<Ts>... {};

template <class Set, class T>
struct contains_test : std::bool_constant<__is_base_of(type_tag<T>, Set)> {};
template <class Set, class T>
concept contains_v = contains_test<Set, T>::value;
/// Lists answer membership too, so code can ask either.
template <class... Ts, class T>
struct contains_test<type_list<Ts...>, T> : std::bool_constant<one_of_v<T, Ts...>> {};

template <class Set, class T>
struct insert;

template <class... Ts, class T>
struct insert<type_set<Ts...>, T> {
    using type = std::conditional_t<contains_v<type_set<Ts...>, T>, type_set<Ts...>, type_set<Ts..., T>>;
};

template <class Set, class T>
using insert_t = typename insert<Set, T>::type;

template <class Set, class Other>
struct includes_test : std::bool_constant<false> {};
template <class Set, class Other>
concept includes_v = includes_test<Set, Other>::value;
template <class Set, class... Ts>
struct includes_test<Set, type_set<Ts...>> :
    std::bool_constant<detail::all_true({true, contains_v<Set, Ts>...})> {};

template <class Set, class Other>
struct insert_each;

template <class Set>
struct insert_each<Set, type_set<>> {
    using type = Set;
};

template <class Set, class T, class... Rest>
struct insert_each<Set, type_set<T, Rest...>> {
    using type = typename insert_each<insert_t<Set, T>, type_set<Rest...>>::type;
};

template <class Set, class Other, bool SetHasAll = includes_v<Set, Other>,
          bool OtherHasAll = !SetHasAll && includes_v<Other, Set>>
struct unite_impl : insert_each<Set, Other> {};
template <class Set, class Other, bool OtherHasAll>
struct unite_impl<Set, Other, true, OtherHasAll> {
    using type = Set;
};
template <class Set, class Other>
struct unite_impl<Set, Other, false, true> {
    using type = Other;
};

/// Set union. The common cases (one side empty, or one side already containing the other,
/// as the adjoint chains of a deep net do) answer without building intermediate sets.
template <class Set, class Other>
struct unite : unite_impl<Set, Other> {};

/// Lists unite by concatenation (repeats allowed; see type_list.hpp); a set united with a
/// list of distinct types stays a set.
template <class... As, class... Bs>
struct unite<type_list<As...>, type_list<Bs...>> {
    using type = type_list<As..., Bs...>;
};
template <class... As, class... Bs>
struct unite<type_list<As...>, type_set<Bs...>> {
    using type = type_list<As..., Bs...>;
};
template <class... As, class... Bs>
struct unite<type_set<As...>, type_list<Bs...>> : unite<type_set<As...>, type_set<Bs...>> {};


template <class... Sets>
struct unite_all {
    using type = type_set<>;
};

template <class Set>
struct unite_all<Set> {
    using type = Set;
};

template <class Set, class Set2, class... Sets>
struct unite_all<Set, Set2, Sets...> {
    using type = typename unite<Set, typename unite_all<Set2, Sets...>::type>::type;
};

template <class... Sets>
using unite_t = typename unite_all<Sets...>::type;

}  // namespace ctgrad::detail
