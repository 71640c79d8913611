"""mTLS: a real TLS handshake through uvicorn with `uvicorn_tls_options`; the client certificate
reaches the app in the ASGI TLS extension and becomes an Identity."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apiward.gateway.threaded import bound_port, start_in_thread
from apiward.identity.mtls import MtlsIdentifier, uvicorn_tls_options
from apiward.settings import CertSubject, MtlsSettings


def _name(cn: str, ou: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if ou:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    return x509.Name(attrs)


def _cert(subject: x509.Name, key: Any, issuer: x509.Name, issuer_key: Any, *, ca: bool = False,
          san: list[x509.GeneralName] | None = None) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path: Path, cert: x509.Certificate, key: Any) -> tuple[str, str]:
    cert_file, key_file = path.with_suffix(".crt"), path.with_suffix(".key")
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_file), str(key_file)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert(_name("test-ca"), ca_key, _name("test-ca"), ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _cert(_name("127.0.0.1"), server_key, ca.subject, ca_key,
                   san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _cert(_name("device-42", ou="acme"), client_key, ca.subject, ca_key,
                   san=[x509.RFC822Name("device42@acme.example")])
    rogue_ca_key = ec.generate_private_key(ec.SECP256R1())
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    rogue = _cert(_name("admin"), rogue_key, _name("rogue-ca"), rogue_ca_key)
    ca_file, _ = _write(d / "ca", ca, ca_key)
    return {
        "ca": ca_file,
        "server": _write(d / "server", server, server_key),
        "client": _write(d / "client", client, client_key),
        "rogue": _write(d / "rogue", rogue, rogue_key),
        "client_pem": client.public_bytes(serialization.Encoding.PEM).decode(),
    }


def test_identity_from_certificate(pki: dict[str, Any]) -> None:
    pem = pki["client_pem"]
    ident = MtlsIdentifier(MtlsSettings(enabled=True, tenant_from_ou=True)).from_pem(pem)
    assert ident is not None and ident.subject == "device-42" and ident.method == "mtls" and ident.tenant == "acme"
    email = MtlsIdentifier(MtlsSettings(enabled=True, subject=CertSubject.SAN_EMAIL)).from_pem(pem)
    assert email is not None and email.subject == "device42@acme.example"
    assert MtlsIdentifier(MtlsSettings(enabled=True, subject=CertSubject.SAN_DNS)).from_pem(pem) is None
    assert MtlsIdentifier(MtlsSettings(enabled=True)).from_pem("not a cert") is None
    assert MtlsIdentifier(MtlsSettings(enabled=False)).from_scope({"extensions": {"tls": {}}}) is None


def test_real_tls_handshake_carries_client_certificate(pki: dict[str, Any]) -> None:
    identifier = MtlsIdentifier(MtlsSettings(enabled=True))

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        ident = identifier.from_scope(scope)
        body = json.dumps({"subject": ident.subject if ident else None}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    cert, key = pki["server"]
    options = uvicorn_tls_options(cert, key, pki["ca"], required=False)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", **options)
    server, thread = start_in_thread(config, timeout=10)
    try:
        port = bound_port(server)
        url = f"https://127.0.0.1:{port}/"
        import ssl

        def context(cert_pair: tuple[str, str] | None) -> ssl.SSLContext:
            ctx = ssl.create_default_context(cafile=pki["ca"])
            if cert_pair:
                ctx.load_cert_chain(*cert_pair)
            return ctx

        with httpx.Client(verify=context(pki["client"])) as c:
            assert c.get(url).json() == {"subject": "device-42"}
        with httpx.Client(verify=context(None)) as c:
            assert c.get(url).json() == {"subject": None}  # optional: no cert, no identity
        with httpx.Client(verify=context(pki["rogue"])) as c, pytest.raises(httpx.HTTPError):
            c.get(url)  # a certificate from another CA fails the handshake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
