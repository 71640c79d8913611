"""Path templating truth table: identifiers become parameters, low-cardinality literals stay."""

from __future__ import annotations

import pytest

from apiward.learn.router import split_path
from apiward.learn.template import PathTemplater, segment_kind

TRAFFIC = [
    "/users/123", "/users/456", "/users/me", "/users/550e8400-e29b-41d4-a716-446655440000",
    "/files/d41d8cd98f00b204e9800998ecf8427e", "/reports/2024-01-31", "/static/img/logo.gif",
    "/static/img/1.gif", "/users/12/orders/7", "/sessions/aZ3kP9qL2mX8vB4nC6dF1",
    *[f"/blog/post-{chr(97 + i)}{chr(97 + i)}" for i in range(26)],
]

TABLE = [
    ("/users/999", "/users/{id}"),
    ("/users/me", "/users/me"),
    ("/users/0b0c8f7e-1111-4a4a-9b9b-0123456789ab", "/users/{id}"),  # one parameter per position
    ("/files/0123456789abcdef0123456789abcdef01234567", "/files/{hash}"),
    ("/reports/1999-12-31", "/reports/{date}"),
    ("/blog/any-new-title", "/blog/{slug}"),
    ("/static/img/logo.gif", "/static/img/logo.gif"),
    ("/static/img/logo.gif.bak", "/static/img/logo.gif.bak"),
    ("/users/5/orders/6", "/users/{id}/orders/{id2}"),
    ("/sessions/Qw8rT5yU1iO3pA6sD9fG2", "/sessions/{token}"),
    ("/", "/"),
]


@pytest.fixture(scope="module")
def templater() -> PathTemplater:
    return PathTemplater().fit(split_path(p) for p in TRAFFIC)


@pytest.mark.parametrize(("path", "template"), TABLE)
def test_template(templater: PathTemplater, path: str, template: str) -> None:
    assert templater.template(split_path(path)) == template


def test_templates_listed(templater: PathTemplater) -> None:
    assert "/blog/{slug}" in templater.templates()
    assert "/users/{id}/orders/{id2}" in templater.templates()
    assert "/static/img/1.gif" in templater.templates()


@pytest.mark.parametrize(
    ("segment", "kind"),
    [("42", "id"), ("-1", "id"), ("abc", None), ("v1", None), ("2024-02-30", None),
     ("DEADBEEF00DEADBE", "hash"), ("deadbeefdeadbeef", None), ("logo.gif", None)],
)
def test_segment_kind(segment: str, kind: str | None) -> None:
    assert segment_kind(segment) == kind


def test_one_parameter_per_position() -> None:
    paths = ["/pages/1", "/pages/2", "/pages/3", "/pages/aZ3kP9qL2mX8vB4nC6dF1", "/pages/1/edit",
             "/pages/550e8400-e29b-41d4-a716-446655440000/edit"]
    templater = PathTemplater().fit(split_path(p) for p in paths)
    assert templater.templates() == ["/pages/{id}", "/pages/{id}/edit"]
    assert templater.template(split_path("/pages/Qw8rT5yU1iO3pA6sD9fG2")) == "/pages/{id}"


def test_frequent_sections_stay_literal_rare_values_become_a_slug() -> None:
    paths = [f"/section{i}" for i in range(30) for _ in range(50)]
    paths += [f"/blog/{word}-post" for word in ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu "
                                                "nu xi omicron pi rho sigma tau upsilon phi chi psi omega one two").split()]
    paths += ["/blog/archive"] * 40
    templater = PathTemplater().fit(split_path(p) for p in paths)
    templates = templater.templates()
    assert "/section7" in templates and "/{slug}" not in templates
    assert "/blog/{slug}" in templates and "/blog/archive" in templates
    assert templater.template(split_path("/blog/new-post")) == "/blog/{slug}"
