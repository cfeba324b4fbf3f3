// ctgrad/variables.hpp: indexed_name<Prefix, K>, a variable's name computed from an index.
#include "support.hpp"

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

namespace {

using namespace ctgrad;
using namespace ctgrad_test;

template <int K>
constexpr matrix<indexed_name<"W", K>, 2, 2> W{};

}  // namespace

TEST_CASE("indexed_name writes Prefix_K, with braces from two digits on", "[variables]") {
    STATIC_REQUIRE(indexed_name<"W", 0>.view() == "W_0");
    STATIC_REQUIRE(indexed_name<"W", 7>.view() == "W_7");
    STATIC_REQUIRE(indexed_name<"W", 10>.view() == "W_{10}");
    STATIC_REQUIRE(indexed_name<"b", 100>.view() == "b_{100}");
    STATIC_REQUIRE(indexed_name<"W", 2147483647>.view() == "W_{2147483647}");
    STATIC_REQUIRE(indexed_name<"\\theta", 3>.view() == "\\theta_3");
}

TEST_CASE("a variable named by indexed_name is the variable named by the same literal", "[variables]") {
    STATIC_REQUIRE(std::is_same_v<matrix<indexed_name<"W", 1>, 3, 4>, matrix<"W_1", 3, 4>>);
    STATIC_REQUIRE(std::is_same_v<vector<indexed_name<"b", 12>, 4>, vector<"b_{12}", 4>>);
    STATIC_REQUIRE(W<3>.name == "W_3");
    STATIC_REQUIRE(!std::is_same_v<decltype(W<3>), decltype(W<4>)>);
}

TEST_CASE("variables named by indexed_name over an index_sequence bind and evaluate", "[variables][eval]") {
    // W_1 W_2 W_3 as one product built by a fold, each factor bound to its own matrix.
    random_source rnd(11);
    const std::array<Eigen::Matrix2d, 3> w{rnd.uniform<2, 2>(), rnd.uniform<2, 2>(), rnd.uniform<2, 2>()};
    const Eigen::Matrix2d value = [&]<std::size_t... I>(std::index_sequence<I...>) {
        return eval((W<int(I) + 1> * ...), bind((W<int(I) + 1> = w[I])...));
    }(std::make_index_sequence<3>{});
    REQUIRE((value - w[0] * w[1] * w[2]).norm() <= value_tolerance * (1 + value.norm()));
}

namespace {

template <int K>
constexpr matrix<indexed_name<"v", K>, 1, 1> v{};

/// v_1 + v_2 + ... + v_K, built by recursion rather than a fold, so that the test itself does not
/// meet clang's limit of 256 on a fold's length.
template <int K>
constexpr auto sum_of_v() {
    if constexpr (K == 1) {
        return v<1>;
    } else {
        return sum_of_v<K - 1>() + v<K>;
    }
}

}  // namespace

TEST_CASE("a formula of more than 256 variables and nodes binds and evaluates", "[variables][eval]") {
    // 260 is past clang's default nesting limit for fold expressions (256): bind and eval must
    // not expand a pack of variables or stored nodes as a fold.
    constexpr int count = 260;
    constexpr auto total = sum_of_v<count>();
    std::array<Eigen::Matrix<double, 1, 1>, count> values{};
    for (int k = 0; k < count; ++k) values[std::size_t(k)](0, 0) = 0.5 * k;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        const auto in = bind((v<int(I) + 1> = values[I])...);
        CHECK(eval(total, in) == Approx(0.5 * count * (count - 1) / 2));
    }(std::make_index_sequence<count>{});
}

#include <ctgrad/codegen.hpp>

TEST_CASE("Emitted code names a variable so that no macro of its headers can capture it", "[codegen]") {
    using ctgrad::codegen_detail::identifier_of;
    CHECK(identifier_of("W_1") == "W_1");
    CHECK(identifier_of("\\hat{y}") == "hat_y");
    CHECK(identifier_of("M_{PI}") == "M_PI_v");  // <cmath>'s M_PI
    CHECK(identifier_of("W_{IN}") == "W_IN_v");  // spelled like a macro: renamed as well
}

TEST_CASE("Emitted code renames a parameter spelled like the result type, the result or a temporary", "[codegen]") {
    constexpr ctgrad::matrix<"f_{result}", 2, 2> a{};
    constexpr ctgrad::matrix<"out", 2, 2> b{};
    constexpr ctgrad::matrix<"t1", 2, 2> c{};
    constexpr auto L = ctgrad::sum(ctgrad::hadamard(a * b, c));
    const std::string header = ctgrad::cpp_header("f", L, ctgrad::grads(L, a, b, c));
    INFO(header);
    // Parameters named f_result, out or t1 would hide the type f_result, redeclare `out` and
    // collide with the first temporary (generator/tests/emit_test.cpp compiles such a header).
    CHECK(header.find("2, 2>& f_result_,\n") != std::string::npos);
    CHECK(header.find("2, 2>& out_,\n") != std::string::npos);
    CHECK(header.find("2, 2>& t1_) {\n") != std::string::npos);
    CHECK(header.find("    f_result out;\n") != std::string::npos);
    CHECK(header.find("out.d_f_result = ") != std::string::npos);  // members keep the variables' names
}
