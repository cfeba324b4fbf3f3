// The Catch2 main for ctgrad_tests; the test cases live in the other files here.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
