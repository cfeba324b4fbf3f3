# CTest cases that run the ctgrad-gen binary (included from generator/CMakeLists.txt). The
# library's behaviour is tested in tests/unit/test_generator_*.cpp; these check the command line:
# argument parsing, exit codes, and that errors print a caret.

# ctgrad_gen_cli(<name> EXIT <code> [CARET] [STDOUT <regex>] [STDOUT_FILE <file>] [STDERR <regex>]
#                [INPUT <file>] ARGS <arg>...)
# STDOUT_FILE: stdout must equal the file's text exactly (a golden file).
function(ctgrad_gen_cli name)
  cmake_parse_arguments(PARSE_ARGV 1 cli "CARET" "EXIT;STDOUT;STDOUT_FILE;STDERR;INPUT" "ARGS")
  string(ASCII 31 separator)
  list(JOIN cli_ARGS "${separator}" joined)
  set(defines "-DEXE=$<TARGET_FILE:ctgrad-gen>" "-DARGS=${joined}" "-DEXIT=${cli_EXIT}")
  if(cli_CARET)
    list(APPEND defines "-DCARET=ON")
  endif()
  if(DEFINED cli_STDOUT)
    list(APPEND defines "-DSTDOUT_REGEX=${cli_STDOUT}")
  endif()
  if(DEFINED cli_STDOUT_FILE)
    list(APPEND defines "-DSTDOUT_FILE=${cli_STDOUT_FILE}")
  endif()
  if(DEFINED cli_INPUT)
    list(APPEND defines "-DINPUT=${cli_INPUT}")
  endif()
  if(DEFINED cli_STDERR)
    list(APPEND defines "-DSTDERR_REGEX=${cli_STDERR}")
  endif()
  add_test(NAME "cli.${name}" COMMAND "${CMAKE_COMMAND}" ${defines} -P "${CMAKE_CURRENT_SOURCE_DIR}/tests/run_cli.cmake")
  set_tests_properties("cli.${name}" PROPERTIES LABELS "cli"
    ENVIRONMENT "CTGRAD_GEN_CACHE=${CTGRAD_GEN_TEST_CACHE}")
endfunction()

set(board "mse(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T), Y)")

# Without compiling anything.
ctgrad_gen_cli(help EXIT 0 STDOUT "ctgrad-gen derive" ARGS help)
ctgrad_gen_cli(no_arguments EXIT 0 STDOUT "usage:" ARGS)
ctgrad_gen_cli(lecture_list EXIT 0 STDOUT "board.*linear.*logistic.*poisson.*two_layer.*deep100" ARGS lecture)
ctgrad_gen_cli(shapes_board EXIT 0
  STDOUT "X +\\(n x d\\)  data\nW1 +\\(d x H\\)\nb1 +\\(H x 1\\)\nW2 +\\(H x 1\\)\nb2 +\\(1 x 1\\)"
  ARGS shapes "${board}" --dims W2=H,1)
ctgrad_gen_cli(shapes_dims_as_separate_arguments EXIT 0 STDOUT "W1 +\\(d x K\\)"
  ARGS shapes "${board}" --dims X=n,d W1=d,K)
# `--` ends the options: what follows is the formula, even when it starts with '-' (-v is
# otherwise --verbose, --X an unknown option).
ctgrad_gen_cli(end_of_options_short EXIT 0 STDOUT "^v +\\(d x H\\)\nloss" ARGS shapes -- -v)
ctgrad_gen_cli(end_of_options_long EXIT 0 STDOUT "^X +\\(n x d\\)  data\nloss" ARGS shapes --dims X=n,d -- --X)
ctgrad_gen_cli(error_after_end_of_options EXIT 2 CARET STDERR "one formula at a time" ARGS shapes -- X --dims X=n,d)
ctgrad_gen_cli(error_empty_formula EXIT 2 CARET STDERR "empty formula" ARGS derive "")
ctgrad_gen_cli(error_unbalanced EXIT 2 CARET STDERR "never closed" ARGS derive "mse(X*W1, Y")
ctgrad_gen_cli(error_unknown_function EXIT 2 CARET STDERR "did you mean 'relu'" ARGS derive "mse(rleu(X*W1), Y)")
ctgrad_gen_cli(error_shapes EXIT 2 CARET STDERR "cannot multiply X \\(n x d\\) by W1 \\(k x H\\)"
  ARGS check "mse(X*W1, Y)" --dims "X=n,d W1=k,H" --wrt W1 --claim W1)
ctgrad_gen_cli(error_unknown_option EXIT 2 CARET STDERR "unknown option --frobnicate" ARGS derive "${board}" --frobnicate)
# A 10,000-character option is quoted short in the message and shown in a window (CARET checks
# that no line is longer than 200 bytes).
string(REPEAT "a" 10000 long_option)
ctgrad_gen_cli(error_long_unknown_option EXIT 2 CARET STDERR "unknown option --aaa+\\.\\.\\. \\(see"
  ARGS derive "${board}" "--${long_option}")
