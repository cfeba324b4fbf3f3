// The names a derivation gives the intermediates of a loss: pre-activations Z_k, activations A_k,
// the output \hat{y}, the user's named<"H">(e) and the loss L. Computed from types at compile time.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "../derivation.hpp"
#include "../expression.hpp"
#include "../ops/all.hpp"
#include "text.hpp"

namespace ctgrad::detail {

// ---- what the printer reads from a node's descriptor ----------------------------------------

template <class Op, class... Args>
static constexpr latex_form form_for() {
    if constexpr (requires { Op::template latex_for<Args...>; }) {
        return Op::template latex_for<Args...>;
    } else {
        return Op::latex;
    }
}

/// The latex_form of a node type (an empty form for anything else).
template <class E>
static constexpr latex_form node_form{};
template <class Op, class... Args>
static constexpr latex_form node_form<node<Op, Args...>> = form_for<Op, Args...>();

template <class E>
static constexpr bool is_named_node = false;
template <class Op, class A>
static constexpr bool is_named_node<node<Op, A>> = requires { Op::label; };

/// f(Z) for an activation f (latex_form::activation) of something that depends on a variable.
template <class E>
static constexpr bool is_activation_node = false;
template <class Op, class A>
static constexpr bool is_activation_node<node<Op, A>> = node_form<node<Op, A>>.activation && has_variables_v<A>;

/// The layer of E counted from the input: the most activations on a path from E to a leaf.
template <class E>
static constexpr int layer_v = 0;
template <class Op, class... Args>
static constexpr int layer_v<node<Op, Args...>> =
    std::max({0, layer_v<Args>...}) + (is_activation_node<node<Op, Args...>> ? 1 : 0);

// ---- the list of named intermediates ------------------------------------------------------

enum class name_role : unsigned char { user, activation, preactivation, output, loss };

template <class Node, name_role Role>
struct name_entry {
    using node_type = Node;
    static constexpr name_role role = Role;
};

template <class... Entries>
struct name_list {};

template <class List, class Node>
static constexpr bool listed_v = false;
template <class... Es, class Node>
static constexpr bool listed_v<name_list<Es...>, Node> = detail::any_true({false, ctgrad::detail::same_v<typename Es::node_type, Node>...});

template <class List, class Entry>
struct append_entry;
template <class... Es, class Entry>
struct append_entry<name_list<Es...>, Entry> {
    using type = name_list<Es..., Entry>;
};

/// The list without its last entry when that entry names Node.
template <class List, class Node>
struct drop_last_if {
    using type = List;
};
template <class E0, class... Es, class Node>
struct drop_last_if<name_list<E0, Es...>, Node> {
    template <class Kept, class... Rest>
    struct walk;
    template <class... Kept, class Last>
    struct walk<name_list<Kept...>, Last> {
        using type = std::conditional_t<ctgrad::detail::same_v<typename Last::node_type, Node>, name_list<Kept...>,
                                        name_list<Kept..., Last>>;
    };
    template <class... Kept, class Next, class... Rest>
    struct walk<name_list<Kept...>, Next, Rest...> {
        using type = typename walk<name_list<Kept..., Next>, Rest...>::type;
    };
    using type = typename walk<name_list<>, E0, Es...>::type;
};

/// Names the unary node N = op(A) once its operand's subtree is collected into List. A function
/// with if constexpr, so that only the branch taken is instantiated (std::conditional_t would
/// build every branch's list for every node: cubic in the depth of a deep net).
template <class List, class N>
static constexpr auto name_unary() {
    if constexpr (!is_node_v<N> || listed_v<List, N>) {
        return std::type_identity<List>{};
    } else if constexpr (is_named_node<N>) {
        // a user's name replaces the automatic one of the node it wraps
        using operand = arg_t<0, N>;
        return std::type_identity<
            typename append_entry<typename drop_last_if<List, operand>::type, name_entry<N, name_role::user>>::type>{};
    } else if constexpr (is_activation_node<N>) {
        using operand = arg_t<0, N>;
        if constexpr (is_node_v<operand> && !is_named_node<operand> && !is_activation_node<operand> &&
                      !listed_v<List, operand>) {
            using with_operand = typename append_entry<List, name_entry<operand, name_role::preactivation>>::type;
            return std::type_identity<typename append_entry<with_operand, name_entry<N, name_role::activation>>::type>{};
        } else {
            return std::type_identity<typename append_entry<List, name_entry<N, name_role::activation>>::type>{};
        }
    } else {
        return std::type_identity<List>{};
    }
}

/// name_unary for node I of Nodes, or nothing past the end.
template <class List, class Nodes, std::size_t I>
struct name_step {
    using type = List;
};
template <class List, class Nodes, std::size_t I>
    requires(I < Nodes::size)
struct name_step<List, Nodes, I> {
    using type = typename decltype(name_unary<List, type_at<I, typename flat_of<Nodes>::type>>())::type;
};

/// The entries of the graph's nodes, in its order: every entry comes after the entries its
/// definition uses. A fold over the distinct nodes, so a reused intermediate is seen once; eight
/// nodes per level keep the recursion well inside the compilers' depth limits for deep nets.
template <class List, class Nodes, std::size_t I = 0, bool Done = (I >= Nodes::size)>
struct collect_names {
    using type = List;
};
template <class List, class Nodes, std::size_t I>
struct collect_names<List, Nodes, I, false> {
    template <class In, std::size_t K>
    using step = typename name_step<In, Nodes, I + K>::type;
    using next = step<step<step<step<step<step<step<step<List, 0>, 1>, 2>, 3>, 4>, 5>, 6>, 7>;
    using type = typename collect_names<next, Nodes, I + 8>::type;
};

template <class E, class Node>
static constexpr bool contains_node_v = ctgrad::detail::same_v<E, Node>;
template <class Op, class... Args, class Node>
static constexpr bool contains_node_v<node<Op, Args...>, Node> =
    ctgrad::detail::same_v<node<Op, Args...>, Node> || (contains_node_v<Args, Node> || ...);

/// Whether E has a matrix product that is not also computed inside Out.
template <class E, class Out>
static constexpr bool product_outside_v = false;
template <class Op, class... Args, class Out>
static constexpr bool product_outside_v<node<Op, Args...>, Out> =
    !ctgrad::detail::same_v<node<Op, Args...>, Out> &&
    (ctgrad::detail::same_v<Op, matmul_op> ? !contains_node_v<Out, node<Op, Args...>>
                                   : (product_outside_v<Args, Out> || ...));

template <class List, class Node, name_role Role>
struct with_role;
template <class... Es, class Node, name_role Role>
struct with_role<name_list<Es...>, Node, Role> {
    using type = name_list<std::conditional_t<ctgrad::detail::same_v<typename Es::node_type, Node>, name_entry<Node, Role>, Es>...>;
};

/// The activation entries of the highest layer, and how many there are.
template <class List>
struct top_activation {
    static constexpr int count = 0;
    using type = void;
};
template <class... Es>
struct top_activation<name_list<Es...>> {
    static constexpr int top = std::max({0, (Es::role == name_role::activation ? layer_v<typename Es::node_type> : 0)...});
    static constexpr int count =
        ((Es::role == name_role::activation && layer_v<typename Es::node_type> == top ? 1 : 0) + ... + 0);
    template <class E>
    using pick = std::conditional_t<E::role == name_role::activation && layer_v<typename E::node_type> == top,
                                    typename E::node_type, void>;
    template <class... Ts>
    struct first_non_void {
        using type = void;
    };
    template <class T, class... Ts>
    struct first_non_void<T, Ts...> {
        using type = std::conditional_t<std::is_void_v<T>, typename first_non_void<Ts...>::type, T>;
    };
    using type = typename first_non_void<pick<Es>...>::type;
};

/// The prediction \hat{y}: operand #1 of a loss (mse, bce) when it is computed, else the one
/// activation of the highest layer when no matrix product comes after it.
template <class List, class Root>
struct mark_output {
    using top = top_activation<List>;
    using type = std::conditional_t<(top::count == 1) && !std::is_void_v<typename top::type> &&
                                        !product_outside_v<Root, typename top::type>,
                                    typename with_role<List, typename top::type, name_role::output>::type, List>;
};
template <class List, class Op, class P, class... Rest>
    requires(node_form<node<Op, P, Rest...>>.loss)
struct mark_output<List, node<Op, P, Rest...>> {
    using type = std::conditional_t<
        !is_node_v<P> || is_named_node<P>, List,
        std::conditional_t<listed_v<List, P>, typename with_role<List, P, name_role::output>::type,
                           typename append_entry<List, name_entry<P, name_role::output>>::type>>;
};

/// The logits of cross_entropy, when computed: the pre-activation Z_k of its softmax.
template <class List, class Op, class Z, class... Rest>
    requires(node_form<node<Op, Z, Rest...>>.logits)
struct mark_output<List, node<Op, Z, Rest...>> {
    using type = std::conditional_t<!is_node_v<Z> || is_named_node<Z> || listed_v<List, Z>, List,
                                    typename append_entry<List, name_entry<Z, name_role::preactivation>>::type>;
};

template <class E>
struct unwrap_named {
    using type = E;
};
template <class Op, class A>
    requires requires { Op::label; }
struct unwrap_named<node<Op, A>> {
    using type = A;
};

/// Every named intermediate of loss L, inputs first, the loss last.
template <class L>
struct names_of {
    using collected = typename drop_last_if<typename collect_names<name_list<>, nodes_of_t<L>>::type, L>::type;
    using with_output = typename mark_output<collected, typename unwrap_named<L>::type>::type;
    using type = typename append_entry<with_output, name_entry<L, name_role::loss>>::type;
};

// ---- the table the printer uses ---------------------------------------------------------

/// The user's label of a named<"H">(e) node, else empty.
template <class Node>
static constexpr std::string_view label_v{};
template <class Op, class A>
    requires requires { Op::label; }
static constexpr std::string_view label_v<node<Op, A>> = Op::label;

template <class List>
struct name_table;

template <class... Es>
struct name_table<name_list<Es...>> {
    static constexpr std::size_t size = sizeof...(Es);
    using nodes = name_list<Es...>;

