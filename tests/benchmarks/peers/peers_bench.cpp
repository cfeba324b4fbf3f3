// ctgrad against hand-written Eigen, ADOL-C and Sacado: the loss and the gradient of every
// parameter, one call each, float64, for each net of nets.hpp at N in {1, 8, 64, 512}.
//
// Implementations (the benchmark names are NET/IMPL/N):
//   hand_static     hand-written Eigen backpropagation, every size fixed at compile time;
//   hand_dynamic    the same code with N known only at run time;
//   ctgrad_static   eval_with_loss(grads(L, ...)) with every size static;
//   ctgrad_dynamic  the same with X and Y of a run-time row count;
//   adolc           ADOL-C taped reverse mode: the tape of scalar_loss is recorded once per case
//                   with the parameters as independents, and each call is one zero-order
//                   forward sweep (the loss) and one first-order reverse sweep (the gradient),
//                   ADOL-C's own fast path for a repeated gradient;
//   sacado          Trilinos Sacado's reverse mode (Sacado::Rad::ADvar, Sacado_trad.hpp): the
//                   mode its documentation gives for gradients of scalar functions of many
//                   variables; the expression graph is built during each call.
// PyTorch runs in its own process (peers_torch.py) on the values this program dumps.
//
// Before anything is timed, every implementation's loss and gradients are compared with
// ctgrad_static's: max |a - b| over a gradient's entries, divided by max |b|, must be at most
// 1e-10 for the loss and for every gradient, or the program aborts.
//
// Modes:
//   peers_bench --prepare=DIR   check agreement, measure the peak heap of one call of each
//                               implementation (DIR/heap.json), and write each case's inputs and
//                               ctgrad's results for peers_torch.py (DIR/manifest.json, DIR/*.bin);
//   peers_bench [benchmark flags]   check agreement, then time with Google Benchmark;
//   peers_bench --paired=FILE   check agreement, then time ctgrad against the hand-written code
//                               in adjacent blocks of calls (ctgrad_static with hand_static,
//                               ctgrad_dynamic with hand_dynamic) and write, for each pair, the
//                               median and quartiles of the per-block ratios to FILE (JSON).
//                               Two blocks a few milliseconds apart see the same machine, so
//                               their ratio cancels the drift of a shared machine's load and
//                               clock that separate medians taken seconds apart carry
//                               (PAIRED_BLOCKS blocks per pair, default 301; PAIRED_BLOCK_MS the
//                               CPU time of a block, default 2).
// tests/benchmarks/run_peers.sh runs both and the PyTorch side, and writes docs/performance.md's table.
//
// Static shapes at N = 512 make fixed-size matrices of 256 KiB, above Eigen's default cap on
// fixed-size objects (128 KiB, EIGEN_STACK_ALLOCATION_LIMIT); the cap is lifted for this program.
#define EIGEN_STACK_ALLOCATION_LIMIT 0

#include "board_net.hpp"
#include "classifier_net.hpp"
#include "mlp_net.hpp"
#include "residual_net.hpp"
#include "nets.hpp"

#include <Sacado_trad.hpp>
#include <adolc/adolc.h>
#include <benchmark/benchmark.h>

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

extern "C" {
void heap_peak_reset(void);
long long heap_peak_bytes(void);
}

