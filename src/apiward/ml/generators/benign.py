"""Tricky benign values: what real users and SDKs send that looks a little like an attack.

Prose with SQL and shell words and apostrophes, Irish and Dutch names, emails with ``+``,
code-like product names, URLs with query strings, JSON in cookies, random tokens, base64,
JWTs, UUIDs, file names, markdown, search queries with quotes, search filter expressions, math, versions, dates.
"""

from __future__ import annotations

import base64
import json
import random
import string
import uuid

from apiward.ml.generators.base import Family, Sample, chance, pick, rand_host, rand_ident, rand_word, weighted

_WORDS = ("select", "union", "from", "where", "order", "drop", "table", "insert", "update", "delete", "and", "or", "not", "like", "null", "join", "group", "by", "having", "script", "alert", "exec", "system", "cat", "ls", "echo", "ping", "sleep", "wait", "delay", "sh", "bash", "shell", "root", "admin", "passwd", "etc", "file", "include", "import", "eval", "function", "window", "document", "cookie", "user", "login", "password", "image", "onload", "error", "http", "curl", "wget", "run", "kill", "more", "less", "head", "tail", "sort", "find", "grep", "the", "a", "to", "of", "in", "is", "it", "for", "with", "on", "my", "your", "we", "you", "this", "that", "please", "order", "my", "new", "best", "cheap", "red", "blue", "shoes", "dress", "size", "color", "free", "shipping", "today", "tomorrow", "help", "account", "price", "union", "jack", "case", "when", "then", "else", "end", "set", "values", "into", "top", "limit", "like", "char", "version", "user", "database", "table", "dir", "type", "net", "start", "copy", "move")
_FIRST = ("Sean", "Mary", "Liam", "Aoife", "Jean-Luc", "Zoë", "José", "Anne-Marie", "D'Andre", "Ren", "Kai", "Sasha", "Nina", "Owen", "Chloé", "Björn", "Ngozi", "Priya", "Hiro", "Fatima")
_LAST = ("O'Brien", "O'Neill", "D'Angelo", "van der Berg", "McDonald", "Smith-Jones", "L'Estrange", "d'Artagnan", "O'Connor", "Nakamura", "García", "Müller", "N'Diaye", "de la Cruz", "Dell'Acqua", "Ó Súilleabháin", "Al-Sayed", "St. John", "Ng", "Null")


def _prose(rng: random.Random) -> str:
    n = rng.randint(3, 18)
    words = [pick(rng, _WORDS) for _ in range(n)]
    text = " ".join(words)
    if chance(rng, 0.5):
        text = text.capitalize()
    if chance(rng, 0.4):
        text += pick(rng, (".", "!", "?", "...", " :)", " - thanks", "; thanks", " (urgent)", "!!"))
    if chance(rng, 0.3):
        text = text.replace(" ", pick(rng, (" it's ", " don't ", " I'm ", " we're ", " 'quoted' ", " \"really\" ")), 1)
    return text


def _sentence(rng: random.Random) -> str:
    return pick(rng, (
        "Please select one option from the list and drop it in the basket",
        "I can't log in; my password doesn't work -- can you help?",
        "Where's my order? It's been 5 days & no update",
        "Select all that apply (1-3)",
        "Union Jack t-shirt, size M",
        "Delete my account, please",
        "He said \"drop table tennis\" was the best sport",
        "Order by price: low to high",
        "Fish & chips; salt & vinegar",
        "Rock 'n' roll hall of fame",
        "5' 11\" tall, 180 lbs",
        "It's 50% off -- today only!",
        "What's the difference between 'and' and 'or'?",
        "Sleep mode doesn't work after update 1.2.3",
        "My cat's name is Echo",
        "Wait... what? <3",
        "Ping me when you're free (after 5pm)",
        "Try 1=1 as a joke lol",
        "Use the shell script in /usr/local/bin to start",
        "Cost: $25.00 + tax; total < $30",
        "See section 2.1 (\"Definitions\") and §4",
        "a > b && c < d",
        "if (x == 1) { return true; }",
        "SELECT your plan: Basic | Pro | Enterprise",
        "Ctrl+Alt+Del didn't help",
        "C:\\Users\\Public\\Documents\\report.docx",
        "Meet at O'Hare, gate B12, 3:45pm",
        "Email me at john.doe+shop@example.com",
        "1/2 cup sugar; 3/4 tsp salt",
        "rated 4.5/5 by 1,204 users",
        "Dear Sir/Madam, I'd like a refund.",
        "Java vs JavaScript: what's the difference?",
        "How do I exec a command in bash?",
        "Why does my script tag not load?",
        "The system is down, please call",
        "#1 best seller in Books > Fiction",
    ))


