// Evaluation on Eigen: bind(X = x, ...), eval(e, in), eval(grads(...), in), check_gradient.
#pragma once

// The parts, one concept each, in the order a value is computed (docs/design.md, "Evaluation"):
#include "evaluation/operands.hpp"      // how operation values read operands on Eigen
#include "evaluation/binding.hpp"       // bind(...) and bound<...>
#include "evaluation/schedule.hpp"      // which nodes are stored, in which order, which are needed
#include "evaluation/fusion.hpp"        // which stored candidates are computed in their reader's loop
#include "evaluation/instructions.hpp"  // a value rewritten in small types (slots, bound variables)
#include "evaluation/numbers.hpp"       // a user's numbers as leaves keyed by place, so they evaluate as a graph
#include "evaluation/texts.hpp"         // compile-time texts for error messages
#include "evaluation/frame.hpp"         // the slots and the frame_view of one eval
#include "evaluation/size_checks.hpp"   // sizes only run time can check, and their shape_error
#include "evaluation/run.hpp"           // computing an instruction's value and filling a slot
#include "evaluation/eval.hpp"          // eval, eval_with_loss
#include "check_gradient.hpp"           // check_gradient
