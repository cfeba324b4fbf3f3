// shape_error: thrown when a size known only at run time does not fit.
#pragma once

#include <stdexcept>
#include <string>

namespace ctgrad {

/// A dynamic size that does not fit: the message names the operands and both shapes.
struct shape_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

namespace detail {

inline std::string shape_text(long rows, long cols) {
    return "(" + std::to_string(rows) + " x " + std::to_string(cols) + ")";
}

}  // namespace detail
}  // namespace ctgrad