def _name(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        return f"{pick(rng, _FIRST)} {pick(rng, _LAST)}"
    if roll < 0.7:
        return pick(rng, _LAST)
    if roll < 0.85:
        return f"{pick(rng, _LAST)}, {pick(rng, _FIRST)}"
    return f"{pick(rng, _FIRST)} \"{rand_word(rng).title()}\" {pick(rng, _LAST)}"


def _email(rng: random.Random) -> str:
    local = pick(rng, (rand_ident(rng), f"{rand_word(rng)}.{rand_word(rng)}", f"{rand_word(rng)}+{pick(rng, ('shop', 'news', 'test', rand_word(rng)))}", f"o'{rand_word(rng)}", f"{rand_word(rng)}_{rng.randint(1, 99)}"))
    return f"{local}@{rand_host(rng)}"


def _product(rng: random.Random) -> str:
    return pick(rng, (
        f"C++ Primer ({rng.randint(3, 6)}th ed.)", "C# in Depth", "Node.js Design Patterns", "F# for fun", "<Title> Tag Guide",
        f"{rand_word(rng).title()}-{rng.randint(100, 9999)}X", "AT&T 5G SIM", "Levi's 501® Jeans", "Ben & Jerry's", "M&M's 200g",
        "USB-C to USB-A (2-pack)", "3/8\" drill bit", "1/4-20 UNC bolt", "Script Kiddie T-Shirt", "SELECT Comfort Mattress",
        "Union Square Hoodie", "Drop Table Lamp", "rm -rf hoodie", "Bash & Pop - Anything Could Happen", "cat /dev/love mug",
        f"ls {rand_word(rng)}", "Echo Dot (5th Gen)", "Sleep Number 360", "Admin Tools Pro", "null pointer plushie",
        "Etc. Candle Co.", "1' Extension Cable", "\"Classic\" Leather Belt", "Script & Seal Notebook", "alert(1) sticker",
        f"{rand_word(rng).upper()}_{rng.randint(1, 99)}", f"{rand_word(rng)}.{pick(rng, ('js', 'py', 'sh', 'exe', 'php'))}",
    ))


def _url(rng: random.Random) -> str:
    host = rand_host(rng)
    path = "/".join(rand_ident(rng) for _ in range(rng.randint(0, 4)))
    query = "&".join(f"{rand_ident(rng)}={pick(rng, (rand_ident(rng), str(rng.randint(0, 9999)), 'true', '', rand_host(rng), '%2F' + rand_word(rng)))}" for _ in range(rng.randint(0, 4)))
    url = f"{pick(rng, ('https://', 'http://', '//', 'https://www.'))}{host}/{path}"
    if query:
        url += "?" + query
    if chance(rng, 0.2):
        url += "#" + rand_ident(rng)
    if chance(rng, 0.2):
        url = pick(rng, ("/", "/redirect?to=", "/login?next=")) + url if chance(rng, 0.5) else url
    return url


def _json(rng: random.Random) -> str:
    obj: dict[str, object] = {}
    for _ in range(rng.randint(1, 6)):
        key = rand_ident(rng)
        roll = rng.random()
        if roll < 0.3:
            obj[key] = rng.randint(-5, 100000)
        elif roll < 0.6:
            obj[key] = rand_ident(rng)
        elif roll < 0.7:
            obj[key] = chance(rng, 0.5)
        elif roll < 0.8:
            obj[key] = None
        elif roll < 0.9:
            obj[key] = [rng.randint(0, 9) for _ in range(rng.randint(0, 4))]
        else:
            obj[key] = {rand_ident(rng): rand_ident(rng)}
    text = json.dumps(obj, separators=(",", ":") if chance(rng, 0.6) else (", ", ": "))
    if chance(rng, 0.3):
        from urllib.parse import quote

        text = quote(text)
    return text


def _token(rng: random.Random) -> str:
    roll = rng.random()
    n = rng.randint(16, 200)
    if roll < 0.25:
        return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))
    if roll < 0.45:
        raw = bytes(rng.getrandbits(8) for _ in range(rng.randint(8, 120)))
        enc = base64.b64encode(raw).decode() if chance(rng, 0.5) else base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return enc
    if roll < 0.6:
        return "".join(rng.choice("0123456789abcdef") for _ in range(pick(rng, (32, 40, 64, 16, 24))))
    if roll < 0.75:
        header = base64.urlsafe_b64encode(json.dumps({"alg": pick(rng, ("HS256", "RS256", "ES256")), "typ": "JWT"}).encode()).decode().rstrip("=")
        body = base64.urlsafe_b64encode(json.dumps({"sub": rand_ident(rng), "iat": rng.randint(10**9, 2 * 10**9), "scope": "read write"}).encode()).decode().rstrip("=")
        sig = base64.urlsafe_b64encode(bytes(rng.getrandbits(8) for _ in range(32))).decode().rstrip("=")
        return f"{pick(rng, ('', 'Bearer '))}{header}.{body}.{sig}"
    if roll < 0.85:
        return str(uuid.UUID(int=rng.getrandbits(128)))
    if roll < 0.92:
        return f"GA1.{rng.randint(1, 3)}.{rng.randint(10**8, 10**10)}.{rng.randint(10**9, 2 * 10**9)}"
    return base64.b64encode(f"{rand_ident(rng)}:{rand_ident(rng)}".encode()).decode()


