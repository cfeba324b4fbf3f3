// Training: parameters updated in place by minibatch SGD (plain, momentum or Adam) over a dataset.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "derivation.hpp"
#include "detail/type_set.hpp"
#include "errors.hpp"
#include "evaluation.hpp"
#include "expression.hpp"
#include "variables.hpp"

namespace ctgrad {

// ---- parameters ---------------------------------------------------------------------------

/// A trained variable and the Eigen matrix that holds its value; made by param(W1, w1).
/// Training writes into that matrix, so it must outlive every use of the parameter.
template <class Variable, class Matrix>
struct parameter {
    using variable_type = Variable;
    using matrix_type = Matrix;
    Matrix* value;
};

/// param(W1, w1): W1 is trained, and its value is the Eigen matrix w1, updated in place.
/// w1 must be a non-const Eigen::Matrix whose static sizes agree with W1's.
/// Example: examples/approximate_f.cpp.
template <variable_expression V, class Scalar, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
auto param(const V&, Eigen::Matrix<Scalar, Rows, Cols, Options, MaxRows, MaxCols>& m) {
    using matrix_type = Eigen::Matrix<Scalar, Rows, Cols, Options, MaxRows, MaxCols>;
    static_assert(ctgrad::detail::same_v<Scalar, double>, "ctgrad: param(V, m): m must hold doubles");
    static_assert(detail::static_size_fits(V::rows, Rows) && detail::static_size_fits(V::cols, Cols),
                  "ctgrad: param(V, m): the matrix's static size differs from the variable's declared size");
    if ((V::rows != dynamic && m.rows() != V::rows) || (V::cols != dynamic && m.cols() != V::cols)) {
        throw shape_error("ctgrad: param: variable " + std::string(V::name) + " is declared " +
                          detail::shape_text(V::rows, V::cols) + " but its matrix is " +
                          detail::shape_text(m.rows(), m.cols()));
    }
    return parameter<V, matrix_type>{&m};
}

/// The trained variables of a model, in a fixed order; made by parameters(param(W1, w1), ...).
template <class... Parameters>
struct parameter_set {
    using variables = detail::type_set<typename Parameters::variable_type...>;
    std::tuple<Parameters...> items;

    /// The matrix that holds variable V's value.
    template <class V>
    auto& get() const {
        return *std::get<index_of<V>()>(items).value;
    }

    template <class V>
    static constexpr std::size_t index_of() {
        constexpr bool match[] = {ctgrad::detail::same_v<V, typename Parameters::variable_type>...};
        for (std::size_t i = 0; i < sizeof...(Parameters); ++i) {
            if (match[i]) return i;
        }
        return sizeof...(Parameters);
    }
};

/// parameters(param(W1, w1), param(b1, v1), ...): the set of variables training updates.
template <class... Variables, class... Matrices>
auto parameters(parameter<Variables, Matrices>... p) {
    static_assert(sizeof...(Variables) > 0, "ctgrad: parameters(...): name at least one param(V, m)");
    static_assert(ctgrad::detail::same_v<detail::unite_t<detail::type_set<Variables>...>, detail::type_set<Variables...>>,
                  "ctgrad: parameters(...): a variable is listed twice");
    return parameter_set<parameter<Variables, Matrices>...>{{p...}};
}

namespace detail {

/// Parameters and a batch seen as one set of bound variables, the protocol eval reads
/// (`variables` and `get<V>()`), so nothing is copied.
/// The variables of both, in the kind of collection the batch uses (bind's own).
template <class Mine, class Theirs>
struct join_variables;
template <template <class...> class Mine, class... As, template <class...> class Theirs, class... Bs>
struct join_variables<Mine<As...>, Theirs<Bs...>> {
    using type = Theirs<As..., Bs...>;
};

template <class Params, class Batch>
struct joined_binding {
    using variables = typename join_variables<typename Params::variables, typename Batch::variables>::type;
    const Params& params;
    const Batch& batch;

