// The net of examples/vanishing_gradients.cpp as one ctgrad formula of 100 layers, and its
// gradients with respect to the 100 weight matrices. tanh_net.cpp and relu_net.cpp each derive one
// of the two nets, so that the two long compiles are separate translation units.
#pragma once

#include <ctgrad/ctgrad.hpp>

#include <Eigen/Core>

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace vanishing_gradients {

inline constexpr int depth = 100;
inline constexpr int width = 8;

using weight = Eigen::Matrix<double, width, width>;
using bias = Eigen::Matrix<double, 1, width>;  // b_k^T: the lecture's b_k is a column
using batch_matrix = Eigen::Matrix<double, Eigen::Dynamic, width>;

struct net_values {
    std::array<weight, depth> w;  // w[k - 1] is W_k
    std::array<bias, depth> b;    // b[k - 1] is b_k^T
};

/// The loss and dL/dW_k for k = 1..depth (dL/dW_k in dw[k - 1]).
struct net_gradients {
    double loss = 0;
    std::array<weight, depth> dw;
};

net_gradients tanh_net_gradients(const batch_matrix& x, const batch_matrix& y, const net_values& p);
net_gradients relu_net_gradients(const batch_matrix& x, const batch_matrix& y, const net_values& p);

namespace formula {

using namespace ctgrad;

/// Layer K's weights W_K and bias, named W_1 .. W_{100}, b_1 .. b_{100}. The bias is declared as
/// the 1 x 8 row b_K^T it is in the formula, which saves a transpose node per layer.
template <int K>
constexpr matrix<indexed_name<"W", K>, width, width> W{};
template <int K>
constexpr matrix<indexed_name<"b", K>, 1, width> b{};

static_assert(W<7>.name == "W_7" && W<10>.name == "W_{10}" && b<100>.name == "b_{100}");

constexpr matrix<"X", dynamic, width> X{};
constexpr matrix<"Y", dynamic, width> Y{};

struct tanh_activation {};
struct relu_activation {};

/// Layer K, applied by `A_{K-1} | layer<Activation, K>{}`: Activation(A_{K-1} W_K + b_K^T), the
/// row b_K^T added to every row. An operator, so that a fold expression chains the layers.
template <class Activation, int K>
struct layer {};

// static, as ctgrad's own templates: a function template with external linkage is given a
// mangled name when instantiated, and E, the net up to layer K-1, would make that name long.
template <expression E, class Activation, int K>
static constexpr auto operator|(const E& a, layer<Activation, K>) {
    if constexpr (std::is_same_v<Activation, tanh_activation>) {
        return tanh(a * W<K> + b<K>);
    } else {
        return relu(a * W<K> + b<K>);
    }
}

/// mse(A_N, Y) with A_N = (((X | layer 1) | layer 2) ... | layer N): the whole net, one formula.
template <class Activation, std::size_t... I>
static constexpr auto net_loss(std::index_sequence<I...>) {
    return mse((X | ... | layer<Activation, int(I) + 1>{}), Y);
}

template <class Activation>
static constexpr auto L = net_loss<Activation>(std::make_index_sequence<depth>{});

/// Every variable bound, then eval_with_loss(grads(L, W_1, ..., W_N), in): the loss and the N
/// gradients from one forward and one backward pass.
template <class Activation>
static net_gradients derive(const batch_matrix& x, const batch_matrix& y, const net_values& p) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
        const auto in = bind(X = x, Y = y, (W<int(I) + 1> = p.w[I])..., (b<int(I) + 1> = p.b[I])...);
        const auto values = eval_with_loss(grads(L<Activation>, W<int(I) + 1>...), in);
        return net_gradients{std::get<0>(values), {std::get<I + 1>(values)...}};
    }(std::make_index_sequence<depth>{});
}

}  // namespace formula

}  // namespace vanishing_gradients