namespace peers {
namespace {

// The nets and batch sizes. To add a net: write its header after board_net.hpp, add it here, to
// one_call.cpp and to NETS in peers_torch.py.
using all_nets = std::tuple<board_net, mlp_net, classifier_net, residual_net>;
using batch_sizes = std::integer_sequence<int, 1, 8, 64, 512>;

constexpr double tolerance = 1e-10;

// --- The tools' relu and max -----------------------------------------------------------------

struct adolc_tool {
    // A conditional assignment on the tape, so the tape stays valid if the sign changed.
    static adouble relu(const adouble& z) {
        adouble r;
        adouble zero = 0.0;
        condassign(r, z, z, zero);
        return r;
    }
    // fmax is one taped operation, so the tape stays valid if the larger operand changes.
    static adouble max(const adouble& a, const adouble& b) { return fmax(a, b); }
};

using sacado_var = Sacado::Rad::ADvar<double>;
struct sacado_tool {
    // The graph is rebuilt each call, so branching on the value is exact.
    static sacado_var relu(const sacado_var& z) { return z.val() > 0.0 ? z : sacado_var(0.0); }
    static sacado_var max(const sacado_var& a, const sacado_var& b) { return a.val() >= b.val() ? a : b; }
};

// --- One case: a net at a batch size --------------------------------------------------------

template <class Net, int N>
struct bench_case {
    using params = typename Net::params;
    params p;
    std::unique_ptr<batch<N, Net::x_cols>> xs = std::make_unique<batch<N, Net::x_cols>>();
    std::unique_ptr<batch<N, Net::y_cols>> ys = std::make_unique<batch<N, Net::y_cols>>();
    batch<Eigen::Dynamic, Net::x_cols> xd;
    batch<Eigen::Dynamic, Net::y_cols> yd;
    std::vector<double> x_flat, y_flat, p_flat;  // row-major, for the AD tools and the dump

    // ADOL-C: the tape's tag and the gradient's buffer.
    short tag = 0;
    std::vector<double> adolc_grad;
    // Sacado: the independents, reassigned each call.
    std::vector<sacado_var> sacado_p;
    std::vector<double> sacado_grad;

    explicit bench_case(short tape_tag) : tag(tape_tag) {
        std::mt19937_64 rng(std::hash<std::string>{}(std::string(Net::name)) + N);
        std::uniform_real_distribution<double> u(-1.0, 1.0);
        auto fill = [&](auto& m, double scale) {
            for (Eigen::Index i = 0; i < m.rows(); ++i)
                for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = scale * u(rng);
        };
        // Weights of scale 1/sqrt(fan-in), so tanh does not saturate and every path carries.
        params::each(p, [&](const char* name, auto& m) { fill(m, name[0] == 'b' ? 0.1 : 1.0 / std::sqrt(double(m.rows()))); });
        fill(*xs, 1.0);
        if constexpr (one_hot_targets<Net>)
            fill_one_hot(*ys, rng);
        else
            fill(*ys, 1.0);
        xd = *xs;
        yd = *ys;
        append_row_major(x_flat, *xs);
        append_row_major(y_flat, *ys);
        p_flat = flatten<Net>(p);
        record_adolc_tape();
        sacado_p.resize(p_flat.size());
        sacado_grad.resize(p_flat.size());
    }

    void record_adolc_tape() {
        const int n = static_cast<int>(p_flat.size());
        adolc_grad.resize(n);
        trace_on(tag);
        std::vector<adouble> ap(n);
        for (int i = 0; i < n; ++i) ap[i] <<= p_flat[i];
        adouble loss = Net::template scalar_loss<adolc_tool>(ap.data(), x_flat.data(), y_flat.data(), N);
        double value = 0.0;
        loss >>= value;
        trace_off();
    }

