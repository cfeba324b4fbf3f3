// Compile-time probe: the cost of the umbrella header alone (no expression built or evaluated),
// the baseline the other probes in tests/compile_time/ are read against.
#include <ctgrad/ctgrad.hpp>

#include <Eigen/Dense>
