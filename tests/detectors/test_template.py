"""Table-driven tests of the template analysers: data/template.yaml."""

from __future__ import annotations

from detector_tables import table_tests

test_catches_attacks, test_passes_lookalikes = table_tests("template")


def test_base64_gadget_spellings_survive_any_neighbours() -> None:
    """`template._encodings` keeps only the base64 characters that depend on the word alone: a
    gadget name between arbitrary bytes, at any alignment, is still found."""
    import base64

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from apiward.detectors.template import encoded_gadget

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=5), st.sampled_from(["InvokerTransformer", "TemplatesImpl", "ProcessBuilder",
                                                   "runtime", "_$$ND_FUNC$$_"]), st.binary(max_size=5))
    def found(before: bytes, word: str, after: bytes) -> None:
        assert encoded_gadget(base64.b64encode(before + word.encode() + after).decode()) is not None

    found()