ctgrad_gen_cli(error_option_without_value EXIT 2 CARET STDERR "--wrt needs a value" ARGS derive "${board}" --wrt)
# An option the command would ignore, or a second --claim, --name or --format, is an error.
ctgrad_gen_cli(error_option_of_another_command EXIT 2 CARET
  STDERR "--claim does not apply to derive; derive takes --wrt" ARGS derive "${board}" --claim W1)
ctgrad_gen_cli(error_verbose_for_shapes EXIT 2 CARET STDERR "-v does not apply to shapes" ARGS shapes "${board}" -v)
ctgrad_gen_cli(error_dims_for_lecture EXIT 2 CARET STDERR "--dims does not apply to lecture"
  ARGS lecture board --dims X=n,3)
ctgrad_gen_cli(error_standalone_text EXIT 2 CARET STDERR "--standalone makes a LaTeX document"
  ARGS derive "${board}" --format=text --standalone)
ctgrad_gen_cli(error_option_twice EXIT 2 CARET STDERR "--claim is given twice"
  ARGS check "${board}" --wrt W2 --claim W2 --claim=W1)
ctgrad_gen_cli(error_two_formulas EXIT 2 CARET STDERR "one formula at a time" ARGS derive X*W1 Y)
ctgrad_gen_cli(error_no_formula EXIT 2 CARET STDERR "derive needs a formula" ARGS derive)
ctgrad_gen_cli(error_unknown_command EXIT 2 CARET STDERR "unknown command" ARGS differentiate "${board}")
string(REPEAT "(" 1000 deep_open)
ctgrad_gen_cli(error_deep_nesting EXIT 2 CARET STDERR "nests deeper than 400 levels" ARGS shapes "${deep_open}X")

ctgrad_gen_cli(error_unknown_lang EXIT 2 CARET STDERR "--lang: expected en or ru" ARGS derive "${board}" --lang fr)
ctgrad_gen_cli(error_steps_and_claim EXIT 2 CARET STDERR "--steps names its quantities on each line"
  ARGS check "${board}" --steps - --claim W2)
ctgrad_gen_cli(error_steps_missing_file EXIT 2 CARET STDERR "--steps: cannot read"
  ARGS check "${board}" --steps "${PROJECT_SOURCE_DIR}/examples/steps/no_such.steps")

# Compiling (through the shared cache): the board exercise, as the main job runs it.
ctgrad_gen_cli(lecture_board_text EXIT 0 STDOUT "Board exercise 1" ARGS lecture board --format text)
# The same program, in Russian.
ctgrad_gen_cli(lecture_board_text_ru EXIT 0 STDOUT "Прямой проход:.*Обратный проход.*скорость обучения"
  ARGS lecture board --format text --lang ru)
# check --steps on the lecture's slide solution: exit 1, the first wrong line named last.
set(board_dims "X=n,d W1=d,H b1=H W2=H,1 b2=1 Y=n,1")
ctgrad_gen_cli(check_steps_slide EXIT 1 STDOUT "a lost transpose\n.*first wrong line: 8 \\(dL/dW2 = A1 \\* dL/dZ2\\)\n$"
  ARGS check "${board}" --dims "${board_dims}" --steps "${PROJECT_SOURCE_DIR}/examples/steps/board_slide.steps")

# The correct steps from standard input, the verdicts as JSON (the same program as board.steps'
# unit test: from the cache).
ctgrad_gen_cli(check_steps_stdin_json EXIT 0
  STDOUT "^\\{\"line\": 5, \"quantity\": \"yhat\".*\\{\"lines\": 8, \"correct\": 8, \"first_wrong_line\": null\\}\n$"
  INPUT "${PROJECT_SOURCE_DIR}/examples/steps/board.steps"
  ARGS check "${board}" --dims "${board_dims}" --steps - --format json)

# The standalone LaTeX document of the board derivation, compiled by pdflatex in both languages,
# and its HTML page opened in headless Chromium (the board program from the cache).
foreach(lang IN ITEMS en ru)
  add_test(NAME cli.standalone_pdflatex_${lang}
    COMMAND "${CMAKE_COMMAND}" "-DEXE=$<TARGET_FILE:ctgrad-gen>" "-DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/pdflatex-${lang}"
      "-DARGS=lecture|board|--format|latex|--standalone|--lang|${lang}"
      -P "${CMAKE_CURRENT_SOURCE_DIR}/tests/pdflatex_standalone.cmake")
  add_test(NAME cli.html_chromium_${lang}
    COMMAND "${CMAKE_COMMAND}" "-DEXE=$<TARGET_FILE:ctgrad-gen>" "-DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/html-${lang}"
      "-DARGS=lecture|board|--format|html|--lang|${lang}"
      -P "${CMAKE_CURRENT_SOURCE_DIR}/tests/html_render.cmake")
  set_tests_properties(cli.standalone_pdflatex_${lang} cli.html_chromium_${lang} PROPERTIES LABELS "cli"
    ENVIRONMENT "CTGRAD_GEN_CACHE=${CTGRAD_GEN_TEST_CACHE}")