def _file_name(rng: random.Random) -> str:
    name = pick(rng, (rand_ident(rng), "IMG_" + str(rng.randint(1000, 9999)), "Report (final) v2", "résumé", "my file", "scan 2024-01-05", "O'Brien CV", "data_export"))
    ext = pick(rng, ("pdf", "jpg", "png", "docx", "xlsx", "csv", "txt", "zip", "tar.gz", "mp4", "json", "xml", "heic", "php.txt", "sh"))
    path = pick(rng, ("", "", "", "docs/", "uploads/2024/05/", "C:\\fakepath\\", "/home/user/Downloads/", "./"))
    return f"{path}{name}.{ext}"


def _markdown(rng: random.Random) -> str:
    return pick(rng, (
        f"# {rand_word(rng).title()}\n\n- item one\n- item *two*\n\n`code` and **bold**",
        f"[link]({_url(rng)}) and ![img](/img/{rand_ident(rng)}.png)",
        "```python\nfor i in range(10):\n    print(i)\n```",
        "```sql\nSELECT name FROM users WHERE id = 1;\n```",
        f"> quote from {pick(rng, _FIRST)}\n\nreply here",
        "1. first\n2. second\n3. third",
        "Use `ls -la` to list files and `cat file.txt` to view",
        "<b>bold</b> and <i>italic</i> and <br/> line",
        "<p>Hello <strong>world</strong></p>",
        "Table: | a | b |\n|---|---|\n| 1 | 2 |",
        "~~strike~~ _under_ ^sup^",
        "Hello,\r\nthanks for the quick reply.\r\n\r\nBest,\r\nAnna",
    ))


def _word(rng: random.Random) -> str:
    return pick(rng, _WORDS)


def _search(rng: random.Random) -> str:
    return pick(rng, (
        f"\"{rand_word(rng)} {rand_word(rng)}\"", f"{rand_word(rng)} -{rand_word(rng)}", f"{rand_word(rng)} OR {rand_word(rng)}",
        f"site:{rand_host(rng)} {rand_word(rng)}", f"{rand_word(rng)}* ", f"\"it's {rand_word(rng)}\"", f"title:\"{rand_word(rng)}\" AND year:2020",
        "price:[10 TO 50]", "tag:(red OR blue)", f"{rand_word(rng)} & {rand_word(rng)}", "how to select and drop in excel",
        "union station parking", "1=1 meaning", "what does ../ mean", "<3", "c++ vs c#", "100% cotton", "what is ${HOME}",
        f"{rand_word(rng)}'s {rand_word(rng)}", "sleep(5) python", "order by date desc", "null and void",
        # words quoted to be found together, SQL's among them, with a search's own operators
        f"\"{_word(rng)} * {_word(rng)}\" {rand_word(rng)}", f"\"{_word(rng)} {_word(rng)}\" vs \"{_word(rng)}\"",
        f"title:\"{_word(rng)} {_word(rng)}\" OR selftext:\"{_word(rng)} {_word(rng)}\"",
        f"[{rand_word(rng)}] \"{_word(rng)} {_word(rng)}\" is:answer",
    ))


