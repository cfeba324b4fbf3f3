// The element-wise functions, one file each.
#pragma once

#include "abs.hpp"
#include "exp.hpp"
#include "gelu.hpp"
#include "identity.hpp"
#include "log.hpp"
#include "relu.hpp"
#include "sigmoid.hpp"
#include "softplus.hpp"
#include "sqrt.hpp"
#include "square.hpp"
#include "step.hpp"
#include "tanh.hpp"
