// CTGRAD_COMPILE_TIME: how functions that compute over formula types, only while compiling, are
// declared.
#pragma once

// clang names (mangles) every function and variable it instantiates, except immediate
// (consteval) functions, and each name spells the formula types among its template arguments:
// for a 100-layer residual chain, writing those names was a fifth of clang's time. So on clang
// they are consteval. g++ names only what it emits, but analyses every consteval function in
// its call graph (the same chain: 38 s at 50 layers instead of 16 s); there a constexpr function
// that only constant expressions call is never emitted nor analysed. See docs/design.md,
// "Compile time".
#if defined(__clang__)
#define CTGRAD_COMPILE_TIME consteval
#else
#define CTGRAD_COMPILE_TIME static constexpr
#endif
