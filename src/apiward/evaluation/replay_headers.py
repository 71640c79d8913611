"""Replaying a corpus with other clients' header sets (issue 3, "judge content, not client looks").

Held-out scoring sends attacks with a browser's full header set and legitimate traffic the way an
API SDK sends it (only Content-Type, Authorization and Cookie); both must score as well as the
recorded headers. `apiward eval --headers` applies one of these modes to each record:

- ``recorded``: the headers as recorded (the default);
- ``browser``: a desktop Chrome navigation's headers, the record's own headers on top (a payload
  carried in a header stays where it is);
- ``sdk``: only Host, Content-Type, Authorization and Cookie of the record;
- ``swap``: attacks as ``browser``, legitimate requests as ``sdk`` -- each labelled set in the
  header shape least like the one it was recorded with.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from enum import StrEnum

from apiward.evaluation.corpus import CorpusRecord

SDK_HEADERS = frozenset({"host", "content-type", "authorization", "cookie"})

_CHROME_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)


class HeaderMode(StrEnum):
    RECORDED = "recorded"
    BROWSER = "browser"
    SDK = "sdk"
    SWAP = "swap"


def browser_headers(record: CorpusRecord) -> list[tuple[str, str]]:
    """A Chrome navigation's header set for the record's host and method."""
    host = record.host or "localhost"
    headers = [
        ("Host", host),
        ("Connection", "keep-alive"),
        ("sec-ch-ua", '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"'),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Windows"'),
        ("Upgrade-Insecure-Requests", "1"),
        ("User-Agent", _CHROME_UA),
        ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
                   "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"),
        ("Sec-Fetch-Site", "same-origin"),
        ("Sec-Fetch-Mode", "navigate"),
        ("Sec-Fetch-User", "?1"),
        ("Sec-Fetch-Dest", "document"),
        ("Referer", f"https://{host}/"),
        ("Accept-Encoding", "gzip, deflate, br, zstd"),
        ("Accept-Language", "en-US,en;q=0.9"),
    ]
    if record.method.upper() not in ("GET", "HEAD"):
        headers.append(("Origin", f"https://{host}"))
    return headers


def _with_headers(record: CorpusRecord, headers: list[tuple[str, str]]) -> CorpusRecord:
    return dataclasses.replace(record, data={**record.data, "headers": headers})


def as_browser(record: CorpusRecord) -> CorpusRecord:
    """The record with a browser's headers added; a header the record has keeps its recorded value
    (and only that one: a browser default of the same name is dropped)."""
    own = record.header_pairs()
    names = {name.lower() for name, _ in own}
    merged = [(name, value) for name, value in browser_headers(record) if name.lower() not in names]
    return _with_headers(record, merged + own)


def as_sdk(record: CorpusRecord) -> CorpusRecord:
    """The record with only the headers an API SDK sends."""
    return _with_headers(record, [(n, v) for n, v in record.header_pairs() if n.lower() in SDK_HEADERS])


def _swap(record: CorpusRecord) -> CorpusRecord:
    return as_browser(record) if record.is_attack else as_sdk(record)


def header_transform(mode: HeaderMode) -> Callable[[CorpusRecord], CorpusRecord] | None:
    """The record transform of ``mode``; None for the recorded headers."""
    return {
        HeaderMode.RECORDED: None,
        HeaderMode.BROWSER: as_browser,
        HeaderMode.SDK: as_sdk,
        HeaderMode.SWAP: _swap,
    }[mode]
