// expect: ctgrad: param(V, m): the matrix's static size differs from the variable's declared size
#include <ctgrad/training.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"W", 3, 4> W{};
#ifdef CTGRAD_MISUSE
    Eigen::Matrix<double, 4, 3> w = Eigen::Matrix<double, 4, 3>::Ones();
#else
    Eigen::Matrix<double, 3, 4> w = Eigen::Matrix<double, 3, 4>::Ones();
#endif
    [[maybe_unused]] auto const p = param(W, w);
}
