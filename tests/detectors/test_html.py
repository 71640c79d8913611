"""Table-driven tests of the html analysers: data/html.yaml."""

from __future__ import annotations

from detector_tables import table_tests

test_catches_attacks, test_passes_lookalikes = table_tests("html")


def test_rich_text_is_read_whole() -> None:
    """`html.rich_text` on every view the analysers read, and the XSS evidence floor."""
    from detector_tables import load_table

    from apiward.core import Category
    from apiward.detectors import html
    from apiward.detectors.analysers import scan_value
    from apiward.http.normalize import normalize_value

    table = load_table("rich_text")
    inert, active = table["rich_text"], table["not_rich_text"]
    assert len(inert) >= 10 and len(active) >= 10
    for value in inert:
        assert all(html.rich_text(view) for view in normalize_value(value).analysed), value
        assert [h for h in scan_value(value) if h.category is Category.XSS] == [], value
    for value in active:
        assert not all(html.rich_text(view) for view in normalize_value(value).analysed), value
