// How many times the test program has called operator new: Eigen's no-malloc guard
// (set_is_malloc_allowed) sees only Eigen's own allocations, not a std::make_shared.
#pragma once

namespace ctgrad_test {

/// Calls of the global operator new (every form) so far, in this thread.
long new_calls();

}  // namespace ctgrad_test
