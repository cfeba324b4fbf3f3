// Calls one implementation of one net of the peer benchmark COUNT times, without Google Benchmark,
// for instruction counts under valgrind (count_instructions.sh): a figure that, unlike time,
// does not move with the load of a shared machine.
//
// Usage: one_call NET N IMPL COUNT, NET board, mlp3, classifier or residual, N 1, 8, 64 or 512,
// IMPL hand_static, ctgrad_static, hand_dynamic or ctgrad_dynamic.
#define EIGEN_STACK_ALLOCATION_LIMIT 0  // static shapes at N = 512 (see peers_bench.cpp)

#include "board_net.hpp"
#include "classifier_net.hpp"
#include "mlp_net.hpp"
#include "residual_net.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

using namespace peers;

template <class Net, int N>
struct inputs {
    typename Net::params p;
    std::unique_ptr<batch<N, Net::x_cols>> x = std::make_unique<batch<N, Net::x_cols>>();
    std::unique_ptr<batch<N, Net::y_cols>> y = std::make_unique<batch<N, Net::y_cols>>();
    batch<Eigen::Dynamic, Net::x_cols> xd;
    batch<Eigen::Dynamic, Net::y_cols> yd;
    inputs() {
        Net::params::each(p, [](const char*, auto& m) { m = 0.1 * m.Random(m.rows(), m.cols()); });
        x->setRandom();
        if constexpr (one_hot_targets<Net>) {
            std::mt19937_64 rng(N);
            fill_one_hot(*y, rng);
        } else {
            y->setRandom();
        }
        xd = *x;
        yd = *y;
    }
};

/// Keeps a result alive without copying it.
template <class T>
void keep(const T& v) {
    asm volatile("" : : "g"(&v) : "memory");
}

template <class Net, int N>
void run(const std::string& impl, long count) {
    static const inputs<Net, N> in;
    for (long k = 0; k < count; ++k) {
        if (impl == "hand_static") {
            keep(Net::template hand<N>(in.p, *in.x, *in.y));
        } else if (impl == "ctgrad_static") {
            keep(Net::template with_ctgrad<N>(in.p, *in.x, *in.y));
        } else if (impl == "hand_dynamic") {
            keep(Net::template hand<Eigen::Dynamic>(in.p, in.xd, in.yd));
        } else if (impl == "ctgrad_dynamic") {
            keep(Net::template with_ctgrad<Eigen::Dynamic>(in.p, in.xd, in.yd));
        } else {
            std::fprintf(stderr, "one_call: unknown implementation %s\n", impl.c_str());
            std::exit(2);
        }
    }
}

template <class Net>
void run_at(int n, const std::string& impl, long count) {
    switch (n) {
        case 1: return run<Net, 1>(impl, count);
        case 8: return run<Net, 8>(impl, count);
        case 64: return run<Net, 64>(impl, count);
        case 512: return run<Net, 512>(impl, count);
        default: std::fprintf(stderr, "one_call: N must be 1, 8, 64 or 512\n"); std::exit(2);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: one_call NET N IMPL COUNT\n");
        return 2;
    }
    const std::string net = argv[1], impl = argv[3];
    const int n = std::atoi(argv[2]);
    const long count = std::atol(argv[4]);
    if (net == "board") {
        run_at<peers::board_net>(n, impl, count);
    } else if (net == "mlp3") {
        run_at<peers::mlp_net>(n, impl, count);
    } else if (net == "classifier") {
        run_at<peers::classifier_net>(n, impl, count);
    } else if (net == "residual") {
        run_at<peers::residual_net>(n, impl, count);
    } else {
        std::fprintf(stderr, "one_call: NET must be board, mlp3, classifier or residual\n");
        return 2;
    }
    return 0;
}