    static constexpr std::array<name_role, size> roles{Es::role...};
    /// The layer: a pre-activation Z_k takes the number of the activation it feeds.
    static constexpr std::array<int, size> layers{
        (layer_v<typename Es::node_type> + (Es::role == name_role::preactivation ? 1 : 0))...};
    static constexpr std::array<std::string_view, size> labels{label_v<typename Es::node_type>...};

    /// 0 when (role, layer) is unique, else the 1-based rank among the entries sharing it.
    static constexpr std::array<int, size> ranks = [] {
        std::array<int, size> out{};
        for (std::size_t i = 0; i < size; ++i) {
            int before = 0, total = 0;
            for (std::size_t j = 0; j < size; ++j) {
                if (roles[j] == roles[i] && layers[j] == layers[i]) {
                    ++total;
                    if (j < i) ++before;
                }
            }
            out[i] = (roles[i] == name_role::activation || roles[i] == name_role::preactivation) && total > 1 ? before + 1 : 0;
        }
        return out;
    }();
};

template <class L>
using names_for = name_table<typename names_of<L>::type>;

// ---- the names at run time (and in constant evaluation) ----------------------------------

/// A distinct address per type, comparable in constant expressions: lets the printer look a
/// node up in a table held as data, so printing functions are not templates over the table
/// (whose type, a list of every named node, would make every symbol huge for deep networks).
template <class T>
static constexpr char type_key = 0;

struct name_info {
    const void* key = nullptr;
    name_role role = name_role::user;
    int layer = 0;
    int rank = 0;
    std::string_view label;
};

/// The named intermediates of one loss, inputs first, the loss last.
struct name_context {
    small_vector<name_info> entries;