endforeach()

# Nets beyond the lecture (issue 17): derivations of a softmax classifier, a layer norm and an
# attention head; the textbook gradient of cross_entropy judged correct, on probability rows.
set(classifier "cross_entropy(X*W + b^T, Y)")
ctgrad_gen_cli(derive_classifier EXIT 0
  STDOUT "Z₁ = X W \\+ bᵀ\n  L  = CE\\(Z₁, Y\\).*∂L/∂Z₁ = \\(1/n\\) \\(softmax\\(Z₁\\) - Y\\).*∂L/∂W  = ∂L/∂Z₁ · ∂Z₁/∂W = Xᵀ ∂L/∂Z₁"
  ARGS derive "${classifier}" --format text)
ctgrad_gen_cli(derive_layer_norm EXIT 0 STDOUT "√.*𝟏.*∂L/∂W +="
  ARGS derive "sum(T .* ((X*W - row_means(X*W)) / sqrt(row_means(square(X*W - row_means(X*W))) + 1e-5)))"
  --wrt W --format text)
ctgrad_gen_cli(derive_attention EXIT 0 STDOUT "softmax.*∂L/∂W_q +="
  ARGS derive "sum(T .* (softmax(0.5 * ((X*W_q) * transpose(X*W_k))) * (X*W_v)))" --format text)
ctgrad_gen_cli(check_cross_entropy_textbook EXIT 0 STDOUT "^correct"
  ARGS check "cross_entropy(X*W, Y)" --wrt W --claim "X^T * (softmax(X*W) - Y)/n")
ctgrad_gen_cli(check_cross_entropy_wrong EXIT 1 STDOUT "^wrong"
  ARGS check "cross_entropy(X*W, Y)" --wrt W --claim "X^T * (softmax(X*W) - Y)")
ctgrad_gen_cli(error_slice_columns_not_numbers EXIT 2 CARET STDERR "needs the number of columns of X"
  ARGS shapes "sum(slice_cols(X, 0, 2))")

# DAG formulas (issue 16): a residual block, whose X + A_1 is read by two layers, and a weight
# shared by two layers. The tool prints exactly the library's derivation of the same formula
# (tests/golden/*, compared by tests/unit/test_latex_graph.cpp): one line per reused node's
# adjoint, the sum of its readers' contributions.
set(residual "mse((X + tanh(X*W1 + b1^T) + tanh((X + tanh(X*W1 + b1^T))*W2 + b2^T))*W3, Y)")
set(residual_dims "X=n,d W1=d,d b1=d W2=d,d b2=d W3=d,1 Y=n,1")
set(golden_dir "${PROJECT_SOURCE_DIR}/tests/golden")
ctgrad_gen_cli(derive_residual_text EXIT 0 STDOUT_FILE "${golden_dir}/residual_derivation.txt"
  ARGS derive "${residual}" --dims "${residual_dims}" --format text)
ctgrad_gen_cli(derive_residual_latex EXIT 0 STDOUT_FILE "${golden_dir}/residual_derivation.tex"
  ARGS derive "${residual}" --dims "${residual_dims}" --format latex)
ctgrad_gen_cli(derive_shared_weight_text EXIT 0 STDOUT_FILE "${golden_dir}/shared_weight_derivation.txt"
  ARGS derive "mse(tanh(tanh(X*W)*W), Y)" --dims "X=n,4 W=4,4 Y=n,4" --format text)
# The reused sum X + A_1 is H_1 in the derivation, so check takes H1 as it takes Z1 or yhat: in a
# claim, and as a step's quantity (dL/dH1) whose d-name later steps use (dH1).
ctgrad_gen_cli(check_steps_residual EXIT 0 STDOUT "line 12, dL/dH1: correct\nline 13, dL/dA1: correct\n.*all 11 lines are correct\n$"
  ARGS check "${residual}" --dims "${residual_dims}" --steps "${PROJECT_SOURCE_DIR}/examples/steps/residual.steps")
ctgrad_gen_cli(check_claim_residual_h1 EXIT 0 STDOUT "^correct"
  ARGS check "${residual}" --dims "${residual_dims}" --wrt W2 --claim "H1^T * ((2/n * (yhat - Y) * W3^T) .* (1 - A2^2))")
