# The LaTeX checks of tests/CMakeLists.txt (included from there):
#  - tests/golden/* as C++ string constants in ctgrad_golden.hpp, so test_latex.cpp can
#    static_assert that the compiler prints exactly the golden text (CTGRAD_STATIC_GOLDEN);
#  - latex.katex: every golden LaTeX string rendered by KaTeX (node, npm package katex);
#  - latex.pdflatex: the board derivation compiled in a minimal amsmath article.
# Both checks fail, never skip, when node, npm or pdflatex is missing (.ci/install-deps
# installs them).

option(CTGRAD_STATIC_GOLDEN
  "Check golden LaTeX in constant expressions too (turn off to regenerate the golden files)" ON)

set(CTGRAD_GOLDEN_SOURCE_DIR "${CMAKE_CURRENT_SOURCE_DIR}/golden")
file(GLOB CTGRAD_GOLDEN_FILES CONFIGURE_DEPENDS "${CTGRAD_GOLDEN_SOURCE_DIR}/*.tex"
  "${CTGRAD_GOLDEN_SOURCE_DIR}/*.md" "${CTGRAD_GOLDEN_SOURCE_DIR}/*.txt")
list(SORT CTGRAD_GOLDEN_FILES)

# --- golden files as constants ---------------------------------------------------
set(golden_header "// Generated from tests/golden by cmake/ctgrad_latex_checks.cmake; do not edit.\n")
string(APPEND golden_header "#pragma once\n#include <string_view>\nnamespace ctgrad_golden {\n")
foreach(golden IN LISTS CTGRAD_GOLDEN_FILES)
  get_filename_component(golden_name "${golden}" NAME)
  string(MAKE_C_IDENTIFIER "${golden_name}" golden_id)
  file(READ "${golden}" golden_text)
  string(APPEND golden_header
    "inline constexpr std::string_view ${golden_id} = R\"ctgrad_golden(${golden_text})ctgrad_golden\";\n")
  # editing a golden file re-runs the configure step, which rewrites the header
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${golden}")
endforeach()
string(APPEND golden_header "}  // namespace ctgrad_golden\n")
set(golden_include_dir "${CMAKE_CURRENT_BINARY_DIR}/golden_include")
file(CONFIGURE OUTPUT "${golden_include_dir}/ctgrad_golden.hpp" CONTENT "${golden_header}" @ONLY)
target_include_directories(ctgrad_tests PRIVATE "${golden_include_dir}")
target_compile_definitions(ctgrad_tests PRIVATE CTGRAD_STATIC_GOLDEN=$<BOOL:${CTGRAD_STATIC_GOLDEN}>)
target_link_libraries(ctgrad_tests PRIVATE fmt::fmt)

# --- KaTeX -------------------------------------------------------------------------
set(katex_dir "${CMAKE_CURRENT_BINARY_DIR}/katex")
set(latex_tool "${PROJECT_SOURCE_DIR}/cmake/ctgrad_latex_tool.cmake")
add_test(NAME latex.katex.install
  COMMAND "${CMAKE_COMMAND}" -DMODE=katex-install
    "-DPACKAGE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/katex" "-DWORK_DIR=${katex_dir}"
    -P "${latex_tool}")
set_tests_properties(latex.katex.install PROPERTIES FIXTURES_SETUP ctgrad_katex LABELS latex)

set(golden_latex_files "${CTGRAD_GOLDEN_FILES}")
list(FILTER golden_latex_files INCLUDE REGEX "\\.(tex|md)$")
string(REPLACE ";" "|" golden_latex_arg "${golden_latex_files}")
add_test(NAME latex.katex
  COMMAND "${CMAKE_COMMAND}" -DMODE=katex
    "-DPACKAGE_DIR=${CMAKE_CURRENT_SOURCE_DIR}/katex" "-DWORK_DIR=${katex_dir}"
    "-DFILES=${golden_latex_arg}"
    -P "${latex_tool}")
set_tests_properties(latex.katex PROPERTIES FIXTURES_REQUIRED ctgrad_katex LABELS latex)

# --- pdflatex ------------------------------------------------------------------------
add_test(NAME latex.pdflatex
  COMMAND "${CMAKE_COMMAND}" -DMODE=pdflatex
    "-DFILES=${CTGRAD_GOLDEN_SOURCE_DIR}/board_derivation.tex"
    "-DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/pdflatex"
    -P "${latex_tool}")
set_tests_properties(latex.pdflatex PROPERTIES LABELS latex)
# The Russian derivation (derivation(...).latex(lang::ru)) in a Cyrillic article.
add_test(NAME latex.pdflatex.ru
  COMMAND "${CMAKE_COMMAND}" -DMODE=pdflatex -DRUSSIAN=ON
    "-DFILES=${CTGRAD_GOLDEN_SOURCE_DIR}/board_derivation_ru.tex"
    "-DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/pdflatex-ru"
    -P "${latex_tool}")
set_tests_properties(latex.pdflatex.ru PROPERTIES LABELS latex)
