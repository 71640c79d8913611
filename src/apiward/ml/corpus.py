"""Training data from corpus files: every field value of every request, as production sees it.

Values are extracted with the gateway's own parser (`apiward.http.parse.corpus_request`), so the
model learns from exactly the fields the detection stage will score. Requests the parser refuses
(over-limit, malformed) are counted and skipped.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from apiward.errors import RequestRejected
from apiward.http.embedded_json import embedded_fields
from apiward.http.parse import corpus_request
from apiward.settings import LimitSettings


@dataclass(slots=True)
class RequestValues:
    """The field values of one corpus request, with its label, category and group (site)."""

    label: str
    category: str
    group: str
    values: tuple[str, ...]


@dataclass(slots=True)
class CorpusStats:
    records: int = 0
    rejected: int = 0
    invalid: int = 0
    digest: str = ""
    groups: set[str] = field(default_factory=set)


def read_records(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                return
            line = line.strip()
            if line:
                try:
                    obj = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(obj, dict):
                    yield obj


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def group_of(record: dict[str, Any]) -> str:
    """The site a request belongs to: the corpus ``source`` tag (one per recorded site), else Host."""
    source = str(record.get("source") or "")
    if source:
        return source
    headers = record.get("headers") or {}
    items = headers.items() if isinstance(headers, dict) else headers
    for name, value in items:
        if str(name).lower() == "host":
            return str(value)
    return ""


def request_values(path: Path, limit: int | None = None, stats: CorpusStats | None = None) -> Iterator[RequestValues]:
    """Every request of a corpus file as its field values (parser-refused requests skipped)."""
    limits = LimitSettings()
    for record in read_records(path, limit):
        if stats is not None:
            stats.records += 1
        try:
            view = corpus_request(record, limits)
        except RequestRejected:
            if stats is not None:
                stats.rejected += 1
            continue
        except (TypeError, ValueError):
            if stats is not None:
                stats.invalid += 1
            continue
        group = group_of(record)
        if stats is not None:
            stats.groups.add(group)
        yield RequestValues(
            label=str(record.get("label") or "benign"),
            category=str(record.get("category") or ""),
            group=group,
            values=tuple(f.value for f in embedded_fields(view.fields)),
        )
