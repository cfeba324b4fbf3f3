// The lecture's formulas. Shapes follow the slides: X is n x d (a batch of n rows), W_1 is
// d x H, b_1 in R^H, one output column.
#include "lecture.hpp"

namespace ctgrad::gen {

std::string deep_tanh_formula(int layers) {
    std::string f = "X";
    for (int i = 1; i <= layers; ++i) {
        const std::string k = std::to_string(i);
        f = "tanh(" + f + "*W" + k + " + b" + k + "^T)";
    }
    return "mse(" + f + ", Y)";
}

std::string deep_tanh_dims(int layers) {
    std::string d = "X=n,d Y=n,1";
    for (int i = 1; i <= layers; ++i) {
        const std::string k = std::to_string(i);
        const std::string rows = i == 1 ? "d" : "H";
        const std::string cols = i == layers ? "1" : "H";
        d += " W" + k + "=" + rows + "," + cols + " b" + k + "=" + cols;
    }
    return d;
}

const std::vector<lecture_formula>& lecture_formulas() {
    static const std::vector<lecture_formula> all{
        {"board", "Board exercise 1: SGD updates of a two-layer net",
         "\"Задачи (доска)\" 1 and \"Решения\" 1",
         "mse(tanh(ReLU(X*W1 + b1^T)*W2 + b2^T), Y)", "X=n,d W1=d,H b1=H W2=H,1 b2=1 Y=n,1", "",
         "ŷ = tanh(ReLU(X W₁ + b₁ᵀ) W₂ + b₂ᵀ) ∈ ℝⁿ with MSE; the slide's solution names Z₁, A₁, Z₂ and walks "
         "back from the loss.",
         "Задача 1 (доска): обновления SGD двухслойной сети",
         "ŷ = tanh(ReLU(X W₁ + b₁ᵀ) W₂ + b₂ᵀ) ∈ ℝⁿ, функция потерь MSE; решение на слайде вводит Z₁, A₁, Z₂ и идёт от функции потерь назад."},
        {"linear", "Linear regression as one neuron",
         "\"Однослойная нейронная сеть\": σ(z) = z", "mse(identity(X*w + b), Y)", "X=n,d w=d b=1 Y=n,1", "",
         "ŷ = σ(X w + b) with the identity activation σ(z) = z and MSE.",
         "Линейная регрессия как один нейрон",
         "ŷ = σ(X w + b) с тождественной функцией активации σ(z) = z и MSE."},
        {"logistic", "Logistic regression as one neuron", "\"Однослойная нейронная сеть\": σ(z) = 1/(1 + e⁻ᶻ)",
         "bce(sigmoid(X*w + b), Y)", "X=n,d w=d b=1 Y=n,1", "",
         "ŷ = σ(X w + b) with the logistic sigmoid σ(z) = 1/(1 + e⁻ᶻ) and binary cross-entropy.",
         "Логистическая регрессия как один нейрон",
         "ŷ = σ(X w + b) с логистической сигмоидой σ(z) = 1/(1 + e⁻ᶻ) и бинарной кросс-энтропией."},
        {"poisson", "Poisson regression as one neuron", "\"Однослойная нейронная сеть\": σ(z) = eᶻ",
         "mean(exp(X*w + b) - Y .* (X*w + b))", "X=n,d w=d b=1 Y=n,1", "",
         "ŷ = exp(X w + b); the loss is the Poisson negative log-likelihood without its constant, "
         "mean(eᶻ - Y ⊙ Z) with Z = X w + b.",
         "Пуассоновская регрессия как один нейрон",
         "ŷ = exp(X w + b); функция потерь — отрицательное логарифмическое правдоподобие Пуассона без константы, mean(eᶻ - Y ⊙ Z), где Z = X w + b."},
        {"two_layer", "The two-layer net", "\"Двухслойная нейронная сеть\" and \"Обучение двухслойной нейронной сети\"",
         "mse(sigmoid(sigmoid(X*W1 + b1^T)*W2 + b2^T), Y)", "X=n,d W1=d,H b1=H W2=H,M b2=M Y=n,M", "",
         "ŷ = σ₂(σ₁(X W₁ + b₁ᵀ) W₂ + b₂ᵀ) for a batch, both activations the logistic sigmoid, M outputs, "
         "MSE.",
         "Двухслойная нейронная сеть",
         "ŷ = σ₂(σ₁(X W₁ + b₁ᵀ) W₂ + b₂ᵀ) для батча, обе функции активации — логистическая сигмоида, M выходов, MSE."},
        {"deep100", "Board exercise 2: 100 layers of tanh", "\"Задачи (доска)\" 2 and \"Решения\" 2",
         deep_tanh_formula(100), deep_tanh_dims(100), "W1",
         "A₀ = X, Zᵢ = Aᵢ₋₁ Wᵢ + bᵢᵀ, Aᵢ = tanh(Zᵢ), ŷ = A₁₀₀, MSE; ∂L/∂W₁ is a product of 100 factors "
         "tanh'(Zᵢ) and Wᵢᵀ, which vanishes (the lecture's point).",
         "Задача 2 (доска): 100 слоёв tanh",
         "A₀ = X, Zᵢ = Aᵢ₋₁ Wᵢ + bᵢᵀ, Aᵢ = tanh(Zᵢ), ŷ = A₁₀₀, MSE; ∂L/∂W₁ — произведение 100 множителей tanh'(Zᵢ) и Wᵢᵀ, которое исчезает (затухание градиента, как в лекции)."},
    };
    return all;
}

const lecture_formula* find_lecture(std::string_view name) {
    for (const auto& f : lecture_formulas()) {
        if (f.name == name) return &f;
    }
    return nullptr;
}

}  // namespace ctgrad::gen
