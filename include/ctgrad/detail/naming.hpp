// The names a derivation gives the intermediates of a loss: pre-activations Z_k, activations A_k,
// the output \hat{y}, the user's named<"H">(e), intermediates read more than once H_k, and the
// loss L. Computed from types at compile time.
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
    if constexpr (has_latex_for_v<Op>) {
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

enum class name_role : unsigned char { user, activation, preactivation, output, shared, loss };

/// One named node; Number is the k of a shared node's H_k (0 for the other roles).
template <class Node, name_role Role, int Number = 0>
struct name_entry {
    using node_type = Node;
    static constexpr name_role role = Role;
    static constexpr int number = Number;
};

template <class... Entries>
struct name_list {};

template <class List, class Node>
struct listed_test : std::bool_constant<false> {};
template <class List, class Node>
concept listed_v = listed_test<List, Node>::value;
template <class... Es, class Node>
struct listed_test<name_list<Es...>, Node> :
    std::bool_constant<detail::any_true({false, ctgrad::detail::same_v<typename Es::node_type, Node>...})> {};

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
struct contains_node_test : std::bool_constant<ctgrad::detail::same_v<E, Node>> {};
template <class E, class Node>
concept contains_node_v = contains_node_test<E, Node>::value;
template <class Op, class... Args, class Node>
struct contains_node_test<node<Op, Args...>, Node> :
    std::bool_constant<ctgrad::detail::same_v<node<Op, Args...>, Node> || (contains_node_v<Args, Node> || ...)> {};

/// Whether E has a matrix product that is not also computed inside Out.
template <class E, class Out>
struct product_outside_test : std::bool_constant<false> {};
template <class E, class Out>
concept product_outside_v = product_outside_test<E, Out>::value;
template <class Op, class... Args, class Out>
struct product_outside_test<node<Op, Args...>, Out>
    : std::bool_constant<!ctgrad::detail::same_v<node<Op, Args...>, Out> &&
                         (ctgrad::detail::same_v<Op, matmul_op> ? !contains_node_v<Out, node<Op, Args...>>
                                                                : (product_outside_v<Args, Out> || ...))> {};

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

/// The user's label of a named<"H">(e) node, else empty.
template <class Node>
static constexpr std::string_view label_v{};
template <class Op, class A>
    requires requires { Op::label; }
static constexpr std::string_view label_v<node<Op, A>> = Op::label;

// ---- intermediates read more than once: H_k ----------------------------------------------
//
// A node that two or more distinct nodes of the graph read (the residual sum X + A_1, read by the
// next layer's product and by the next sum) would otherwise be written out in full in every
// line that uses it, and its adjoint, the sum of its readers' contributions, would have no line
// of its own. So once the rules above have named what they name, every such node that is still
// unnamed is called H_k, k counting them from the input. A node read once keeps the behaviour
// above, so a formula that is a tree gets exactly the names it got before.

/// How many distinct nodes read node C of L's graph: X ⊙ X reads X once. Only nodes that
/// depend on a variable have readers in the table (the backward pass's own reader table).
template <class L>
static constexpr std::size_t distinct_readers(std::size_t c) {
    const auto& table = loss_graph<L>::table;
    std::size_t count = 0, last = static_cast<std::size_t>(-1);
    for (std::size_t k = table.first[c]; k < table.first[c + 1]; ++k) {
        // a node's readers are listed together, parent by parent
        if (table.readers[k].parent != last) ++count;
        last = table.readers[k].parent;
    }
    return count;
}

/// Whether List leaves Node unnamed, asked only of a node that two readers share (listed_v is
/// linear in the list: asking it of every node of a deep net would cost for nothing).
template <class List, class Node, bool Shared>
struct unnamed_shared : std::false_type {};
template <class List, class Node>
struct unnamed_shared<List, Node, true> : std::bool_constant<is_node_v<Node> && !listed_v<List, Node>> {};

/// Whether `name` spells H_k (or H_{k}): a variable or a user's label that a shared node's
/// name would repeat.
constexpr bool spells_shared_name(std::string_view name, int k) {
    text_buffer plain, braced;
    plain += "H_";
    append_integer(plain, k);
    braced += "H_{";
    append_integer(braced, k);
    braced += '}';
    return name == plain.view() || name == braced.view();
}

template <class Vars>
struct variable_names;
template <class... Vs>
struct variable_names<type_list<Vs...>> {
    static constexpr std::array<std::string_view, sizeof...(Vs) + 1> value{Vs::name..., std::string_view{}};
};

/// List with an entry H_k for every node of L that two or more distinct nodes read and List
/// leaves unnamed, all in the graph's order (each after the nodes its definition uses). k counts
/// them from the input, skipping a k whose H_k a variable of L or a user's label already spells.
/// List itself, in its own order, when there is none.
template <class List, class L>
struct add_shared_names;
template <class... Es, class L>
struct add_shared_names<name_list<Es...>, L> {
    using graph = loss_graph<L>;
    using all_nodes = typename flat_of<typename graph::nodes>::type;
    static constexpr std::size_t n = graph::nodes::size;

    static constexpr auto flags = []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<bool, n + 1>{
            unnamed_shared<name_list<Es...>, type_at<I, all_nodes>, (distinct_readers<L>(I) >= 2)>::value..., false};
    }(std::make_index_sequence<n>{});
    static constexpr std::size_t count = [] {
        std::size_t c = 0;
        for (bool f : flags) c += f ? 1 : 0;
        return c;
    }();

    /// Per entry of the result: its node's position in the graph, the entry of List it is (or
    /// a shared node), and a shared node's k.
    struct slot {
        std::size_t position = 0;
        std::size_t from = 0;
        bool shared = false;
        int number = 0;
    };

    struct merged {
        static constexpr std::size_t size = sizeof...(Es) + count;
        static constexpr std::array<slot, size + 1> slots = [] {
            std::array<slot, size + 1> out{};
            const std::size_t positions[] = {detail::index_in<typename Es::node_type, typename graph::map>()..., 0};
            std::size_t k = 0;
            for (std::size_t i = 0; i < sizeof...(Es); ++i) out[k++] = slot{positions[i], i, false, 0};
            for (std::size_t i = 0; i < n; ++i) {
                if (flags[i]) out[k++] = slot{i, 0, true, 0};
            }
            // The graph's order, a topological one (insertion sort: stable, and few entries).
            for (std::size_t i = 1; i < size; ++i) {
                for (std::size_t j = i; j > 0 && out[j - 1].position > out[j].position; --j) {
                    const slot t = out[j];
                    out[j] = out[j - 1];
                    out[j - 1] = t;
                }
            }
            const auto& variables = variable_names<variables_of_t<L>>::value;
            const std::string_view labels[] = {label_v<typename Es::node_type>..., label_v<L>};
            const auto taken = [&](int number) {
                for (std::string_view v : variables) {
                    if (spells_shared_name(v, number)) return true;
                }
                for (std::string_view l : labels) {
                    if (spells_shared_name(l, number)) return true;
                }
                return false;
            };
            int number = 0;
            for (std::size_t i = 0; i < size; ++i) {
                if (!out[i].shared) continue;
                do {
                    ++number;
                } while (taken(number));
                out[i].number = number;
            }
            return out;
        }();

        template <std::size_t K>
        static auto entry_at() {
            if constexpr (slots[K].shared) {
                return name_entry<type_at<slots[K].position, all_nodes>, name_role::shared, slots[K].number>{};
            } else {
                return type_at<slots[K].from, flat_list<Es...>>{};
            }
        }
        template <std::size_t... K>
        static name_list<decltype(entry_at<K>())...> make(std::index_sequence<K...>);
        using type = decltype(make(std::make_index_sequence<size>{}));
    };

    static constexpr auto pick() {
        if constexpr (count == 0) {
            return std::type_identity<name_list<Es...>>{};
        } else {
            return std::type_identity<typename merged::type>{};
        }
    }
    using type = typename decltype(pick())::type;
};

