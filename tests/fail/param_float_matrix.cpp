// expect: ctgrad: param(V, m): m must hold doubles
// Training updates the matrix in place in double precision.
#include <ctgrad/training.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"W", 3, 4> W{};
#ifdef CTGRAD_MISUSE
    Eigen::Matrix<float, 3, 4> w = Eigen::Matrix<float, 3, 4>::Ones();
#else
    Eigen::Matrix<double, 3, 4> w = Eigen::Matrix<double, 3, 4>::Ones();
#endif
    [[maybe_unused]] auto const p = param(W, w);
}