def _misc(rng: random.Random) -> str:
    return pick(rng, (
        f"{rng.randint(0, 99999)}", f"{rng.random() * 1000:.2f}", f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.randint(1990, 2030)}",
        f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00Z",
        f"v{rng.randint(0, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)}", f"+1 ({rng.randint(200, 999)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
        f"{rng.randint(1, 9999)} {rand_word(rng).title()} St., Apt #{rng.randint(1, 99)}", f"{rng.randint(1, 9)}x{rng.randint(1, 9)}",
        f"{rng.randint(1, 99)}*{rng.randint(1, 99)}={rng.randint(1, 9999)}", f"a={rng.randint(0, 9)}&b={rng.randint(0, 9)}", f"{rand_word(rng)};{rand_word(rng)};{rand_word(rng)}",
        f"{rand_word(rng)}|{rand_word(rng)}", f"{rand_word(rng)}, {rand_word(rng)} & {rand_word(rng)}", "en-US,en;q=0.9", "text/html,application/xhtml+xml",
        f"#{rng.getrandbits(24):06x}", f"rgb({rng.randint(0, 255)},{rng.randint(0, 255)},{rng.randint(0, 255)})", f"{rng.randint(1, 100)}%",
        f"{rand_ident(rng)}[{rng.randint(0, 9)}]", "[]", "{}", "null", "undefined", "true", "-1", "0x1F", "N/A", "--", "~", "*", "?",
        f"/api/v1/{rand_ident(rng)}/{rng.randint(1, 99999)}", f"/{rand_ident(rng)}/{rand_ident(rng)}.html", f"{rand_ident(rng)}:{rand_ident(rng)}",
        f"{rng.randint(1, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}", "127.0.0.1", "192.168.1.1", "localhost:3000",
        f"{{{{{rand_ident(rng)}}}}}", f"${{{rand_ident(rng).upper()}}}", f"{rand_ident(rng)}@{rand_ident(rng)}", "x-www-form-urlencoded",
    ))


def _header(rng: random.Random) -> str:
    """Header values of API clients, SDKs and tools (not only browsers)."""
    boundary = pick(rng, ("-" * rng.randint(2, 30), "----WebKitFormBoundary", "----geckoformboundary", "", "=_Part_")) + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(8, 30)))
    ver = f"{rng.randint(0, 9)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}"
    return pick(rng, (
        "*/*", "*/*", "application/json", "application/json, text/plain, */*", "text/plain", "application/xml", "text/*", "image/*", "application/*",
        "application/json; charset=utf-8", "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=UTF-8",
        f"multipart/form-data; boundary={boundary}", f"multipart/mixed; boundary=\"{boundary}\"", f"--{boundary}", f"--{boundary}--",
        f"curl/{ver}", f"python-requests/{ver}", f"okhttp/{ver}", f"axios/{ver}", f"Go-http-client/1.1", f"PostmanRuntime/{ver}",
        f"Java/11.0.{rng.randint(1, 20)}", f"Apache-HttpClient/4.5.{rng.randint(1, 14)} (Java/17.0.{rng.randint(1, 9)})", f"node-fetch/{ver}",
        f"aws-sdk-js/{ver} ua/2.0 os/linux lang/js md/nodejs#{ver} api/s3#{ver}", f"Dart/3.{rng.randint(0, 5)} (dart:io)",
        f"{rand_word(rng).title()}App/{ver} (iPhone; iOS 17.{rng.randint(0, 5)}; Scale/3.00)", f"Wget/1.21.{rng.randint(0, 4)}",
        f"Bearer {''.join(rng.choice(string.ascii_letters + string.digits + '-._~+/') for _ in range(rng.randint(20, 80)))}",
        f"Basic {base64.b64encode(f'{rand_ident(rng)}:{rand_ident(rng)}'.encode()).decode()}",
        "gzip", "gzip, deflate", "br", "identity", "no-cache", "max-age=0", "keep-alive", "close", "Upgrade", "websocket", "trailers",
        f"bytes={rng.randint(0, 999)}-{rng.randint(1000, 99999)}", f"W/\"{rng.getrandbits(64):x}\"", f"\"{rng.getrandbits(64):x}\"",
        f"{rand_ident(rng)}={rand_ident(rng)}; Path=/; HttpOnly", f"attachment; filename=\"{rand_ident(rng)}.pdf\"",
        f"form-data; name=\"{rand_ident(rng)}\"", f"form-data; name=\"file\"; filename=\"{rand_ident(rng)}.jpg\"",
        f"{rng.randint(1, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}, 10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        f"for={rng.randint(1, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)};proto=https", "https", "http",
        f"{rng.randint(1, 9)}.{rng.randint(0, 9)}", f"Mon, {rng.randint(1, 28):02d} Jan 2024 {rng.randint(0, 23):02d}:00:00 GMT",
        "en-US,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "*", "?1", "?0", '"Windows"', '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
        f"sha256={base64.b64encode(bytes(rng.getrandbits(8) for _ in range(32))).decode()}", f"t={rng.randint(10**9, 2 * 10**9)},v1={rng.getrandbits(128):032x}",
    ))


