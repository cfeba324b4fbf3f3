// A softmax classifier of handwritten digits: the 8x8 images of examples/data/digits.csv.gz
// (1797 images, 64 pixel counts each; see examples/data/README.md), one linear layer and
// cross-entropy on its logits,
//
//     Z = X W + b^T,  L = cross_entropy(Z, Y) = -(1/n) sum Y (.) log softmax(Z),
//
// with one-hot rows Y. dL/dZ = (1/n)(softmax(Z) - Y), as the printed derivation shows. Trained by
// minibatch SGD (ctgrad::train) on 80% of the images, tested on the other 20%; the last line is
// the test accuracy. Exit status 1 if it is below 0.9 (softmax regression reaches about 0.95).
// Usage: classifier [path to digits.csv.gz]
#include <ctgrad/ctgrad.hpp>
#include <ctgrad/derivation_steps.hpp>
#include <ctgrad/training.hpp>

#include <Eigen/Core>
#include <fmt/core.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace ctgrad;

constexpr int pixels = 64;
constexpr int classes = 10;
constexpr matrix<"X", dynamic, pixels> X{};
constexpr matrix<"Y", dynamic, classes> Y{};
constexpr matrix<"W", pixels, classes> W{};
constexpr vector<"b", classes> b{};
constexpr auto logits = X * W + transpose(b);
constexpr auto L = cross_entropy(logits, Y);

using images = Eigen::Matrix<double, Eigen::Dynamic, pixels>;
using one_hot = Eigen::Matrix<double, Eigen::Dynamic, classes>;

struct digits {
    images x;
    std::vector<int> label;
};

// Reads the gzip-compressed CSV: 64 pixel counts and the digit per line.
digits read_digits(const char* path) {
    gzFile file = gzopen(path, "rb");
    if (file == nullptr) throw std::runtime_error(std::string("cannot open ") + path);
    std::vector<std::vector<double>> rows;
    std::vector<int> labels;
    char line[1024];
    while (gzgets(file, line, sizeof line) != nullptr) {
        std::stringstream fields(line);
        std::vector<double> row;
        std::string field;
        while (std::getline(fields, field, ',')) row.push_back(std::stod(field));
        if (row.size() != pixels + 1) continue;
        labels.push_back(static_cast<int>(row.back()));
        row.pop_back();
        rows.push_back(std::move(row));
    }
    gzclose(file);
    digits out{images(static_cast<Eigen::Index>(rows.size()), pixels), labels};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (int j = 0; j < pixels; ++j) out.x(static_cast<Eigen::Index>(i), j) = rows[i][static_cast<std::size_t>(j)] / 16.0;
    }
    return out;
}

one_hot encode(const std::vector<int>& labels) {
    one_hot y = one_hot::Zero(static_cast<Eigen::Index>(labels.size()), classes);
    for (std::size_t i = 0; i < labels.size(); ++i) y(static_cast<Eigen::Index>(i), labels[i]) = 1.0;
    return y;
}

// The share of rows whose largest logit is at the true digit.
double accuracy(const Eigen::MatrixXd& z, const std::vector<int>& labels) {
    int right = 0;
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
        Eigen::Index best = 0;
        z.row(i).maxCoeff(&best);
        right += best == labels[static_cast<std::size_t>(i)] ? 1 : 0;
    }
    return static_cast<double>(right) / static_cast<double>(z.rows());
}

}  // namespace

int main(int argc, char** argv) {
    const digits all = read_digits(argc > 1 ? argv[1] : CTGRAD_DIGITS_PATH);
    const Eigen::Index n = all.x.rows();
    // A fixed shuffle, then 80% for training and 20% for testing.
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::shuffle(order.begin(), order.end(), std::mt19937_64(17));
    const Eigen::Index n_train = n * 4 / 5;
    images train_x(n_train, pixels), test_x(n - n_train, pixels);
    std::vector<int> train_labels, test_labels;
    for (Eigen::Index k = 0; k < n; ++k) {
        const Eigen::Index i = order[static_cast<std::size_t>(k)];
        if (k < n_train) {
            train_x.row(k) = all.x.row(i);
            train_labels.push_back(all.label[static_cast<std::size_t>(i)]);
        } else {
            test_x.row(k - n_train) = all.x.row(i);
            test_labels.push_back(all.label[static_cast<std::size_t>(i)]);
        }
    }
    const one_hot train_y = encode(train_labels), test_y = encode(test_labels);

    fmt::print("Softmax classifier of 8x8 digits: {} training images, {} test images\n", n_train, n - n_train);
    fmt::print("{}\n", derivation(L, W, b).text());

    Eigen::Matrix<double, pixels, classes> wv = Eigen::Matrix<double, pixels, classes>::Zero();
    Eigen::Matrix<double, classes, 1> bv = Eigen::Matrix<double, classes, 1>::Zero();
    const auto history = train(L, parameters(param(W, wv), param(b, bv)), data(X = train_x, Y = train_y),
                               {.epochs = 30,
                                .batch_size = 32,
                                .learning_rate_at = [](int epoch) { return 0.5 / (1 + 0.1 * epoch); },
                                .seed = 3});
    fmt::print("SGD, batch 32, eta = 0.5 / (1 + epoch / 10): training loss per epoch");
    for (int e : {1, 2, 5, 10, 20, 30}) fmt::print("  {}: {:.4f}", e, history.loss[static_cast<std::size_t>(e - 1)]);
    fmt::print("\n");

    const auto train_in = bind(X = train_x, Y = train_y, W = wv, b = bv);
    const auto test_in = bind(X = test_x, Y = test_y, W = wv, b = bv);
    const double train_accuracy = accuracy(eval(logits, train_in), train_labels);
    const double test_accuracy = accuracy(eval(logits, test_in), test_labels);
    fmt::print("training loss {:.4f}, training accuracy {:.4f}; test loss {:.4f}\n", eval(L, train_in), train_accuracy,
               eval(L, test_in));
    fmt::print("test accuracy: {:.4f}\n", test_accuracy);
    return test_accuracy >= 0.9 ? 0 : 1;
}
