// ctgrad: compile-time symbolic gradients of network formulas, evaluated on Eigen.
#pragma once

#include "derivation.hpp"
#include "errors.hpp"
#include "evaluation.hpp"
#include "expression.hpp"
#include "operations.hpp"
#include "variables.hpp"
