# Runs ctgrad-gen once (cmake -P) and checks its exit code and output. Called by the CTest cases
# in cli_tests.cmake with:
#   EXE            the ctgrad-gen binary
#   ARGS           its arguments, separated by the character \x1f (so ';' and spaces survive)
#   EXIT           the exit code it must return
#   STDOUT_REGEX   optional: a regular expression stdout must match
#   STDERR_REGEX   optional: a regular expression stderr must match
#   CARET          optional: when set, stderr must be `error: ...`, a text line and a caret line
cmake_minimum_required(VERSION 3.25)

# Each argument becomes a bracket argument, so empty ones and ';' survive (a plain list expansion
# would drop `''`).
string(ASCII 31 separator)
set(quoted "")
set(arguments "")
if(NOT ARGS STREQUAL "")
  string(REPLACE "${separator}" "\n" arguments "${ARGS}")
endif()
set(rest "${ARGS}")
while(NOT rest STREQUAL "" OR DEFINED more)
  unset(more)
  string(FIND "${rest}" "${separator}" at)
  if(at EQUAL -1)
    set(piece "${rest}")
    set(rest "")
  else()
    string(SUBSTRING "${rest}" 0 ${at} piece)
    math(EXPR next "${at} + 1")
    string(SUBSTRING "${rest}" ${next} -1 rest)
    set(more ON)
  endif()
  string(APPEND quoted " [==[${piece}]==]")
  if(NOT DEFINED more)
    break()
  endif()
endwhile()
cmake_language(EVAL CODE "execute_process(COMMAND [==[${EXE}]==]${quoted}
  RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 900)")
set(report "ctgrad-gen ${arguments}\nexit: ${code}\n--- stdout\n${out}\n--- stderr\n${err}")
if(NOT code STREQUAL "${EXIT}")
  message(FATAL_ERROR "expected exit ${EXIT}\n${report}")
endif()
if(DEFINED STDOUT_REGEX AND NOT out MATCHES "${STDOUT_REGEX}")
  message(FATAL_ERROR "stdout does not match `${STDOUT_REGEX}`\n${report}")
endif()
if(DEFINED STDERR_REGEX AND NOT err MATCHES "${STDERR_REGEX}")
  message(FATAL_ERROR "stderr does not match `${STDERR_REGEX}`\n${report}")
endif()
if(CARET AND NOT err MATCHES "^error: [^\n]+\n  [^\n]*\n *~*\\^~*\n$")
  message(FATAL_ERROR "stderr is not `error:`, the text and a caret line\n${report}")
endif()
message(STATUS "${report}")