    template <class V>
    const auto& get() const {
        if constexpr (contains_v<typename Params::variables, V>) {
            return std::as_const(params.template get<V>());
        } else {
            return batch.template get<V>();
        }
    }
};

template <class Params, class Batch>
static constexpr bool parameters_disjoint_from_batch() {
    return []<class... Vs>(type_set<Vs...>) {
        return detail::all_true({true, !contains_v<typename Batch::variables, Vs>...});
    }(typename Params::variables{});
}

/// The loss and the gradient for every parameter from one forward and one backward pass; the
/// gradients come back as matrices of the parameters' static shapes (also when 1x1).
template <expression L, class... Parameters, class In>
auto loss_and_gradients(const L& hidden_loss, const parameter_set<Parameters...>&, const In& in) {
    using P = plain_t<L>;
    const P& loss = hidden_loss;
    const auto list = detail::plain_grads(loss, typename Parameters::variable_type{}...);
    using result = std::tuple<Eigen::Matrix<double, Parameters::variable_type::rows, Parameters::variable_type::cols>...>;
    return list.apply(
        [&]<class... G>(const G&... g) {
            if constexpr (!detail::check_bound<In, P, G...>()) {
                return std::pair<double, result>{};
            } else {
                auto values = detail::evaluate_together(in, loss, g...);
                auto as_matrix = [&]<std::size_t K>(std::integral_constant<std::size_t, K>) {
                    using V = typename std::tuple_element_t<K, std::tuple<G...>>::variable_type;
                    Eigen::Matrix<double, V::rows, V::cols> m;
                    if constexpr (is_scalar_v<V>) {
                        m(0, 0) = std::get<K + 1>(values);
                    } else {
                        m = std::move(std::get<K + 1>(values));
                    }
                    return m;
                };
                const double value = std::get<0>(values);
                return [&]<std::size_t... K>(std::index_sequence<K...>) {
                    return std::pair<double, result>{value, result{as_matrix(std::integral_constant<std::size_t, K>{})...}};
                }(std::index_sequence_for<G...>{});
            }
        });
}

}  // namespace detail

// ---- optimizers ---------------------------------------------------------------------------

/// The update rule applied to each parameter p with gradient g at step t = 1, 2, ...:
/// - sgd:      p -= eta g                               (the lecture's rule)
/// - momentum: u = mu u + g;  p -= eta u                (heavy ball, as PyTorch's SGD momentum)
/// - adam:     m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
///             p -= eta (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)   (Kingma & Ba, 2015)
enum class method { sgd, momentum, adam };

/// The settings of an update rule; only the ones of the chosen method are read.
struct optimizer_settings {
    ctgrad::method method = method::sgd;
    double momentum = 0.9;  // mu of method::momentum
    double beta1 = 0.9;     // Adam's decay of the first moment
    double beta2 = 0.999;   // Adam's decay of the second moment
    double epsilon = 1e-8;  // Adam's guard against division by zero
};

/// An update rule with its state (velocities, moments) for one parameter set. step() computes
/// the loss and all gradients on one batch in a single pass and updates the parameters in place.
/// With static shapes and method::sgd it allocates nothing; momentum and Adam keep one or two
/// matrices per parameter (allocated on the first step only when a parameter's size is dynamic).
template <class Params>
class optimizer;

template <class... Parameters>
class optimizer<parameter_set<Parameters...>> {
public:
    using params_type = parameter_set<Parameters...>;

    explicit optimizer(params_type params, optimizer_settings settings = {})
        : params_(std::move(params)), settings_(settings) {}

    /// One step on one batch (bind(X = xb, Y = yb) of the data variables); returns the loss at
    /// the parameters before the step.
    template <expression L, class Batch>
    double step(const L& loss, const Batch& batch, double learning_rate) {
        constexpr bool disjoint = detail::parameters_disjoint_from_batch<params_type, Batch>();
        static_assert(disjoint, "ctgrad: train: a variable is both a parameter and bound in the data");
        if constexpr (!disjoint) {
            return 0.0;  // joining them would list the variable twice: a second error
        } else {
            const detail::joined_binding<params_type, Batch> in{params_, batch};
            auto [value, gradients] = detail::loss_and_gradients(loss, params_, in);
            ++steps_;
            update(gradients, learning_rate, std::index_sequence_for<Parameters...>{});
            return value;
        }
    }

    /// How many steps have been taken (Adam's t).
    long long steps() const { return steps_; }
    const params_type& params() const { return params_; }
    const optimizer_settings& settings() const { return settings_; }

private:
    template <class P>
    using state_matrix = Eigen::Matrix<double, P::variable_type::rows, P::variable_type::cols>;

