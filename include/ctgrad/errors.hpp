// shape_error: thrown when a size known only at run time does not fit; domain_error: an input
// outside an operation's domain.
#pragma once

#include <stdexcept>
#include <string>

#include "detail/inlining.hpp"

namespace ctgrad {

/// A dynamic size that does not fit: the message names the operands and both shapes.
struct shape_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

/// An input outside an operation's documented domain (cross_entropy's targets must be
/// probability rows): the message names the operation.
struct domain_error : std::domain_error {
    using std::domain_error::domain_error;
};

namespace detail {

/// Concatenates text pieces by appending (g++ 12 warns falsely, -Wrestrict, about
/// `"literal" + std::string` chains at -O2).
template <class... Pieces>
CTGRAD_COLD std::string concat_text(const Pieces&... pieces) {
    std::string out;
    (out.append(pieces), ...);
    return out;
}

CTGRAD_COLD inline std::string dim_text(long n) { return n < 0 ? std::string("n") : std::to_string(n); }

CTGRAD_COLD inline std::string shape_text(long rows, long cols) { return concat_text("(", dim_text(rows), " x ", dim_text(cols), ")"); }

}  // namespace detail
}  // namespace ctgrad
