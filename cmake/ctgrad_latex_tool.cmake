# Runs one LaTeX check (cmake -P), for the CTest cases in cmake/ctgrad_latex_checks.cmake.
#   -DMODE=katex-install -DPACKAGE_DIR=<tests/katex> -DWORK_DIR=<dir>
#       npm ci of tests/katex/package-lock.json into WORK_DIR (the pinned katex).
#   -DMODE=katex -DPACKAGE_DIR=<tests/katex> -DWORK_DIR=<dir> -DFILES=<a.tex|b.md|...>
#       renders every formula of the files with KaTeX (tests/katex/check.cjs).
#   -DMODE=pdflatex -DFILES=<derivation.tex> -DWORK_DIR=<dir> [-DPNG=<out.png>] [-DRUSSIAN=ON]
#       wraps the align* block in a minimal article with amsmath and runs
#       pdflatex -halt-on-error; with PNG, also renders page 1 with pdftoppm (for docs/).
# A missing tool is an error, never a skip.
cmake_minimum_required(VERSION 3.25)

function(require_program variable name package)
  find_program(${variable} ${name})
  if(NOT ${variable})
    message(FATAL_ERROR "ctgrad: ${name} not found: install ${package} (bash .ci/install-deps)")
  endif()
endfunction()

if(MODE STREQUAL "katex-install")
  require_program(NPM npm "nodejs and npm")
  file(MAKE_DIRECTORY "${WORK_DIR}")
  file(COPY "${PACKAGE_DIR}/package.json" "${PACKAGE_DIR}/package-lock.json" DESTINATION "${WORK_DIR}")
  execute_process(COMMAND "${NPM}" ci --no-audit --no-fund --loglevel=error
    WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "ctgrad: npm ci of tests/katex failed (${result})")
  endif()
  if(NOT EXISTS "${WORK_DIR}/node_modules/katex/package.json")
    message(FATAL_ERROR "ctgrad: katex is missing after npm ci in ${WORK_DIR}")
  endif()
elseif(MODE STREQUAL "katex")
  require_program(NODE node "nodejs")
  string(REPLACE "|" ";" files "${FILES}")
  if(NOT files)
    message(FATAL_ERROR "ctgrad: no golden LaTeX files to render")
  endif()
  execute_process(COMMAND "${NODE}" "${PACKAGE_DIR}/check.cjs" "${WORK_DIR}/node_modules" ${files}
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "ctgrad: KaTeX could not render every formula (see above)")
  endif()
elseif(MODE STREQUAL "pdflatex")
  require_program(PDFLATEX pdflatex "texlive-latex-base")
  file(READ "${FILES}" body)
  file(MAKE_DIRECTORY "${WORK_DIR}")
  get_filename_component(stem "${FILES}" NAME_WE)
  set(preamble "")
  if(RUSSIAN)  # Cyrillic text: T2A fonts and babel (texlive-lang-cyrillic)
    set(preamble "\\usepackage[T2A]{fontenc}\n\\usepackage[utf8]{inputenc}\n\\usepackage[russian]{babel}\n")
  endif()
  file(WRITE "${WORK_DIR}/${stem}.tex"
    "\\documentclass{article}\n${preamble}\\usepackage{amsmath}\n\\pagestyle{empty}\n\\begin{document}\n${body}\\end{document}\n")
  execute_process(COMMAND "${PDFLATEX}" -halt-on-error -interaction=nonstopmode "${stem}.tex"
    WORKING_DIRECTORY "${WORK_DIR}" RESULT_VARIABLE result OUTPUT_VARIABLE log ERROR_VARIABLE log)
  if(NOT result EQUAL 0 OR NOT EXISTS "${WORK_DIR}/${stem}.pdf")
    message("${log}")
    message(FATAL_ERROR "ctgrad: pdflatex could not compile ${FILES}")
  endif()
  message(STATUS "pdflatex compiled ${FILES} to ${WORK_DIR}/${stem}.pdf")
  if(PNG)
    require_program(PDFTOPPM pdftoppm "poppler-utils")
    get_filename_component(png_stem "${PNG}" NAME_WLE)
    get_filename_component(png_dir "${PNG}" DIRECTORY)
    execute_process(COMMAND "${PDFTOPPM}" -png -r 130 -singlefile "${WORK_DIR}/${stem}.pdf" "${png_dir}/${png_stem}"
      RESULT_VARIABLE result)
    if(NOT result EQUAL 0)
      message(FATAL_ERROR "ctgrad: pdftoppm failed")
    endif()
  endif()
else()
  message(FATAL_ERROR "ctgrad_latex_tool.cmake: unknown MODE '${MODE}'")
endif()