    // Each implementation: one call, returning what it computed (kept alive by the caller).
    auto hand_static() const { return Net::template hand<N>(p, *xs, *ys); }
    auto hand_dynamic() const { return Net::template hand<Eigen::Dynamic>(p, xd, yd); }
    auto ctgrad_static() const { return Net::template with_ctgrad<N>(p, *xs, *ys); }
    auto ctgrad_dynamic() const { return Net::template with_ctgrad<Eigen::Dynamic>(p, xd, yd); }
    double adolc() {
        const int n = static_cast<int>(p_flat.size());
        double loss = 0.0, weight = 1.0;
        zos_forward(tag, 1, n, 1, p_flat.data(), &loss);
        fos_reverse(tag, 1, n, &weight, adolc_grad.data());
        return loss;
    }
    double sacado() {
        for (std::size_t i = 0; i < p_flat.size(); ++i) sacado_p[i] = p_flat[i];
        sacado_var loss = Net::template scalar_loss<sacado_tool>(sacado_p.data(), x_flat.data(), y_flat.data(), N);
        sacado_var::Gradcomp();
        for (std::size_t i = 0; i < p_flat.size(); ++i) sacado_grad[i] = sacado_p[i].adj();
        return loss.val();
    }
};

/// The implementations by name, each as (flattened result, timed call).
template <class Net, int N>
struct impl {
    const char* name;
    std::vector<double> (*result)(bench_case<Net, N>&);
    void (*call)(bench_case<Net, N>&);
};

template <class Net, int N>
std::vector<impl<Net, N>> implementations() {
    using c = bench_case<Net, N>;
    return {
        {"hand_static", [](c& k) { return flatten<Net>(k.hand_static()); },
         [](c& k) {
             auto r = k.hand_static();
             benchmark::DoNotOptimize(r);
         }},
        {"hand_dynamic", [](c& k) { return flatten<Net>(k.hand_dynamic()); },
         [](c& k) {
             auto r = k.hand_dynamic();
             benchmark::DoNotOptimize(r);
         }},
        {"ctgrad_static", [](c& k) { return flatten_tuple(k.ctgrad_static()); },
         [](c& k) {
             auto r = k.ctgrad_static();
             benchmark::DoNotOptimize(r);
         }},
        {"ctgrad_dynamic", [](c& k) { return flatten_tuple(k.ctgrad_dynamic()); },
         [](c& k) {
             auto r = k.ctgrad_dynamic();
             benchmark::DoNotOptimize(r);
         }},
        {"adolc",
         [](c& k) {
             std::vector<double> out{k.adolc()};
             out.insert(out.end(), k.adolc_grad.begin(), k.adolc_grad.end());
             return out;
         },
         [](c& k) {
             benchmark::DoNotOptimize(k.adolc());
             benchmark::DoNotOptimize(k.adolc_grad.data());
         }},
        {"sacado",
         [](c& k) {
             std::vector<double> out{k.sacado()};
             out.insert(out.end(), k.sacado_grad.begin(), k.sacado_grad.end());
             return out;
         },
         [](c& k) {
             benchmark::DoNotOptimize(k.sacado());
             benchmark::DoNotOptimize(k.sacado_grad.data());
         }},
    };
}

// --- Agreement --------------------------------------------------------------------------------

/// Worst relative difference over the loss and each gradient (each compared by its largest
/// entry), the gradients' boundaries taken from the parameters' sizes.
template <class Net>
double worst_difference(const std::vector<double>& a, const std::vector<double>& ref, const typename Net::params& p) {
    if (a.size() != ref.size()) return INFINITY;
    std::vector<std::size_t> bounds{0, 1};
    Net::params::each(p, [&](const char*, const auto& m) { bounds.push_back(bounds.back() + static_cast<std::size_t>(m.size())); });
    double worst = 0.0;
    for (std::size_t b = 0; b + 1 < bounds.size(); ++b) {
        double diff = 0.0, scale = 0.0;
        for (std::size_t i = bounds[b]; i < bounds[b + 1]; ++i) {
            diff = std::max(diff, std::abs(a[i] - ref[i]));
            scale = std::max(scale, std::abs(ref[i]));
        }
        worst = std::max(worst, scale > 0.0 ? diff / scale : diff);
    }
    return worst;
}

template <class Net, int N>
void check_agreement(bench_case<Net, N>& k) {
    const std::vector<double> ref = flatten_tuple(k.ctgrad_static());
    for (const auto& i : implementations<Net, N>()) {
        const double worst = worst_difference<Net>(i.result(k), ref, k.p);
        if (!(worst <= tolerance)) {
            std::fprintf(stderr, "peers_bench: %s N=%d: %s differs from ctgrad_static, relative difference %g > %g\n", Net::name,
                         N, i.name, worst, tolerance);
            std::abort();
        }
    }
}

// --- Cases, the dump, the heap ----------------------------------------------------------------

struct registry {
    std::vector<std::function<void()>> keep_alive;  // owns the cases
    std::string heap_json, manifest_json, paired_json;
};

// --- Paired blocks: ctgrad and the hand-written code a few milliseconds apart ----------------

/// This thread's CPU time in seconds.
double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

double env_number(const char* name, double fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atof(v) : fallback;
}

/// The q-quantile of v (sorted in place), interpolated between neighbours.
double quantile(std::vector<double>& v, double q) {
    std::sort(v.begin(), v.end());
    const double at = q * double(v.size() - 1);
    const std::size_t i = static_cast<std::size_t>(at);
    return i + 1 < v.size() ? v[i] + (at - double(i)) * (v[i + 1] - v[i]) : v[i];
}

/// Times `ours` against `theirs` in adjacent blocks of the same number of calls, the order
/// alternating from block to block, and appends to r.paired_json the quartiles of the ratios
/// ours/theirs and the median CPU time per call of each.
template <class Net, int N>
void time_pair(bench_case<Net, N>& k, const impl<Net, N>& ours, const impl<Net, N>& theirs, registry& r) {
    const int blocks = static_cast<int>(env_number("PAIRED_BLOCKS", 301));
    const double block_seconds = env_number("PAIRED_BLOCK_MS", 2.0) * 1e-3;
    auto run_block = [&](const impl<Net, N>& i, long calls) {
        const double start = thread_cpu_seconds();
        for (long c = 0; c < calls; ++c) i.call(k);
        return thread_cpu_seconds() - start;
    };
    // Calibrate on the slower of the two, after a warm-up of each.
    long calls = 1;
    for (;;) {
        const double t = std::max(run_block(ours, calls), run_block(theirs, calls));
        if (t >= block_seconds) break;
        calls = t > 0.0 ? std::max(calls + 1, static_cast<long>(double(calls) * 1.2 * block_seconds / t)) : calls * 10;
    }
    std::vector<double> ratios, ours_t, theirs_t;
    for (int b = 0; b < blocks; ++b) {
        double a = 0.0, h = 0.0;
        if (b % 2 == 0) {
            a = run_block(ours, calls);
            h = run_block(theirs, calls);
        } else {
            h = run_block(theirs, calls);
            a = run_block(ours, calls);
        }
        ratios.push_back(a / h);
        ours_t.push_back(a / double(calls));
        theirs_t.push_back(h / double(calls));
    }
    char line[512];
    std::snprintf(line, sizeof line,
                  "  {\"net\": \"%s\", \"n\": %d, \"ours\": \"%s\", \"theirs\": \"%s\", \"blocks\": %d, \"calls_per_block\": %ld, "
                  "\"ratio_q25\": %.6f, \"ratio_median\": %.6f, \"ratio_q75\": %.6f, \"ours_seconds\": %.6e, \"theirs_seconds\": %.6e}",
                  Net::name, N, ours.name, theirs.name, blocks, calls, quantile(ratios, 0.25), quantile(ratios, 0.5),
                  quantile(ratios, 0.75), quantile(ours_t, 0.5), quantile(theirs_t, 0.5));
    r.paired_json += std::string(r.paired_json.empty() ? "" : ",\n") + line;
    std::fprintf(stderr, "peers_bench: %s N=%d: %s / %s = %.3f (quartiles %.3f to %.3f, %d blocks of %ld calls)\n", Net::name, N,
                 ours.name, theirs.name, quantile(ratios, 0.5), quantile(ratios, 0.25), quantile(ratios, 0.75), blocks, calls);
}

template <class Net, int N>
void time_pairs(bench_case<Net, N>& k, registry& r) {
    const auto all = implementations<Net, N>();
    auto find = [&](const std::string& name) {
        return *std::find_if(all.begin(), all.end(), [&](const auto& i) { return name == i.name; });
    };
    time_pair(k, find("ctgrad_static"), find("hand_static"), r);
    time_pair(k, find("ctgrad_dynamic"), find("hand_dynamic"), r);
}

template <class Net, int N>
void dump_case(bench_case<Net, N>& k, const std::string& dir, registry& r) {
    const std::string file = std::string(Net::name) + "_" + std::to_string(N) + ".bin";
    std::ofstream out(dir + "/" + file, std::ios::binary);
    auto write = [&](const std::vector<double>& v) { out.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(double))); };
    write(k.p_flat);
    write(k.x_flat);
    write(k.y_flat);
    write(flatten_tuple(k.ctgrad_static()));
    std::string params = "[";
    Net::params::each(k.p, [&](const char* name, const auto& m) {
        params += std::string(params.size() > 1 ? ", " : "") + "{\"name\": \"" + name + "\", \"rows\": " + std::to_string(m.rows()) +
                  ", \"cols\": " + std::to_string(m.cols()) + "}";
    });
    params += "]";
    r.manifest_json += std::string(r.manifest_json.empty() ? "" : ",\n") + "  {\"net\": \"" + Net::name + "\", \"n\": " +
                       std::to_string(N) + ", \"file\": \"" + file + "\", \"x_cols\": " + std::to_string(Net::x_cols) +
                       ", \"y_cols\": " + std::to_string(Net::y_cols) + ", \"params\": " + params + "}";
}

