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
                                                   "java/lang/Runtime", " runtime", "_$$ND_FUNC$$_"]), st.binary(max_size=5))
    def found(before: bytes, word: str, after: bytes) -> None:
        assert encoded_gadget(base64.b64encode(before + word.encode() + after).decode()) is not None

    found()


def test_base64_runtime_inside_a_longer_word_is_text() -> None:
    """"runtime" ends other words ("appruntime"): in base64 text that decodes so, it is no gadget."""
    import base64

    from apiward.detectors.template import encoded_gadget

    for text in [b"loadTimescsiappruntime", b'{"appRuntime":"node"}', b"serverruntime=1"]:
        assert encoded_gadget(base64.b64encode(text).decode()) is None, text
    for text in [b"runtime", b"x java.lang.Runtime y", b"appruntime; Runtime.exec"]:
        assert encoded_gadget(base64.b64encode(text).decode()) is not None, text


def test_message_placeholders_are_not_evidence() -> None:
    """A message's placeholder (a dotted name or a quoted key through word filters) gives the
    model no SSTI evidence to raise; one that names an engine global or a dunder still does."""
    from apiward.core import Category
    from apiward.detectors.analysers import scan_value

    def ssti(value: str) -> float:
        return max((h.score for h in scan_value(value) if h.category is Category.SSTI), default=0.0)

    placeholders = ["Bonjour {{ user.firstName }} !", "{{ 'welcome.title' | translate }}",
                    "{{ page.title | escape }} - {{ site.name }}", "<p>{{ post.body | markdown }}</p>"]
    for value in placeholders:
        assert ssti(value) == 0.0, value
    # (a quoted message key is a key whatever it names; a field that only mentions a secret is no secret)
    for value in ["{{ user.passwordHint }}", "{{ 'login.password.label' | translate }}", "{{ form.token_expiry }}"]:
        assert ssti(value) == 0.0, value
    for value in ["{{ config.SECRET_KEY }}", "{{ request.environ }}", "{{ user.__class__ }}", "{{ self | attr('x') }}",
                  # a secret read through the context, as a message never shows it
                  "{{ user.password }}", "{{ handler.settings.cookie_secret }}", "{{ messages.storages.0.signer.key }}",
                  "{{ current_user.api_key | safe }}"]:
        assert ssti(value) >= 0.2, value


def test_an_erb_field_is_an_instance_variable_read() -> None:
    """`erb_field`: a whole value that only outputs an instance variable's attribute; a bare name
    (a Kernel method such as ``sleep`` or ``exit`` runs), an engine name or a secret is no field."""
    from apiward.detectors.template import erb_field

    assert erb_field("<%= @user.name %>")
    assert erb_field("<%- @order.id -%>")
    assert not erb_field("<%= name %>")
    assert not erb_field("<%= sleep %>")
    assert not erb_field("<%= @user.password %>")
    assert not erb_field("<%= @config.secret_key %>")
    assert not erb_field("<%= @user.name %> <%= 7*7 %>")
