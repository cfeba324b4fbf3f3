// The list of operations: every descriptor, in one place. Adding an operation touches its own
// file, this list and its builder in operations.hpp.
#pragma once

#include <tuple>

#include "add.hpp"
#include "columns.hpp"
#include "cross_entropy.hpp"
#include "divide.hpp"
#include "elementwise.hpp"
#include "hadamard.hpp"
#include "internal.hpp"
#include "losses.hpp"
#include "matmul.hpp"
#include "named.hpp"
#include "negate.hpp"
#include "scale.hpp"
#include "softmax.hpp"
#include "sum.hpp"
#include "transpose.hpp"

namespace ctgrad {

/// Every operation, for code (laws, printers) that must cover them all. named_op stands for
/// every named_op<Name>: the name changes nothing but how derivations print; slice_cols_op<0, 1>
/// and embed_cols_op<0, 2> stand for every column range.
using all_operations = std::tuple<add_op, subtract_op, negate_op, matmul_op, scale_op, hadamard_op, divide_op,
                                  transpose_op, relu_op, step_op, tanh_op, sigmoid_op, exp_op, log_op, softplus_op,
                                  square_op, identity_op, sqrt_op, abs_op, sign_op, gelu_op, gelu_derivative_op,
                                  softmax_op, log_softmax_op, sum_op, mean_op, column_sums_op, column_means_op,
                                  row_sums_op, row_means_op, mse_op, bce_op, bce_logits_op, cross_entropy_op,
                                  probability_rows_op, concat_cols_op,
                                  slice_cols_op<0, 1>, embed_cols_op<0, 2>, broadcast_op, count_op, row_count_op,
                                  column_count_op, named_op<"H">>;

/// The element-wise functions, whose derivatives share one chain rule (elementwise_function).
using elementwise_operations =
    std::tuple<relu_op, step_op, tanh_op, sigmoid_op, exp_op, log_op, softplus_op, square_op, identity_op, sqrt_op,
               abs_op, sign_op, gelu_op, gelu_derivative_op>;

}  // namespace ctgrad
