// expect: ctgrad: bind: the matrix must hold doubles
// ctgrad evaluates in double precision; a float matrix is a compile error with a hint, not
// pages of Eigen errors.
#include <ctgrad/ctgrad.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"W", 3, 4> W{};
#ifdef CTGRAD_MISUSE
    Eigen::Matrix<float, 3, 4> const w = Eigen::Matrix<float, 3, 4>::Ones();
#else
    Eigen::Matrix<double, 3, 4> const w = Eigen::Matrix<float, 3, 4>::Ones().cast<double>();
#endif
    [[maybe_unused]] auto const in = bind(W = w);
}
