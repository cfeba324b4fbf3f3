// libFuzzer target: the formula parser and shape inference, on the input as one formula.
// Every input must end in a typed formula or an input_error; anything else (a crash, another
// exception, a sanitizer report, a hang) is a finding.
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ctgrad::gen;
    try {
        const typed_formula t = infer_shapes(parse(std::string_view(reinterpret_cast<const char*>(data), size)));
        (void)name_intermediates(t);
        (void)formula_code(t);
    } catch (const input_error& e) {
        ctgrad_fuzz::check_rendering(e);
    }
    return 0;
}
