// ctgrad/training.hpp: param/parameters, the optimizer's update rules, and train's minibatch
// loop (every row once per epoch, seeded shuffling, progress line, early stop, errors).
#include "support.hpp"

#include <ctgrad/training.hpp>

#include <Eigen/Dense>

#include <sstream>
#include <stdexcept>
#include <vector>

namespace {

using namespace ctgrad;
using namespace ctgrad_test;

constexpr int d = 3;
constexpr int H = 4;

// Linear regression, one neuron with identity activation: yhat = X w + b.
namespace linear {
constexpr matrix<"X", dynamic, d> X{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr vector<"w", d> w{};
constexpr vector<"b", 1> b{};
constexpr auto L = mse(X * w + transpose(b), Y);
}  // namespace linear

// The board net, for the tests that need a non-linear model.
namespace board {
constexpr matrix<"X", dynamic, d> X{};
constexpr matrix<"Y", dynamic, 1> Y{};
constexpr matrix<"W_1", d, H> W1{};
constexpr vector<"b_1", H> b1{};
constexpr matrix<"W_2", H, 1> W2{};
constexpr vector<"b_2", 1> b2{};
constexpr auto L = mse(tanh(relu(X * W1 + transpose(b1)) * W2 + transpose(b2)), Y);

struct net {
    Eigen::Matrix<double, d, H> w1;
    Eigen::Matrix<double, H, 1> v1;
    Eigen::Matrix<double, H, 1> w2;
    Eigen::Matrix<double, 1, 1> v2;

