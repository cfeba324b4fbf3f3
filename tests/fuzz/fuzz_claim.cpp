// libFuzzer target: the claim parser with a formula. Input: "<formula>\n<claim>".
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ctgrad::gen;
    const auto parts = ctgrad_fuzz::fields(data, size, 2);
    try {
        const typed_formula t = infer_shapes(parse(parts[0]));
        const typed_claim claim = infer_claim_shapes(t, parse(parts[1]), name_intermediates(t));
        (void)claim;
    } catch (const input_error& e) {
        ctgrad_fuzz::check_rendering(e);
    }
    return 0;
}