ctgrad_gen_cli(check_claim_residual_h1_wrong EXIT 1 STDOUT "^wrong: .*correct: dL/dW2 = H₁ᵀ ∂L/∂Z₂\n$"
  ARGS check "${residual}" --dims "${residual_dims}" --wrt W2 --claim "X^T * ((2/n * (yhat - Y) * W3^T) .* (1 - A2^2))")

# emit: a header written by ctgrad-gen at build time, compiled into a program that compares its
# numbers with ctgrad's own evaluation of the same formulas.
set(emitted_dir "${CMAKE_CURRENT_BINARY_DIR}/emitted")
file(MAKE_DIRECTORY "${emitted_dir}")
file(GLOB_RECURSE ctgrad_gen_headers CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/include/ctgrad/*.hpp")
set(emitted_headers)
foreach(spec IN ITEMS
    "board_net|${board}|X=n,d W1=d,H b1=H W2=H,1 b2=1 Y=n,1"
    "residual|${residual}|${residual_dims}"
    "f|mse(X*f_result, Y)|X=n,d f_result=d,1 Y=n,1"
    "classifier|cross_entropy(X*W + b^T, Y)|X=n,d W=d,H b=H Y=n,H"
    "nets|sum(T .* gelu(X*W1) / sqrt(row_means(square(X*W1)) + 1)) + mean(abs(log_softmax(X*W1 - column_means(X*W1)))) + sum(hadamard(slice_cols(concat_cols(X, tanh(X*W1)), 1, 3), X + row_sums(X)))|X=n,3 W1=3,4 T=n,4"
  "many_ops|bce(sigmoid(softplus(X*W1 + b1^T) .* exp(-square(X*W1)) * W2 / 2 + b2^T), Y) + mean(log(1 + exp(identity(X*W1)))) + sum(column_sums(relu(X*W1 - 1)))/count(X) + 0.5*sum(W1 .* W1)|X=n,d W1=d,H b1=H W2=H,2 b2=2 Y=n,2")
  string(REPLACE "|" ";" parts "${spec}")
  list(GET parts 0 name)
  list(GET parts 1 formula)
  list(GET parts 2 dims)
  add_custom_command(OUTPUT "${emitted_dir}/${name}.hpp"
    COMMAND "${CMAKE_COMMAND}" "-DEXE=$<TARGET_FILE:ctgrad-gen>" "-DFORMULA=${formula}" "-DDIMS=${dims}"
      "-DNAME=${name}" "-DOUTPUT=${emitted_dir}/${name}.hpp" "-DCACHE=${CTGRAD_GEN_TEST_CACHE}"
      -P "${CMAKE_CURRENT_SOURCE_DIR}/tests/emit_header.cmake"
    DEPENDS ctgrad-gen "${CMAKE_CURRENT_SOURCE_DIR}/tests/emit_header.cmake" ${ctgrad_gen_headers}
    COMMENT "ctgrad-gen emit ${name}"
    VERBATIM)
  list(APPEND emitted_headers "${emitted_dir}/${name}.hpp")
endforeach()
add_executable(generator_emit_test tests/emit_test.cpp ${emitted_headers})
target_include_directories(generator_emit_test PRIVATE "${emitted_dir}")
target_link_libraries(generator_emit_test PRIVATE ctgrad::ctgrad ctgrad_warnings)
add_test(NAME cli.emit_matches_the_library COMMAND generator_emit_test)
set_tests_properties(cli.emit_matches_the_library PROPERTIES LABELS "cli")

# The installed tool uses the installed headers (cmake --install into a scratch prefix).
add_test(NAME cli.installed_uses_installed_headers
  COMMAND "${CMAKE_COMMAND}" "-DBUILD=${PROJECT_BINARY_DIR}" "-DPREFIX=${CMAKE_CURRENT_BINARY_DIR}/install-test"
    -P "${CMAKE_CURRENT_SOURCE_DIR}/tests/install_test.cmake")
set_tests_properties(cli.installed_uses_installed_headers PROPERTIES LABELS "cli")

# Faults and load (tests/fault_tests.sh): 8 concurrent runs on one empty cache, a compile killed
# with SIGKILL, a read-only cache and a cache path that is a file, a missing or crashing
# compiler, and bad bytes on the command line (each handled within 1 s). Each case has its own
# scratch directory and cache.
foreach(fault IN ITEMS concurrency sigkill cache_read_only cache_is_file compiler_missing compiler_crash bad_bytes)
  add_test(NAME "cli.fault.${fault}"
    COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/tests/fault_tests.sh" "$<TARGET_FILE:ctgrad-gen>"
      "${CMAKE_CURRENT_BINARY_DIR}/fault/${fault}" "${fault}")
  set_tests_properties("cli.fault.${fault}" PROPERTIES LABELS "cli;fault" TIMEOUT 600)
endforeach()