def _tracking(rng: random.Random) -> str:
    """Analytics, attribution and consent cookies: pipes, parentheses, colons and braces galore."""
    from urllib.parse import quote

    src = pick(rng, ("(direct)", "google", "bing", "facebook", "newsletter", rand_host(rng)))
    mdm = pick(rng, ("(none)", "organic", "cpc", "referral", "email", "(not set)"))
    now = rng.randint(1_600_000_000, 1_800_000_000)
    text = pick(rng, (
        f"typ={pick(rng, ('typein', 'organic', 'referral', 'utm'))}|||src={src}|||mdm={mdm}|||cmp={pick(rng, ('(none)', rand_ident(rng)))}|||cnt=(none)|||trm=(none)",
        f"vst={rng.randint(1, 40)}|||uip=(none)|||uag=Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
        f"{rng.randint(10**7, 10**9)}.{now}.{rng.randint(1, 9)}.{rng.randint(1, 9)}.utmcsr={src}|utmccn=({pick(rng, ('organic', 'referral', 'not set'))})|utmcmd={mdm}|utmctr=(not%20provided)",
        f"isGpcEnabled=0&datestamp={quote('Mon Jan 01 2024 10:00:00 GMT+0100 (Central European Standard Time)')}&version=202{rng.randint(1, 4)}.{rng.randint(1, 12)}.0&groups=C0001%3A1%2CC0002%3A{rng.randint(0, 1)}%2CC0003%3A{rng.randint(0, 1)}&hosts=&landingPath=NotLandingPage",
        f"{{stamp:%27{base64.b64encode(bytes(rng.getrandbits(8) for _ in range(30))).decode()}%27%2Cnecessary:true%2Cpreferences:{pick(rng, ('true', 'false'))}%2Cstatistics:{pick(rng, ('true', 'false'))}%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:{rng.randint(1, 9)}%2Cutc:{now}000%2Cregion:%27{pick(rng, ('us', 'de', 'gb', 'il'))}%27}}",
        f"{now}|{rng.randint(0, 9)}|{rng.randint(0, 9)}|{pick(rng, ('us', 'en_US', 'de'))}|{rand_word(rng)}|{rng.randint(0, 1)}|{rng.randint(0, 1)}|",
        f"id::{rand_ident(rng)}||sku::{rng.randint(1000, 99999)}||type::{rand_word(rng)}||",
        f"v.{rng.randint(1, 9)},|{'|'.join(str(rng.randint(0, 255)) for _ in range(rng.randint(3, 12)))}",
        f"{pick(rng, ('session', 'visit', 'pv'))}:{rng.randint(1, 99)}:{pick(rng, ('vf', 'en', 'la'))}:{rand_ident(rng)}:{rng.randint(0, 9)}",
        f"MCMID|{rng.getrandbits(64)}|MCAAMLH-{now}|{rng.randint(1, 12)}|MCAAMB-{now}|{base64.b64encode(bytes(rng.getrandbits(8) for _ in range(20))).decode()}|MCOPTOUT-{now}s|NONE|vVersion|5.{rng.randint(0, 5)}.0",
        f"[[B]]", f"[{rng.randint(0, 9)}]", f"{{}}", f"%7B%7D", f"(****)", f"-", f"'", f"\"\"", f"1---", f"#",
    ))
    return quote(text, safe="=&|%:()") if chance(rng, 0.25) else text


_MEDIA = ("text/html", "application/xhtml+xml", "application/xml", "text/javascript", "application/javascript",
          "application/ecmascript", "application/x-ecmascript", "application/json", "text/plain", "image/avif",
          "image/webp", "image/apng", "*/*", "text/css", "application/signed-exchange", "text/event-stream")


