"""Replaying a corpus with a browser's or an SDK's header set (`apiward eval --headers`)."""

from __future__ import annotations

from apiward.evaluation.corpus import to_record
from apiward.evaluation.replay_headers import HeaderMode, as_browser, as_sdk, header_transform


def _record(label: str, headers: object, method: str = "GET") -> object:
    record = to_record(0, {"method": method, "url": "/a?q=1", "headers": headers, "label": label})
    assert record is not None
    return record


def test_browser_adds_a_full_header_set_and_keeps_the_records_own_values() -> None:
    record = _record("attack", {"Host": "shop.example", "User-Agent": "() { :; }; /bin/id"})
    replayed = as_browser(record)
    headers = replayed.header_pairs()
    names = [name.lower() for name, _ in headers]
    assert len(names) == len(set(names)), "a header the record has replaces the browser default"
    values = dict((name.lower(), value) for name, value in headers)
    assert values["user-agent"] == "() { :; }; /bin/id"
    assert values["host"] == "shop.example"
    assert values["referer"] == "https://shop.example/"
    assert {"accept", "accept-language", "sec-fetch-mode", "sec-ch-ua"} <= set(values)
    assert "origin" not in values
    assert replayed.url == record.url and replayed.label == "attack"
    # the record itself is not changed
    assert record.header_pairs() == [("Host", "shop.example"), ("User-Agent", "() { :; }; /bin/id")]


def test_browser_sends_origin_on_a_post() -> None:
    values = dict(as_browser(_record("attack", [["Host", "a.example"]], method="POST")).header_pairs())
    assert values["Origin"] == "https://a.example"


def test_sdk_keeps_only_host_content_type_authorization_and_cookie() -> None:
    record = _record("benign", [["Host", "api.example"], ["User-Agent", "Mozilla/5.0"], ["Accept", "*/*"],
                                ["content-type", "application/json"], ["Authorization", "Bearer t"],
                                ["Cookie", "a=1"], ["X-Requested-With", "XMLHttpRequest"]])
    assert as_sdk(record).header_pairs() == [
        ("Host", "api.example"), ("content-type", "application/json"), ("Authorization", "Bearer t"),
        ("Cookie", "a=1")]


def test_swap_replays_attacks_as_a_browser_and_legitimate_requests_as_an_sdk() -> None:
    swap = header_transform(HeaderMode.SWAP)
    assert swap is not None
    attack = swap(_record("attack", {"Host": "h"}))
    benign = swap(_record("benign", {"Host": "h", "User-Agent": "Mozilla/5.0"}))
    assert len(attack.header_pairs()) > 10
    assert benign.header_pairs() == [("Host", "h")]
    assert header_transform(HeaderMode.RECORDED) is None
