// libFuzzer target: --dims, alone and applied to a formula. Input: "<dims>\n<formula>".
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ctgrad::gen;
    const auto parts = ctgrad_fuzz::fields(data, size, 2);
    try {
        shape_options options;
        options.dims = parse_dims(parts[0]);
        if (!parts[1].empty()) (void)infer_shapes(parse(parts[1]), options);
    } catch (const input_error& e) {
        ctgrad_fuzz::check_rendering(e);
    }
    return 0;
}
