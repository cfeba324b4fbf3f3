// The output stage: the texts ctgrad-gen prints itself (usage; derivations are printed by the
// programs, through ctgrad).
#include "output.hpp"

#include <cstdio>

#include "diagnostic.hpp"
#include "names.hpp"

namespace ctgrad::gen {

/// The functions of the language as ctgrad's descriptors spell them (names.cpp), wrapped.
std::string function_list() {
    std::string out = "  ", line;
    for (const op_info& o : all_operations()) {
        if (o.builder.empty()) continue;
        // "softmax(Z)", "scale(s, A)" from "scale(s, A) with a 1x1 s"; an operator's builder alone.
        const bool call = o.signature.starts_with(std::string(o.builder) + "(");
        std::string item(call ? o.signature.substr(0, o.signature.find(')') + 1) : o.builder);
        if (!o.aliases.empty()) {
            std::string other(o.aliases);
            for (char& c : other) c = c == ' ' ? '/' : c;
            item += " (" + other + ")";
        }
        if (line.size() + item.size() + 2 > 94) {
            out += line + ",\n  ";
            line.clear();
        }
        line += (line.empty() ? "" : ", ") + item;
    }
    return out + line + ".";
}

std::string usage() {
    return R"(ctgrad-gen: derive, check and export gradients of network formulas with ctgrad

usage:
  ctgrad-gen derive '<formula>' [--wrt W1,b1,...] [--format latex|markdown|text|json|html] [--standalone]
  ctgrad-gen check  '<formula>' --wrt W2 --claim '<expression>' [--format text|json] [--lang en|ru]
  ctgrad-gen check  '<formula>' --steps FILE|-   a hand derivation, one step a line: dL/dZ2 = ...
  ctgrad-gen emit   '<formula>' --name NAME [--wrt ...]
  ctgrad-gen lecture [NAME] [--format ...] [--standalone] [--wrt ...]
                                                the lecture's formulas (board, linear, logistic, ...)
  ctgrad-gen exercise board --variants N --seed S [--out DIR (default .)] [--lang ru]
                                                exercise and solution sheets (Markdown, LaTeX, HTML)
  ctgrad-gen exercise '<formula>' [--wrt ...]   one exercise of a formula
  ctgrad-gen shapes '<formula>'                 the inferred shapes, without compiling
  ctgrad-gen cache [clear]                      where compiled programs are kept
  ctgrad-gen config                             the compiler, flags and headers programs use
options for formulas (an option the command does not use is an error):
  --dims 'X=n,d W1=d,H b1=H'   shapes: sizes (3), names (d, H) or n, the batch; b1=H is H x 1
                               (not for lecture: its formulas come with their shapes)
  --data X,Y                   the data variables (default X and Y): their rows are the batch n,
                               and derive/emit differentiate every other variable by default
  --verbose                    report compiling and cache hits on stderr (not for shapes)
  --standalone                 a complete LaTeX document (with --format latex)
  --lang en|ru                 the prose (headings, verdicts, instructions) in English or Russian
  --                           ends the options: a formula after it may start with '-'
formulas:
  + - * / (* is the matrix product; a number or 1x1 factor scales), .* or hadamard(A, B),
  A^T or transpose(A), Z^2 or square(Z), and the functions
)" + function_list() + R"(
  Names: W1 is W_1, b2 is b_2, yhat is \hat{y}; in claims also Z1, A1, Z2, yhat (the
  intermediates derive names) and n (the batch size).
  Example: ctgrad-gen derive 'mse(tanh(relu(X*W1 + b1^T)*W2 + b2^T), Y)' --format text
exit codes: 0 done (a correct claim), 1 a wrong claim (a misfit of shapes included), 2 an error
  in the input (text that is not a formula, an unknown name or option), 3 a failure of
  the tool (the compiler, the cache)
)";
}

}  // namespace ctgrad::gen

// ---- check's verdicts --------------------------------------------------------------------------

