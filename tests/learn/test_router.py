"""The segment trie agrees with a brute-force matcher that tries every template (property test)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from apiward.learn.router import Router, split_path

TEMPLATES = ["/", "/users", "/users/me", "/users/{id}", "/users/{id}/orders", "/users/{id}/orders/{oid}",
             "/files/{name}.json", "/files/{name}", "/files/raw.json", "/a/{x}/c", "/a/b/{y}", "/v{version}/status"]


def _segment_matches(template_segment: str, segment: str) -> dict[str, str] | None:
    start = template_segment.find("{")
    if start < 0:
        return {} if template_segment == segment else None
    end = template_segment.index("}")
    prefix, name, suffix = template_segment[:start], template_segment[start + 1 : end], template_segment[end + 1 :]
    if len(segment) > len(prefix) + len(suffix) and segment.startswith(prefix) and segment.endswith(suffix):
        return {name: segment[len(prefix) : len(segment) - len(suffix)]}
    return None



def brute_force(segments: list[str]) -> tuple[str, dict[str, str]] | None:
    """Every template that matches; OpenAPI precedence: literal segments win, left to right."""
    found = []
    for template in TEMPLATES:
        parts = template.strip("/").split("/") if template.strip("/") else []
        if len(parts) != len(segments):
            continue
        params: dict[str, str] = {}
        for part, segment in zip(parts, segments):
            got = _segment_matches(part, segment)
            if got is None:
                break
            params.update(got)
        else:
            # per segment, left to right: a literal beats a template; a longer prefix+suffix beats {x}
            specificity = tuple((0 if "{" in p else 1, len(p) if "{" in p else 0) for p in parts)
            found.append((specificity, template, params))
    if not found:
        return None
    found.sort(key=lambda f: f[0], reverse=True)
    return found[0][1], found[0][2]


SEGMENT = st.sampled_from(["users", "me", "orders", "files", "raw.json", "a", "b", "c", "x.json", "42", "v2", "status", "v"])


@settings(max_examples=500, deadline=None)
@given(st.lists(SEGMENT, max_size=4))
def test_router_agrees_with_brute_force(segments: list[str]) -> None:
    router: Router[str] = Router()
    for template in TEMPLATES:
        router.add(template, template)
    got = router.match(segments)
    expected = brute_force(segments)
    if expected is None:
        assert got is None
    else:
        assert got is not None and (got[2], got[1]) == expected


def test_split_path_decodes_segments_once() -> None:
    assert split_path("/a%2Fb/c%2520/") == ["a/b", "c%20"]
    assert split_path("/") == [] and split_path("") == []
