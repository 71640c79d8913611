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


def test_office_settings_block_is_below_the_floor() -> None:
    """The <xml> settings block that Outlook and Word put in an HTML mail, inside its "[if mso]"
    conditional comment, is under the XSS evidence floor (0.2); an <xml> element with attributes,
    outside the comment or holding markup of its own keeps its weight."""
    from apiward.core import Category
    from apiward.detectors.analysers import scan_value

    def xss(value: str) -> float:
        return max((h.score for h in scan_value(value) if h.category is Category.XSS), default=0.0)

    inert = [
        "<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings></xml><![endif]-->",
        "<html><head><!--[if gte mso 9]><xml>\n<o:OfficeDocumentSettings>\n<o:AllowPNG/>\n<o:PixelsPerInch>96</o:PixelsPerInch>\n"
        "</o:OfficeDocumentSettings>\n</xml><![endif]--></head><body><p>Hi Anna,</p></body></html>",
        "<!--[if mso]><xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom></w:WordDocument></xml><![endif]-->",
    ]
    kept = [
        "<!--[if gte mso 9]><xml id=x src=\"//evil.example/a.xml\"></xml><![endif]-->",
        "<!--[if gte ie 9]><xml><o:AllowPNG/></xml><![endif]-->",
        "<xml><o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings></xml>",
        "<!--[if gte mso 9]><xml><x><c>text</c></x></xml><![endif]-->",
    ]
    for value in inert:
        assert xss(value) < 0.2, value
    for value in kept:
        assert xss(value) >= 0.35, value
    for value in ("<!--[if gte mso 9]><xml><o:x><script>alert(1)</script></o:x></xml><![endif]-->",
                  "<!--[if gte mso 9]><xml><x><c><![CDATA[<img src=x onerror=alert(1)>]]></c></x></xml><![endif]-->"):
        assert xss(value) >= 0.5, value
