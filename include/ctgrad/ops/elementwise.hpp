// The element-wise functions, one file each.
#pragma once

#include "exp.hpp"
#include "identity.hpp"
#include "log.hpp"
#include "relu.hpp"
#include "sigmoid.hpp"
#include "softplus.hpp"
#include "square.hpp"
#include "step.hpp"
#include "tanh.hpp"