/// Every named intermediate of loss L, inputs first, the loss last.
template <class L>
struct names_of {
    using collected = typename drop_last_if<typename collect_names<name_list<>, nodes_of_t<L>>::type, L>::type;
    using with_output = typename mark_output<collected, typename unwrap_named<L>::type>::type;
    using with_shared = typename add_shared_names<with_output, L>::type;
    using type = typename append_entry<with_shared, name_entry<L, name_role::loss>>::type;
};

// ---- the table the printer uses ---------------------------------------------------------

template <class List>
struct name_table;

template <class... Es>
struct name_table<name_list<Es...>> {
    static constexpr std::size_t size = sizeof...(Es);
    using nodes = name_list<Es...>;

    static constexpr std::array<name_role, size> roles{Es::role...};
    /// The layer: a pre-activation Z_k takes the number of the activation it feeds; a shared
    /// node's H_k, its k.
    static constexpr std::array<int, size> layers{
        (Es::role == name_role::shared ? Es::number
                                       : layer_v<typename Es::node_type> + (Es::role == name_role::preactivation ? 1 : 0))...};
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

    /// The LaTeX name of entry i: Z_1, A_{2,1}, \hat{y}, H_1, the user's label, L.
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
            out += e.role == name_role::activation ? 'A' : e.role == name_role::shared ? 'H' : 'Z';
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
