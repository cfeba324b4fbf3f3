// Runs a fuzz target's entry point on every file of the directories given, without libFuzzer:
// the corpora and the regression inputs (tests/fuzz/corpus/<target>) as an ordinary test of
// every build, so an input that once crashed, hung or was slow is checked on each CI run.
// Usage: fuzz_replay_<target> <dir>...   Prints the slowest input; fails if one takes 1 s.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    std::size_t count = 0;
    double slowest = 0;
    std::string slowest_name;
    for (int i = 1; i < argc; ++i) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(argv[i])) {
            if (entry.is_regular_file()) files.push_back(entry.path());
        }
        for (const auto& file : files) {
            std::ifstream in(file, std::ios::binary);
            const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
            const auto start = std::chrono::steady_clock::now();
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (seconds > slowest) {
                slowest = seconds;
                slowest_name = file.string();
            }
            ++count;
        }
    }
    std::printf("%zu inputs; slowest %.3f s: %s\n", count, slowest, slowest_name.c_str());
    if (count == 0) {
        std::printf("FAIL: no inputs found\n");
        return 1;
    }
    if (slowest >= 1.0) {
        std::printf("FAIL: an input took 1 s or more\n");
        return 1;
    }
    return 0;
}