    constexpr std::size_t size() const { return entries.size(); }
    constexpr std::size_t loss() const { return entries.size() - 1; }
    constexpr int index_of(const void* key) const {
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (entries[i].key == key) return static_cast<int>(i);
        }
        return -1;
    }

    /// The LaTeX name of entry i: Z_1, A_{2,1}, \hat{y}, the user's label, L.
    constexpr text_buffer latex_name(std::size_t i) const {
        text_buffer out;
        const name_info& e = entries[i];
        if (e.role == name_role::user || (e.role == name_role::loss && !e.label.empty())) {
            out += e.label;
        } else if (e.role == name_role::loss) {
            out += 'L';
        } else if (e.role == name_role::output) {
            out += "\\hat{y}";
        } else {
            out += e.role == name_role::activation ? 'A' : 'Z';
            out += '_';
            const bool braces = e.layer >= 10 || e.rank > 0;
            if (braces) out += '{';
            append_integer(out, e.layer);
            if (e.rank > 0) {
                out += ',';
                append_integer(out, e.rank);
            }
            if (braces) out += '}';
        }
        return out;
    }

    /// The name of entry i as LaTeX or as plain text (Z₁, ŷ).
    constexpr text_buffer name(std::size_t i, bool text) const {
        text_buffer latex = latex_name(i);
        if (!text) return latex;
        text_buffer out;
        append_text_of_latex(out, latex.view());
        return out;
    }
};

template <class Table, class List = typename Table::nodes>
struct context_builder;
template <class Table, class... Es>
struct context_builder<Table, name_list<Es...>> {
    static constexpr name_context make() {
        name_context names;
        constexpr const void* keys[] = {&type_key<typename Es::node_type>..., nullptr};
        for (std::size_t i = 0; i < Table::size; ++i) {
            names.entries.push_back(
                name_info{keys[i], Table::roles[i], Table::layers[i], Table::ranks[i], Table::labels[i]});
        }
        return names;
    }
};

/// The names a derivation gives the intermediates of loss L.
template <class L>
static constexpr name_context names_of_loss() {
    return context_builder<names_for<L>>::make();
}

}  // namespace ctgrad::detail
