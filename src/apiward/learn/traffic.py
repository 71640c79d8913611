"""Traffic sources for learning: corpus JSON lines / JSON arrays, HAR files, nginx/Apache combined
access logs, and the gateway's own event store. Every reader skips and counts what it cannot parse;
none raises on bad input."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from apiward.core import RequestView
from apiward.errors import ApiwardError
from apiward.http.parse import build_request_view, corpus_request
from apiward.settings import LimitSettings

MAX_LINE = 1 << 20


@dataclass(frozen=True, slots=True)
class Observation:
    """One request seen in traffic; ``client`` keys per-client caps (None: unknown)."""

    request: RequestView
    client: str | None = None
    status: int | None = None
    response_text: str = ""
    timestamp: float | None = None  # unix seconds, when the source records it


@dataclass
class ReadStats:
    records: int = 0
    skipped: int = 0  # garbage lines / unparseable records
    attacks: int = 0  # labelled or decided attacks, never learned
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)

    def bump(self, source: str, key: str) -> None:
        entry = self.by_source.setdefault(source, {"records": 0, "skipped": 0, "attacks": 0})
        entry[key] += 1
        setattr(self, key, getattr(self, key) + 1)


def _open_text(path: Path) -> TextIO:
    """UTF-8 text whose lines end at LF only (a CRLF ending keeps its CR; the readers strip it).
    A lone CR is data, often attacker-controlled (a User-Agent, a query value): breaking lines
    on it would let one logged request forge a second log record, so it stays inside its line."""
    raw = path.open("rb")
    head = raw.read(2)
    raw.seek(0)
    stream: Any = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw
    return io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="\n")


def _sniff(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".har", ".har.gz")):
        return "har"
    with _open_text(path) as fh:
        head = fh.read(4096).lstrip()
    if head.startswith("{"):
        first = head.split("\n", 1)[0]
        if '"log"' in head[:200] and '"entries"' in head:
            return "har"
        return "jsonl" if first.rstrip().endswith("}") else "json"
    if head.startswith("["):
        return "json"
    return "combined"


def read_traffic(sources: list[str], limits: LimitSettings, stats: ReadStats) -> Iterator[Observation]:
    """Observations from every source in order; the format is detected per file."""
    for source in sources:
        if source.startswith(("sqlite:", "postgresql:", "postgres:")):
            yield from _read_events(source, limits, stats)
            continue
        path = Path(source)
        try:
            kind = _sniff(path)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ApiwardError(f"cannot read {source}: {exc}") from exc
        reader = {"har": _read_har, "jsonl": _read_jsonl, "json": _read_json, "combined": _read_combined}[kind]
        yield from reader(path, limits, stats)


def _corpus(record: Any, limits: LimitSettings, stats: ReadStats, source: str) -> Observation | None:
    if not isinstance(record, dict) or not isinstance(record.get("url"), str):
        stats.bump(source, "skipped")
        return None
    if record.get("label") == "attack":
        stats.bump(source, "attacks")
        return None
    try:
        request = corpus_request(record, limits)
    except (ApiwardError, KeyError, TypeError, ValueError, AttributeError):
        stats.bump(source, "skipped")
        return None
    stats.bump(source, "records")
    client = record.get("client_ip") or record.get("client")
    stamp = record.get("timestamp")
    when = float(stamp) if isinstance(stamp, (int, float)) and not isinstance(stamp, bool) else None
    return Observation(request, str(client) if client else None, timestamp=when)


def _read_jsonl(path: Path, limits: LimitSettings, stats: ReadStats) -> Iterator[Observation]:
    with _open_text(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            if len(line) > MAX_LINE:
                stats.bump(str(path), "skipped")
                continue
            try:
                record = json.loads(line)
            except ValueError:
                stats.bump(str(path), "skipped")
                continue
            obs = _corpus(record, limits, stats, str(path))
            if obs is not None:
                yield obs


def _read_json(path: Path, limits: LimitSettings, stats: ReadStats) -> Iterator[Observation]:
    with _open_text(path) as fh:
        try:
            data = json.load(fh)
        except ValueError:
            stats.bump(str(path), "skipped")
            return
    if isinstance(data, dict) and isinstance(data.get("log"), dict):
        yield from _har_entries(data, limits, stats, str(path))
        return
    if not isinstance(data, list):
        stats.bump(str(path), "skipped")
        return
    for record in data:
        obs = _corpus(record, limits, stats, str(path))
        if obs is not None:
            yield obs


def _read_har(path: Path, limits: LimitSettings, stats: ReadStats) -> Iterator[Observation]:
    with _open_text(path) as fh:
        try:
            data = json.load(fh)
        except ValueError:
            stats.bump(str(path), "skipped")
            return
    yield from _har_entries(data, limits, stats, str(path))


def _har_entries(data: Any, limits: LimitSettings, stats: ReadStats, source: str) -> Iterator[Observation]:
    entries = data.get("log", {}).get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        stats.bump(source, "skipped")
        return
    for entry in entries:
        try:
            req = entry["request"]
            url = urlsplit(req["url"])
            headers = [(str(h["name"]), str(h["value"])) for h in req.get("headers", []) if not str(h["name"]).startswith(":")]
            post = req.get("postData") or {}
            body = str(post.get("text") or "").encode("utf-8")
            if body and post.get("mimeType") and not any(n.lower() == "content-type" for n, _ in headers):
                headers.append(("content-type", str(post["mimeType"])))
            request = build_request_view(
                str(req["method"]).upper(), url.path or "/", url.query, headers,
                str(entry.get("_clientAddress") or ""), body, limits, scheme=url.scheme or "http",
            )
            response = entry.get("response") or {}
            content = response.get("content") or {}
            text = content.get("text") if isinstance(content.get("text"), str) and content.get("encoding") != "base64" else ""
            status = int(response.get("status") or 0) or None
            when = _iso_time(entry.get("startedDateTime"))
        except (ApiwardError, KeyError, TypeError, ValueError, AttributeError):
            stats.bump(source, "skipped")
            continue
        stats.bump(source, "records")
        yield Observation(request, None, status, (text or "")[:65536], when)


def _iso_time(value: Any) -> float | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def _log_time(value: str) -> float | None:
    """``10/Oct/2024:13:55:36 +0000`` (common log format)."""
    if len(value) > 40:
        return None
    try:
        return datetime.strptime(value, "%d/%b/%Y:%H:%M:%S %z").timestamp()
    except ValueError:
        return None


def split_combined(line: str) -> list[str] | None:
    """Tokens of a combined log line: bare words, [bracketed] and "quoted" (backslash escapes).
    Linear, no regex. None when quoting is unbalanced."""
    tokens: list[str] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == " ":
            i += 1
            continue
        if ch == "[":
            j = line.find("]", i)
            if j < 0:
                return None
            tokens.append(line[i + 1 : j])
            i = j + 1
        elif ch == '"':
            out = []
            j = i + 1
            while j < n and line[j] != '"':
                if line[j] == "\\" and j + 1 < n:
                    j += 1
                out.append(line[j])
                j += 1
            if j >= n:
                return None
            tokens.append("".join(out))
            i = j + 1
        else:
            j = line.find(" ", i)
            j = n if j < 0 else j
            tokens.append(line[i:j])
            i = j
    return tokens


def parse_combined(line: str, limits: LimitSettings) -> Observation | None:
    """One nginx/Apache common or combined log line; None when it is not one."""
    tokens = split_combined(line.rstrip("\r\n"))
    if tokens is None or len(tokens) < 7:
        return None
    client, request_line, status = tokens[0], tokens[4], tokens[5]
    parts = request_line.split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or not parts[0].isupper() or not parts[2].startswith("HTTP/"):
        return None
    if not status.isdigit() or not parts[1].startswith("/"):
        return None
    target = parts[1]
    path, _, query = target.partition("?")
    headers = []
    if len(tokens) >= 9:
        if tokens[7] not in ("-", ""):
            headers.append(("referer", tokens[7]))
        if tokens[8] not in ("-", ""):
            headers.append(("user-agent", tokens[8]))
    try:
        request = build_request_view(parts[0], path, query, headers, client, b"", limits)
    except ApiwardError:
        return None
    return Observation(request, client if client != "-" else None, int(status), timestamp=_log_time(tokens[3]))


def _read_combined(path: Path, limits: LimitSettings, stats: ReadStats) -> Iterator[Observation]:
    with _open_text(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            obs = parse_combined(line[:MAX_LINE], limits) if len(line) <= MAX_LINE else None
            if obs is None:
                stats.bump(str(path), "skipped")
                continue
            stats.bump(str(path), "records")
            yield obs


def _read_events(url: str, limits: LimitSettings, stats: ReadStats) -> Iterator[Observation]:
    """Allowed, finding-free events from the gateway's store (poisoning: blocked or flagged
    requests are never learned). Events carry no bodies: they teach paths, methods, clients."""
    from apiward.store import open_store  # the store is optional at import time

    async def fetch() -> list[Any]:
        store = open_store(url)
        try:
            out: list[Any] = []
            before: str | None = None
            while len(out) < 1_000_000:
                page = await store.query(since=None, action=None, limit=1000, before_id=before)
                if not page:
                    break
                out.extend(page)
                before = page[-1].id
            return out
        finally:
            await store.close()

    for event in asyncio.run(fetch()):
        if event.action != "allow" or event.findings:
            stats.bump(url, "attacks")
            continue
        path, _, query = str(event.path).partition("?")
        headers = [("user-agent", event.user_agent)] if event.user_agent else []
        try:
            request = build_request_view(event.method, path, query, headers, event.client_ip, b"", limits)
        except ApiwardError:
            stats.bump(url, "skipped")
            continue
        stats.bump(url, "records")
        yield Observation(request, event.subject or event.client_ip or None, event.upstream_status,
                          timestamp=event.timestamp)
