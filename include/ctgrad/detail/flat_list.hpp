// flat_list: a tuple stored as flat indexed bases, cheap to concatenate and index even when long
// (the backward pass of a 100-layer net collects hundreds of contributions).
#pragma once

#include <cstddef>
#include <utility>

#include "type_list.hpp"

namespace ctgrad::detail {

template <std::size_t I, class T>
struct flat_item {
    T value;
};

template <class Indices, class... Ts>
struct flat_list_impl;

template <std::size_t... I, class... Ts>
struct flat_list_impl<std::index_sequence<I...>, Ts...> : flat_item<I, Ts>... {};

template <class... Ts>
struct flat_list : flat_list_impl<std::index_sequence_for<Ts...>, Ts...>, count_of<sizeof...(Ts)> {};

template <class T>
static constexpr flat_list<T> make_single(const T& value) {
    return flat_list<T>{{flat_item<0, T>{value}}, {}};
}

template <std::size_t I, class T>
static constexpr const T& get(const flat_item<I, T>& item) {
    return item.value;
}

template <std::size_t I, class T>
T type_at_impl(const flat_item<I, T>&);

template <std::size_t I, class List>
using type_at = decltype(detail::type_at_impl<I>(std::declval<const List&>()));

template <class... As, class... Bs, std::size_t... I, std::size_t... J>
static constexpr auto concat_impl(const flat_list<As...>& a, const flat_list<Bs...>& b, std::index_sequence<I...>,
                           std::index_sequence<J...>) {
    return flat_list<As..., Bs...>{
        {flat_item<I, As>{detail::get<I>(a)}..., flat_item<sizeof...(As) + J, Bs>{detail::get<J>(b)}...}, {}};
}

template <class... As, class... Bs>
static constexpr auto concat(const flat_list<As...>& a, const flat_list<Bs...>& b) {
    if constexpr (sizeof...(Bs) == 0) {
        return a;
    } else if constexpr (sizeof...(As) == 0) {
        return b;
    } else {
        return detail::concat_impl(a, b, std::index_sequence_for<As...>{}, std::index_sequence_for<Bs...>{});
    }
}

}  // namespace ctgrad::detail