    template <class Gradients, std::size_t... I>
    void update(const Gradients& gradients, double eta, std::index_sequence<I...>) {
        (update_one(*std::get<I>(params_.items).value, std::get<I>(gradients), std::get<I>(first_), std::get<I>(second_), eta),
         ...);
    }

    template <class M, class G, class S>
    void update_one(M& p, const G& g, S& first, S& second, double eta) {
        switch (settings_.method) {
            case method::sgd:
                p.noalias() -= eta * g;
                break;
            case method::momentum:
                if (steps_ == 1) first.setZero(g.rows(), g.cols());
                first = settings_.momentum * first + g;
                p.noalias() -= eta * first;
                break;
            case method::adam: {
                if (steps_ == 1) {
                    first.setZero(g.rows(), g.cols());
                    second.setZero(g.rows(), g.cols());
                }
                const double b1 = settings_.beta1;
                const double b2 = settings_.beta2;
                first = b1 * first + (1 - b1) * g;
                second = b2 * second + (1 - b2) * g.cwiseAbs2();
                const double t = static_cast<double>(steps_);
                const double c1 = 1 - std::pow(b1, t);
                const double c2 = 1 - std::pow(b2, t);
                p.array() -= eta * (first.array() / c1) / ((second.array() / c2).sqrt() + settings_.epsilon);
                break;
            }
        }
    }

    params_type params_;
    optimizer_settings settings_;
    long long steps_ = 0;
    std::tuple<state_matrix<Parameters>...> first_{};
    std::tuple<state_matrix<Parameters>...> second_{};
};

template <class... Parameters>
optimizer(parameter_set<Parameters...>, optimizer_settings) -> optimizer<parameter_set<Parameters...>>;
template <class... Parameters>
optimizer(parameter_set<Parameters...>) -> optimizer<parameter_set<Parameters...>>;

/// One plain gradient step p -= eta dL/dp for every parameter, on one batch; returns the loss
/// before the step. Allocates nothing when every shape is static (examples/embed_fixed_net.cpp).
template <expression L, class Params, class Batch>
double sgd_step(const L& loss, const Params& params, const Batch& batch, double learning_rate) {
    optimizer<Params> plain(params, {});
    return plain.step(loss, batch, learning_rate);
}

// ---- minibatch training over a dataset ----------------------------------------------------

/// What train reports after each epoch (and keeps in training_history::loss).
struct epoch_summary {
    int epoch = 0;               // 1, 2, ...
    int epochs = 0;              // as asked
    double loss = 0;             // mean over the epoch's batches, weighted by batch size
    double learning_rate = 0;    // the epoch's eta
    long long steps = 0;         // parameter updates so far
    double seconds = 0;          // since train started
};

/// The settings of train(...). Every member has a default; set the ones you need:
///   train(L, p, data, {.epochs = 200, .batch_size = 32, .learning_rate = 0.05, .seed = 7}).
struct training_options {
    int epochs = 1;
    /// Rows per batch; 0 takes the whole dataset (full-batch gradient descent). When a data
    /// variable has a static row count, that is the batch size (0 or the same number).
    Eigen::Index batch_size = 32;
    double learning_rate = 0.01;
    /// When set, the learning rate of epoch e (1-based) is learning_rate_at(e).
    std::function<double(int)> learning_rate_at{};
    ctgrad::method method = method::sgd;
    double momentum = 0.9;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
    /// A new random order of the rows each epoch, from a Mersenne twister seeded with `seed`:
    /// the same seed gives the same run on every platform.
    bool shuffle = true;
    std::uint64_t seed = 0;
    /// Skip a last batch smaller than batch_size (always skipped when the batch size is static).
    bool drop_last = false;
    /// A progress line (epoch, loss, time) every progress_interval seconds on progress_stream
    /// (std::cerr when null) once the run has lasted progress_after seconds; false silences it.
    bool progress = true;
    double progress_after = 2.0;
    double progress_interval = 2.0;
    std::ostream* progress_stream = nullptr;
    /// Called after every epoch; returning false stops training.
    std::function<bool(const epoch_summary&)> on_epoch{};
};

/// What train returns.
struct training_history {
    std::vector<double> loss;  // per epoch, as in epoch_summary::loss
    long long steps = 0;       // parameter updates
    double seconds = 0;        // wall time
    bool stopped_early = false;  // on_epoch returned false
};

namespace detail {

/// A uniform index in [0, bound) from a 64-bit Mersenne twister, whose output the standard fixes
/// (unlike std::uniform_int_distribution's and std::shuffle's algorithms).
inline std::uint64_t below(std::mt19937_64& engine, std::uint64_t bound) {
    const std::uint64_t limit = engine.max() - engine.max() % bound;
    std::uint64_t r = engine();
    while (r >= limit) r = engine();
    return r % bound;
}

inline void shuffle_rows(std::vector<Eigen::Index>& order, std::mt19937_64& engine) {
    for (std::size_t i = order.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(below(engine, i));
        std::swap(order[i - 1], order[j]);
    }
}

/// Rows of one data matrix gathered into a batch matrix; static when the variable's rows are.
template <class Binding>
struct batch_buffer {
    using variable_type = typename Binding::variable_type;
    using source_type = std::remove_cvref_t<decltype(std::declval<const Binding&>().matrix)>;
    using matrix_type = Eigen::Matrix<double, variable_type::rows, source_type::ColsAtCompileTime>;
    matrix_type matrix;
};

template <class... Buffers>
struct batch_view : Buffers... {
    using variables = type_set<typename Buffers::variable_type...>;

