# The HTML page of a derivation, opened in headless Chromium (cmake -P, from cli_tests.cmake):
#  1. as XHTML (application/xhtml+xml), so Chromium's XML parser reads it: a page that is not
#     well-formed XML gets a <parsererror> element in the dumped DOM;
#  2. as HTML, screenshotted twice: as written, and with every MathML element turned into a
#     <span> (the formulas as plain text). Chromium lays MathML out (fractions stacked,
#     scripts raised), so the two screenshots must differ.
# Arguments: EXE (ctgrad-gen), WORK_DIR, ARGS (ctgrad-gen's arguments, separated by |),
# PNG (optional: where to copy the screenshot, for docs/img).
cmake_minimum_required(VERSION 3.25)
find_program(CHROMIUM NAMES chromium chromium-browser)
if(NOT CHROMIUM)
  message(FATAL_ERROR "ctgrad: chromium not found: install it (bash .ci/install-deps)")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}/profile")
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${EXE}" ${args} RESULT_VARIABLE code OUTPUT_VARIABLE page ERROR_VARIABLE err)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "ctgrad-gen ${args} failed (${code}):\n${err}")
endif()
foreach(forbidden "<script" " src=\"http" " href=\"http" "<link ")
  string(FIND "${page}" "${forbidden}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "the page is not self-contained: it has ${forbidden}")
  endif()
endforeach()
string(FIND "${page}" "<meta charset=\"UTF-8\"/>" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the page does not declare UTF-8")
endif()
file(WRITE "${WORK_DIR}/page.xhtml" "${page}")
file(WRITE "${WORK_DIR}/page.html" "${page}")
# The same page with the MathML elements as spans: the formulas' text, no math layout.
string(REGEX REPLACE "<(/?)(math|mi|mn|mo|mrow|mfrac|msub|msup|msubsup|mover|munder|munderover|mtable|mtr|mtd|mtext|mspace)( [^>]*)?>"
  "<\\1span>" plain "${page}")
file(WRITE "${WORK_DIR}/plain.html" "${plain}")

set(flags --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync "--user-data-dir=${WORK_DIR}/profile" --window-size=1000,1400)
execute_process(COMMAND "${CHROMIUM}" ${flags} --dump-dom "file://${WORK_DIR}/page.xhtml"
  RESULT_VARIABLE code OUTPUT_VARIABLE dom ERROR_VARIABLE log TIMEOUT 120)
if(NOT code EQUAL 0)
  message(FATAL_ERROR "chromium --dump-dom failed (${code}):\n${log}")
endif()
string(FIND "${dom}" "parsererror" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "the page is not well-formed XML; Chromium's parser says:\n${dom}")
endif()
string(REGEX MATCHALL "<math " maths "${dom}")
list(LENGTH maths math_count)
if(math_count LESS 3)
  message(FATAL_ERROR "the parsed page has ${math_count} <math> elements")
endif()
foreach(name page plain)
  execute_process(COMMAND "${CHROMIUM}" ${flags} "--screenshot=${WORK_DIR}/${name}.png" "file://${WORK_DIR}/${name}.html"
    RESULT_VARIABLE code OUTPUT_VARIABLE log ERROR_VARIABLE log TIMEOUT 120)
  if(NOT code EQUAL 0 OR NOT EXISTS "${WORK_DIR}/${name}.png")
    message(FATAL_ERROR "chromium --screenshot of ${name}.html failed (${code}):\n${log}")
  endif()
endforeach()
file(SHA256 "${WORK_DIR}/page.png" with_math)
file(SHA256 "${WORK_DIR}/plain.png" without_math)
if(with_math STREQUAL without_math)
  message(FATAL_ERROR "the page looks the same with its MathML as plain text: Chromium did not lay out the formulas")
endif()
if(PNG)
  file(COPY_FILE "${WORK_DIR}/page.png" "${PNG}")
endif()
message(STATUS "Chromium parsed the page as XML (${math_count} formulas) and laid out its MathML")
