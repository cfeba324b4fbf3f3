#!/usr/bin/env python3
"""Checks that every static_assert message in include/ has a compile-fail case.

Usage: coverage.py <include dir> <fail dir>

A message is the string literal (or adjacent literals) that ends a static_assert in a
header under <include dir>. A case is a <fail dir>/*.cpp file whose first line is
`// expect: <text>`; it covers the one message that contains <text>. The check fails,
naming each message, when a message has no case, and when a case's text matches no
message or more than one (it would then test nothing in particular).

Exempt: messages that start with "ctgrad: internal:". They state an invariant of
ctgrad's own code (a derived gradient has its variable's shape, backprop only meets
nodes), which no user code can break: there is no misuse to write a case for, and a
failure is a ctgrad bug. A static_assert without a message is treated the same way
and listed, so a user-facing one cannot hide by omitting its sentence.
"""
import pathlib
import re
import sys

INTERNAL = "ctgrad: internal:"


def strip_comments(text):
    """Replaces comments by spaces (keeping line numbers), leaving string literals."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def closing_paren(text, open_index):
    """The index of the parenthesis that closes text[open_index], skipping literals."""
    depth = 0
    i = open_index
    while i < len(text):
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


TRAILING_LITERALS = re.compile(r',\s*((?:"(?:[^"\\]|\\.)*"\s*)+)$', re.S)


def messages_in(path):
    """(message or None, line) for each static_assert in one header."""
    text = strip_comments(path.read_text(encoding="utf-8"))
    for match in re.finditer(r"\bstatic_assert\s*\(", text):
        open_index = match.end() - 1
        close = closing_paren(text, open_index)
        line = text.count("\n", 0, match.start()) + 1
        args = text[open_index + 1:close].strip()
        literals = TRAILING_LITERALS.search(args)
        if not literals:
            yield None, line
            continue
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', literals.group(1))
        yield "".join(parts).replace('\\"', '"').replace("\\\\", "\\"), line


def main():
    include_dir, fail_dir = (pathlib.Path(p) for p in sys.argv[1:3])
    sites = {}          # message -> [file:line, ...]
    unnamed = []        # static_asserts without a message
    for header in sorted(include_dir.rglob("*.hpp")):
        for message, line in messages_in(header):
            where = f"{header}:{line}"
            if message is None:
                unnamed.append(where)
            else:
                sites.setdefault(message, []).append(where)

    cases = {}          # case file -> expected text
    problems = []
    for case in sorted(fail_dir.glob("*.cpp")):
        first = case.read_text(encoding="utf-8").split("\n", 1)[0]
        found = re.match(r"^// expect: (.+)$", first)
        if not found:
            problems.append(f"{case}:1: the first line must be `// expect: <message>`")
            continue
        cases[case] = found.group(1).strip()

    covered = {}
    for case, expected in cases.items():
        matching = [m for m in sites if expected in m]
        if not matching:
            problems.append(f"{case}: its expected text matches no static_assert message in "
                            f"{include_dir}: \"{expected}\"")
        elif len(matching) > 1:
            problems.append(f"{case}: its expected text \"{expected}\" matches "
                            f"{len(matching)} messages; quote enough to name one: "
                            + " | ".join(f'"{m}"' for m in matching))
        else:
            covered.setdefault(matching[0], []).append(case.name)

    user_messages = [m for m in sites if not m.startswith(INTERNAL)]
    missing = [m for m in user_messages if m not in covered]
    for message in missing:
        problems.append(f"{sites[message][0]}: no compile-fail case in {fail_dir} for the "
                        f"static_assert message \"{message}\" (add <name>.cpp whose first line "
                        f"is `// expect: {message}`, with a must-compile twin)")

    internal = [m for m in sites if m.startswith(INTERNAL)]
    print(f"{len(user_messages)} user-facing static_assert messages, "
          f"{len(user_messages) - len(missing)} with a case; {len(cases)} cases; "
          f"exempt: {len(internal)} internal messages, {len(unnamed)} static_asserts without one "
          f"({', '.join(unnamed) if unnamed else 'none'})")
    for message in sorted(covered):
        print(f"  covered by {', '.join(covered[message])}: \"{message}\"")
    for problem in problems:
        print(f"FAIL: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