def _negotiation(rng: random.Random) -> str:
    """Accept-style media-range lists (jQuery's script / JSONP Accept included)."""
    items = [pick(rng, _MEDIA) for _ in range(rng.randint(1, 6))]
    out = []
    for item in items:
        if chance(rng, 0.3):
            item += f";q=0.{rng.randint(1, 9)}" if chance(rng, 0.5) else f"; q=0.{rng.randint(0, 99):02d}"
        if chance(rng, 0.05):
            item += ";v=b3"
        out.append(item)
    return pick(rng, (", ", ",")).join(out)


def _graphql(rng: random.Random) -> str:
    """GraphQL documents with variables, non-null list types and directives, as SPAs post them:
    one line, or nested selections indented line by line inside a template literal's whitespace."""
    op = pick(rng, ("query", "mutation", "subscription"))
    name = rand_ident(rng).title().replace("_", "")
    var = rand_ident(rng)
    typ = pick(rng, ("ID!", "[ID!]", "[ID!]!", "String", "String!", "Int", "Boolean!", f"{name}Input!", "[String!]!"))
    field = rand_ident(rng)
    if chance(rng, 0.5):
        body = pick(rng, (
            f"{field}(id: ${var}) {{ id name }}",
            f"{field}(ids: ${var}) @include(if: true) {{ edges {{ node {{ id }} }} }}",
            f"{field}(filter: ${var}, first: 10) {{ totalCount items {{ id title price }} }}",
            f"{field} {{ ...{name}Fields }}",
            f"{field}({var}: ${var})",
        ))
        indent = pick(rng, ("", "\n", "\n    ", "\n                "))
        head = f"{op} {name}(${var}: {typ})" if chance(rng, 0.7) else f"{op} {name}"
        return f"{head} {{{indent}{body}{indent}}}".replace("\\n", "\n")
    # nested selections, one per line, indented by depth (a template literal keeps the page's indentation)
    base = " " * rng.choice((0, 4, 6, 8, 10))
    step = " " * rng.choice((2, 4))
    lines: list[str] = []
    depth = 1
    for _ in range(rng.randint(2, 7)):
        pad = base + step * depth
        kind = rng.random()
        if kind < 0.35 and depth < 5:
            args = pick(rng, ("", f"({rand_ident(rng)}:{rng.randint(1, 999)})", f"({rand_ident(rng)}: ${var})", "(first: 20)"))
            lines.append(f"{pad}{rand_ident(rng)}{args} {{")
            depth += 1
            lines.append(base + step * depth + pick(rng, ("id", rand_ident(rng), "__typename")))
        elif kind < 0.45 and depth > 1:
            depth -= 1
            lines.append(base + step * depth + "}")
        else:
            lines.append(pad + pick(rng, (rand_ident(rng), "id", "__typename", f"...{name}Fields", f"{rand_ident(rng)}: {rand_ident(rng)}")))
    while depth > 1:
        depth -= 1
        lines.append(base + step * depth + "}")
    head = f"{op} {name}(${var}: {typ})" if chance(rng, 0.6) else f"{op} {name}"
    text = "\n".join([base + head + " {", *lines, base + "}"])
    return pick(rng, ("", "\n", "\n" + base)) + text + pick(rng, ("", "\n", "\n" + base[:-2]))


_FILTER_ATTRS = ("sku", "brand", "category", "categories.lvl0", "_tags", "price", "rating", "objectID", "color",
                 "size", "inStock", "available", "published", "availability.display", "status", "year", "author")