    auto params() { return parameters(param(W1, w1), param(b1, v1), param(W2, w2), param(b2, v2)); }
    bool operator==(const net& o) const { return w1 == o.w1 && v1 == o.v1 && w2 == o.w2 && v2 == o.v2; }
};

net random_net(random_source& rnd) {
    return {rnd.uniform<d, H>(), rnd.uniform<H, 1>(), rnd.uniform<H, 1>(), rnd.uniform<1, 1>()};
}
}  // namespace board

struct regression_data {
    Eigen::Matrix<double, Eigen::Dynamic, d> x;
    Eigen::Matrix<double, Eigen::Dynamic, 1> y;
};

regression_data noisy_linear_data(unsigned seed, Eigen::Index n) {
    random_source rnd(seed);
    regression_data sample{rnd.uniform<Eigen::Dynamic, d>(n, d), {}};
    const Eigen::Vector3d truth(0.5, -1.0, 2.0);
    sample.y = (sample.x * truth).array() + 0.3 + 0.1 * rnd.uniform<Eigen::Dynamic, 1>(n, 1).array();
    return sample;
}

}  // namespace

TEST_CASE("train with full-batch gradient descent fits linear regression to the least-squares solution",
          "[training]") {
    const auto sample = noisy_linear_data(301, 40);
    Eigen::Matrix<double, d, 1> w = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> b = Eigen::Matrix<double, 1, 1>::Zero();

    const auto history = train(linear::L, parameters(param(linear::w, w), param(linear::b, b)),
                               bind(linear::X = sample.x, linear::Y = sample.y),
                               {.epochs = 3000, .batch_size = 0, .learning_rate = 0.5, .progress = false});

    // Closed form: least squares on [X 1].
    Eigen::MatrixXd design(sample.x.rows(), d + 1);
    design << sample.x, Eigen::VectorXd::Ones(sample.x.rows());
    const Eigen::VectorXd exact = design.colPivHouseholderQr().solve(sample.y);
    CAPTURE(w.transpose(), b, exact.transpose());
    CHECK(worst_relative_difference(w, exact.head<d>()) < 1e-9);
    CHECK(worst_relative_difference(b(0, 0), exact(d)) < 1e-9);
    CHECK(history.steps == 3000);
    CHECK(history.loss.size() == 3000);
    CHECK(history.loss.back() < history.loss.front());
}

TEST_CASE("train with the same seed gives bit-identical parameters and a different seed does not", "[training]") {
    const auto sample = noisy_linear_data(302, 37);
    random_source rnd(303);
    const board::net start = board::random_net(rnd);
    auto run = [&](std::uint64_t seed) {
        board::net n = start;
        train(board::L, n.params(), bind(board::X = sample.x, board::Y = sample.y),
              {.epochs = 5, .batch_size = 8, .learning_rate = 0.05, .seed = seed, .progress = false});
        return n;
    };
    const board::net a = run(7);
    const board::net again = run(7);
    const board::net other = run(8);
    CHECK(a == again);
    CHECK_FALSE(a == other);
    CHECK_FALSE(a == start);
}

TEST_CASE("train visits every row once per epoch, a smaller last batch included", "[training]") {
    // With learning rate 0 the parameters stay put, so each epoch's loss (the batch losses
    // weighted by batch size) must be the loss on the whole dataset: 10 rows in batches 3,3,3,1.
    const auto sample = noisy_linear_data(304, 10);
    random_source rnd(305);
    board::net n = board::random_net(rnd);
    const auto in = bind(board::X = sample.x, board::W1 = n.w1, board::b1 = n.v1, board::W2 = n.w2, board::b2 = n.v2,
                         board::Y = sample.y);
    const double whole = eval(board::L, in);
    const auto history = train(board::L, n.params(), bind(board::X = sample.x, board::Y = sample.y),
                               {.epochs = 3, .batch_size = 3, .learning_rate = 0.0, .seed = 1, .progress = false});
    CHECK(history.steps == 12);
    for (double epoch_loss : history.loss) CHECK(worst_relative_difference(epoch_loss, whole) < value_tolerance);
}

TEST_CASE("train with data variables of static row count uses that batch size and drops the rest", "[training]") {
    constexpr matrix<"X", 4, d> X{};
    constexpr matrix<"Y", 4, 1> Y{};
    constexpr auto L = mse(X * linear::w + transpose(linear::b), Y);
    const auto sample = noisy_linear_data(306, 10);
    Eigen::Matrix<double, d, 1> w = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> b = Eigen::Matrix<double, 1, 1>::Zero();
    auto p = parameters(param(linear::w, w), param(linear::b, b));

    const auto history = train(L, p, data(X = sample.x, Y = sample.y), {.epochs = 3, .batch_size = 0, .progress = false});
    CHECK(history.steps == 6);  // two batches of 4 per epoch; the last 2 rows are left out
    CHECK_THROWS_AS(train(L, p, data(X = sample.x, Y = sample.y), {.batch_size = 5, .progress = false}),
                    std::invalid_argument);
}

TEST_CASE("sgd_step subtracts the learning rate times the derived gradient and returns the loss before",
          "[training]") {
    const auto sample = noisy_linear_data(307, 9);
    random_source rnd(308);
    board::net n = board::random_net(rnd);
    const board::net before = n;
    const auto in = bind(board::X = sample.x, board::W1 = before.w1, board::b1 = before.v1, board::W2 = before.w2,
                         board::b2 = before.v2, board::Y = sample.y);
    const auto [gW1, gb1, gW2, gb2] = eval(grads(board::L, board::W1, board::b1, board::W2, board::b2), in);
    const double eta = 0.1;

    const double loss = sgd_step(board::L, n.params(), bind(board::X = sample.x, board::Y = sample.y), eta);

    CHECK(worst_relative_difference(loss, eval(board::L, in)) < value_tolerance);
    CHECK(worst_relative_difference(n.w1, before.w1 - eta * gW1) < value_tolerance);
    CHECK(worst_relative_difference(n.v1, before.v1 - eta * gb1) < value_tolerance);
    CHECK(worst_relative_difference(n.w2, before.w2 - eta * gW2) < value_tolerance);
    CHECK(worst_relative_difference(n.v2(0, 0), before.v2(0, 0) - eta * gb2) < value_tolerance);
}

TEST_CASE("the momentum rule accumulates velocity u = mu u + g and steps by -eta u", "[training]") {
    const auto sample = noisy_linear_data(309, 12);
    Eigen::Matrix<double, d, 1> w = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> b = Eigen::Matrix<double, 1, 1>::Zero();
    const double eta = 0.1;
    const double mu = 0.5;
    auto gradient_at = [&](const Eigen::Matrix<double, d, 1>& wv, const Eigen::Matrix<double, 1, 1>& bv) {
        return eval(grad(linear::L, linear::w), bind(linear::X = sample.x, linear::w = wv, linear::b = bv, linear::Y = sample.y));
    };
    const Eigen::Matrix<double, d, 1> g1 = gradient_at(w, b);

    optimizer opt(parameters(param(linear::w, w), param(linear::b, b)), {.method = method::momentum, .momentum = mu});
    const auto batch = bind(linear::X = sample.x, linear::Y = sample.y);
    opt.step(linear::L, batch, eta);
    CHECK(worst_relative_difference(w, -eta * g1) < value_tolerance);

    const Eigen::Matrix<double, d, 1> w1 = w;
    const Eigen::Matrix<double, d, 1> g2 = gradient_at(w, b);
    opt.step(linear::L, batch, eta);
    CHECK(worst_relative_difference(w, w1 - eta * (mu * g1 + g2)) < value_tolerance);
    CHECK(opt.steps() == 2);
}

TEST_CASE("the first Adam step moves each entry by the learning rate against the sign of its gradient",
          "[training]") {
    // After one step m/(1-b1) = g and v/(1-b2) = g^2, so the step is eta g / (|g| + eps).
    const auto sample = noisy_linear_data(310, 12);
    Eigen::Matrix<double, d, 1> w = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> b = Eigen::Matrix<double, 1, 1>::Zero();
    const Eigen::Matrix<double, d, 1> g =
        eval(grad(linear::L, linear::w), bind(linear::X = sample.x, linear::w = w, linear::b = b, linear::Y = sample.y));
    const double eta = 0.01;

    optimizer opt(parameters(param(linear::w, w), param(linear::b, b)), {.method = method::adam});
    opt.step(linear::L, bind(linear::X = sample.x, linear::Y = sample.y), eta);

    const Eigen::Matrix<double, d, 1> expected = -eta * (g.array() / (g.array().abs() + 1e-8)).matrix();
    CHECK(worst_relative_difference(w, expected) < 1e-12);
}

TEST_CASE("train with momentum or Adam lowers the loss of the board net", "[training]") {
    const auto sample = noisy_linear_data(311, 64);
    for (method m : {method::sgd, method::momentum, method::adam}) {
        random_source rnd(312);
        board::net n = board::random_net(rnd);
        n.w1 *= 0.5;
        n.w2 *= 0.5;
        const auto history =
            train(board::L, n.params(), bind(board::X = sample.x, board::Y = sample.y),
                  {.epochs = 40, .batch_size = 16, .learning_rate = m == method::adam ? 0.01 : 0.02, .method = m,
                   .seed = 3, .progress = false});
        CAPTURE(static_cast<int>(m), history.loss.front(), history.loss.back());
        CHECK(history.loss.back() < 0.5 * history.loss.front());
    }
}

TEST_CASE("train prints a progress line on long runs and prints nothing when progress is false", "[training]") {
    const auto sample = noisy_linear_data(313, 20);
    Eigen::Matrix<double, d, 1> w = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> b = Eigen::Matrix<double, 1, 1>::Zero();
    auto p = parameters(param(linear::w, w), param(linear::b, b));
    const auto batch = bind(linear::X = sample.x, linear::Y = sample.y);

    std::ostringstream shown;
    // progress_after = 0 makes every run "long".
    train(linear::L, p, batch,
          {.epochs = 3, .progress_after = 0.0, .progress_interval = 0.0, .progress_stream = &shown});
    CHECK(shown.str().find("ctgrad::train: epoch 1/3, loss ") != std::string::npos);
    CHECK(shown.str().find("epoch 3/3") != std::string::npos);

    std::ostringstream silent;
    train(linear::L, p, batch,
          {.epochs = 3, .progress = false, .progress_after = 0.0, .progress_interval = 0.0, .progress_stream = &silent});
    CHECK(silent.str().empty());

    std::ostringstream short_run;  // the default waits 2 s before the first line
    train(linear::L, p, batch, {.epochs = 3, .progress_stream = &short_run});
    CHECK(short_run.str().empty());
}

TEST_CASE("train asks learning_rate_at for each epoch and stops when on_epoch returns false", "[training]") {
    const auto sample = noisy_linear_data(314, 20);
    Eigen::Matrix<double, d, 1> w = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> b = Eigen::Matrix<double, 1, 1>::Zero();
    std::vector<int> asked;
    std::vector<double> rates;
    const auto history = train(linear::L, parameters(param(linear::w, w), param(linear::b, b)),
                               bind(linear::X = sample.x, linear::Y = sample.y),
                               {.epochs = 10,
                                .learning_rate_at = [&](int epoch) { asked.push_back(epoch); return 0.1 / epoch; },
                                .progress = false,
                                .on_epoch = [&](const epoch_summary& s) { rates.push_back(s.learning_rate); return s.epoch < 3; }});
    CHECK(asked == std::vector<int>{1, 2, 3});
    CHECK(rates == std::vector<double>{0.1, 0.05, 0.1 / 3});
    CHECK(history.stopped_early);
    CHECK(history.loss.size() == 3);
}

TEST_CASE("train rejects data matrices with different row counts and param rejects a wrong dynamic size",
          "[training]") {
    const auto sample = noisy_linear_data(315, 10);
    const Eigen::Matrix<double, Eigen::Dynamic, 1> short_y = sample.y.head(9);
    Eigen::Matrix<double, d, 1> w = Eigen::Matrix<double, d, 1>::Zero();
    Eigen::Matrix<double, 1, 1> b = Eigen::Matrix<double, 1, 1>::Zero();
    CHECK_THROWS_AS(data(linear::X = sample.x, linear::Y = short_y), shape_error);
    CHECK_THROWS_AS(train(linear::L, parameters(param(linear::w, w), param(linear::b, b)),
                          bind(linear::X = sample.x, linear::Y = short_y), {.progress = false}),
                    shape_error);

    Eigen::MatrixXd wrong(2, 1);
    CHECK_THROWS_AS(param(linear::w, wrong), shape_error);
}
