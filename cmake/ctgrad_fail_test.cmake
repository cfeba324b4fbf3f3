# Runs one compile-fail case (cmake -P). Called by the tests registered in
# tests/CMakeLists.txt with:
#   COMPILER               the C++ compiler
#   SOURCE                 the tests/fail/*.cpp file; first line `// expect: <text>`
#   MODE                   `misuse`: compile with -DCTGRAD_MISUSE, must fail and
#                          print <text>; `twin`: compile without it, must succeed
#   FLAGS_FILE             include dirs and definitions of ctgrad (generated)
#   IMPLICIT_INCLUDE_DIRS  the compiler's own include dirs, never passed as -I
#                          (an explicit -I/usr/include breaks libstdc++'s #include_next)

cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS COMPILER SOURCE MODE FLAGS_FILE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "ctgrad_fail_test.cmake: -D${var}=... is required")
  endif()
endforeach()

# The expected text: the rest of the first line after `// expect: `.
file(STRINGS "${SOURCE}" first_line LIMIT_COUNT 1)
string(REGEX MATCH "^// expect: (.+)$" matched "${first_line}")
if(NOT matched)
  message(FATAL_ERROR
    "${SOURCE}:1: the first line must be `// expect: <text the compiler must print>`, "
    "found: `${first_line}`")
endif()
string(STRIP "${CMAKE_MATCH_1}" expected)

# Flags from the generated file: one `key=value;value;...` line per key.
file(STRINGS "${FLAGS_FILE}" flag_lines)
set(include_dirs)
set(definitions)
foreach(line IN LISTS flag_lines)
  if(line MATCHES "^include_dirs=(.*)$")
    set(include_dirs "${CMAKE_MATCH_1}")
  elseif(line MATCHES "^definitions=(.*)$")
    set(definitions "${CMAKE_MATCH_1}")
  endif()
endforeach()

set(args -std=c++20 -fsyntax-only -fmessage-length=0)
list(REMOVE_DUPLICATES include_dirs)
foreach(dir IN LISTS include_dirs)
  if(NOT dir IN_LIST IMPLICIT_INCLUDE_DIRS)
    list(APPEND args "-I${dir}")
  endif()
endforeach()
foreach(def IN LISTS definitions)
  list(APPEND args "-D${def}")
endforeach()
if(MODE STREQUAL "misuse")
  list(APPEND args -DCTGRAD_MISUSE)
elseif(NOT MODE STREQUAL "twin")
  message(FATAL_ERROR "ctgrad_fail_test.cmake: MODE must be misuse or twin, not `${MODE}`")
endif()

# Plain ASCII quotes in diagnostics, whatever the caller's locale.
set(ENV{LC_ALL} C)
execute_process(
  COMMAND "${COMPILER}" ${args} "${SOURCE}"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
string(REPLACE ";" " " shown_args "${args}")
set(command_line "${COMPILER} ${shown_args} ${SOURCE}")

# Prints the command and the compiler's output verbatim (message() without a mode
# does not re-wrap lines), then fails with a one-line reason.
function(fail)
  string(JOIN "" reason ${ARGN})
  message("Command: ${command_line}\nCompiler output (exit ${result}):\n${output}")
  message(FATAL_ERROR "FAIL: ${reason}")
endfunction()

if(MODE STREQUAL "twin")
  if(NOT result EQUAL 0)
    fail("the twin of ${SOURCE} (compiled without CTGRAD_MISUSE) must compile, "
         "but the compiler failed.")
  endif()
  message(STATUS "PASS: the twin compiles: ${SOURCE}")
  return()
endif()

if(result EQUAL 0)
  fail("${SOURCE} compiled with -DCTGRAD_MISUSE must NOT compile, but it did. "
       "Expected the compiler to print: ${expected}")
endif()
string(FIND "${output}" "${expected}" position)
if(position EQUAL -1)
  fail("${SOURCE} failed to compile as it should, but the compiler output does not "
       "contain the expected text: ${expected}")
endif()

# One misuse, one error: the headers stop at the first static_assert, so a case that
# prints a second `error:` line is a cascade the user would have to read through.
string(REGEX MATCHALL "error:" error_lines "${output}")
list(LENGTH error_lines error_count)
if(NOT error_count EQUAL 1)
  fail("${SOURCE} must print exactly one `error:` line (the static_assert), "
       "but the compiler printed ${error_count}.")
endif()

# The user's line: a static_assert inside a template reports at its own line in
# ctgrad's headers, so the `error:` line cannot name the test file (docs/design.md,
# "Compile errors"). The same diagnostic names the line that caused it as a location
# of its own (g++: `file:line:col:   required from here`; clang: `file:line:col: note:
# in instantiation of ... requested here`); require that it is in the test file.
string(REGEX REPLACE "([][+.*()^$?|\\])" "\\\\\\1" source_pattern "${SOURCE}")
string(REGEX MATCH "(^|\n)${source_pattern}:([0-9]+):[0-9]+:" user_location "${output}")
if(NOT user_location)
  fail("the error of ${SOURCE} must name a line of ${SOURCE} (the misuse), "
       "but every location it gives is in another file.")
endif()
set(user_line "${CMAKE_MATCH_2}")
message(STATUS "PASS: ${SOURCE} fails to compile with one error, names its line ${user_line}, "
               "and says: ${expected}")
