"""TLS termination and mTLS identity: real handshakes against the gateway under uvicorn, with a CA,
server and client certificates generated here."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from gateway_harness import Running, running, settings_for, upstream_app

from apiward.errors import ConfigError
from apiward.gateway.app import create_app
from apiward.gateway.server import TLS_PROTOCOL, tls_options
from apiward.settings import Settings


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "team-" + cn)])


def _cert(subject: str, issuer_key: ec.EllipticCurvePrivateKey | None, issuer: x509.Name | None,
          *, ca: bool = False, server: bool = False) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer or _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False), critical=True,
        )
    return builder.sign(issuer_key or key, hashes.SHA256()), key


def _write(path: Path, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> tuple[Path, Path]:
    crt, pem = path.with_suffix(".crt"), path.with_suffix(".key")
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("pki")
    ca, ca_key = _cert("test-ca", None, None, ca=True)
    rogue_ca, rogue_key = _cert("rogue-ca", None, None, ca=True)
    out: dict[str, Path] = {}
    out["ca"], _ = _write(d / "ca", ca, ca_key)
    out["server"], out["server_key"] = _write(d / "server", *_cert("127.0.0.1", ca_key, ca.subject, server=True))
    out["client"], out["client_key"] = _write(d / "client", *_cert("svc-a", ca_key, ca.subject))
    out["rogue"], out["rogue_key"] = _write(d / "rogue", *_cert("svc-a", rogue_key, rogue_ca.subject))
    return out


def tls_settings(tmp_path: Path, upstream: str, pki: dict[str, Path], required: bool) -> Settings:
    return settings_for(
        tmp_path, upstream,
        gateway={"tls_cert": str(pki["server"]), "tls_key": str(pki["server_key"]),
                 "client_ca": str(pki["ca"]), "client_cert_required": required},
        detection={"enabled": False},
        identity={"enabled": True, "require_auth": True, "mtls": {"enabled": True, "tenant_from_ou": True}},
    )


def client_context(pki: dict[str, Path], cert: str | None) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(pki["ca"]))
    if cert is not None:
        ctx.load_cert_chain(str(pki[cert]), str(pki[cert + "_key"]))
    return ctx


@pytest.fixture
def optional_gateway(upstream: Running, tmp_path: Path, pki: dict[str, Path]) -> Iterator[Running]:
    settings = tls_settings(tmp_path, upstream.url, pki, required=False)
    options = tls_options(settings)
    assert options["http"] == TLS_PROTOCOL
    with running(create_app(settings), **options) as server:
        yield server


def url(server: Running) -> str:
    return f"https://127.0.0.1:{server.port}"


def test_client_certificate_becomes_the_identity(optional_gateway: Running, pki: dict[str, Path]) -> None:
    with httpx.Client(verify=client_context(pki, "client"), timeout=5) as c:
        r = c.get(f"{url(optional_gateway)}/items", headers={"x-apiward-subject": "admin"})
    assert r.status_code == 200, r.text
    headers = orjson.loads(r.content)["headers"]
    assert ["x-apiward-subject", "svc-a"] in headers and ["x-apiward-auth-method", "mtls"] in headers
    assert ["x-apiward-tenant", "team-svc-a"] in headers
    assert ["x-apiward-subject", "admin"] not in headers
    assert ["x-forwarded-proto", "https"] in headers


def test_no_certificate_is_anonymous(optional_gateway: Running, pki: dict[str, Path]) -> None:
    with httpx.Client(verify=client_context(pki, None), timeout=5) as c:
        r = c.get(f"{url(optional_gateway)}/items")
    assert r.status_code == 401 and "www-authenticate" in r.headers


def test_certificate_from_another_ca_fails_the_handshake(optional_gateway: Running, pki: dict[str, Path]) -> None:
    with httpx.Client(verify=client_context(pki, "rogue"), timeout=5) as c, pytest.raises(httpx.TransportError):
        c.get(f"{url(optional_gateway)}/items")


def test_required_client_certificate(upstream: Running, tmp_path: Path, pki: dict[str, Path]) -> None:
    settings = tls_settings(tmp_path, upstream.url, pki, required=True)
    with running(create_app(settings), **tls_options(settings)) as server:
        with httpx.Client(verify=client_context(pki, None), timeout=5) as c, pytest.raises(httpx.TransportError):
            c.get(f"{url(server)}/items")
        with httpx.Client(verify=client_context(pki, "client"), timeout=5) as c:
            assert c.get(f"{url(server)}/items").status_code == 200


def test_tls_settings_errors(tmp_path: Path, pki: dict[str, Path]) -> None:
    from apiward.settings import build_settings

    with pytest.raises(ConfigError, match="tls_cert and tls_key"):
        build_settings({"gateway": {"tls_cert": str(pki["server"])}})
    with pytest.raises(ConfigError, match="client_ca needs"):
        build_settings({"gateway": {"client_ca": str(pki["ca"])}})
    missing = build_settings({"gateway": {"tls_cert": str(tmp_path / "nope.crt"), "tls_key": str(pki["server_key"])}})
    with pytest.raises(ConfigError, match="gateway.tls_cert"):
        tls_options(missing)
    assert tls_options(build_settings({}))["http"].endswith("GuardedHttpToolsProtocol")


def test_header_deadline_holds_over_tls(upstream: Running, tmp_path: Path, pki: dict[str, Path]) -> None:
    """One protocol class does both: the TLS extension and the slow-header 408."""
    import socket

    settings = tls_settings(tmp_path, upstream.url, pki, required=False)
    settings = settings.model_copy(update={"gateway": settings.gateway.model_copy(update={"header_timeout": 0.3})})
    with running(create_app(settings), **tls_options(settings)) as server:
        ctx = client_context(pki, "client")
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw, \
                ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"GET /items HTTP/1.1\r\nHost: x\r\n")  # the head never completes
            answer = b""
            while chunk := tls.recv(4096):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 408")


def test_serve_flags_set_tls(pki: dict[str, Path]) -> None:
    from apiward.cli.serve import settings_from_flags

    s = settings_from_flags(None, "http://127.0.0.1:1", tls_cert=pki["server"], tls_key=pki["server_key"],
                            client_ca=pki["ca"], client_cert_required=True)
    assert s.gateway.tls_cert == pki["server"] and s.gateway.client_cert_required
    assert tls_options(s)["ssl_cert_reqs"] == ssl.CERT_REQUIRED


# -- TLS to the upstream ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls_upstream(pki: dict[str, Path]) -> Iterator[Running]:
    """The test API behind HTTPS, with a certificate from the test CA (not in the system store)."""
    with running(upstream_app, lifespan="off", ssl_certfile=str(pki["server"]),
                 ssl_keyfile=str(pki["server_key"])) as server:
        yield server


def _via_gateway(tmp_path: Path, upstream: Running, **gateway: object) -> httpx.Response:
    settings = settings_for(tmp_path, f"https://127.0.0.1:{upstream.port}", gateway=dict(gateway),
                            detection={"enabled": False})
    with running(create_app(settings)) as server, httpx.Client(timeout=10) as c:
        return c.get(f"{server.url}/items")


def test_upstream_certificate_verified_against_upstream_ca(tls_upstream: Running, tmp_path: Path,
                                                           pki: dict[str, Path]) -> None:
    assert _via_gateway(tmp_path, tls_upstream, upstream_ca=str(pki["ca"])).status_code == 200


def test_untrusted_upstream_certificate_is_a_502(tls_upstream: Running, tmp_path: Path) -> None:
    """The default trust store does not know the test CA: the request is not sent unverified."""
    r = _via_gateway(tmp_path, tls_upstream)
    assert r.status_code == 502 and r.headers["content-type"] == "application/problem+json"


def test_upstream_certificate_of_another_ca_is_a_502(tls_upstream: Running, tmp_path: Path,
                                                     pki: dict[str, Path]) -> None:
    assert _via_gateway(tmp_path, tls_upstream, upstream_ca=str(pki["rogue"])).status_code == 502


def test_upstream_verification_off_is_explicit_and_warned(tls_upstream: Running, tmp_path: Path,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="apiward.gateway.runtime"):
        assert _via_gateway(tmp_path, tls_upstream, upstream_verify=False).status_code == 200
    assert "verification is OFF" in caplog.text


def test_client_certificate_presented_to_an_mtls_upstream(tmp_path: Path, pki: dict[str, Path]) -> None:
    with running(upstream_app, lifespan="off", ssl_certfile=str(pki["server"]), ssl_keyfile=str(pki["server_key"]),
                 ssl_ca_certs=str(pki["ca"]), ssl_cert_reqs=ssl.CERT_REQUIRED) as mtls_upstream:
        assert _via_gateway(tmp_path, mtls_upstream, upstream_ca=str(pki["ca"])).status_code == 502
        r = _via_gateway(tmp_path, mtls_upstream, upstream_ca=str(pki["ca"]),
                         upstream_client_cert=str(pki["client"]), upstream_client_key=str(pki["client_key"]))
        assert r.status_code == 200, r.text


def test_upstream_tls_settings_errors(tmp_path: Path, pki: dict[str, Path]) -> None:
    from apiward.gateway.upstream import tls_context
    from apiward.settings import build_settings

    https = "https://api.internal:8443"
    with pytest.raises(ConfigError, match="upstream_client_cert and upstream_client_key"):
        build_settings({"gateway": {"upstream": https, "upstream_client_cert": str(pki["client"])}})
    with pytest.raises(ConfigError, match="need an https:// upstream"):
        build_settings({"gateway": {"upstream": "http://127.0.0.1:9000", "upstream_ca": str(pki["ca"])}})
    with pytest.raises(ConfigError, match="upstream_ca is unused"):
        build_settings({"gateway": {"upstream": https, "upstream_ca": str(pki["ca"]), "upstream_verify": False}})
    missing = build_settings({"gateway": {"upstream": https, "upstream_ca": str(tmp_path / "nope.pem")}})
    with pytest.raises(ConfigError, match="gateway.upstream_ca"):
        tls_context(missing.gateway)
    not_pem = tmp_path / "garbage.pem"
    not_pem.write_text("not a certificate")
    with pytest.raises(ConfigError, match="gateway.upstream_ca"):
        tls_context(build_settings({"gateway": {"upstream": https, "upstream_ca": str(not_pem)}}).gateway)
    wrong_key = build_settings({"gateway": {"upstream": https, "upstream_client_cert": str(pki["client"]),
                                            "upstream_client_key": str(pki["server_key"])}})
    with pytest.raises(ConfigError, match="gateway.upstream_client_cert"):
        tls_context(wrong_key.gateway)
    assert tls_context(build_settings({"gateway": {"upstream": "http://127.0.0.1:9000"}}).gateway) is None