    template <class V>
    const auto& get() const {
        return find<V, Buffers...>();
    }

private:
    template <class V, class First, class... Rest>
    const auto& find() const {
        if constexpr (ctgrad::detail::same_v<typename First::variable_type, V>) {
            return static_cast<const First&>(*this).matrix;
        } else {
            return find<V, Rest...>();
        }
    }
};

template <class... Bindings>
Eigen::Index common_rows(const bound<Bindings...>& data) {
    Eigen::Index rows = -1;
    std::string shapes;
    bool same = true;
    auto visit = [&](const auto& b) {
        using V = typename std::remove_cvref_t<decltype(b)>::variable_type;
        const Eigen::Index r = b.matrix.rows();
        shapes += (shapes.empty() ? "" : ", ") + std::string(V::name) + " has " + std::to_string(r);
        if (rows >= 0 && r != rows) same = false;
        rows = r;
    };
    (visit(static_cast<const Bindings&>(data)), ...);
    if (!same) {
        throw shape_error("ctgrad: train: every data matrix needs one row per sample, but " + shapes + " rows");
    }
    return rows;
}

template <class... Bindings>
static constexpr int static_batch_rows() {
    int rows = dynamic;
    ((rows = Bindings::variable_type::rows != dynamic ? Bindings::variable_type::rows : rows), ...);
    return rows;
}

template <class... Bindings>
static constexpr bool static_rows_agree() {
    constexpr int rows = static_batch_rows<Bindings...>();
    return ((Bindings::variable_type::rows == dynamic || Bindings::variable_type::rows == rows) && ...);
}

}  // namespace detail

/// data(X = x, Y = y): the dataset train cuts into batches, one row per sample. Unlike bind, a
/// data variable may declare a static row count: that is the batch size, not the dataset's size.
/// The columns must fit the variables, and every matrix must have the same number of rows.
template <class... Variables, class... Stored>
auto data(binding<Variables, Stored>... bindings) {
    static_assert(sizeof...(Variables) > 0, "ctgrad: data(...): bind at least one data variable");
    constexpr bool distinct =
        ctgrad::detail::same_v<detail::unite_t<detail::type_set<Variables>...>, detail::type_set<Variables...>>;
    static_assert(distinct, "ctgrad: data(...): a variable is bound twice");
    if constexpr (!distinct) {
        return bound<>{};  // a bound<> naming one variable twice would be a second error
    } else {
        auto check = [](const auto& b) {
            using V = typename std::remove_cvref_t<decltype(b)>::variable_type;
            if (V::cols != dynamic && b.matrix.cols() != V::cols) {
                throw shape_error("ctgrad: data: variable " + std::string(V::name) + " is declared " +
                                  detail::shape_text(V::rows, V::cols) + " but the matrix bound to it has " +
                                  std::to_string(b.matrix.cols()) + " columns");
            }
        };
        (check(bindings), ...);
        bound<binding<Variables, Stored>...> all{std::move(bindings)...};
        detail::common_rows(all);
        return all;
    }
}

/// Minibatch training: for each epoch, a fresh random order of the rows of `data` (data(X = x,
/// Y = y), or bind(...) when the data variables' rows are dynamic), cut into batches; on each batch one step of the chosen method
/// with the learning rate of the epoch. Parameters are updated in place. The loss must use only
/// the parameters' and the data's variables. Example: examples/approximate_f.cpp.
template <expression L, class... Parameters, class... Bindings>
training_history train(const L& loss, const parameter_set<Parameters...>& params, const bound<Bindings...>& data,
                       const training_options& options = {}) {
    using clock = std::chrono::steady_clock;
    static_assert(detail::static_rows_agree<Bindings...>(),
                  "ctgrad: train: data variables with a static row count must all have the same one (the batch size)");
    constexpr int static_rows = detail::static_batch_rows<Bindings...>();

    const Eigen::Index n = detail::common_rows(data);
    Eigen::Index batch = options.batch_size <= 0 ? n : std::min(options.batch_size, n);
    if constexpr (static_rows != dynamic) {
        if (options.batch_size != 0 && options.batch_size != static_rows) {
            throw std::invalid_argument("ctgrad: train: the data variables have " + std::to_string(static_rows) +
                                        " rows, so batch_size must be " + std::to_string(static_rows) + " (or 0), not " +
                                        std::to_string(options.batch_size));
        }
        batch = static_rows;
    }
    if (n == 0 || n < batch) {
        throw std::invalid_argument("ctgrad: train: the dataset has " + std::to_string(n) +
                                    " rows, fewer than one batch of " + std::to_string(batch));
    }
    if (options.epochs < 0) throw std::invalid_argument("ctgrad: train: epochs must not be negative");
    const bool drop_last = options.drop_last || static_rows != dynamic;

    optimizer<parameter_set<Parameters...>> opt(
        params, {options.method, options.momentum, options.beta1, options.beta2, options.epsilon});
    detail::batch_view<detail::batch_buffer<Bindings>...> view;
    auto fill = [&](const std::vector<Eigen::Index>& order, Eigen::Index first, Eigen::Index rows) {
        auto one = [&](const auto& source, auto& buffer) {
            if (buffer.matrix.rows() != rows) buffer.matrix.resize(rows, source.cols());
            for (Eigen::Index i = 0; i < rows; ++i) buffer.matrix.row(i) = source.row(order[std::size_t(first + i)]);
        };
        (one(static_cast<const Bindings&>(data).matrix, static_cast<detail::batch_buffer<Bindings>&>(view)), ...);
    };

    std::mt19937_64 engine(options.seed);
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) order[std::size_t(i)] = i;

