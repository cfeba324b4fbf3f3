// Stage 1 of a request: the command line, parsed and validated in one place. Everything after
// (formula -> shapes -> program -> toolchain -> output) reads a `request` and never argv.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ctgrad::gen {

/// One invocation. The option texts are kept as typed so errors can point into them.
struct request {
    std::string command;            ///< derive, check, emit, lecture, shapes, cache, help
    std::string formula;            ///< or the lecture's name, or `clear` for cache
    bool has_formula = false;
    std::string wrt, data, dims;    ///< --wrt W1,b1   --data X,Y   --dims "X=n,d W1=d,H"
    bool has_wrt = false, has_data = false;
    std::string format;             ///< latex, markdown, text, json (empty: the command's default)
    bool standalone = false;
    std::string claim;
    bool has_claim = false;
    std::string name;               ///< emit --name
    bool has_name = false;
    bool verbose = false;           ///< report compile times and cache hits on stderr
    bool progress = false;          ///< say on stderr, before it starts, that a compile is needed
    std::string steps;              ///< check --steps FILE (or - for stdin)
    bool has_steps = false;
    std::string steps_text;         ///< the steps themselves, when given directly (tests); else read from `steps`
    std::string lang;               ///< --lang en|ru (empty: en)
    std::string variants, seed;     ///< exercise --variants N --seed S, as typed
    bool has_variants = false, has_seed = false;
    std::string out;                ///< exercise --out DIR, where the sheets go
    bool has_out = false;
};

/// The language of the prose ctgrad-gen prints (headings, verdicts, instructions).
enum class language { en, ru };

/// --lang, checked: en (the default) or ru.
language language_of(const request& r);

/// One dimension as written in --dims: a positive number, `n` (the batch, known at run time)
/// or a name (a fixed size, symbolic in messages).
struct dim_spec {
    long number = 0;
    std::string name;
};

/// --dims X=n,d W1=d,H b1=H: each variable's rows and columns (one item means a column
/// vector). Offsets point into `text` for carets.
struct dims_option {
    struct entry {
        std::string latex;
        dim_spec rows, cols;
        std::size_t begin = 0, end = 0;
    };
    std::string text;
    std::vector<entry> entries;
};

/// A name given in an option, as a LaTeX name, with its place in the option's text.
struct option_name {
    std::string latex;
    std::size_t begin = 0, end = 0;
};

/// Parses the text of --dims (items separated by spaces); throws input_error on bad syntax.
dims_option parse_dims(std::string_view text);

/// Parses --data or --wrt: names separated by commas or spaces (repeats dropped).
std::vector<option_name> parse_name_list(std::string_view text, std::string_view option);

/// argv without the program's name, as a request; throws input_error (with a caret into the
/// command line) on an unknown option, a missing value, or an option the command does not take.
request parse_arguments(const std::vector<std::string>& args);

/// Why `option` (as typed: `--claim`, `-v`) does not apply to `r`'s command, or "" when it does:
/// an option the command would ignore (derive --claim, shapes --verbose, lecture --dims, cache
/// --wrt, --standalone without --format latex) is an input error naming both, not a no-op.
/// Unknown commands and help answer "" (they are reported, or ignore everything, elsewhere).
std::string option_misuse(const request& r, std::string_view option);

/// --format, or the command's default (LaTeX for derive, text for lecture), unchecked.
std::string format_requested(const request& r);
/// The same, checked against the formats the command knows (input_error otherwise).
std::string format_of(const request& r);

}  // namespace ctgrad::gen
