# Installs the build into a scratch prefix (cmake -P) and checks that the installed ctgrad-gen
# compiles its programs against the installed headers, not the source tree's. Called with
#   BUILD (the build directory), PREFIX (scratch, emptied first).
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD}" --prefix "${PREFIX}"
  RESULT_VARIABLE code OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${err}")
endif()
file(GLOB gen "${PREFIX}/bin/ctgrad-gen")
if(NOT gen)
  message(FATAL_ERROR "cmake --install did not install bin/ctgrad-gen")
endif()
execute_process(COMMAND "${gen}" config RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REAL_PATH "${PREFIX}/include" installed)
if(NOT code EQUAL 0 OR NOT out MATCHES "ctgrad headers: ${installed}\n" OR NOT out MATCHES "-I${installed} ")
  message(FATAL_ERROR "the installed ctgrad-gen does not use ${installed}:\n${out}${err}")
endif()
if(NOT EXISTS "${installed}/ctgrad/codegen.hpp")
  message(FATAL_ERROR "the headers ctgrad-gen needs are not installed in ${installed}")
endif()
message(STATUS "${out}")
