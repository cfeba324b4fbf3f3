# Writes a header with `ctgrad-gen emit` (cmake -P), for the emit test. Called at build time with
#   EXE, FORMULA, DIMS, NAME, OUTPUT, CACHE (the programs' cache).
cmake_minimum_required(VERSION 3.25)
set(ENV{CTGRAD_GEN_CACHE} "${CACHE}")
execute_process(COMMAND "${EXE}" emit "${FORMULA}" --dims "${DIMS}" --name "${NAME}"
  RESULT_VARIABLE code OUTPUT_FILE "${OUTPUT}.tmp" ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  file(REMOVE "${OUTPUT}.tmp")
  message(FATAL_ERROR "ctgrad-gen emit failed (exit ${code}):\n${err}")
endif()
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
