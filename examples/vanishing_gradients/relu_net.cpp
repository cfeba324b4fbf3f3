// The ReLU net of examples/vanishing_gradients.cpp, derived: its own translation unit (net.hpp).
#include "net.hpp"

namespace vanishing_gradients {

net_gradients relu_net_gradients(const batch_matrix& x, const batch_matrix& y, const net_values& p) {
    return formula::derive<formula::relu_activation>(x, y, p);
}

}  // namespace vanishing_gradients
