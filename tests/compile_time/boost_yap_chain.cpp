// Compile-time probe for the Boost decision (docs/design.md, "Boost"): a tanh chain of DEPTH
// layers built as Boost.YAP expressions and walked once by yap::transform, against the same
// chain as ctgrad nodes walked by ctgrad's graph (nodes_of_t). Built only by measure scripts.
#include <cstddef>
#include <type_traits>
#ifdef CTGRAD_PROBE_YAP
#include <boost/yap/yap.hpp>
#else
#include <ctgrad/derivation.hpp>
#endif
#ifndef DEPTH
#define DEPTH 25
#endif

#ifdef CTGRAD_PROBE_YAP
template <int K> struct weight {};
struct tanh_tag {};
template <int K>
constexpr auto layer(auto h) {
    return boost::yap::make_terminal(tanh_tag{})(h * boost::yap::make_terminal(weight<K>{}));
}
template <int K>
constexpr auto chain(auto h) {
    if constexpr (K == DEPTH) return h;
    else return chain<K + 1>(layer<K>(h));
}
// Counts the terminals: one transform over the whole expression.
struct count_terminals {
    template <class T>
    constexpr std::size_t operator()(boost::yap::expr_tag<boost::yap::expr_kind::terminal>, T&&) const { return 1; }
};
int main() {
    auto e = chain<0>(boost::yap::make_terminal(1.0));
    auto n = boost::yap::transform(e, count_terminals{});
    (void)n;
}
#else
using namespace ctgrad;
template <int K> constexpr matrix<indexed_name<"W", K>, 8, 8> W{};
template <int K, class H>
constexpr auto chain(H h) {
    if constexpr (K == DEPTH) return h;
    else return chain<K + 1>(tanh(h * W<K>));
}
constexpr matrix<"X", 16, 8> X{};
using formula = std::remove_cv_t<decltype(chain<0>(X))>;
static_assert(detail::nodes_of_t<formula>::size > DEPTH);
int main() {}
#endif
