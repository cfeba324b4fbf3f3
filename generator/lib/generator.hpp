// The generator library behind ctgrad-gen, for tests: parsing, shapes, programs, commands.
#pragma once

#include "commands.hpp"
#include "diagnostic.hpp"
#include "formula.hpp"
#include "lecture.hpp"
#include "names.hpp"
#include "program.hpp"
#include "shapes.hpp"
#include "toolchain.hpp"
