// Speed of ctgrad's derived gradients against the same backpropagation written by hand in Eigen.
//
// The network is the lecture's board problem:
//   yhat = tanh(relu(X W_1 + b_1^T) W_2 + b_2^T),  L = mse(yhat, Y),
// with a batch of N = 64 rows, d = 16 inputs and H = 32 hidden units. Before any timing, main()
// checks that both routes give the same numbers and aborts if not.
//
// Pairs timed (hand-written Eigen against ctgrad, same inputs, same outputs):
//   static          loss and the four gradients, every shape known at compile time
//                   (ctgrad: eval_with_loss(grads(L, W1, b1, W2, b2), in), one pass);
//   static_grads    the four gradients only (ctgrad: eval(grads(...), in) alone);
//   dynamic         as static, with the batch size N known only at run time;
//   dynamic_grads   as static_grads, N at run time.
// Target: ratio ctgrad / hand <= 1.10 for the static pairs (g++ -O3 -march=native).
// Run through tests/benchmarks/run_board_bench.sh to get the median ratios.
//
// `board_bench --run-once=PAIR/ROUTE:COUNT` (e.g. static/ctgrad:1000) skips Google Benchmark and
// calls one route COUNT times, for instruction counts under valgrind
// (tests/benchmarks/count_instructions.sh).
#include <ctgrad/ctgrad.hpp>

#include <Eigen/Dense>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>
#include <type_traits>

namespace {

constexpr int n_rows = 64;  // N, the batch size
constexpr int d_in = 16;    // d, the input width
constexpr int h_hid = 32;   // H, the hidden width

// ---------------------------------------------------------------------------------------------
// Inputs, shared by both routes. Rows is n_rows (static) or Eigen::Dynamic.
template <int Rows>
struct board_inputs {
    Eigen::Matrix<double, Rows, d_in> x;
    Eigen::Matrix<double, d_in, h_hid> w1;
    Eigen::Matrix<double, h_hid, 1> b1;
    Eigen::Matrix<double, h_hid, 1> w2;
    Eigen::Matrix<double, 1, 1> b2;
    Eigen::Matrix<double, Rows, 1> y;

    explicit board_inputs(int rows) {
        std::srand(2024);
        x = Eigen::Matrix<double, Rows, d_in>::Random(rows, d_in);
        w1 = Eigen::Matrix<double, d_in, h_hid>::Random() * 0.5;
        b1 = Eigen::Matrix<double, h_hid, 1>::Random() * 0.1;
        w2 = Eigen::Matrix<double, h_hid, 1>::Random() * 0.5;
        b2 = Eigen::Matrix<double, 1, 1>::Random() * 0.1;
        y = Eigen::Matrix<double, Rows, 1>::Random(rows, 1);
    }
};

// ---------------------------------------------------------------------------------------------
// The hand-written route: the lecture's backpropagation, as an engineer would write it in Eigen.
struct hand_result {
    double loss;
    Eigen::Matrix<double, d_in, h_hid> dw1;
    Eigen::Matrix<double, h_hid, 1> db1;
    Eigen::Matrix<double, h_hid, 1> dw2;
    double db2;
};

template <bool WithLoss, int Rows>
hand_result hand_backprop(const board_inputs<Rows>& in) {
    const Eigen::Index n = in.x.rows();
    hand_result out;

    // Forward pass.
    Eigen::Matrix<double, Rows, h_hid> z1(n, h_hid);
    z1.noalias() = in.x * in.w1;
    z1.rowwise() += in.b1.transpose();
    const Eigen::Matrix<double, Rows, h_hid> a1 = z1.cwiseMax(0.0);
    Eigen::Matrix<double, Rows, 1> z2(n, 1);
    z2.noalias() = a1 * in.w2;
    const Eigen::Matrix<double, Rows, 1> yhat = (z2.array() + in.b2(0, 0)).tanh().matrix();
    const Eigen::Matrix<double, Rows, 1> diff = yhat - in.y;
    out.loss = WithLoss ? diff.squaredNorm() / static_cast<double>(n) : 0.0;

    // Backward pass: dL/dyhat = 2/n (yhat - Y); tanh' = 1 - yhat^2; relu' = I{Z_1 > 0}.
    const Eigen::Matrix<double, Rows, 1> dz2 =
        ((2.0 / static_cast<double>(n)) * diff.array() * (1.0 - yhat.array().square())).matrix();
    out.dw2.noalias() = a1.transpose() * dz2;
    out.db2 = dz2.sum();
    Eigen::Matrix<double, Rows, h_hid> dz1(n, h_hid);
    dz1.noalias() = dz2 * in.w2.transpose();
    dz1 = (z1.array() > 0.0).select(dz1, 0.0);
    out.dw1.noalias() = in.x.transpose() * dz1;
    out.db1 = dz1.colwise().sum().transpose();
    return out;
}

// ---------------------------------------------------------------------------------------------
// The ctgrad route: the same network declared symbolically, gradients derived at compile time.
namespace static_net {
using namespace ctgrad;
constexpr matrix<"X", n_rows, d_in> X{};
constexpr matrix<"W_1", d_in, h_hid> W1{};
constexpr vector<"b_1", h_hid> b1{};
constexpr matrix<"W_2", h_hid, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr matrix<"Y", n_rows, 1> Y{};
constexpr auto yhat = tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2));
constexpr auto L = mse(yhat, Y);
}  // namespace static_net

