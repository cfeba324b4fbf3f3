// expect: ctgrad: bind: a variable is bound twice
// Each variable gets one matrix; a second binding of W would be ambiguous.
#include <ctgrad/ctgrad.hpp>

int main() {
    using namespace ctgrad;
    constexpr matrix<"W", 2, 2> W{};
    constexpr matrix<"V", 2, 2> V{};
    Eigen::Matrix2d const w = Eigen::Matrix2d::Ones();
#ifdef CTGRAD_MISUSE
    [[maybe_unused]] auto const in = bind(W = w, W = w);
#else
    [[maybe_unused]] auto const in = bind(W = w, V = w);
#endif
}
