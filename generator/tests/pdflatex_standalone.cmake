# `ctgrad-gen ... --format latex --standalone` compiled with pdflatex (cmake -P, from
# cli_tests.cmake): the document ctgrad-gen writes must compile as it is, in English and in
# Russian (T2A fonts and babel: Debian's texlive-lang-cyrillic). A missing pdflatex is an error.
# Arguments: EXE, WORK_DIR, ARGS (ctgrad-gen's arguments, separated by |).
cmake_minimum_required(VERSION 3.25)
find_program(PDFLATEX pdflatex)
if(NOT PDFLATEX)
  message(FATAL_ERROR "ctgrad: pdflatex not found: install texlive-latex-base (bash .ci/install-deps)")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${EXE}" ${args} RESULT_VARIABLE code OUTPUT_FILE "${WORK_DIR}/document.tex" ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "ctgrad-gen ${args} failed (${code}):\n${err}")
endif()
execute_process(COMMAND "${PDFLATEX}" -halt-on-error -interaction=nonstopmode document.tex
  WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE code OUTPUT_VARIABLE log ERROR_VARIABLE log)
if(NOT code EQUAL 0 OR NOT EXISTS "${WORK_DIR}/document.pdf")
  message("${log}")
  message(FATAL_ERROR "pdflatex could not compile the document of ctgrad-gen ${args}")
endif()
message(STATUS "pdflatex compiled ${WORK_DIR}/document.pdf")