namespace dynamic_net {
using namespace ctgrad;
constexpr matrix<"X", dynamic, d_in> X{};
constexpr matrix<"W_1", d_in, h_hid> W1{};
constexpr vector<"b_1", h_hid> b1{};
constexpr matrix<"W_2", h_hid, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr auto yhat = tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2));
constexpr auto L = mse(yhat, Y);
}  // namespace dynamic_net

// Loss and the four gradients, in the order (loss, dW_1, db_1, dW_2, db_2); the loss is 0 when
// WithLoss is false.
template <bool WithLoss, typename Net, int Rows>
auto ctgrad_backprop(const board_inputs<Rows>& in) {
    auto bound = ctgrad::bind(Net::X = in.x, Net::W1 = in.w1, Net::b1 = in.b1, Net::W2 = in.w2,
                              Net::b2 = in.b2, Net::Y = in.y);
    if constexpr (WithLoss) {
        return ctgrad::eval_with_loss(ctgrad::grads(Net::L, Net::W1, Net::b1, Net::W2, Net::b2), bound);
    } else {
        auto g = ctgrad::eval(ctgrad::grads(Net::L, Net::W1, Net::b1, Net::W2, Net::b2), bound);
        return std::tuple_cat(std::make_tuple(0.0), std::move(g));
    }
}

struct static_tag {
    static constexpr int rows = n_rows;
    static constexpr const auto& X = static_net::X;
    static constexpr const auto& W1 = static_net::W1;
    static constexpr const auto& b1 = static_net::b1;
    static constexpr const auto& W2 = static_net::W2;
    static constexpr const auto& b2 = static_net::b2;
    static constexpr const auto& Y = static_net::Y;
    static constexpr const auto& L = static_net::L;
};
struct dynamic_tag {
    static constexpr int rows = Eigen::Dynamic;
    static constexpr const auto& X = dynamic_net::X;
    static constexpr const auto& W1 = dynamic_net::W1;
    static constexpr const auto& b1 = dynamic_net::b1;
    static constexpr const auto& W2 = dynamic_net::W2;
    static constexpr const auto& b2 = dynamic_net::b2;
    static constexpr const auto& Y = dynamic_net::Y;
    static constexpr const auto& L = dynamic_net::L;
};

// ---------------------------------------------------------------------------------------------
// Agreement check, run once before timing.
double as_scalar(double v) { return v; }
template <typename Derived>
double as_scalar(const Eigen::MatrixBase<Derived>& m) {
    if (m.size() != 1) {
        std::fprintf(stderr, "board_bench: expected a 1x1 gradient, got %ldx%ld\n",
                     static_cast<long>(m.rows()), static_cast<long>(m.cols()));
        std::abort();
    }
    return m(0, 0);
}

double rel_err(double a, double b) {
    return std::abs(a - b) / std::max({1.0, std::abs(a), std::abs(b)});
}
template <typename A, typename B>
double rel_err(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
    if (a.rows() != b.rows() || a.cols() != b.cols()) return INFINITY;
    double worst = 0.0;
    for (Eigen::Index i = 0; i < a.rows(); ++i)
        for (Eigen::Index j = 0; j < a.cols(); ++j) worst = std::max(worst, rel_err(a(i, j), b(i, j)));
    return worst;
}

