"""Reading labelled corpora: gzip JSON lines (``.jsonl.gz``), plain JSON lines (``.jsonl``) and JSON
arrays (``.json``, optionally gzipped), one HTTP request per record (see DESIGN.md, "Corpus format").

Records that are not valid (bad JSON, not an object, missing ``method``/``url``, a label other than
``attack``/``benign``) are skipped and counted, never fatal: corpora are large and a broken line
must not hide the rest. A file that cannot be read at all (missing, not gzip, not JSON) raises
`CorpusError`.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from apiward.errors import ApiwardError

LABELS: frozenset[str] = frozenset({"attack", "benign"})


class CorpusError(ApiwardError):
    """A corpus file cannot be read (missing, unreadable, not gzip, not a JSON array)."""


@dataclass(frozen=True, slots=True)
class CorpusRecord:
    """One labelled request. ``index`` is the 0-based position in the file (line of a JSON-lines
    file, element of a JSON array) so a misclassified record can be found again."""

    index: int
    label: str
    category: str
    data: Mapping[str, Any]

    @property
    def is_attack(self) -> bool:
        return self.label == "attack"

    @property
    def method(self) -> str:
        return str(self.data["method"])

    @property
    def url(self) -> str:
        return str(self.data["url"])

    @property
    def source(self) -> str:
        return str(self.data.get("source") or "")

    def header_pairs(self) -> list[tuple[str, str]]:
        """The record's headers as (name, value) pairs; accepts an object or a list of pairs."""
        return header_pairs(self.data.get("headers"))

    @property
    def host(self) -> str:
        for name, value in self.header_pairs():
            if name.lower() == "host":
                return value.strip().lower()
        return ""

    @property
    def body(self) -> str:
        data = self.data.get("data")
        return data if isinstance(data, str) else ""


def header_pairs(headers: object) -> list[tuple[str, str]]:
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    if isinstance(headers, list):
        out: list[tuple[str, str]] = []
        for item in headers:
            if isinstance(item, (list, tuple)) and len(item) == 2:
                out.append((str(item[0]), str(item[1])))
        return out
    return []


def to_record(index: int, obj: object) -> CorpusRecord | None:
    """Validate one decoded record; None when it is not a usable corpus record."""
    if not isinstance(obj, dict):
        return None
    method, url, label = obj.get("method"), obj.get("url"), obj.get("label")
    if not isinstance(method, str) or not method or not isinstance(url, str) or not url:
        return None
    if label not in LABELS:
        return None
    headers = obj.get("headers")
    if headers is not None and not isinstance(headers, (dict, list)):
        return None
    data = obj.get("data")
    if data is not None and not isinstance(data, str):
        return None
    category = obj.get("category")
    return CorpusRecord(
        index=index,
        label=str(label),
        category=category if isinstance(category, str) and category else "uncategorized",
        data=obj,
    )


@dataclass(slots=True)
class CorpusReader:
    """Iterates the valid records of one file. ``skipped`` counts invalid records seen so far;
    ``position``/``size`` (bytes of the file on disk) drive a progress bar."""

    path: Path
    limit: int | None = None
    skipped: int = 0
    records: int = 0
    size: int = 0
    _raw: IO[bytes] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        try:
            self.size = self.path.stat().st_size
        except OSError as exc:
            raise CorpusError(f"{self.path}: {exc.strerror or exc}") from exc
        if not self.path.is_file():
            raise CorpusError(f"{self.path}: not a file")

    @property
    def position(self) -> int:
        if self._raw is None or self._raw.closed:
            return self.size if self.records or self.skipped else 0
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[CorpusRecord]:
        try:
            raw = open(self.path, "rb")  # noqa: SIM115 - closed in finally
        except OSError as exc:
            raise CorpusError(f"{self.path}: {exc.strerror or exc}") from exc
        self._raw = raw
        try:
            yield from self._iter_stream(raw)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise CorpusError(f"{self.path}: cannot read: {exc}") from exc
        finally:
            raw.close()

    def _iter_stream(self, raw: IO[bytes]) -> Iterator[CorpusRecord]:
        stream: IO[bytes] = raw
        if raw.read(2) == b"\x1f\x8b":
            raw.seek(0)
            stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        else:
            raw.seek(0)
        head = stream.peek(64)  # type: ignore[attr-defined]  # BufferedReader and GzipFile peek
        if head.lstrip()[:1] == b"[":
            yield from self._iter_array(stream)
        else:
            yield from self._iter_lines(stream)

    def _take(self, record: CorpusRecord | None) -> CorpusRecord | None:
        if record is None:
            self.skipped += 1
            return None
        self.records += 1
        return record

    def _full(self) -> bool:
        return self.limit is not None and self.records >= self.limit

    def _iter_lines(self, stream: IO[bytes]) -> Iterator[CorpusRecord]:
        for index, line in enumerate(stream):
            if self._full():
                return
            if not line.strip():
                continue
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError:
                obj = None
            record = self._take(to_record(index, obj))
            if record is not None:
                yield record

    def _iter_array(self, stream: IO[bytes]) -> Iterator[CorpusRecord]:
        try:
            items = orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            raise CorpusError(f"{self.path}: invalid JSON array: {exc}") from exc
        if not isinstance(items, list):
            raise CorpusError(f"{self.path}: expected a JSON array of records")
        for index, obj in enumerate(items):
            if self._full():
                return
            record = self._take(to_record(index, obj))
            if record is not None:
                yield record


def read_corpus(path: Path, limit: int | None = None) -> tuple[list[CorpusRecord], int]:
    """All valid records of a file and the number skipped (convenience for small files)."""
    reader = CorpusReader(Path(path), limit=limit)
    records = list(reader)
    return records, reader.skipped
