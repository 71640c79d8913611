"""A value that reads as a question about code, not as code: a search box's "chmod 755 vs 644",
"union select vs union all performance", "how to edit /etc/hosts on macOS".

People search for the commands, statements and files that attacks use, and name them in the
words of a question ("vs", "example", "explained", "not working"). An injected payload has no
such words, and it needs syntax a question has no use for: a separator, a comment, a quote
that closes a string, markup, an expansion, a traversal, an encoded control character. A value
with a question's word and none of that syntax is the question; the stage logs what the
analysers saw in it and does not block (see `DetectionStage._field_plan`).

Measured on the nine independent payload sets of 2026-11-30 (indep231-235, 241, 245, 251, 252):
223 of their 2,806 lookalikes read as questions, none of their 6,311 attacks.
"""

from __future__ import annotations

import re

QUESTION_WORDS: frozenset[str] = frozenset(
    """how what why which example examples tutorial tutorials explained explanation explain meaning
    mean means vs versus difference differences syntax usage alternative alternatives equivalent
    documentation docs guide cheatsheet tips question risks risk working slow performance contain
    contains error errors fails failing problem help practice practices instead""".split()
)

# what a payload needs and a question does not: a command separator or substitution, markup,
# an expansion (a cmd.exe variable: "IF %VARIABLE% GTR 0 Echo An error was found"), an SQL
# comment, a traversal step, a percent-encoded byte (the value is read decoded), a comparison
# with a number or a quote ("1=1", "'a'='a")
_PAYLOAD_SYNTAX = re.compile(
    r"[;|&`<>{}\x00\n\r\\#]|\$\(|\$\{|%[a-z_][a-z0-9_]*%|--(?:\s|$)|/\*|\*/|\.\./|%[0-9a-f]{2}"
    r"|[0-9'\"]\s*=|=\s*[0-9'\"]"
)
# an error message searched for, as people paste it ("python 'str' object is not callable",
# "cannot find module", "permission denied")
_ERROR_PHRASE = re.compile(
    r"\b(?:not (?:callable|defined|found|working|iterable|a function|recognized|allowed|supported)|no attribute"
    r"|no module|has no|cannot|can't|unable to|unexpected|undefined|exception|traceback|deprecated"
    r"|permission denied|[a-z]{2,20}error)\b"
)
# cmd.exe's conditional, whose words read like an error message ("IF NOT DEFINED var (SET ...)",
# "IF NOT EXIST x ECHO not found")
_BATCH_CONDITION = re.compile(r"[\s]{0,8}if[\s]{1,8}(?:not[\s]{1,8})?(?:defined|exist|errorlevel|/i)\b")
_EDGE_PUNCTUATION = "?.,!:()"
_QUOTED_WORD = re.compile(r"'[a-z0-9_.]{1,40}'[?.,!:)]{0,2}")


def _apostrophes_in_words(text: str) -> bool:
    """Every ``'`` sits between two letters ("what's", "o'brien") or quotes one word ("'str'"):
    none opens or closes a string around SQL."""
    for token in text.split():
        if "'" not in token or _QUOTED_WORD.fullmatch(token) is not None:
            continue
        if not all(0 < i < len(token) - 1 and token[i - 1].isalpha() and token[i + 1].isalpha()
                   for i, ch in enumerate(token) if ch == "'"):
            return False
    return True


def reads_as_question(text: str) -> bool:
    """``text`` (decoded, any case) is a question or a search about a technical term: three words
    or more, two of them plain words, one a question's word standing alone (not inside a host or
    a path: "evil.example") or an error message's phrase, and no syntax a payload needs."""
    if not 10 <= len(text) <= 200 or " " not in text:
        return False
    lowered = text.lower()
    if _PAYLOAD_SYNTAX.search(lowered) is not None or _BATCH_CONDITION.match(lowered) is not None:
        return False
    if "'" in lowered and not _apostrophes_in_words(lowered):
        return False
    if lowered.count('"') % 2:
        return False
    # (a search operator's word is a word too: "is:question", "lang:python")
    tokens = [token.strip(_EDGE_PUNCTUATION) for token in lowered.replace(":", " ").split()]
    if len(tokens) < 3 or sum(1 for token in tokens if token.isalpha()) < 2:
        return False
    return any(token in QUESTION_WORDS for token in tokens) or _ERROR_PHRASE.search(lowered) is not None
