"""Traffic readers: corpus lines, HAR, nginx/Apache combined logs; garbage is skipped and counted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from apiward.learn.traffic import ReadStats, parse_combined, read_traffic
from apiward.settings import LimitSettings

LIMITS = LimitSettings()

NGINX = """\
192.0.2.1 - - [10/Oct/2024:13:55:36 +0000] "GET /users/1?x=2 HTTP/1.1" 200 612 "-" "curl/8.0"
192.0.2.2 - alice [10/Oct/2024:13:55:37 +0000] "POST /login HTTP/1.1" 302 0 "https://example.com/" "Mozilla/5.0 (X11) \\"quoted\\""
this is not a log line
192.0.2.3 - - [10/Oct/2024:13:55:38 +0000] "GET /unterminated HTTP/1.1
\x00\x01\x02 binary garbage
192.0.2.4 - - [10/Oct/2024:13:55:39 +0000] "-" 400 0 "-" "-"
10.0.0.9 - - [10/Oct/2024:13:55:40 +0000] "GET /a%20b HTTP/1.0" 404 10
"""


def test_combined_log_with_garbage(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    log.write_text(NGINX)
    stats = ReadStats()
    seen = list(read_traffic([str(log)], LIMITS, stats))
    assert [(o.request.method, o.request.path) for o in seen] == [("GET", "/users/1"), ("POST", "/login"), ("GET", "/a b")]
    assert (stats.records, stats.skipped) == (3, 4)
    first = seen[0]
    assert first.client == "192.0.2.1" and first.status == 200 and first.request.query == (("x", "2"),)
    assert seen[1].request.header("user-agent") == 'Mozilla/5.0 (X11) "quoted"'


def test_parse_combined_rejects_shapes() -> None:
    for line in ["", "x", '1.2.3.4 - - [d] "GET" 200 1', '1.2.3.4 - - [d] "get /x HTTP/1.1" 200 1',
                 '1.2.3.4 - - [d] "GET x HTTP/1.1" 200 1', '1.2.3.4 - - [d] "GET /x HTTP/1.1" abc 1']:
        assert parse_combined(line, LIMITS) is None


def _har_entry(method: str, url: str, body: str = "", mime: str = "") -> dict:
    req = {"method": method, "url": url, "headers": [{"name": "Authorization", "value": "Bearer x"}]}
    if body:
        req["postData"] = {"mimeType": mime, "text": body}
    return {"request": req, "response": {"status": 200, "content": {"text": '{"email": "a@example.com"}'}}}


def test_har_with_garbage_entries(tmp_path: Path) -> None:
    har = {"log": {"entries": [
        _har_entry("GET", "https://api.example.com/users/5?expand=true"),
        _har_entry("POST", "https://api.example.com/users", '{"name": "a"}', "application/json"),
        {"request": "garbage"},
        {"nothing": 1},
        _har_entry("GET", "not a url at all"),
    ]}}
    path = tmp_path / "session.har"
    path.write_text(json.dumps(har))
    stats = ReadStats()
    seen = list(read_traffic([str(path)], LIMITS, stats))
    assert [(o.request.method, o.request.path) for o in seen][:2] == [("GET", "/users/5"), ("POST", "/users")]
    assert seen[1].request.json == {"name": "a"}
    assert seen[0].status == 200 and "a@example.com" in seen[0].response_text
    assert stats.skipped >= 2 and stats.records == len(seen)


def test_corpus_lines_skip_garbage_and_attacks(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    lines = [
        json.dumps({"method": "GET", "url": "/a?x=1", "headers": {}, "data": "", "label": "benign"}),
        "{not json",
        json.dumps({"method": "GET", "url": "/a?x=' or 1=1", "headers": {}, "data": "", "label": "attack"}),
        json.dumps(["not", "a", "record"]),
        json.dumps({"method": "GET", "url": "/b", "headers": {}, "data": ""}),
        "",
    ]
    with gzip.open(path, "wt") as fh:
        fh.write("\n".join(lines))
    stats = ReadStats()
    seen = list(read_traffic([str(path)], LIMITS, stats))
    assert [o.request.path for o in seen] == ["/a", "/b"]
    assert (stats.records, stats.skipped, stats.attacks) == (2, 2, 1)


def test_json_array_corpus(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"method": "GET", "url": "/x", "headers": {}, "data": ""}, 5]))
    stats = ReadStats()
    assert [o.request.path for o in read_traffic([str(path)], LIMITS, stats)] == ["/x"]
    assert stats.skipped == 1


def test_event_store_learns_only_clean_allowed_requests(tmp_path: Path) -> None:
    import asyncio
    import time

    from apiward.core import Category, Event, Finding, new_event_id
    from apiward.store import open_store

    url = f"sqlite:///{tmp_path / 'events.db'}"

    def event(path: str, action: str, findings: tuple = ()) -> Event:
        return Event(id=new_event_id(), timestamp=time.time(), action=action, enforced=True, status=200,
                     method="GET", path=path, client_ip="192.0.2.7", user_agent="ua", findings=findings)

    async def write() -> None:
        store = open_store(url)
        try:
            bad = Finding(stage="detect", category=Category.SQLI, location="query.q", score=0.9)
            await store.write_batch([
                event("/api/items/1?q=a", "allow"),
                event("/api/items/2", "allow"),
                event("/api/items/3?q=x'--", "block", (bad,)),
                event("/api/items/4?q=y", "log", (bad,)),
            ])
        finally:
            await store.close()

    asyncio.run(write())
    stats = ReadStats()
    seen = list(read_traffic([url], LIMITS, stats))
    assert sorted(o.request.path for o in seen) == ["/api/items/1", "/api/items/2"]
    assert (stats.records, stats.attacks) == (2, 2)
    assert all(o.client == "192.0.2.7" for o in seen)