namespace ctgrad::gen {

namespace {

/// One phrase in the language asked for.
std::string say(language l, std::string_view en, std::string_view ru) { return std::string(l == language::ru ? ru : en); }

std::string number_text(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

std::string json_text(std::string_view s) {
    std::string out = "\"";
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string trimmed(std::string_view s) {
    const std::size_t first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return "";
    return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

/// The activation's derivative as the lecture writes it: ReLU'(Z1), tanh'(Z2).
std::string derivative_of(const std::string& function, const std::string& z) {
    const std::string name = function == "relu" ? "ReLU" : function == "identity" ? "1" : function;
    return name + "'(" + z + ")";
}

}  // namespace

std::string verdict_word(const verdict& v, language l) {
    switch (v.kind) {
        case verdict::correct: return say(l, "correct", "верно");
        case verdict::wrong: return say(l, "wrong", "неверно");
        case verdict::wrong_shape: return say(l, "wrong shape", "неверный размер");
        case verdict::not_a_quantity: return say(l, "not a quantity of this derivation", "не величина этого вывода");
        case verdict::not_finite: return say(l, "cannot compare", "сравнить нельзя");
    }
    return "";
}

std::string diagnosis_text(const verdict& v, language l, const std::string& gradient, const std::string& quantities) {
    const bool ru = l == language::ru;
    switch (v.finding) {
        case verdict::none: return "";
        case verdict::symbolic:
            return ru ? "утверждение совпадает с " + gradient + " символьно (то же выражение после упрощения)"
                      : "the claim equals " + gradient + " symbolically (the same expression after simplification)";
        case verdict::numeric:
            return ru ? "утверждение совпадает с " + gradient + " численно на " + std::to_string(v.draws) +
                            " случайных наборах всех входов (выражения различаются символьно)"
                      : "the claim equals " + gradient + " numerically at " + std::to_string(v.draws) +
                            " random draws of every input; the expressions differ symbolically";
        case verdict::constant_factor: {
            std::string out = ru ? "утверждение равно " + v.factor_text + "× " + gradient + " в каждом элементе"
                                 : "the claim is " + v.factor_text + "× " + gradient + " at every entry";
            // A free size explains the factor better than a guess at a lost one.
            if (!v.hint.empty() && !ru) return out + ": " + v.hint;
            if (!v.hint.empty()) {
                const std::string n = v.hint_size_name;
                return out + ": у " + v.hint_variable + " здесь " + n + (v.hint_columns ? " столбцов" : " строк") + " (" +
                       n + " = " + std::to_string(v.hint_size) + " в случайных наборах: размер не задан в --dims); если у " +
                       v.hint_variable + (v.hint_columns ? " один столбец" : " одна строка") + ", укажите --dims '" +
                       v.hint_dims + "'";
            }
            const std::string inverse = factor_text(1 / v.factor);
            out += ru ? ": потерян множитель " + inverse + "?" : ": a lost factor " + inverse + "?";
            return out;
        }
        case verdict::sign:
            return ru ? "утверждение равно −" + gradient + " в каждом элементе: перепутан знак"
                      : "the claim is -" + gradient + " at every entry: a flipped sign";
        case verdict::transpose: {
            std::string out = ru ? "утверждение равно транспонированной " + gradient : "the claim is the transpose of " + gradient;
            if (v.kind == verdict::wrong_shape) {
                out = (ru ? "утверждение имеет размер " + v.claim_shape + ", а " + gradient + " — " + v.truth_shape
                          : "the claim is " + v.claim_shape + ", but " + gradient + " is " + v.truth_shape) + ": " + out;
            }
            return out;
        }
        case verdict::activation_removed:
            return ru ? "утверждение равно " + gradient + " без множителя " + derivative_of(v.function, v.intermediate) +
                            ": пропущена производная функции активации"
                      : "the claim is " + gradient + " without the factor " + derivative_of(v.function, v.intermediate) +
                            ": a missing activation derivative";
        case verdict::activation_swapped:
            return ru ? "утверждение равно " + gradient + " с " + derivative_of(v.exchanged, v.intermediate) + " вместо " +
                            derivative_of(v.function, v.intermediate) + ": не та производная функции активации"
                      : "the claim is " + gradient + " with " + derivative_of(v.exchanged, v.intermediate) + " in place of " +
                            derivative_of(v.function, v.intermediate) + ": the wrong activation derivative";
        case verdict::lost_transpose:
        case verdict::misfit:
        case verdict::shapes_differ: {
            std::string out;
            if (!v.misfit_message.empty()) {
                out = ru ? "размеры в утверждении не согласованы: " + v.misfit_message + " (" + gradient + " — " + v.truth_shape + ")"
                         : v.misfit_message + " (" + gradient + " is " + v.truth_shape + ")";
            } else {
                out = ru ? "утверждение имеет размер " + v.claim_shape + ", а " + gradient + " — " + v.truth_shape
                         : "the claim is " + v.claim_shape + ", but " + gradient + " is " + v.truth_shape;
            }
            if (v.finding == verdict::lost_transpose) {
                out += ru ? "; с " + v.repair_to + " вместо " + v.repair_from + " утверждение равно " + gradient +
                                ": потеряно транспонирование"
                          : "; with " + v.repair_to + " in place of " + v.repair_from + " the claim equals " + gradient +
                                ": a lost transpose";
            }
            return out;
        }
        case verdict::unnamed:
            return ru ? "ctgrad не выделяет " + gradient + " в своём выводе; можно проверять: " + quantities
                      : "ctgrad's derivation does not name " + gradient + " separately; lines may differentiate " + quantities;
        case verdict::largest_difference:
            return ru ? "наибольшее расхождение в элементе (" + std::to_string(v.row + 1) + ", " + std::to_string(v.col + 1) +
                            ") случайного набора " + std::to_string(v.draw) + ": утверждение даёт " + number_text(v.claimed) +
                            ", а " + gradient + " равно " + number_text(v.derived) + " (относительная разница " +
                            number_text(v.difference) + ")"
                      : "the largest difference is at entry (" + std::to_string(v.row + 1) + ", " + std::to_string(v.col + 1) +
                            ") of random draw " + std::to_string(v.draw) + ": the claim gives " + number_text(v.claimed) +
                            ", " + gradient + " is " + number_text(v.derived) + " (relative difference " +
                            number_text(v.difference) + ")";
    }
    return "";
}

std::string steps_report(const std::vector<step_plan>& plans, const std::vector<verdict>& verdicts, const std::string& quantities,
                         language l, bool json) {
    std::string out;
    int first_wrong = -1;
    std::size_t correct = 0;
    for (std::size_t k = 0; k < plans.size(); ++k) {
        const verdict& v = verdicts[k];
        const step& s = plans[k].source;
        const std::string gradient = "dL/d" + v.quantity;
        std::string diagnosis = diagnosis_text(v, l, gradient, quantities);
        if (v.kind == verdict::not_a_quantity && v.finding == verdict::none) {
            diagnosis = say(l, "this derivation's quantities are ", "величины этого вывода: ") + quantities;
        }
        if (v.kind == verdict::correct) {
            ++correct;
        } else if (first_wrong < 0) {
            first_wrong = static_cast<int>(k);
        }
        if (json) {
            static constexpr const char* kinds[] = {"correct", "wrong", "wrong shape", "not a quantity", "cannot compare"};
            static constexpr const char* findings[] = {
                "",         "symbolic",          "numeric",    "constant factor",  "flipped sign",       "transpose",
                "missing activation derivative", "exchanged activation derivative", "lost transpose",
                "largest difference", "shapes differ", "shapes misfit", "not named"};
            out += "{\"line\": " + std::to_string(s.line) + ", \"quantity\": " + json_text(v.quantity) +
                   ", \"claim\": " + json_text(trimmed(std::string_view(s.text).substr(s.claim_at))) + ", \"verdict\": " + json_text(kinds[v.kind]) +
                   ", \"diagnosis\": " + json_text(findings[v.finding]);
            if (v.finding == verdict::constant_factor || v.finding == verdict::sign) out += ", \"factor\": " + number_text(v.factor);
            if (!v.truth_shape.empty()) out += ", \"shape\": " + json_text(v.truth_shape);
            if (!v.claim_shape.empty()) out += ", \"claim_shape\": " + json_text(v.claim_shape);
            out += ", \"message\": " + json_text(diagnosis);
            if (v.kind != verdict::correct && !v.correct_text.empty()) out += ", \"ctgrad\": " + json_text(v.correct_text);
            out += "}\n";
            continue;
        }
        out += say(l, "line ", "строка ") + std::to_string(s.line) + ", " + gradient + ": " + verdict_word(v, l);
        if (!diagnosis.empty() && v.kind != verdict::correct) out += ": " + diagnosis;
        out += "\n";
        if (v.kind != verdict::correct && v.kind != verdict::not_a_quantity && !v.correct_text.empty()) {
            out += "  ctgrad: " + gradient + " = " + v.correct_text + "\n";
        }
    }
    const std::string total = std::to_string(plans.size());
    if (json) {
        out += "{\"lines\": " + total + ", \"correct\": " + std::to_string(correct) + ", \"first_wrong_line\": " +
               (first_wrong < 0 ? std::string("null") : std::to_string(plans[static_cast<std::size_t>(first_wrong)].source.line)) +
               "}\n";
    } else if (first_wrong < 0) {
        out += say(l, "all " + total + " lines are correct\n", "все строки верны (" + total + ")\n");
    } else {
        const step& s = plans[static_cast<std::size_t>(first_wrong)].source;
        out += say(l, "first wrong line: ", "первая неверная строка: ") + std::to_string(s.line) + " (" + printable(s.text) + ")\n";
    }
    return out;
}

}  // namespace ctgrad::gen