template <class Net, int N>
void measure_heap(bench_case<Net, N>& k, registry& r) {
    std::string row;
    for (const auto& i : implementations<Net, N>()) {
        i.call(k);  // warm: first-call allocations (ADOL-C's sweep buffers, Sacado's pool) are not per call
        heap_peak_reset();
        i.call(k);
        const long long bytes = heap_peak_bytes();
        row += std::string(row.empty() ? "" : ", ") + "\"" + i.name + "\": " + std::to_string(bytes);
    }
    r.heap_json += std::string(r.heap_json.empty() ? "" : ",\n") + "  \"" + Net::name + "/" + std::to_string(N) + "\": {" + row + "}";
}

template <class Net, int N>
void add_case(registry& r, short& next_tag, const std::string& dump_dir, bool paired) {
    auto k = std::make_shared<bench_case<Net, N>>(next_tag++);
    check_agreement(*k);
    std::fprintf(stderr, "peers_bench: %s N=%d: every implementation agrees with ctgrad to %g\n", Net::name, N, tolerance);
    if (paired) {
        time_pairs(*k, r);
        return;
    }
    if (!dump_dir.empty()) {
        measure_heap(*k, r);
        dump_case(*k, dump_dir, r);
        return;
    }
    for (const auto& i : implementations<Net, N>()) {
        const std::string name = std::string(Net::name) + "/" + i.name + "/" + std::to_string(N);
        auto call = i.call;
        benchmark::RegisterBenchmark(name.c_str(), [k, call](benchmark::State& state) {
            for (auto _ : state) call(*k);
        });
    }
    r.keep_alive.push_back([k] {});
}

