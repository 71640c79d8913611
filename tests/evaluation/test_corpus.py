"""The corpus reader: gzip JSON lines, plain JSON lines, JSON arrays; invalid records counted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from apiward.evaluation.corpus import CorpusError, CorpusReader, read_corpus

RECORDS = [
    {"method": "GET", "url": "/a?x=1", "headers": {"Host": "shop.example"}, "data": "",
     "label": "benign", "category": "browsing", "source": "t:1"},
    {"method": "POST", "url": "/login", "headers": [["Host", "Shop.Example"], ["Content-Type", "text/plain"]],
     "data": "' or 1=1--", "label": "attack", "category": "sqli"},
    {"method": "GET", "url": "/b", "label": "benign"},
]
GARBAGE = [
    "{not json",
    "[1, 2]",
    json.dumps({"method": "GET", "url": "/x", "label": "maybe"}),
    json.dumps({"url": "/x", "label": "attack"}),
    json.dumps({"method": "GET", "url": "/x", "label": "attack", "data": 12}),
    json.dumps({"method": "GET", "url": "/x", "label": "attack", "headers": "Host: a"}),
]


def _lines(records: list[object], garbage: list[str]) -> str:
    out = [json.dumps(r) for r in records[:1]] + garbage[:3] + [json.dumps(r) for r in records[1:]]
    return "\n".join(out + garbage[3:] + [""]) + "\n"


def test_reads_gzip_json_lines_and_counts_garbage(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(RECORDS, GARBAGE).encode()))
    records, skipped = read_corpus(path)
    assert [r.method for r in records] == ["GET", "POST", "GET"]
    assert skipped == len(GARBAGE)
    # index is the 0-based line in the file, so a record can be found again
    assert [r.index for r in records] == [0, 4, 5]
    assert records[1].is_attack and records[1].category == "sqli"
    assert records[1].host == "shop.example"
    assert records[1].header_pairs()[1] == ("Content-Type", "text/plain")
    assert records[2].category == "uncategorized" and records[2].body == "" and records[2].host == ""


def test_reads_plain_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(_lines(RECORDS, GARBAGE))
    records, skipped = read_corpus(path)
    assert len(records) == 3 and skipped == len(GARBAGE)


@pytest.mark.parametrize("gz", [False, True])
def test_reads_json_arrays(tmp_path: Path, gz: bool) -> None:
    data = json.dumps(RECORDS + ["junk", {"method": "GET"}]).encode()
    path = tmp_path / ("c.json.gz" if gz else "c.json")
    path.write_bytes(gzip.compress(data) if gz else b"  \n" + data)
    records, skipped = read_corpus(path)
    assert [r.index for r in records] == [0, 1, 2]
    assert skipped == 2


def test_limit_stops_after_n_valid_records(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(_lines(RECORDS, GARBAGE))
    records, _ = read_corpus(path, limit=2)
    assert len(records) == 2


def test_progress_position_reaches_file_size(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(RECORDS * 50, []).encode()))
    reader = CorpusReader(path)
    assert reader.position == 0
    assert sum(1 for _ in reader) == 150
    assert reader.position == reader.size


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="missing"):
        CorpusReader(tmp_path / "missing.jsonl.gz")


def test_truncated_gzip_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(RECORDS * 100, []).encode())[:-20])
    with pytest.raises(CorpusError, match="cannot read"):
        read_corpus(path)


def test_invalid_json_array_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('[{"method": "GET",')
    with pytest.raises(CorpusError, match="invalid JSON"):
        read_corpus(path)


def test_empty_file_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text("")
    assert read_corpus(path) == ([], 0)
