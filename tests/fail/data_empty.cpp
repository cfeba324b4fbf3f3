// expect: ctgrad: data(...): bind at least one data variable
#include <ctgrad/training.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"X", dynamic, 2> X{};
    Eigen::MatrixXd const x = Eigen::MatrixXd::Ones(8, 2);
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] auto const d = data();
    (void)X;
    (void)x;
#else
    [[maybe_unused]] auto const d = data(X = x);
#endif
}