template <typename Net>
void check_agreement(const char* label, int rows) {
    const board_inputs<Net::rows> in(rows);
    const auto hand = hand_backprop<true>(in);
    const auto ct = ctgrad_backprop<true, Net>(in);
    const double errs[] = {
        rel_err(hand.loss, std::get<0>(ct)),
        rel_err(hand.dw1, std::get<1>(ct)),
        rel_err(hand.db1, std::get<2>(ct)),
        rel_err(hand.dw2, std::get<3>(ct)),
        rel_err(hand.db2, as_scalar(std::get<4>(ct))),
    };
    const char* names[] = {"L", "dW_1", "db_1", "dW_2", "db_2"};
    constexpr double tolerance = 1e-10;
    bool ok = true;
    for (int k = 0; k < 5; ++k) {
        if (!(errs[k] <= tolerance)) {
            std::fprintf(stderr, "board_bench: %s: %s differs, relative error %g > %g\n", label,
                         names[k], errs[k], tolerance);
            ok = false;
        }
    }
    if (!ok) std::abort();
    std::fprintf(stderr, "board_bench: %s: ctgrad and hand agree (loss %.12g)\n", label, hand.loss);
}

// ---------------------------------------------------------------------------------------------
// Benchmarks. The inputs live outside the timed loop; the results are kept alive with
// DoNotOptimize so neither route can be optimised away.
template <bool WithLoss, typename Net, bool Ctgrad>
void run_route(const board_inputs<Net::rows>& in) {
    if constexpr (Ctgrad) {
        auto r = ctgrad_backprop<WithLoss, Net>(in);
        benchmark::DoNotOptimize(r);
    } else {
        auto r = hand_backprop<WithLoss>(in);
        benchmark::DoNotOptimize(r);
    }
    benchmark::ClobberMemory();
}

template <bool WithLoss, typename Net, bool Ctgrad>
void bm_route(benchmark::State& state) {
    const board_inputs<Net::rows> in(static_cast<int>(state.range(0)));
    for (auto _ : state) run_route<WithLoss, Net, Ctgrad>(in);
}

// Name, route, and the batch size it runs with; the names are what run_board_bench.sh pairs.
struct route {
    const char* name;
    void (*bench)(benchmark::State&);
    void (*once)(const board_inputs<n_rows>*, const board_inputs<Eigen::Dynamic>*);
};

template <bool WithLoss, typename Net, bool Ctgrad>
void once(const board_inputs<n_rows>* s, const board_inputs<Eigen::Dynamic>* d) {
    if constexpr (Net::rows == n_rows) {
        run_route<WithLoss, Net, Ctgrad>(*s);
    } else {
        run_route<WithLoss, Net, Ctgrad>(*d);
    }
}

template <bool WithLoss, typename Net, bool Ctgrad>
constexpr route make_route(const char* name) {
    return {name, &bm_route<WithLoss, Net, Ctgrad>, &once<WithLoss, Net, Ctgrad>};
}

const route routes[] = {
    make_route<true, static_tag, false>("static/hand"),
    make_route<true, static_tag, true>("static/ctgrad"),
    make_route<false, static_tag, false>("static_grads/hand"),
    make_route<false, static_tag, true>("static_grads/ctgrad"),
    make_route<true, dynamic_tag, false>("dynamic/hand"),
    make_route<true, dynamic_tag, true>("dynamic/ctgrad"),
    make_route<false, dynamic_tag, false>("dynamic_grads/hand"),
    make_route<false, dynamic_tag, true>("dynamic_grads/ctgrad"),
};

// --run-once=NAME:COUNT; returns false when the flag is absent.
bool run_once(int argc, char** argv) {
    const std::string prefix = "--run-once=";
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind(prefix, 0) != 0) continue;
        const auto colon = arg.rfind(':');
        const std::string name = arg.substr(prefix.size(), colon - prefix.size());
        const long count = colon == std::string::npos ? 1 : std::stol(arg.substr(colon + 1));
        const board_inputs<n_rows> s(n_rows);
        const board_inputs<Eigen::Dynamic> d(n_rows);
        for (const route& r : routes) {
            if (name != r.name) continue;
            for (long k = 0; k < count; ++k) r.once(&s, &d);
            return true;
        }
        std::fprintf(stderr, "board_bench: no route named %s\n", name.c_str());
        std::exit(2);
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    if (run_once(argc, argv)) return 0;
    check_agreement<static_tag>("static N=64", n_rows);
    check_agreement<dynamic_tag>("dynamic N=64", n_rows);
    check_agreement<dynamic_tag>("dynamic N=5", 5);
    for (const route& r : routes) benchmark::RegisterBenchmark(r.name, r.bench)->Arg(n_rows);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
