"""mTLS client-certificate identity, when TLS terminates at apiward.

How the gateway wires it (GATEWAY helper):

1. ``apiward serve --tls-cert CERT --tls-key KEY --client-ca CA [--client-cert-required]`` passes
   ``uvicorn_tls_options(cert, key, client_ca, required)`` into ``uvicorn.Config(...)``. That
   sets ``ssl_certfile/ssl_keyfile/ssl_ca_certs/ssl_cert_reqs`` (uvicorn verifies the chain against
   CA during the handshake) and ``http=TlsHttpToolsProtocol``, which puts the verified peer
   certificate into the ASGI TLS extension: ``scope["extensions"]["tls"]["client_cert_chain"]``
   (PEM strings), as specified by the ASGI TLS extension; uvicorn does not fill it by itself.
2. Per request, before ``pipeline.inspect``: ``ctx.identity = identifier.from_scope(scope)``
   (an `MtlsIdentifier` built once from ``settings.identity.mtls``). The ``authn`` stage accepts a
   pre-set identity only when its method is ``mtls`` and ``identity.mtls.enabled`` is true.
"""

from __future__ import annotations

import hashlib
import ssl
import time
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, cast

from cryptography import x509
from cryptography.x509.oid import NameOID
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from apiward.core import Identity
from apiward.settings import CertSubject, MtlsSettings

_CACHE_SIZE = 1024
_CACHE_TTL = 3600.0


def uvicorn_tls_options(
    cert: str, key: str, client_ca: str | None = None, required: bool = False
) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config`` that terminate TLS and ask for client certs."""
    options: dict[str, Any] = {"ssl_certfile": cert, "ssl_keyfile": key}
    if client_ca:
        options["ssl_ca_certs"] = client_ca
        options["ssl_cert_reqs"] = ssl.CERT_REQUIRED if required else ssl.CERT_OPTIONAL
        options["http"] = TlsHttpToolsProtocol
    return options


class TlsHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol plus the ASGI TLS extension (client certificate chain)."""

    _apiward_tls: dict[str, Any] | None = None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._apiward_tls is None:
            info: dict[str, Any] = {"client_cert_chain": [], "client_cert_error": None}
            ssl_object = self.transport.get_extra_info("ssl_object")
            if ssl_object is not None:
                der = ssl_object.getpeercert(binary_form=True)
                if der:
                    info["client_cert_chain"] = [ssl.DER_cert_to_PEM_cert(der)]
                info["tls_version"] = ssl_object.version()
            self._apiward_tls = info
        scope = cast(dict[str, Any], self.scope)
        scope.setdefault("extensions", {})["tls"] = self._apiward_tls


class MtlsIdentifier:
    """Maps a verified client certificate to an Identity (cached per certificate)."""

    def __init__(self, settings: MtlsSettings) -> None:
        self._s = settings
        self._cache: OrderedDict[str, tuple[float, Identity | None]] = OrderedDict()  # LRU + TTL

    def from_scope(self, scope: Mapping[str, Any]) -> Identity | None:
        if not self._s.enabled:
            return None
        tls = (scope.get("extensions") or {}).get("tls") or {}
        chain = tls.get("client_cert_chain") or []
        if not chain:
            return None
        return self.from_pem(chain[0])

    def from_pem(self, pem: str) -> Identity | None:
        digest = hashlib.sha256(pem.encode()).hexdigest()
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and now - cached[0] < _CACHE_TTL:
            self._cache.move_to_end(digest)
            return cached[1]
        try:
            cert = x509.load_pem_x509_certificate(pem.encode())
        except ValueError:
            identity = None
        else:
            identity = self._identity(cert, digest)
        self._cache[digest] = (now, identity)
        self._cache.move_to_end(digest)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return identity

    def _identity(self, cert: x509.Certificate, digest: str) -> Identity | None:
        subject = self._subject(cert)
        if not subject:
            return None
        tenant = None
        if self._s.tenant_from_ou:
            ous = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
            tenant = str(ous[0].value) if ous else None
        return Identity(subject=subject, method="mtls", tenant=tenant, key_id=digest[:16])

    def _subject(self, cert: x509.Certificate) -> str | None:
        if self._s.subject is CertSubject.CN:
            names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            return str(names[0].value) if names else None
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            return None
        kind: Any = {
            CertSubject.SAN_DNS: x509.DNSName,
            CertSubject.SAN_EMAIL: x509.RFC822Name,
            CertSubject.SAN_URI: x509.UniformResourceIdentifier,
        }[self._s.subject]
        values = san.get_values_for_type(kind)
        return str(values[0]) if values else None