    std::ostream& out = options.progress_stream ? *options.progress_stream : std::cerr;
    const auto start = clock::now();
    auto seconds = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };
    double next_progress = options.progress_after;

    training_history history;
    history.loss.reserve(static_cast<std::size_t>(options.epochs));
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        const double eta = options.learning_rate_at ? options.learning_rate_at(epoch) : options.learning_rate;
        if (options.shuffle) detail::shuffle_rows(order, engine);
        double total = 0;
        Eigen::Index seen = 0;
        for (Eigen::Index first = 0; first < n; first += batch) {
            const Eigen::Index rows = std::min(batch, n - first);
            if (rows < batch && drop_last) break;
            fill(order, first, rows);
            total += opt.step(loss, view, eta) * static_cast<double>(rows);
            seen += rows;
        }
        const epoch_summary summary{epoch, options.epochs, total / static_cast<double>(seen), eta, opt.steps(), seconds()};
        history.loss.push_back(summary.loss);
        if (options.progress && summary.seconds >= next_progress) {
            out << "ctgrad::train: epoch " << epoch << "/" << options.epochs << ", loss " << summary.loss << ", "
                << summary.seconds << " s" << std::endl;
            next_progress = summary.seconds + options.progress_interval;
        }
        if (options.on_epoch && !options.on_epoch(summary)) {
            history.stopped_early = true;
            break;
        }
    }
    history.steps = opt.steps();
    history.seconds = seconds();
    return history;
}

}  // namespace ctgrad
