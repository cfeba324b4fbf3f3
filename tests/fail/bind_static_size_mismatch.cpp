// expect: ctgrad: bind: the matrix's static size differs from the variable's declared size
// W is declared 3x4; a 4x3 Eigen matrix cannot be bound to it.
#include <ctgrad/ctgrad.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"W", 3, 4> W{};
#ifdef CTGRAD_MISUSE
    Eigen::Matrix<double, 4, 3> const w = Eigen::Matrix<double, 4, 3>::Ones();
#else
    Eigen::Matrix<double, 3, 4> const w = Eigen::Matrix<double, 3, 4>::Ones();
#endif
    [[maybe_unused]] auto const in = bind(W = w);
}
