// Embedding a fixed-architecture net in a C++ program: every shape is known at compile time, so
// inference and a training step need no heap at all (for a controller, a game loop, a device).
//
//     yhat = tanh(X W_1 + b_1^T) W_2 + b_2^T,   X a batch of 16 rows of 2 features, 8 hidden units.
//
// The program trains the net (ordinary code, allocations allowed), writes its weights to a text
// file, loads them into a second net and checks they are identical; then, with Eigen's allocator
// switched off (EIGEN_RUNTIME_NO_MALLOC, Eigen::internal::set_is_malloc_allowed(false)) and with
// every operator new counted, runs inference and one SGD step through functions that take and
// return fixed-size Eigen matrices. Exit status 1 when a weight does not round-trip, when anything
// allocates (Eigen's check aborts), or when the step does not lower the batch loss.
#include <cstdio>
#include <cstdlib>

// Eigen's malloc check is an eigen_assert, which Release builds (NDEBUG) compile out; this
// definition keeps Eigen's assertions, that check among them, active in every build.
[[noreturn]] inline void eigen_assertion_failed(const char* condition, const char* file, int line) {
    std::fprintf(stderr, "embed_fixed_net: FAILED: Eigen assertion '%s' at %s:%d\n", condition, file, line);
    std::abort();
}
#define eigen_assert(condition) \
    do {                        \
        if (!(condition)) eigen_assertion_failed(#condition, __FILE__, __LINE__); \
    } while (false)
#ifndef EIGEN_RUNTIME_NO_MALLOC
#define EIGEN_RUNTIME_NO_MALLOC
#endif

#include <ctgrad/ctgrad.hpp>
#include <ctgrad/training.hpp>

#include <Eigen/Core>
#include <fmt/core.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <new>
#include <random>
#include <stdexcept>
#include <string>

// Every operator new in the program goes through here, so the no-heap section can count them
// (std::string, std::vector, std::function... would show up; Eigen uses malloc, checked above).
namespace {
std::atomic<long> allocations{0};
}
void* operator new(std::size_t size) {
    ++allocations;
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace ctgrad;

constexpr int batch = 16;
constexpr int d = 2;
constexpr int H = 8;

constexpr matrix<"X", batch, d> X{};
constexpr matrix<"Y", batch, 1> Y{};
constexpr matrix<"W_1", d, H> W1{};
constexpr vector<"b_1", H> b1{};
constexpr matrix<"W_2", H, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr auto yhat = tanh(X * W1 + transpose(b1)) * W2 + transpose(b2);
constexpr auto L = mse(yhat, Y);

using inputs = Eigen::Matrix<double, batch, d>;
using outputs = Eigen::Matrix<double, batch, 1>;

/// The net's parameters, all fixed-size: an object of this type holds no pointer to the heap.
struct fixed_net {
    Eigen::Matrix<double, d, H> w1;
    Eigen::Matrix<double, H, 1> v1;
    Eigen::Matrix<double, H, 1> w2;
    Eigen::Matrix<double, 1, 1> v2;

    auto params() { return parameters(param(W1, w1), param(b1, v1), param(W2, w2), param(b2, v2)); }
    bool operator==(const fixed_net& o) const { return w1 == o.w1 && v1 == o.v1 && w2 == o.w2 && v2 == o.v2; }
};

/// Inference on one batch: no allocation (every shape static).
outputs infer(const fixed_net& net, const inputs& x) {
    return eval(yhat, bind(X = x, W1 = net.w1, b1 = net.v1, W2 = net.w2, b2 = net.v2));
}

/// One SGD step W := W - eta dL/dW on one batch; returns the loss before the step. No allocation.
double train_step(fixed_net& net, const inputs& x, const outputs& y, double eta) {
    return sgd_step(L, net.params(), bind(X = x, Y = y), eta);
}

double target(double a, double b) { return std::sin(2 * a) * std::cos(b); }

// --- the weights file: a header line, then per matrix "name rows cols" and its entries ------------

template <class M>
void write_matrix(std::ofstream& out, const char* name, const M& m) {
    out << fmt::format("{} {} {}\n", name, m.rows(), m.cols());
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        for (Eigen::Index j = 0; j < m.cols(); ++j) out << fmt::format("{}{:.17g}", j ? " " : "", m(i, j));
        out << '\n';
    }
}

template <class M>
void read_matrix(std::ifstream& in, const char* name, M& m) {
    std::string found;
    Eigen::Index rows = 0, cols = 0;
    in >> found >> rows >> cols;
    if (!in || found != name || rows != m.rows() || cols != m.cols()) {
        throw std::runtime_error(fmt::format("weights file: expected {} {}x{}, found {} {}x{}", name, m.rows(), m.cols(),
                                             found, rows, cols));
    }
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) in >> m(i, j);
    if (!in) throw std::runtime_error(std::string("weights file: cannot read the entries of ") + name);
}

