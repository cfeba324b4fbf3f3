// Inlining control for the evaluation helpers.
#pragma once

// CTGRAD_NOINLINE: Eigen loops shared by many nodes stay one out-of-line copy.
// CTGRAD_ALWAYS_INLINE: per-node helpers are always inlined, so none is ever emitted (and
// named after its deep expression type); see docs/design.md, "Compile time".
// CTGRAD_COLD: error paths. Every unit that evaluates compiles them; marked cold, the compiler
// optimises them for size and spends less time on them.
#if defined(__GNUC__) || defined(__clang__)
#define CTGRAD_NOINLINE __attribute__((noinline))
#define CTGRAD_ALWAYS_INLINE __attribute__((always_inline)) inline
#define CTGRAD_COLD __attribute__((cold))
#elif defined(_MSC_VER)
#define CTGRAD_NOINLINE __declspec(noinline)
#define CTGRAD_ALWAYS_INLINE __forceinline
#define CTGRAD_COLD
#else
#define CTGRAD_NOINLINE
#define CTGRAD_ALWAYS_INLINE inline
#define CTGRAD_COLD
#endif
