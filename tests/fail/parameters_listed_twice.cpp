// expect: ctgrad: parameters(...): a variable is listed twice
// Two matrices for one variable: which would training update?
#include <ctgrad/training.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"W", 3, 4> W{};
    constexpr matrix<"V", 3, 4> V{};
    Eigen::Matrix<double, 3, 4> w = Eigen::Matrix<double, 3, 4>::Ones();
    Eigen::Matrix<double, 3, 4> v = Eigen::Matrix<double, 3, 4>::Ones();
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] auto const ps = parameters(param(W, w), param(W, v));
    (void)V;
#else
    [[maybe_unused]] auto const ps = parameters(param(W, w), param(V, v));
#endif
}
