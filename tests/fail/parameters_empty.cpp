// expect: ctgrad: parameters(...): name at least one param(V, m)
#include <ctgrad/training.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"W", 3, 4> W{};
    Eigen::Matrix<double, 3, 4> w = Eigen::Matrix<double, 3, 4>::Ones();
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] auto const ps = parameters();
    (void)W;
#else
    [[maybe_unused]] auto const ps = parameters(param(W, w));
#endif
}