def _filter_expression(rng: random.Random) -> str:
    """Filter expressions of search and directory APIs as front ends send them: Algolia / Lucene /
    Elasticsearch query strings (``(brand:Apple OR brand:Sony) AND price > 100``, a long OR chain of
    ids, ranges, negations), SCIM and OData comparisons. Boolean operators, comparisons and
    parentheses, but no string break-out, comment or second statement."""

    def attr() -> str:
        return pick(rng, _FILTER_ATTRS) if chance(rng, 0.8) else rand_ident(rng)

    def value() -> str:
        return pick(rng, (str(rng.randint(0, 999999)), rand_word(rng), rand_word(rng).title(),
                          f"\"{rand_word(rng)} {rand_word(rng)}\"", "true", "false"))

    def atom() -> str:
        k = rng.random()
        if k < 0.55:
            return f"{attr()}:{value()}"
        if k < 0.78:
            return f"{attr()} {pick(rng, ('>', '<', '>=', '<=', '=', '!='))} {rng.randint(0, 1000)}"
        if k < 0.88:
            return f"{attr()}:{rng.randint(0, 100)} TO {rng.randint(100, 1000)}"
        return f"NOT {attr()}:{value()}"

    style = rng.random()
    if style < 0.25:  # one id matched in two attributes, many times over (a "recently viewed" lookup)
        ids = [str(rng.randint(1000, 999999)) for _ in range(rng.randint(2, 40))]
        a, b = pick(rng, (("sku", "skus"), ("objectID", "parentID"), ("id", "variant_id")))
        chain = " OR ".join(f"({a}:{i} OR {b}:{i})" for i in ids)
        return chain + (f" AND ({atom()} AND {atom()})" if chance(rng, 0.4) else "")
    if style < 0.7:
        groups = []
        for _ in range(rng.randint(1, 8)):
            n = rng.randint(1, 3)
            inner = f" {pick(rng, ('OR', 'AND'))} ".join(atom() for _ in range(n))
            groups.append(f"({inner})" if n > 1 or chance(rng, 0.3) else inner)
        return f" {pick(rng, ('AND', 'OR', 'AND NOT'))} ".join(groups)
    if style < 0.85:  # SCIM
        op = pick(rng, ("eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"))
        first = f'{pick(rng, ("userName", "emails.value", "name.familyName", "meta.lastModified", "title"))} {op} "{rand_word(rng)}"'
        if chance(rng, 0.5):
            return first
        return f'{first} {pick(rng, ("and", "or"))} ({pick(rng, ("emails.type", "active", "groups.display"))} eq "{rand_word(rng)}" or active pr)'
    # OData $filter
    op = pick(rng, ("eq", "ne", "gt", "ge", "lt", "le"))
    clause = pick(rng, (f"Price {op} {rng.randint(1, 500)}", f"Category eq '{rand_word(rng).title()}'",
                        f"contains(Name,'{rand_word(rng)}')", f"startswith(Title,'{rand_word(rng)}') eq true",
                        f"year(ReleaseDate) {op} {rng.randint(1990, 2030)}"))
    if chance(rng, 0.5):
        return clause
    return f"{clause} {pick(rng, ('and', 'or'))} {pick(rng, ('InStock eq true', f'Rating ge {rng.randint(1, 5)}', 'not Discontinued'))}"


def _structured(rng: random.Random) -> str:
    """Telemetry and RPC payload fragments: JSPB-style null arrays, dunder globals, bracketed
    field names, whitespace-only DOM text, small JSON objects with empty strings."""
    roll = rng.random()
    if roll < 0.35:
        cells = [pick(rng, ("null", "null", "null", str(rng.randint(0, 10**9)), '"' + rand_ident(rng) + '"', "[]", "[0,0,0,1]", "true"))
                 for _ in range(rng.randint(5, 40))]
        return "[" * rng.randint(1, 3) + ",".join(cells) + "]" * rng.randint(1, 3)
    if roll < 0.5:
        return f"__{rand_ident(rng).upper()}_{pick(rng, ('RUNTIME', 'STATE', 'CONFIG', 'DATA', 'INITIAL_STATE'))}__"
    if roll < 0.65:
        return f"{pick(rng, ('user', 'account', 'order', 'filter', 'q'))}[{pick(rng, ('username', 'password', 'email', 'name', 'id', '0'))}]"
    if roll < 0.8:
        space = pick(rng, ("\n", "\n  ", "\n\t\t", "\r\n    ", "\n              ")) * rng.randint(1, 3)
        # whitespace-only DOM text, or a DOM text node of one short token between its indentation
        return space if chance(rng, 0.6) else space + pick(rng, (str(rng.randint(0, 99)), rand_word(rng), "|", "/", "-")) + space
    key = rand_ident(rng)
    return pick(rng, (f'{{"{key}":""}}', f'{{"{key}":null}}', f'{{"{key}":[]}}', f'{{"{key}":"","{rand_ident(rng)}":0}}'))


_INERT_TAGS = ("p", "div", "span", "b", "i", "em", "strong", "u", "li", "h2", "h3", "blockquote", "font", "small")


