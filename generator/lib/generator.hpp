// The generator library behind ctgrad-gen, for tests: the stages of a request (options, formula,
// shapes, steps, program, toolchain, judge, output) and the commands that sequence them.
#pragma once

#include "commands.hpp"
#include "diagnostic.hpp"
#include "exercise.hpp"
#include "formula.hpp"
#include "judge.hpp"
#include "lecture.hpp"
#include "mathml.hpp"
#include "names.hpp"
#include "options.hpp"
#include "output.hpp"
#include "program.hpp"
#include "shapes.hpp"
#include "steps.hpp"
#include "toolchain.hpp"
