"""Glob matching for exclusions (``*`` any run, ``?`` one character), linear in the text.

``fnmatch`` compiles globs to backtracking regular expressions; request paths are untrusted,
so exclusions use this greedy two-pointer matcher instead (O(len(text) * len(pattern)) worst
case, patterns are short and come from the operator's configuration).
"""

from __future__ import annotations


def glob_match(pattern: str, text: str) -> bool:
    if pattern == "*":
        return True
    p = t = 0
    star = -1
    mark = 0
    while t < len(text):
        if p < len(pattern) and (pattern[p] == "?" or pattern[p] == text[t]):
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == "*":
            star = p
            mark = t
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            t = mark
        else:
            return False
    while p < len(pattern) and pattern[p] == "*":
        p += 1
    return p == len(pattern)
