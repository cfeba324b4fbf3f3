// The lecture's worked formulas (shared/lecture/lecture-intro-to-neural-networks.md), ready to
// derive: the board exercise, regressions as one neuron, the two-layer net, 100 tanh layers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ctgrad::gen {

struct lecture_formula {
    std::string name;     ///< board, linear, logistic, poisson, two_layer, deep100
    std::string title;
    std::string where;    ///< the lecture's slide
    std::string formula;  ///< in the formula language
    std::string dims;     ///< --dims, the lecture's shapes
    std::string wrt;      ///< --wrt when not every parameter
    std::string notes;
    std::string title_ru, notes_ru;  ///< the same in Russian (--lang ru)
};

const std::vector<lecture_formula>& lecture_formulas();
const lecture_formula* find_lecture(std::string_view name);

/// The tanh net of board exercise 2 with `layers` layers: A_0 = X, Z_i = A_{i-1} W_i + b_i^T,
/// A_i = tanh(Z_i), L = mse(A_N, Y).
std::string deep_tanh_formula(int layers);
std::string deep_tanh_dims(int layers);

}  // namespace ctgrad::gen