template <class Net, int... Ns>
void add_net(registry& r, short& next_tag, const std::string& dump_dir, bool paired, std::integer_sequence<int, Ns...>) {
    (add_case<Net, Ns>(r, next_tag, dump_dir, paired), ...);
}

}  // namespace
}  // namespace peers

int main(int argc, char** argv) {
    std::string dump_dir, paired_file;
    const std::string prepare = "--prepare=", paired = "--paired=";
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]).rfind(prepare, 0) == 0) dump_dir = argv[i] + prepare.size();
        if (std::string(argv[i]).rfind(paired, 0) == 0) paired_file = argv[i] + paired.size();
    }

    peers::registry r;
    short tag = 1;
    std::apply([&](auto... net) { (peers::add_net<decltype(net)>(r, tag, dump_dir, !paired_file.empty(), peers::batch_sizes{}), ...); },
               peers::all_nets{});

    if (!paired_file.empty()) {
        std::ofstream(paired_file) << "[\n" << r.paired_json << "\n]\n";
        return 0;
    }
    if (!dump_dir.empty()) {
        std::ofstream(dump_dir + "/heap.json") << "{\n" << r.heap_json << "\n}\n";
        std::ofstream(dump_dir + "/manifest.json") << "[\n" << r.manifest_json << "\n]\n";
        return 0;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
