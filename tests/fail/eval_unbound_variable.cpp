// expect: ctgrad: eval: the expression uses a variable that bind(...) does not bind
// sum(A B) needs both A and B bound.
#include <ctgrad/ctgrad.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"A", 2, 3> A{};
    constexpr matrix<"B", 3, 2> B{};
    Eigen::Matrix<double, 2, 3> const a = Eigen::Matrix<double, 2, 3>::Ones();
    Eigen::Matrix<double, 3, 2> const b = Eigen::Matrix<double, 3, 2>::Ones();
#ifdef CTGRAD_MISUSE
    double const value = eval(sum(A * B), bind(A = a));
#else
    double const value = eval(sum(A * B), bind(A = a, B = b));
#endif
    (void)b;
    return value > 0.0 ? 0 : 1;
}
