"""Build the immutable `RequestView` once per request: limits first, then every input as a field.

The order of work is the order of cost: the cheap size limits (URL 414, headers 431, body 413)
are checked before anything is decoded, and the field cap (400) is checked before each
container is expanded, so a hostile request costs at most a bounded amount of parsing before
it is refused. Over-limit requests are refused, never half-inspected: a truncated inspection
would be a bypass.

Fields produced (see `Field` for naming): the decoded path as ``path`` and each non-empty path
segment as ``path.<i>`` (segments are split *before* percent-decoding, so ``..%2F..%2F`` stays
one segment and its decoded value shows the traversal); query parameters (duplicates and
blank values kept, non-identifier names also as ``<name>#key``); every header except
``cookie`` (names lower-cased); every cookie; and the body's leaves (see `apiward.http.body`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from apiward.core import Field, RequestView, Source, new_field
from apiward.errors import RequestRejected
from apiward.http.body import body_limit, parse_body, too_large
from apiward.http.cookies import parse_cookies
from apiward.http.fieldlist import FieldList
from apiward.http.mediatype import parse_params
from apiward.http.urlencoded import parse_urlencoded, percent_decode
from apiward.settings import LimitSettings

_SEGMENT_NAMES = tuple(str(i) for i in range(256))
_HEADER_OVERHEAD = 4  # ": " and CRLF, as on the wire
_SPECIAL_HEADERS = frozenset({"cookie", "content-type", "content-encoding"})


def _segment_name(index: int) -> str:
    return _SEGMENT_NAMES[index] if index < 256 else str(index)


def _byte_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _path_fields(raw_path: str, items: list[Field]) -> str:
    """Append the path and its segments; return the decoded path."""
    path = percent_decode(raw_path) if "%" in raw_path else raw_path
    source = Source.PATH
    items.append(Field(source, "", path))
    index = 0
    for segment in raw_path.split("/"):
        if not segment:
            continue
        if "%" in segment:
            segment = percent_decode(segment)
        items.append(new_field((source, _segment_name(index), segment)))
        index += 1
    return path


def build_request_view(
    method: str,
    raw_path: str,
    query_string: str,
    headers: Sequence[tuple[str, str]],
    client_ip: str,
    body: bytes,
    limits: LimitSettings,
    scheme: str = "http",
) -> RequestView:
    """Parse one request into a `RequestView`.

    ``raw_path`` and ``query_string`` are as received (percent-encoded; the view keeps them
    raw and decodes copies). ``headers`` are (name, value) pairs in any case; order and
    duplicates are kept. Raises `RequestRejected` (414 URL, 431 headers, 413 body, 415
    undecodable Content-Encoding, 400 too many fields / too deep / ambiguous Content-Type /
    malformed body when ``limits.malformed_body`` is ``reject``) and nothing else.
    """
    if _byte_len(raw_path) + _byte_len(query_string) > limits.max_url_bytes:
        raise RequestRejected(414, "URI too long", f"the URL exceeds {limits.max_url_bytes} bytes")

    lowered = [(name.lower(), value) for name, value in headers]
    header_bytes = sum([len(name) + len(value) for name, value in lowered]) + _HEADER_OVERHEAD * len(lowered)
    if header_bytes > limits.max_header_bytes:
        raise RequestRejected(431, "Request header fields too large", f"headers exceed {limits.max_header_bytes} bytes")
    out = FieldList(limits.max_fields)
    header = Source.HEADER
    items = out.items = [new_field((header, name, value)) for name, value in lowered if name != "cookie"]
    cookies: list[str] = []
    content_type: str | None = None
    content_encoding = ""
    for name, value in lowered:
        if name not in _SPECIAL_HEADERS:
            continue
        if name == "cookie":
            cookies.append(value)
        elif name == "content-type":
            if content_type is not None and value != content_type:
                # Two different types: the application and we might each believe another one.
                raise RequestRejected(400, "Ambiguous Content-Type", "several different Content-Type headers")
            content_type = value
        else:
            content_encoding = f"{content_encoding}, {value}" if content_encoding else value

    media, params = parse_params(content_type) if content_type else ("", {})
    limit = body_limit(media, limits)
    if len(body) > limit:
        raise too_large(limit)
    path = _path_fields(raw_path, items)
    out.check()
    parse_urlencoded(query_string, Source.QUERY, out)
    if cookies:
        parse_cookies(cookies, out)
    out.check()
    kind, doc = parse_body(body, media, params, content_encoding, limits, out)
    return RequestView(
        method=method,
        path=path,
        raw_path=raw_path,
        query_string=query_string,
        headers=tuple(lowered),
        client_ip=client_ip,
        body=body,
        content_type=media,
        body_kind=kind,
        fields=tuple(items),
        scheme=scheme,
        json=doc,
    )


def _split_url(url: str) -> tuple[str, str, str]:
    """``https://h/p?q`` or ``/p?q`` -> (scheme, raw_path, query_string). ``#`` is kept: in
    attack corpora it is often part of a payload (SQL comment), not a fragment."""
    scheme = "http"
    if url.startswith(("http://", "https://")):
        scheme, _, rest = url.partition("://")
        slash = rest.find("/")
        url = rest[slash:] if slash >= 0 else "/"
    raw_path, _, query_string = url.partition("?")
    return scheme, raw_path, query_string


def corpus_request(record: Mapping[str, Any], limits: LimitSettings) -> RequestView:
    """A `RequestView` from one corpus record (``{"method", "url", "headers", "data", ...}``,
    see DESIGN.md): ``url`` is the percent-encoded path and query, ``data`` the raw body text
    (empty or null when there is none), ``headers`` a mapping (or a list of pairs).

    Raises `RequestRejected` exactly as the gateway would answer the same request, so eval and
    training see what production sees. ``client_ip`` is taken from the record when present.
    """
    scheme, raw_path, query_string = _split_url(str(record.get("url") or "/"))
    raw_headers = record.get("headers") or {}
    pairs = raw_headers.items() if isinstance(raw_headers, Mapping) else raw_headers
    headers = [(str(name), str(value)) for name, value in pairs]
    data = record.get("data")
    if data is None:
        body = b""
    elif isinstance(data, bytes):
        body = data
    else:
        body = str(data).encode("utf-8", "surrogatepass")
    return build_request_view(
        method=str(record.get("method") or "GET"),
        raw_path=raw_path,
        query_string=query_string,
        headers=headers,
        client_ip=str(record.get("client_ip") or "0.0.0.0"),
        body=body,
        limits=limits,
        scheme=scheme,
    )