def _front_end(rng: random.Random) -> str:
    """What web front ends put in fields once JSON values are read leaf by leaf: no-op link
    targets, rich-text editor markup with no active content, stack-frame names of error
    reports, and unrendered template placeholders of any syntax."""
    roll = rng.random()
    if roll < 0.12:
        # button and page titles as the DOM holds them (whitespace kept), SQL verbs included
        label = f"{pick(rng, ('Select', 'Update', 'Delete', 'Insert', 'Drop', 'Create', 'Join', 'Order', 'Union', 'Exec'))} " \
                f"{pick(rng, ('Seats', 'size', 'cart', 'your plan', 'items', 'account', 'Now', 'by date', 'Station'))}"
        return pick(rng, ("\n\t", "\n  ", "", " ", "\n")) + label + pick(rng, ("\n", "\n\t", "", " "))
    if roll < 0.17:
        # counters and coordinates joined with pipes and commas, empty quoted strings
        cells = ",".join(str(rng.choice((0, 1, 1, 1, rng.randint(2, 99999)))) for _ in range(rng.randint(8, 60)))
        return pick(rng, (f"{rng.randint(1, 99)}|{cells}", "''", '""', "' '", f"{rng.randint(0, 9)}|{rng.randint(0, 9)}|{cells}"))
    if roll < 0.3:
        return pick(rng, ("javascript:void(0)", "javascript:void(0);", "javascript:void 0", "javascript:;",
                          "javascript://", "JavaScript:void(0)", "#", "#!", "javascript:void(null)"))
    if roll < 0.55:
        tag = pick(rng, _INERT_TAGS)
        attrs = pick(rng, ("", f' dir="{pick(rng, ("rtl", "ltr", "auto"))}"', f' class="{rand_ident(rng)}"',
                           f' style="text-align: {pick(rng, ("right", "center", "left"))};"', f' lang="{pick(rng, ("he", "en", "ar"))}"'))
        inner = pick(rng, ("<br>", "<br/>", "\u200b.", "\u200b", "&nbsp;", rand_word(rng), f"{rand_word(rng)} {rand_word(rng)}",
                           "<{0}>" + rand_word(rng) + "</{0}>", ""))
        inner = inner.replace("{0}", pick(rng, ("b", "i", "u")))
        html = f"<{tag}{attrs}>{inner}</{tag}>"
        return html * rng.randint(1, 2)
    if roll < 0.75:
        owner = pick(rng, ("HTMLDocument", "Object", "HTMLButtonElement", "Window", "XMLHttpRequest", "Array", "Promise",
                           "HTMLFormElement", rand_ident(rng).title(), "t", "e", "n"))
        member = pick(rng, ("<anonymous>", "<computed>", "onclick", "onload", "value", rand_ident(rng), "forEach", "then"))
        frame = f"{owner}.{member}"
        return pick(rng, (frame, f"{frame} (https://{rand_host(rng)}/static/js/{rand_ident(rng)}.js:{rng.randint(1, 9)}:{rng.randint(1, 99999)})",
                          f"at {frame} (<anonymous>)", f"{rand_ident(rng)}@https://{rand_host(rng)}/{rand_ident(rng)}.js:1:{rng.randint(1, 9999)}"))
    path = ".".join(rand_ident(rng) for _ in range(rng.randint(1, 4)))
    holder = pick(rng, ("{$this.%s}", "{$%s}", "{{%s}}", "${%s}", "%%{%s}", "[[%s]]", "{%s}", "{{ %s }}")) % path
    if chance(rng, 0.4):
        holder = ",".join(holder.replace(path, f"{path}.{axis}") for axis in ("x", "y", "w", "h")[: rng.randint(2, 4)])
    return holder


_FAMILIES: tuple[tuple[str, Family, float], ...] = (
    ("header", _header, 3.0),
    ("tracking", _tracking, 2.0),
    ("prose", _prose, 3.0),
    ("sentence", _sentence, 1.5),
    ("name", _name, 1.0),
    ("email", _email, 1.0),
    ("product", _product, 1.5),
    ("url", _url, 1.5),
    ("json", _json, 1.0),
    ("token", _token, 2.0),
    ("file_name", _file_name, 1.0),
    ("markdown", _markdown, 0.8),
    ("search", _search, 1.5),
    ("filter_expression", _filter_expression, 0.6),
    ("misc", _misc, 2.0),
    ("negotiation", _negotiation, 0.5),
    ("graphql", _graphql, 0.5),
    ("structured", _structured, 0.8),
    ("front_end", _front_end, 0.8),
)


def generate(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for _ in range(n):
        name, fn = weighted(rng, _FAMILIES)
        out.append(Sample(fn(rng), "benign", name))
    return out
