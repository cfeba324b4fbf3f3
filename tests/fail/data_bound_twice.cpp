// expect: ctgrad: data(...): a variable is bound twice
#include <ctgrad/training.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"X", dynamic, 2> X{};
    constexpr matrix<"Y", dynamic, 2> Y{};
    Eigen::MatrixXd const x = Eigen::MatrixXd::Ones(8, 2);
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] auto const d = data(X = x, X = x);
    (void)Y;
#else
    [[maybe_unused]] auto const d = data(X = x, Y = x);
#endif
}
