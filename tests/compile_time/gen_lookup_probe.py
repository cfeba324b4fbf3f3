#!/usr/bin/env python3
"""A probe of clang's argument-dependent lookup on formulas that reuse a node (design.md, "clang
stays exponential on formulas that share a node"), without ctgrad's headers.

Writes a C++ unit that builds the residual chain H_k = H_(k-1) + tanh(H_(k-1) * W_k) with toy
node types and operators, and reads its depth with a trait that matches `node<Op, Args...>` by
partial specialization, as ctgrad's walkers do. Two representations:

  plain   the value of a formula is node<Op, Args...>, its children type arguments: lookup of
          each `+` and `*` walks the type once per path (2^k at layer k) on clang;
  hidden  the value is hide<node<Op, Args...>>::type, a class nested in a template and derived
          from the plain node: lookup visits neither the enclosing template's arguments nor a
          base's, so it is linear, while every trait still works on the plain node (plain_t).

Usage: gen_lookup_probe.py plain|hidden DEPTH > probe.cpp
       clang++-19 -std=c++20 -fsyntax-only probe.cpp
Measured 2026-12-07 on the 2-core Xeon VM (user seconds, -fsyntax-only): clang++-19 plain 0.29,
2.56, 7.67 s at depth 16, 20, 22 (over 120 s at 100 in an earlier form of this probe); hidden
0.12, 0.13, 0.15, 0.17, 0.27 s at depth 16, 20, 22, 100, 200. g++ 12: 0.11 to 0.28 s for both.
"""
import sys


def probe(kind, depth):
    out = [
        "#include <algorithm>",
        "#include <initializer_list>",
        "namespace toy {",
        "struct add_op {};",
        "struct mul_op {};",
        "struct tanh_op {};",
        "template <int K> struct leaf { using is_formula = void; using plain = leaf; };",
        "template <class Op, class... Args> struct node { using is_formula = void; using plain = node; };",
        "template <class N> struct hide { struct type : N { using plain = N; }; };",
        "template <class T> using plain_t = typename T::plain;",
    ]
    if kind == "plain":
        out.append("template <class Op, class... Args> using make_t = node<Op, plain_t<Args>...>;")
    else:
        out.append("template <class Op, class... Args> using make_t = typename hide<node<Op, plain_t<Args>...>>::type;")
    out += [
        "template <class T> concept formula = requires { typename T::is_formula; };",
        "template <formula A, formula B> constexpr make_t<add_op, A, B> operator+(const A&, const B&) { return {}; }",
        "template <formula A, formula B> constexpr make_t<mul_op, A, B> operator*(const A&, const B&) { return {}; }",
        "template <formula A> constexpr make_t<tanh_op, A> tanh(const A&) { return {}; }",
        "constexpr int largest(std::initializer_list<int> l) { return std::max(l); }",
        "template <class T> struct depth { static constexpr int value = 0; };",
        "template <class Op, class... Args> struct depth<node<Op, Args...>> {",
        "    static constexpr int value = 1 + largest({0, depth<Args>::value...});",
        "};",
        "template <formula L> constexpr int depth_of(const L&) { return depth<plain_t<L>>::value; }",
        "}  // namespace toy",
        "using namespace toy;",
        "constexpr auto H0 = leaf<0>{};",
    ]
    for k in range(1, depth + 1):
        out.append(f"constexpr auto H{k} = H{k - 1} + tanh(H{k - 1} * leaf<{k}>{{}});")
    out.append(f"static_assert(depth_of(H{depth}) == {3 * depth});")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("plain", "hidden"):
        sys.exit("usage: gen_lookup_probe.py plain|hidden DEPTH")
    sys.stdout.write(probe(sys.argv[1], int(sys.argv[2])))
