// expect: ctgrad: eval: this is not an expression ctgrad can evaluate
// A type derived from expression_base passes the `expression` concept but is no ctgrad node:
// write new operations as descriptors in include/ctgrad/ops/, not as expression types.
#include <ctgrad/ctgrad.hpp>

struct my_expression : ctgrad::expression_base {
    static constexpr int rows = 1;
    static constexpr int cols = 1;
};

int main() {
    using namespace ctgrad;
    constexpr matrix<"a", 1, 1> a{};
    Eigen::Matrix<double, 1, 1> const x{2.0};
#ifdef CTGRAD_MISUSE
    double const value = eval(my_expression{}, bind(a = x));
#else
    double const value = eval(a, bind(a = x));
#endif
    return value > 0.0 ? 0 : 1;
}
