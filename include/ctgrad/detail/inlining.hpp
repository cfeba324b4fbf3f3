// Inlining control for the evaluation helpers.
#pragma once

// CTGRAD_NOINLINE: Eigen loops shared by many nodes stay one out-of-line copy.
// CTGRAD_ALWAYS_INLINE: per-node helpers are always inlined, so none is ever emitted (and
// named after its deep expression type); see docs/design.md, "Compile time".
#if defined(__GNUC__) || defined(__clang__)
#define CTGRAD_NOINLINE __attribute__((noinline))
#define CTGRAD_ALWAYS_INLINE __attribute__((always_inline)) inline
#elif defined(_MSC_VER)
#define CTGRAD_NOINLINE __declspec(noinline)
#define CTGRAD_ALWAYS_INLINE __forceinline
#else
#define CTGRAD_NOINLINE
#define CTGRAD_ALWAYS_INLINE inline
#endif