void save(const fixed_net& net, const std::string& path) {
    std::ofstream out(path);
    out << "ctgrad fixed_net 1: yhat = tanh(X W_1 + b_1^T) W_2 + b_2^T\n";
    write_matrix(out, "W_1", net.w1);
    write_matrix(out, "b_1", net.v1);
    write_matrix(out, "W_2", net.w2);
    write_matrix(out, "b_2", net.v2);
    if (!out) throw std::runtime_error("cannot write " + path);
}

fixed_net load(const std::string& path) {
    std::ifstream in(path);
    std::string header;
    if (!std::getline(in, header) || header.rfind("ctgrad fixed_net 1:", 0) != 0) {
        throw std::runtime_error(path + " is not a ctgrad fixed_net weights file");
    }
    fixed_net net;
    read_matrix(in, "W_1", net.w1);
    read_matrix(in, "b_1", net.v1);
    read_matrix(in, "W_2", net.w2);
    read_matrix(in, "b_2", net.v2);
    return net;
}

}  // namespace

int main() try {
    // --- 1. train as usual (allocations allowed): 512 samples in [-1, 1]^2, batches of 16 -------
    std::mt19937_64 engine(9);
    auto uniform = [&] { return double(engine() >> 11) * 0x1.0p-52 - 1; };
    Eigen::Matrix<double, Eigen::Dynamic, d> x(512, d);
    Eigen::Matrix<double, Eigen::Dynamic, 1> y(512);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        x(i, 0) = uniform();
        x(i, 1) = uniform();
        y(i) = target(x(i, 0), x(i, 1));
    }
    fixed_net net;
    for (Eigen::Index i = 0; i < net.w1.size(); ++i) net.w1(i) = uniform();
    for (Eigen::Index i = 0; i < H; ++i) {
        net.v1(i) = 0.1 * uniform();
        net.w2(i) = 0.5 * uniform();
    }
    net.v2.setZero();
    // X and Y are declared with 16 rows, so train cuts batches of exactly 16 (static shapes).
    const auto history = train(L, net.params(), data(X = x, Y = y),
                               {.epochs = 200, .batch_size = batch, .learning_rate = 0.01, .method = method::adam,
                                .seed = 4, .progress = false});
    fmt::print("trained yhat = tanh(X W_1 + b_1^T) W_2 + b_2^T ({} -> {} -> 1) on sin(2 x_1) cos(x_2): "
               "loss {:.2e} -> {:.2e} in {} steps\n",
               d, H, history.loss.front(), history.loss.back(), history.steps);

    // --- 2. the weights go to a file and come back ------------------------------------------------
    const std::string path = "embed_fixed_net.weights";
    save(net, path);
    const fixed_net loaded = load(path);
    if (!(loaded == net)) {
        fmt::print(stderr, "embed_fixed_net: FAILED: the weights read from {} differ from those written\n", path);
        return 1;
    }
    fmt::print("wrote {} and read it back: all {} weights identical\n", path,
               net.w1.size() + net.v1.size() + net.w2.size() + net.v2.size());

    // --- 3. inference and one training step with the heap switched off ----------------------------
    fixed_net embedded = loaded;
    inputs xb;
    outputs yb;
    for (int i = 0; i < batch; ++i) {
        xb(i, 0) = uniform();
        xb(i, 1) = uniform();
        yb(i) = target(xb(i, 0), xb(i, 1));
    }
    const double eta = 0.05;

    const long before = allocations.load();
    Eigen::internal::set_is_malloc_allowed(false);
    const outputs prediction = infer(embedded, xb);
    const double loss_before = train_step(embedded, xb, yb, eta);
    const outputs after_step = infer(embedded, xb);
    Eigen::internal::set_is_malloc_allowed(true);
    const long heap = allocations.load() - before;

    const double loss_after = (after_step - yb).squaredNorm() / batch;
    fmt::print("\nno-heap section: infer(batch of {}) -> train_step(eta = {}) -> infer\n", batch, eta);
    fmt::print("  prediction[0..3] = {:.4f} {:.4f} {:.4f} {:.4f}  (targets {:.4f} {:.4f} {:.4f} {:.4f})\n", prediction(0),
               prediction(1), prediction(2), prediction(3), yb(0), yb(1), yb(2), yb(3));
    fmt::print("  batch loss {:.6e} -> {:.6e} after the step\n", loss_before, loss_after);
    fmt::print("  operator new calls: {}; Eigen heap allocations: none (Eigen's check is armed and did not fire)\n", heap);
    if (heap != 0) {
        fmt::print(stderr, "embed_fixed_net: FAILED: {} heap allocations in the no-heap section\n", heap);
        return 1;
    }
    if (!(loss_after < loss_before)) {
        fmt::print(stderr, "embed_fixed_net: FAILED: the training step did not lower the batch loss\n");
        return 1;
    }
    fmt::print("embed_fixed_net: inference + 1 SGD step on a static batch of {}: 0 heap allocations, loss {:.4e} -> {:.4e}\n",
               batch, loss_before, loss_after);
    return 0;
} catch (const std::exception& e) {
    fmt::print(stderr, "embed_fixed_net: FAILED: {}\n", e.what());
    return 1;
}
