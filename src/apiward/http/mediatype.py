"""Content-Type (and Content-Disposition) values: the media type and its parameters.

Written here instead of using `email.message` or python-multipart's helper because those either
allocate a whole message object or fail on non-latin-1 text; this is one linear pass over a
header value that the header-size limit already bounds.
"""

from __future__ import annotations


def parse_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``type/sub; a=1; b="x;y"`` into ``("type/sub", {"a": "1", "b": "x;y"})``.

    The first token is lower-cased and stripped; parameter names are lower-cased; quoted values
    keep ``;`` and have backslash escapes removed. The first occurrence of a parameter wins
    (duplicates are an ambiguity an attacker might use; the first is what most servers read).
    """
    head, sep, rest = value.partition(";")
    main = head.strip(" \t").lower()
    params: dict[str, str] = {}
    if not sep:
        return main, params
    i, n = 0, len(rest)
    while i < n:
        # name
        j = i
        while j < n and rest[j] not in "=;":
            j += 1
        name = rest[i:j].strip(" \t").lower()
        val = ""
        if j < n and rest[j] == "=":
            j += 1
            while j < n and rest[j] in " \t":
                j += 1
            if j < n and rest[j] == '"':
                j += 1
                chars: list[str] = []
                while j < n and rest[j] != '"':
                    if rest[j] == "\\" and j + 1 < n:
                        j += 1
                    chars.append(rest[j])
                    j += 1
                val = "".join(chars)
                j += 1  # closing quote (or end)
                while j < n and rest[j] != ";":
                    j += 1
            else:
                k = j
                while j < n and rest[j] != ";":
                    j += 1
                val = rest[k:j].strip(" \t")
        if name and name not in params:
            params[name] = val
        i = j + 1
    return main, params
