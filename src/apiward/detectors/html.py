"""Cross-site scripting: HTML tags, event handlers, script URIs and DOM sinks.

Reads a lower-case, entity-decoded view. Evidence, from most to least certain: a ``<script``
(or another executable element: iframe, object, embed, svg, math, base, meta refresh...); any tag
carrying an event handler (``<img src=x onerror=``, ``<svg/onload=``); an attribute break that
adds a handler (``" onmouseover="``); ``javascript:`` / ``vbscript:`` / ``data:text/html`` URIs
(with the whitespace and control characters browsers ignore); JavaScript calling a sink
(``alert(``, ``eval(``, ``document.cookie``, ``fromcharcode``) after a quote or tag break.
Harmless markup (``<b>``, ``<p>``, ``<br>``) and prose with "on" words pass.

All patterns use bounded quantifiers only (linear in the input).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear

# Elements that execute script or load active content on their own.
ACTIVE_TAGS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base",
     "meta", "link", "style", "xss", "template", "portal", "fencedframe", "isindex", "vmlframe", "import",
     "xml", "animate", "set", "handler", "listener", "video", "audio", "form", "noscript", "layer",
     "ilayer", "bgsound", "marquee", "xmp", "plaintext", "image", "img", "body", "input", "textarea",
     "select", "keygen", "button", "details", "dialog", "html", "head", "title", "a"}
)
STRONG_TAGS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "xss",
     "portal", "fencedframe", "isindex", "vmlframe", "bgsound", "layer", "ilayer", "handler", "listener"}
)
_OBSOLETE_TAGS = frozenset({"marquee", "plaintext", "xmp", "listing", "blink"})
_TAG = linear(r"<[ \t\n/]{0,4}([a-z][a-z0-9\-_]{0,24}(?::[a-z][a-z0-9\-_]{0,24})?|:[a-z][a-z0-9\-_]{0,24})([ \t\n\r/>\"'=+]|$)")
# Obfuscated element names a filter's tag list misses: letters spread with whitespace
# (``<f o r m``, ``<s c r i p t``) and a namespace prefix written with blanks around its colon
# (``< x: script``); judged by the element the letters spell.
_SPACED_TAG = linear(r"<[\s/]{0,4}([a-z](?:[\s\x00]{1,4}[a-z]){2,11})(?:[\s/>\x00]|$)")
_SPACED_NS = linear(r"<[\s/]{0,4}[a-z][a-z0-9\-_]{0,24}[\s]{0,4}:[\s]{0,4}([a-z]{3,12})[\s]{0,4}(?:[/>]|$)")
# IE's import processing instruction loads an HTC behaviour: ``<?import implementation="x.htc">``
_IMPORT_PI = linear(r"<\??[\s]{0,4}import[^>]{0,100}implementation[\s]{0,8}=")
# Tags written with the US-ASCII high-bit twins of ``<`` and ``>`` (0xBC ``¼``, 0xBE ``¾``): a
# server that strips the eighth bit reads ``¼script¾`` as ``<script>``; the normaliser's NFKC
# view spells them ``1⁄4`` and ``3⁄4`` (after a stray UTF-8 lead byte when sent as ``\xc2\xbc``).
_HIGH_BIT_TAG = linear("(?:1\u20444|\u00bc)(/?)([a-z]{1,12})[\u00c0-\u00ff]?(?:3\u20444|\u00be)")
_HREF = re.compile(r"href[\s]{0,4}=")
_BARE_ELEMENT = re.compile(r"[\s/]{0,4}(?:>|$)")
_ATTRIBUTE = re.compile(r"[\s/]{1,4}[a-z][a-z\-]{0,20}=[\"'`]?[^\s\"'`>]")
_OCTAL_TAG = re.compile(r"\\0{0,2}74/?([a-z]{1,12})(?:[\s/]|\\0{0,2}76)")
# (a block's brace too: "{onerror=alert}throw 1", a handler assigned in a script)
_HANDLER = linear(r"(?:^|[\s\"'`/;,(+{])(on[a-z]{3,48})[\s\x00-\x1f+]{0,16}=")
_SEP = r"[\x00-\x1f]{0,8}"  # what browsers skip inside a scheme (tab, newline, NUL; not a space)
_URI = linear(
    "(?:" + _SEP.join("javascript") + "|" + _SEP.join("vbscript") + "|livescript|mocha)" + _SEP + ":"
    # every letter apart ("j a v a s c r i p t :"): a value whose line breaks became blanks
    "|" + "[\\s]{1,4}".join("javascript") + "[\\s]{0,4}:"
)
_DATA_URI = linear(r"data:[\s]{0,4}(?:text/html|text/xml|image/svg|application/x?html|text/javascript|application/javascript|[a-z/+-]{0,30};base64,|,)")
# a sink assigned to another name ("a=alert,"); `_SINK` reads the call by that name after it
_RENAMING = r"=[\s]{0,4}(?:alert|prompt|confirm|eval)[\s]{0,4}[,;]"
_SINK = linear(
    r"\b(?:alert|prompt|confirm|eval|settimeout|setinterval|execscript|fromcharcode|atob|"
    r"fetch|constructor|print|write|writeln|open)[\s]{0,8}(?:\(|`)"
    # keywords, not functions: a template literal after them is a syntax error, not a tagged call
    # ("`TypeError: undefined is not a function`" in a chat message), unless the word is the
    # Function constructor (this view is lower-case) where an expression puts it: after an
    # operator, a bracket, a dot or "new"
    r"|\b(?:import|function)[\s]{0,8}\(|(?:^|[^\sa-z0-9_$])function[\s]{0,8}`|\bnew[\s]{1,4}function[\s]{0,4}`"
    r"|\bdocument[\s]{0,4}\.[\s]{0,4}(?:cookie|write|domain|location|body|forms|queryselector|getelementby|createelement)"
    r"|\bnew[\s]{1,4}function[\s]{0,4}\("
    r"|\bwindow[\s]{0,4}\.[\s]{0,4}(?:location|name|open)|\b(?:top|self|parent|opener)[\s]{0,4}\.[\s]{0,4}location\b|\.innerhtml|\.outerhtml|\blocation\.href"
    r"|\[[\s]{0,4}['\"]constructor['\"]|\bsrcdoc[\s]{0,4}=|\bformaction[\s]{0,4}=|xlink:href[\s]{0,4}="
    # CSS that runs script or fetches a sheet: IE's expression() as a value (after a property's
    # colon, or written against its parenthesis: not "the expression (a+b)"), a behaviour file
    # (behavior:url(x.htc), not "behavior: expected"), an @import of a URL or a string
    r"|(?:^|[:;{=\"'/*])[\s]{0,4}expression[\s]{0,8}\(|\bexpression\(|-moz-binding"
    r"|\bbehavior[\s]{0,4}:[\s]{0,4}url[\s]{0,4}\(|@import[\s]{0,8}(?:url[\s]{0,4}\(|['\"])|url[\s]{0,4}\([\s'\"]{0,4}javascript"
    r"|\b(?:top|self|this|window|document|parent|frames|content|globalthis)[\s)]{0,4}\[[\s]{0,4}['\"`]"
    # the key spelled from regex literals' sources ("top[/al/.source+/ert/.source]")
    r"|\b(?:top|self|this|window|document|parent|frames|content|globalthis)[\s)]{0,4}\[[\s]{0,4}/[^/\]\n]{1,20}/[a-z]{0,4}[\s]{0,4}\.[\s]{0,4}source"
    r"|\bglobalthis\b|!!\[\]|!\[\]|\+\[\]|\[\]\[|\]\(\)|\[\][\s]{0,4}\.[\s]{0,4}[a-z]{2,12}[\s]{0,4}\."
    r"|\.[\s]{0,4}(?:call|apply|bind|sort|map|filter|reduce|constructor|navigate)[\s]{0,4}`"
    r"|\b(?:alert|prompt|confirm|eval|print)[\s]{0,4}`|\$\{[\s]{0,4}(?:alert|prompt|confirm|eval)"
    # an optional call ("alert?.(1)"), which a filter's "alert(" misses
    r"|\b(?:alert|prompt|confirm|eval|print)[\s]{0,4}\?\.[\s]{0,4}[(`]"
    r"|\+adw-|\+ad4-|\bnavigation\.navigate"
    # the page's stored tokens read out ("'-localStorage.getItem('token')-'"): a sink only after a
    # break (`_WEAK_SINK`), code that reads its own storage is no evidence
    r"|\b(?:localstorage|sessionstorage)[\s]{0,4}(?:\.[\s]{0,4}getitem[\s]{0,4}\(|\[[\s]{0,4}['\"`])"
    # an object whose conversion to a primitive is a sink, coerced by an operator ("'+{valueOf:alert}+'")
    r"|[{,][\s]{0,4}(?:valueof|tostring)[\s]{0,4}:[\s]{0,4}(?:alert|prompt|confirm|eval|print)[\s]{0,4}[},]"
    # CSS that reads a field's value a character at a time and reports it by fetching a URL
    # ("input[value^=a]{background:url(//x/a)}"): a selector on the value attribute's prefix,
    # suffix or part, and a url() in its rule
    r"|\[[\s]{0,4}value[\s]{0,4}[\^$*~|]=[^\]{}]{0,60}\][^{}]{0,100}\{[^{}]{0,100}url[\s]{0,4}\("
    # IE's data binding: an element that renders another element's data as HTML (<span datasrc=#i
    # datafld=c dataformatas=html>)
    r"|\bdataformatas[\s]{0,4}=|\bdatasrc[\s]{0,4}="
    # a sink handed to a method as its callback: "[1].find(alert)", "x.then(eval)"
    r"|\.[\s]{0,4}[a-z]{2,20}[\s]{0,4}\([\s]{0,4}(?:alert|prompt|confirm|eval)[\s]{0,4}[,)]"
    # a sink called through parentheses or a comma expression: "(alert)(1)", "(0,eval)`x`"
    r"|\([\s]{0,4}(?:[^()]{0,20},[\s]{0,4})?(?:alert|prompt|confirm|eval)[\s]{0,4}\)[\s]{0,4}[(`]"
    # a sink stored under another name, then called by it: "a=alert,a(1)", "x=eval;x`...`"
    r"|" + _RENAMING + r"[\s]{0,4}[a-z_$][\w$]{0,20}[\s]{0,4}[(`]"
    # a sink taken out of an array literal and called: "[alert][0](1)", "[eval].pop()`x`"
    r"|\[[\s]{0,4}(?:alert|prompt|confirm|eval)[\s]{0,4}\][\s]{0,4}(?:\[[\s]{0,4}0[\s]{0,4}\]|\.[\s]{0,4}(?:pop|shift)[\s]{0,4}\([\s]{0,4}\))[\s]{0,4}[(`]"
)
_NAMED_PROPERTY = re.compile(r"(?:document|window|top|self|parent|opener)[\s]{0,4}\.|\.(?:inner|outer)html|location\.href")
_CODE_AROUND = re.compile(r"[()=+`'\";{}\[\]<>]")
_WEAK_SINK = re.compile(r"(?:function|print|open|writeln|write|import|fetch|atob)[\s(`]|(?:local|session)storage")
# A value that opens as a named JavaScript function is a script's source sent as data (a bot
# detector's fingerprint of the page's own functions, an error report, an editor's content): its
# calls and DOM use are the program's, not a break-out. It runs only inside a tag (other rules) or
# after a break from a string, which a value opening with the program does not have.
_NAMED_FUNCTION = re.compile(r"[\s]{0,4}function[\s]{1,4}[a-z_$][\w$]{0,40}[\s]{0,4}\([\w$, ]{0,100}\)[\s]{0,4}\{")
_BREAK = re.compile(r"['\"`>][\s]{0,8}[;,+)\]}]{0,3}[\s]{0,8}$|['\"`>]|</|;|\)")
# what must come right before a weak sink ("print(", "open(") for it to be script, after a break
# (`_BREAK`) in front: an operator or a separator ("';print()", "'-open(", "1;print()"); code
# posted as text has quotes and calls in front of its "print(" too ("f('a')\nprint(x)")
_TIGHT_BREAK = re.compile(r"[;,+\-*/|&(][\s]{0,8}$")
EVENTS = frozenset(
    """onabort onactivate onafterprint onafterscriptexecute onafterupdate onanimationcancel
    onanimationend onanimationiteration onanimationstart onauxclick onbeforeactivate
    onbeforecopy onbeforecut onbeforedeactivate onbeforeeditfocus onbeforepaste onbeforeprint
    onbeforescriptexecute onbeforetoggle onbeforeunload onbeforeupdate onbegin onblur onbounce
    oncanplay oncanplaythrough oncellchange onchange onclick onclose oncontextmenu oncontrolselect
    oncopy oncuechange oncut ondataavailable ondatasetchanged ondatasetcomplete ondblclick
    ondeactivate ondrag ondragend ondragenter ondragexit ondragleave ondragover ondragstart ondrop
    ondurationchange onemptied onend onended onerror onerrorupdate onfilterchange onfinish
    onfocus onfocusin onfocusout onformdata onfullscreenchange onhashchange onhelp oninput
    oninvalid onkeydown onkeypress onkeyup onlayoutcomplete onload onloadeddata
    onloadedmetadata onloadend onloadstart onlosecapture onmessage onmousedown onmouseenter
    onmouseleave onmousemove onmouseout onmouseover onmouseup onmousewheel onmove onmoveend
    onmovestart onoffline ononline onpagehide onpageshow onpaste onpause onplay onplaying
    onpointercancel onpointerdown onpointerenter onpointerleave onpointermove onpointerout
    onpointerover onpointerrawupdate onpointerup onpopstate onprogress onpropertychange
    onratechange onreadystatechange onrepeat onreset onresize onrowenter onrowexit onrowsdelete
    onrowsinserted onscroll onscrollend onsearch onseeked onseeking onselect onselectionchange
    onselectstart onshow onstalled onstart onstop onstorage onsubmit onsuspend ontimeupdate
    ontoggle ontouchcancel ontouchend ontouchmove ontouchstart ontransitioncancel
    ontransitionend ontransitionrun ontransitionstart onunload onvolumechange onwaiting
    onwebkitanimationend onwebkitanimationiteration onwebkitanimationstart
    onwebkittransitionend onwheel oncommand""".split()
)
_TRIGGER = linear("[<>]|valueof|tostring|storage|1\u20444|\u00bc|" r"\\0{0,2}74[a-z/]|p[\x00-\x1f]{0,8}t[\x00-\x1f]{0,8}:|p[\s]{1,4}t[\s]{0,4}:|on[a-z]{3,48}[\s\x00-\x1f+]{0,16}=|script|data:|\(|`|document|window|\.[\s]{0,4}location|\[|@import|-moz-|behavior|formaction|srcdoc|xlink|innerhtml|\+ad[w4]-")


# the conditional comment that opens an Office mail's settings block: "<!--[if gte mso 9]>"
_MSO_CONDITION = re.compile(r"<!--\[if [a-z0-9 !()&|]{0,40}\bmso\b[a-z0-9 !()&|]{0,40}\][ \t\r\n]{0,8}>[ \t\r\n]{0,8}$")
# what an Office settings block holds: prefixed elements (<o:AllowPNG/>, <w:WordDocument>) and text
_OFFICE_XML = re.compile(r"(?:[ \t\r\n]{0,8}</?[a-z]{1,3}:[a-z]{1,40}[ \t\r\n]{0,4}/?>[^<>]{0,40}){1,40}[ \t\r\n]{0,8}</xml>")


def _office_settings(text: str, start: int, rest: str) -> bool:
    """An <xml> element right after an Office conditional comment ("<!--[if gte mso 9]>") that holds
    only prefixed elements without attributes, up to its end tag."""
    return (_MSO_CONDITION.search(text[max(0, start - 60) : start]) is not None
            and rest[:1] == ">" and _OFFICE_XML.match(rest, 1) is not None)


def _inert_tag(keep: Callable[[float, str, int, int], None], text: str, m: Any) -> None:
    """An element that does nothing without attributes or content. A value that is only its tag
    token (``<meta``, ``<svg:svg``: the tag names of a session-replay DOM capture) is data about a
    page; too weak for the model to raise it to a block."""
    if text.strip() == m.group(0).strip():
        if m.group(0).endswith(">") and m.group(1) in STRONG_TAGS:
            # the whole value is one complete element that loads content ("<iframe>", "<embed>"):
            # an injection probe; a capture's token is left open ("<IFRAME")
            keep(0.55, "xss.bare-tag", m.start(), m.end())
        else:
            keep(0.15, "xss.tag-token", m.start(), m.end())
    else:
        keep(0.45, "xss.active-tag", m.start(), m.end())


def scan(text: str) -> list[Hit]:
    """XSS evidence in one lower-case view."""
    if _TRIGGER.search(text) is None:
        return []
    best: Hit | None = None

    def keep(score: float, rule: str, start: int, end: int) -> None:
        nonlocal best
        if best is None or score > best.score:
            best = Hit(Category.XSS, score, rule, text, start, end)

    whole: list[bool] = []

    def plain_before(end: int) -> bool:
        """`_plain_markup` of the value up to ``end``: true for every prefix when it holds for
        the whole value (computed once)."""
        if not whole:
            whole.append(_plain_markup(text))
        return whole[0] or _plain_markup(text[:end])

    if "<" in text:
        data_end = -1
        for m in _TAG.finditer(text):
            if m.start() < data_end:
                continue
            name = m.group(1)
            if ":" in name:
                name = name.split(":", 1)[1] or name  # <v:vmlframe>, <x:script>
            rest = text[m.end(1) : m.end(1) + 400]
            handler = _HANDLER.search(rest)
            if handler is not None and handler.group(1) in EVENTS | _generic_event(handler.group(1)):
                if _jsx_value(rest, handler.end()):
                    keep(0.3, "xss.jsx-handler", m.start(), m.end(1) + handler.end())
                else:
                    keep(0.97, "xss.tag-handler", m.start(), m.end(1) + handler.end())
            elif name == "iframe" and (_video_embed(rest) if "/" not in text[m.start() : m.start(1)] else _embeds_only(text)):
                # a CMS's embedded video or map (the player a video site gives to paste), and its end
                keep(0.15, "xss.tag", m.start(), m.end())
            elif name == "script" and "/" not in text[m.start() : m.start(1)] and _DATA_SCRIPT.match(text, m.end(1)) is not None:
                # structured data a CMS puts in a page (schema.org JSON-LD): a type no browser runs
                # (its end tag is read past)
                keep(0.15, "xss.data-script", m.start(), m.end())
                data_end = _DATA_SCRIPT.match(text, m.end(1)).end()  # type: ignore[union-attr]
            elif name == "script" and "/" not in text[m.start() : m.start(1)] and _embed_script(text, m.end(1)):
                keep(0.15, "xss.embed-script", m.start(), m.end())  # a social network's embed loader
                data_end = _EMBED_SCRIPT.match(text, m.end(1)).end()  # type: ignore[union-attr]
            elif name in STRONG_TAGS:
                if name not in ("script", "xss") and _BARE_ELEMENT.match(rest) is not None:
                    # "#<Object>" (a V8 error message), a lone "<iframe" token of a page recording:
                    # these elements do nothing without a source attribute
                    _inert_tag(keep, text, m)
                elif _named_in_prose(text, m.start(), rest, m.end(1)):
                    # "Why does <script async> load out of order?", "the <iframe> tag (see MDN)": an
                    # element named in a sentence, with no source, no content and no end tag
                    keep(0.3, "xss.tag-in-prose", m.start(), m.end())
                else:
                    keep(0.95, "xss.active-tag", m.start(), m.end())
            elif _tag_uri(rest):
                keep(0.95, "xss.tag-uri", m.start(), m.end())
            elif name in ("svg", "math", "meta", "style", "link", "form", "template", "animate", "set") or ":" in name:
                if "/" in text[m.start() : m.start(1)]:
                    keep(0.15, "xss.tag", m.start(), m.end())  # a closing </style>, </svg>: ends, opens nothing
                elif name == "style" and _SINK.search(rest) is not None:
                    keep(0.93, "xss.style", m.start(), m.end())
                elif name == "style" and _restyles_page(rest):
                    # a sheet that hides the page or lays a box over it: defacement, a fake page on top
                    keep(0.8, "xss.style-overlay", m.start(), m.end())
                elif name == "style" and "</style" in rest and "url" not in rest and "@" not in rest:
                    # a whole stylesheet that fetches nothing and runs nothing (".btn{color:red}")
                    keep(0.15, "xss.tag", m.start(), m.end())
                elif name == "meta" and "refresh" in rest:
                    keep(0.9, "xss.meta-refresh", m.start(), m.end())
                elif name == "meta" and _META_ACTIVE.search(rest[:300]) is not None:
                    keep(0.85, "xss.meta", m.start(), m.end())
                elif name == "meta" and _META_CHARSET.match(rest) is not None and _in_document(text):
                    # <meta charset="utf-8">, <meta http-equiv="Content-Type" content="text/html;
                    # charset=UTF-8"> in the head of a whole HTML mail; only UTF-7 is a trick
                    # (above). Injected alone, the tag switches a page's charset: evidence
                    keep(0.15, "xss.tag", m.start(), m.end())
                elif name == "meta" and "http-equiv" not in rest[:300] and "charset" not in rest[:300]:
                    # <meta name="viewport" content="...">: page metadata a CMS sends, inert in a body
                    keep(0.15, "xss.tag", m.start(), m.end())
                elif name == "link" and _HREF.search(rest.split(">", 1)[0]) is not None and any(
                        k in rest.split(">", 1)[0] for k in (".js", "stylesheet", "import", "script")):
                    if _same_site(rest.split(">", 1)[0], _HREF_VALUE):
                        keep(0.15, "xss.tag", m.start(), m.end())  # the site's own stylesheet
                    else:
                        keep(0.7, "xss.link", m.start(), m.end())
                elif name == "form" and _same_site(rest.split(">", 1)[0], _ACTION_VALUE):
                    keep(0.15, "xss.tag", m.start(), m.end())  # <form method="post" action="/checkout">
                elif (name == "form" and "password" in text and _ACTION_VALUE.search(rest.split(">", 1)[0]) is not None
                      and _PASSWORD_FIELD.search(text, m.end()) is not None):
                    # a form that posts to another site and asks for a password: credentials
                    # harvested through injected markup (a login box drawn into the page)
                    keep(0.75, "xss.credential-form", m.start(), m.end())
                elif name in ("svg", "math") and _inert_drawing(text):
                    # an icon or a formula: shapes and layout elements only, no handler, no
                    # script URI, links only to fragments or web pages
                    keep(0.15, "xss.tag", m.start(), m.end())
                elif (name == "link" and ">" in rest and _plain_attributes(rest.split(">", 1)[0])
                      and _FETCHING_REL.search(rest.split(">", 1)[0]) is None):
                    # a feed's <link>https://...</link>, an API's <link rel="next" href="...">:
                    # a relation that names a page, not one a browser loads
                    keep(0.15, "xss.tag", m.start(), m.end())
                else:
                    _inert_tag(keep, text, m)
            elif name in _OBSOLETE_TAGS and "/" not in text[m.start() : m.start(1)]:
                # <marquee>, <plaintext>, <xmp>: elements no editor writes any more; injected,
                # they take over how the rest of the page renders (plaintext swallows it whole)
                keep(0.8, "xss.obsolete-tag", m.start(), m.end())
            elif name == "xml" and ("/" in text[m.start() : m.start(1)] or _office_settings(text, m.start(), rest)):
                # <!--[if gte mso 9]><xml><o:OfficeDocumentSettings>...: the settings block Outlook
                # and Word put in every HTML mail, hidden from every browser by its conditional
                # comment; a closing </xml> ends, opens nothing
                keep(0.15, "xss.tag", m.start(), m.end())
            elif name in ACTIVE_TAGS:
                sink = _SINK.search(rest)
                if sink is not None and ">" in rest[: sink.start()]:
                    # after the tag: in a text node of rich text it is that node's text, which the
                    # sink rule below reads ("<a href=...>document.cookie docs</a>")
                    placed = _SINK.search(text, m.end(1))
                    if placed is not None and _text_node(text, placed, plain_before) is not None:
                        sink = None
                if sink is not None:
                    keep(0.9, "xss.tag-sink", m.start(), m.end(1) + sink.end())
                elif name in _MEDIA_ELEMENTS and _PLACEHOLDER_SOURCE.search(rest.split(">", 1)[0]) is not None:
                    # an image whose source is a letter or two ("<img src=x>", "abc<img src=1>"): an
                    # HTML-injection probe (the image that fails to load, without its onerror yet);
                    # an editor's image names a file, a path or a URL
                    keep(0.6, "xss.placeholder-source", m.start(), m.end())
                elif name in _MEDIA_ELEMENTS and _action_source(rest.split(">", 1)[0]):
                    # an image whose source is an action of a site's application ("<img
                    # src=/admin/delete.php?user=7>"): the browser requests it with the reader's
                    # cookies (cross-site request forgery through a rendered image)
                    keep(0.6, "xss.action-source", m.start(), m.end())
                elif (len(text) <= 256 and ">" not in rest and _ATTRIBUTE.match(rest) is not None
                      and (m.start() == 0 or text[m.start() - 1] in "\"'`>=")):
                    # a short value that opens an element with an attribute and never closes it,
                    # at its start or after a quote / tag break: the shape of markup injected into
                    # a page (``x"><a href="...``); editors and captured pages send whole tags, and
                    # prose cut short ("here's a video: <a href=...") has words before the tag
                    keep(0.55, "xss.open-tag", m.start(), m.end())
                elif (name in _PLAIN_ELEMENTS and ">" in rest and _plain_attributes(rest.split(">", 1)[0])
                      and not _quote_break(text[: m.start()])):
                    # rich text: a link, an image, a video whose every address is a web page, a
                    # mail or phone link or a path of the site, and nothing that runs (handlers,
                    # sinks and script URIs were read above); not after a quote that ends an
                    # attribute (``"><img src=...>``)
                    keep(0.15, "xss.tag", m.start(), m.end())
                else:
                    keep(0.35, "xss.tag", m.start(), m.end())
            else:
                # a harmless element (<div dir="rtl">, <br>, <b>) is not evidence: below the 0.2
                # floor, so a note app's rich text does not lend weight to a model guess
                keep(0.15, "xss.tag", m.start(), m.end())
            if ("=" in rest and "/" not in text[m.start() : m.start(1)]
                    and _CLOBBER_METHOD.search(rest.split(">", 1)[0]) is not None):
                # an element named after a DOM method or node property ("<img name=getElementById>",
                # "<form id=x><input id=attributes>"... the weak names stay with `_CLOBBER`): DOM
                # clobbering, which breaks or redirects the page's own script; no form field is named so
                keep(0.6, "xss.dom-clobbering", m.start(), m.end())
            if ("position" in rest and len(text) <= 2000 and "/" not in text[m.start() : m.start(1)]
                    and _overlay(rest.split(">", 1)[0], text[: m.start()])):
                # (a short value: a whole page a session recorder sends lays out its own dialogs)
                keep(0.8, "xss.overlay", m.start(), m.end())
            elif name == "dialog" and _OPEN_ATTRIBUTE.search(rest.split(">", 1)[0]) is not None and "/" not in text[m.start() : m.start(1)]:
                # a dialog shown as the page loads ("<dialog open>Session expired, sign in</dialog>"):
                # a box over the page that no editor writes
                keep(0.6, "xss.overlay", m.start(), m.end())
            elif ((name in _SWALLOWING or (name in _BARE_PROBES and "/" not in m.group(0)))
                  and text.strip() == m.group(0).strip() and m.group(0).endswith(">")):
                # the whole value one bare tag of an element whose content is raw text ("<textarea>",
                # "<noscript>"): injected, it turns the rest of the page into its text (a dangling-markup
                # probe); its end tag alone ("</textarea>") tests a break out of one
                keep(0.55, "xss.bare-tag", m.start(), m.end())
            if best is not None and best.score >= 0.97:
                return [best]
        brk = _ATTRIBUTE_BREAK.match(text) or _ELEMENT_BREAK.match(text)
        if brk is not None:
            keep(0.7, "xss.markup-break", brk.start(), brk.end())
        marker = _INJECTION_MARKER.fullmatch(text.strip()) if len(text) <= 160 else None
        if marker is not None:
            keep(0.6, "xss.injection-marker", 0, len(text))
        for m in _SPACED_TAG.finditer(text):
            name = "".join(m.group(1).split()).replace("\x00", "")
            if name in STRONG_TAGS:
                keep(0.9, "xss.spaced-tag", m.start(), m.end(1))
            elif name in ACTIVE_TAGS and len(name) >= 4:
                keep(0.75, "xss.spaced-tag", m.start(), m.end(1))
        spaced = _SPACED_NS.search(text) if ":" in text else None
        if spaced is not None and spaced.group(1) in STRONG_TAGS:
            keep(0.9, "xss.namespaced-tag", spaced.start(), spaced.end(1))
        numeric = _NUMERIC_HOST_URL.search(text) if "//" in text else None
        if numeric is not None and _obfuscated_host(numeric.group(1)):
            # <a href="http://0x42.0x0000066.0x7.0x93/">: a link whose host is spelled in hex,
            # octal or as one number hides where it goes from a filter; no page writes one
            keep(0.6, "xss.obfuscated-host", numeric.start(), numeric.end())
        spread = _spread_address(text) if ("//" in text or "%" in text) else None
        if spread is not None:
            # <a href="h\ntt\tp://6\t6.000146.0x7.147/">, <a href="http://%77%77%77.x.tld">: a link's
            # scheme or host broken by blanks the browser drops, or its host percent-encoded, to
            # pass a filter's URL check; no page writes one
            keep(0.6, "xss.obfuscated-host", spread, spread + 4)
        deceptive = _DECEPTIVE_URL.search(text) if "//" in text else None
        if deceptive is not None:
            # <a href="http://trusted.example@evil.example">: a link whose host hides behind user
            # info spelled as a host misleads the reader and a filter's host check; an editor
            # never writes one (a clone URL's "user:token@" is no host)
            keep(0.6, "xss.deceptive-url", deceptive.start(), deceptive.end())
        pi = _IMPORT_PI.search(text) if "implementation" in text else None
        if pi is not None:
            keep(0.9, "xss.import-behaviour", pi.start(), pi.end())
    if "}" in text and "url" in text:
        css = _CSS_BREAK.match(text)
        if css is not None:
            # "red}*{background:url(//x/leak)}", "{}body{background:url(https://x/t)}": the value
            # closes the rule it is written into and opens one of its own that fetches from another
            # host (a beacon, or attribute values read out by selectors); a stylesheet a style
            # picker or an editor sends opens with its selector, not with a closing brace
            keep(0.7, "xss.css-break", css.start(), css.end())
    if "hx-" in text and "<" in text:
        htmx = _HTMX.search(text)
        if htmx is not None:
            # htmx: "hx-on:click=" runs its value as script; "hx-get=//host/x" fetches markup from
            # another site and swaps it into the page (with the trigger "load", unasked)
            keep(0.9 if htmx.group(1) is not None else 0.8, "xss.htmx", htmx.start(), htmx.end())
    if "\\" in text and "style" in text:
        css = _css_escaped_sink(text)  # style="background:\0075\0072\006c(javascript:...)"
        if css is not None:
            keep(0.9, "xss.css-escape", css, css + 5)
    if "\\74" in text or "\\074" in text:
        octal = _OCTAL_TAG.search(text)  # "\74script\76" in a JavaScript string: octal escapes of < and >
        if octal is not None and octal.group(1) in ACTIVE_TAGS and len(octal.group(1)) >= 3:
            keep(0.9, "xss.octal-tag", octal.start(), octal.end())
    if "\u2044" in text or "\u00bc" in text:
        for m in _HIGH_BIT_TAG.finditer(text):
            name = m.group(2)
            if name in ACTIVE_TAGS and len(name) >= 3 or m.group(1) and _HIGH_BIT_TAG.search(text[: m.start()]):
                keep(0.9, "xss.high-bit-tag", m.start(), m.end())
    # each search below runs only when the text holds a character or literal its every match
    # contains (a handler ends with "=", a script URI with ":", a data URI starts "data:")
    for m in _HANDLER.finditer(text) if "=" in text else ():
        name = m.group(1)
        if name in EVENTS:
            if _jsx_value(text, m.end()) or _bare_setting(text, m.start()):
                keep(0.3, "xss.handler", m.start(), m.end())  # onClick={save}, "onerror=ignore"
                continue
            # an attribute break before the handler: quote, slash or start of value
            before = text[max(0, m.start() - 2) : m.start() + 1]
            score = 0.9 if any(c in before for c in "\"'`/") or m.start() == 0 else 0.8
            keep(score, "xss.handler", m.start(), m.end())
        elif len(name) > 5:
            script = text[m.end() : m.end() + 40]
            # an attribute break before it: a quote, or only blanks before the name (" onxyz=",
            # the value appended to an unquoted attribute); not prose ("ready? online=true") nor
            # a path's slash ("/team/oncall=alice")
            lead = text[: m.start() + 1]
            broken = any(c in text[max(0, m.start() - 2) : m.start() + 1] for c in "\"'`") or lead.isspace()
            keep(0.6 if ("(" in script or "`" in script or broken) else 0.3, "xss.handler-unknown", m.start(), m.end())
    uri = _URI.search(text) if ":" in text else None
    if uri is not None and (not _inert_uri(text, uri.end()) or _spread(uri.group(0))) and not (
            uri.group(0).startswith("javascript:") and _GLIDE_CALL.match(text, uri.end()) is not None):
        if not _spread(uri.group(0)) and (_prose_tail(text, uri.end()) or _quoted_term(text, uri)):
            keep(0.3, "xss.script-uri", uri.start(), uri.end())  # "javascript: the good parts"
        elif _postback(text, uri.end()) and not _spread(uri.group(0)):
            keep(0.3, "xss.script-uri", uri.start(), uri.end())
        else:
            keep(0.93, "xss.script-uri", uri.start(), uri.end())
    data = _DATA_URI.search(text) if "data:" in text else None
    if data is not None and (("html" in data.group(0) or "script" in data.group(0) or "svg" in data.group(0)
                              or "<" in text[data.end() : data.end() + 40]) and _active_data(text, data)):
        keep(0.85, "xss.data-uri", data.start(), data.end())
    sink = _SINK.search(text)
    for _ in range(8):
        if sink is None:
            break
        if _fragment_link(text, sink) or _array_field_name(text, sink):
            # <use xlink:href="#icon-star"/>: a reference inside the document; "items[][name]": a
            # form field's array marker
            sink = _SINK.search(text, sink.end())
            continue
        node = _text_node(text, sink, plain_before)
        if node is None:
            keep(_sink_score(text, sink.start(), sink), "xss.sink", sink.start(), sink.end())
            break
        # in a text node of rich text ("<p>See <a href=...>document.cookie docs</a>", "<code>print(x)</code>"):
        # the markup's own quotes and brackets are no break; judged as that node's text, and the
        # next sink is read too
        start, end = node
        score = _sink_score(text[start:end], sink.start() - start, sink)
        # a text node is shown, not run: short of a break or a call with code around it, no evidence
        keep(score if score >= 0.5 else 0.15, "xss.sink", sink.start(), sink.end())
        sink = _SINK.search(text, sink.end())
    else:
        if sink is not None:
            # more sinks than are read one by one: the next is judged against the whole value,
            # so harmless ones in front do not hide it
            keep(_sink_score(text, sink.start(), sink), "xss.sink", sink.start(), sink.end())
    return [best] if best is not None and best.score >= 0.2 else []


def _sink_score(text: str, start: int, sink: Any) -> float:
    """How sure a sink found at ``start`` of ``text`` is script: after a break out of a string or
    a tag, in a named function's source, in a sentence."""
    prefix = text[:start]
    broken = _BREAK.search(prefix[-40:]) is not None
    if _WEAK_SINK.match(sink.group(0)) is not None:
        # "the function(x) returns", "print(page)"; after a break only right in front of it
        return 0.7 if broken and _TIGHT_BREAK.search(prefix[-12:]) is not None else 0.3
    if _RENAMED_SINK.match(sink.group(0)) is not None and not _renamed_sink_called(prefix, sink.group(0)):
        return 0.3  # "mode=alert; show(x)": a setting's value, then another name's call
    if _NAMED_FUNCTION.match(text) is not None:
        return 0.3
    if _code_span_call(text, start):
        return 0.3  # "use the `alert()` function for debugging"
    if not broken and _prose_call(text, start):
        return 0.3  # "the function alert(message) shows a dialog", "please confirm (yes/no)"
    if not broken and _NAMED_PROPERTY.match(sink.group(0)) and not _code_around(_url_parameter(text, start), text, start, sink.end()):
        # "document.cookie" named in a docs path or a search ("document.cookie SameSite=None;
        # Secure"): read, sent or assigned it needs a call, an operator or a quote around it
        return 0.15
    return 0.85 if broken else 0.6


_RENAMED_SINK = re.compile(_RENAMING)
_ASSIGNED_NAME = re.compile(r"([a-z_$][\w$]{0,20})[\s]{0,4}$")
_CALLED_NAME = re.compile(r"([a-z_$][\w$]{0,20})[\s]{0,4}[(`]$")


# what goes on from a named property: the rest of its member chain ("document.body.innerHTML"),
# then blanks; and what stands before it, blanks skipped
_MEMBER_TAIL = re.compile(r"[\w$.]{0,60}[\s]{0,4}")
_BLANKS_BEFORE = re.compile(r"[\s]{0,4}$")


def _code_around(parameter: str, text: str, start: int, end: int) -> bool:
    """Code right around a named property: a call, an operator or a quote that touches it
    ("alert(document.cookie)", "'+document.cookie", "document.location='//x'"), in the query
    parameter that holds it. Code elsewhere in the sentence ("document.cookie SameSite=None;
    Secure") is not about it."""
    if _CODE_AROUND.search(parameter) is None:
        return False
    tail = _MEMBER_TAIL.match(text, end)
    after = text[tail.end() : tail.end() + 1] if tail is not None else text[end : end + 1]
    before = text[: start][-8:]
    gap = _BLANKS_BEFORE.search(before)
    before = before[: gap.start()] if gap is not None else before
    return _CODE_AROUND.match(after) is not None or (before != "" and _CODE_AROUND.match(before[-1]) is not None)


def _renamed_sink_called(prefix: str, sink: str) -> bool:
    """``a=alert,a(1)``: the name the sink was assigned to (the end of ``prefix``) is the name
    called at the end of ``sink`` (RE2 has no back-references, so `_SINK` cannot say it)."""
    assigned = _ASSIGNED_NAME.search(prefix[-30:])
    called = _CALLED_NAME.search(sink)
    return assigned is not None and called is not None and assigned.group(1) == called.group(1)


def _url_parameter(text: str, start: int) -> str:
    """The value of the query parameter of a URL (a Referer: "https://site.example/?q=window.open
    popup") that holds ``start``, or the whole text when it is no URL's query."""
    cut = max(text.rfind("?", 0, start), text.rfind("&", 0, start))
    if cut < 0 or not text.startswith(("http://", "https://")) or text.find("?") > cut:
        return text
    piece = text[cut + 1 :].split("&", 1)[0]
    eq = piece.find("=")
    return piece[eq + 1 :] if 0 <= eq < start - cut - 1 else piece


def _code_span_call(text: str, start: int) -> bool:
    """A call named in a markdown code span inside a sentence ("use the `alert()` function for
    debugging"): a backtick right before the name and right after the call, words around it.
    A template literal's break needs an operator between the backtick and the call ("`-alert(1)-`")."""
    if start < 1 or text[start - 1] != "`":
        return False
    call = _PROSE_CALL.match(text, start)
    if call is None or text[call.end() : call.end() + 1] != "`":
        return False
    before, after = text[max(0, start - 200) : start - 1], text[call.end() + 1 : call.end() + 200]
    if _PROSE_TEXT.fullmatch(before) is None or _PROSE_TEXT.fullmatch(after) is None:
        return False
    return _WORD_BEFORE.search(before) is not None and _WORD_AFTER.search(after) is not None


def _text_node(text: str, sink: Any, plain_before: Callable[[int], bool]) -> tuple[int, int] | None:
    """The span of the text node the sink is in when all markup before it is plain
    (``plain_before(end)``: `_plain_markup` of the value up to ``end``), or None."""
    node_start = text.rfind(">", 0, sink.start()) + 1
    if node_start == 0 or "<" in text[node_start : sink.start()] or "<" in text[sink.start() : sink.end()]:
        return None
    if not plain_before(node_start):
        return None
    node_end = text.find("<", sink.end())
    return node_start, len(text) if node_end < 0 else node_end


def _always(_: int) -> bool:
    return True


# the <link> relations a browser fetches and applies (or keeps, for a service worker)
_FETCHING_REL = re.compile(r"preload|prefetch|prerender|manifest|icon|serviceworker|import|stylesheet|\.js\b|script|behavior|htc")


_HTMX = linear(
    r"<[a-z][^<>]{0,300}[\s\"'/](?:(?:data-)?hx-on(?:[:\-]{1,2}[a-z][a-z\-:.]{0,40})?[\s]{0,4}()=|(?:data-)?hx-(?:get|post|put|patch|delete)[\s]{0,4}=[\s\"'`]{0,4}(?://|\\\\|[a-z][a-z0-9+.\-]{1,10}:))"
)
# a title or a sentence after the scheme ("JavaScript: The Good Parts", "javascript: a beginner's
# guide"), not code: words only (an apostrophe inside a word, never a quote that opens a string)
# (a bare tag of no attribute named again among the words: "<script> tags at the end of <body> or ...")
_PROSE_TAIL = re.compile(
    r" {1,3}[a-z](?:[a-z0-9 ,\-]|<[a-z]{1,10}>){0,80}(?:'[a-z](?:[a-z0-9 ,\-]|<[a-z]{1,10}>){0,80}){0,3}"
    r"(?: \([a-z0-9 ,\-]{1,40}\))?[.!?]?$"
)


# a tag token with at most a few bare attributes ("<script async>"): no value, so no source
_BARE_TAG_TOKEN = re.compile(r"(?:[\s]{1,4}[a-z][a-z\-]{0,20}){0,3}[\s]{0,4}>")


def _named_in_prose(text: str, start: int, rest: str, end: int) -> bool:
    """The tag at ``start`` (its name ending at ``end``) is a bare token (`_BARE_TAG_TOKEN`) between
    words: prose before it ending in a word and a blank (`_PROSE_TEXT`) and a sentence after it
    (`_PROSE_TAIL`), with no end tag and no sink anywhere in the value."""
    token = _BARE_TAG_TOKEN.match(rest)
    if token is None or start < 3 or "</" in text or _SINK.search(text) is not None:
        return False
    before = text[:start]
    if not before.endswith(" ") or not before[-2:-1].isalpha() or _PROSE_TEXT.fullmatch(before) is None:
        return False
    return _prose_tail(text, end + token.end())


def _prose_tail(text: str, pos: int) -> bool:
    """Words after a scheme at ``pos`` (`_PROSE_TAIL`) that are no script (`_returns_name`)."""
    return _PROSE_TAIL.match(text, pos) is not None and not _returns_name(text, pos)


def _returns_name(text: str, pos: int) -> bool:
    """The script after a scheme at ``pos`` is ``name``, alone or last in a comma list: a
    ``javascript:`` URL opens the string it returns as its page, and ``window.name`` holds the HTML
    the opener put there ("javascript: name", "javascript: top, name")."""
    return text[pos:].rstrip(".!?; ").rsplit(",", 1)[-1].strip() == "name"


# what a no-op link's script is: "void(0)", ";", "false", "undefined" or nothing
_NOOP = r"void[\s(]{0,3}0[\s)]{0,3};?|;|false;?|undefined;?|"
# a no-op link (or a number), at the end of the value or of a string, or followed by words
# ("javascript:void(0) link broken", "what does javascript: void(0) mean?")
_INERT = re.compile(
    rf"[\s]{{0,4}}(?:[0-9][0-9.]{{0,20}}|{_NOOP})[\s]{{0,4}}"
    r"(?:$|[\"'&,}\]]| [a-z][a-z ]{0,60}[.?!]{0,3}$)"
)
# what <meta> does beyond describing a page: a UTF-7 charset (the page is then read as UTF-7,
# "+ADw-script+AD4-" becomes a script) or a header it sets (a cookie, a stylesheet link)
_META_ACTIVE = re.compile(
    r"charset[\s]{0,4}=[\s\"']{0,4}(?:x-imap4-modified-)?utf-?7"
    r"|http-equiv[\s]{0,4}=[\s\"']{0,4}(?:set-cookie|link|content-security-policy)"
)
_META_CHARSET = re.compile(
    r"[\s/]{1,4}(?:charset[\s]{0,4}=[\s\"']{0,4}|http-equiv[\s]{0,4}=[\s\"']{0,4}content-type[\"']?[\s/]{1,4}"
    r"content[\s]{0,4}=[\s\"']{0,4}text/html;[\s]{0,4}charset=)(?:utf-8|iso-8859-[0-9]{1,2}|windows-125[0-8]|us-ascii)"
    r"[\"']?[\s/]{0,4}>"
)
_HREF_VALUE = re.compile(r"\bhref[\s]{0,4}=[\s]{0,4}[\"'`]?([^\s\"'`>]{0,200})")
_ACTION_VALUE = re.compile(r"\baction[\s]{0,4}=[\s]{0,4}[\"'`]?([^\s\"'`>]{0,200})")
# an event attribute's value in JSX ("onClick={handleClick}", "onChange={this.save}"): a reference
# to a function of the page's own code, not script; or an arrow function ("onClick={() =>
# setOpen(!open)}"), which a browser reading the braces as a block defines and never calls (an arrow
# called at once, "{(() => alert(1))()}", and any other call inside the braces stay)
_JSX = re.compile(
    r"[\s]{0,4}\{[\s]{0,4}(?:[a-z_$][a-z0-9_$.]{0,60}[\s]{0,4}\}|(?:\([^()]{0,60}\)|[a-z_$][a-z0-9_$]{0,30})[\s]{0,4}=>)"
)
# a value that is only a setting named like a handler ("onerror=ignore", "onload=lazy")
_SETTING = re.compile(r"on[a-z]{3,48}[\s]{0,4}=[\s]{0,4}([a-z_][a-z0-9_\-]{0,30})")
_CALLABLE = frozenset({"alert", "prompt", "confirm", "eval", "print", "fetch", "open", "location", "name",
                       "settimeout", "setinterval", "import", "function", "top", "self", "this", "window"})
# a sink named in a sentence: a word (not a literal or an expression) as its argument and words
# around the call ("eval(expression) is evil", "please confirm (yes/no)")
# (or none: "how do I call alert() in javascript?")
_PROSE_CALL = re.compile(r"(?:alert|prompt|confirm|eval)[\s]{0,2}\((?:[\s]{0,2}[a-z][a-z /]{0,30})?\)")
_PROSE_TEXT = re.compile(r"[a-z0-9 ,.'!?:;/-]*")
_WORD_BEFORE = re.compile(r"[a-z]{2,} ")
_PARAM_START = re.compile(r"[?&=]")
_WORD_AFTER = re.compile(r" [a-z]{2,}")


_NUMERIC_HOST_URL = linear(
    r"<[^<>]{0,200}\b(?:href|src|action|data|formaction|background)[\s]{0,4}=[\s]{0,4}[\"'`]?(?:[a-z]{2,8}:)?//"
    r"([0-9a-fx.]{1,40})(?:[/:?#\"'`>\s]|$)"
)


_DECEPTIVE_URL = linear(
    r"<[^<>]{0,200}\b(?:href|src|action|formaction|data|background)[\s]{0,4}=[\s]{0,4}[\"'`]?(?:https?:)?//"
    r"[^/\\\s\"'`<>@?#:]{0,100}\.[^/\\\s\"'`<>@?#:]{0,100}@"
)


_HEX_DIGITS = frozenset("0123456789abcdef")
# a quoted address in a tag's attribute, blanks and control characters included (the browser drops
# tabs and line breaks from a URL before it reads it)
_QUOTED_ADDRESS = linear(
    r"<[^<>]{0,200}[\s/\"'`](?:href|src|action|data|formaction|background|poster)[\s]{0,4}=[\s]{0,4}[\"'`]([^\"'`<>]{1,200})"
)
_BLANKS = re.compile(r"[\s\x00-\x1f]")


def _spread_address(text: str) -> int | None:
    """Where a tag's quoted address (`_QUOTED_ADDRESS`) names a web host with blanks inside its
    scheme or host, or with its host percent-encoded (``h\ttp://x``, ``http://%78%37.tld``), or
    None."""
    for count, m in enumerate(_QUOTED_ADDRESS.finditer(text)):
        if count >= 8:
            break
        value = m.group(1).strip()
        scheme, colon, rest = value.partition(":")
        address = rest.lstrip(" \t\n\r")
        if colon and _BLANKS.sub("", scheme) in ("http", "https") and address.startswith("//"):
            host = address[2:].split("/", 1)[0]
            hostname = host.split("@")[-1]  # (after a user name)
            if scheme != _BLANKS.sub("", scheme) or _BLANKS.search(host) is not None or "%" in hostname:
                return m.start(1)
            if (hostname and all(c in "0123456789abcdefx.:" for c in hostname)
                    and _obfuscated_host(hostname.split(":")[0])):
                return m.start(1)
        elif value.startswith("//") and "%" in value[2:].split("/", 1)[0]:
            return m.start(1)
    return None


def _obfuscated_host(host: str) -> bool:
    """A numeric host not in dotted-decimal form: hex or zero-padded octal parts, or fewer than
    four parts (``1113982867``, ``0x42.0x0000066.0x7.0x93``, ``0102.0146.07.0223``)."""
    parts = host.strip(".").split(".")
    if not all(p.isdigit() or (p.startswith("0x") and all(c in _HEX_DIGITS for c in p[2:])) for p in parts):
        return False
    if any(p.startswith("0x") or (len(p) > 1 and p.startswith("0")) for p in parts):
        return True
    return len(parts) < 4 and int(parts[0]) > 255


def _quoted_term(text: str, uri: Any) -> bool:
    """The scheme named as a term in quotes or a code span, then words: "the `javascript:` scheme
    is blocked by our CSP"."""
    start, end = uri.start(), uri.end()
    if start == 0 or end >= len(text) or text[start - 1] not in "`'\"" or text[end] != text[start - 1]:
        return False
    return _prose_tail(text, end + 1)


# the attributes that hold an address a browser loads or navigates to
_URL_ATTRIBUTE = re.compile(
    r"(?:^|[\s/\"'`])(?:href|src|action|data|background|poster|srcset|dynsrc|lowsrc|ping|cite|longdesc|"
    r"codebase|archive|xlink:href|manifest|icon|profile|usemap)[\s]{0,4}=[\s]{0,4}[\"'`]?([^\s\"'`>]{0,300})"
)
# an address that goes to a web page, a mailbox, a phone, a fragment or a path of the site (its
# root "/" too: a "Home" link), the same page with another query ("?page=2"), a no-op link a
# page's script handles ("javascript:void(0)", "javascript:;"), or an inline raster image
_PLAIN_URL = re.compile(r"(?:https?://[a-z0-9]|mailto:|tel:|cid:|#|/(?:[^/\\]|$)|\?[a-z0-9_\-]{1,40}=|javascript:(?:void\(0\);?|;)?$|[a-z0-9_.~%\-]{1,200}(?:[/?#]|$)|data:image/(?:png|jpe?g|gif|webp);base64,|$)")


# an ``id`` or ``name`` that shadows a DOM method or property a page's script reads ("<img
# name=getElementById>", "<a id=cookie>"): DOM clobbering; names a form field takes ("location",
# "title", "body") are not here
_CLOBBER = re.compile(
    r"(?:^|[\s/\"'`])(?:id|name)[\s]{0,4}=[\s]{0,4}[\"'`]?(?:getelementby|getelementsby|queryselector|createelement|"
    r"currentscript|documentelement|defaultview|ownerdocument|attributes|nodename|nodetype|parentnode|firstchild|"
    r"innerhtml|outerhtml|cookie|appendchild|setattribute|getattribute|baseuri|implementation|__proto__|constructor|"
    r"prototype|defaultconfig)"
)
# a value that closes a CSS rule (after at most a short token or an empty rule) and opens its own,
# whose declarations fetch from another host (`scan`)
_CSS_BREAK = re.compile(
    r"(?:[^{}<>\"'`]{0,40}[\"']?|[\s]{0,4}\{)[\s]{0,4}\}[\s]{0,4}[a-z0-9*#.:\[\]=\-_>+~,\"' ()]{1,80}\{[^{}]{0,200}"
    r"url[\s]{0,4}\([\s'\"]{0,4}(?:https?:)?//"
)
# the names of `_CLOBBER` that are DOM methods or node properties, never a form field's or an
# anchor's name (a field may be called "cookie", "attributes" or "title")
_CLOBBER_METHOD = re.compile(
    r"(?:^|[\s/\"'`])(?:id|name)[\s]{0,4}=[\s]{0,4}[\"'`]?(?:getelementsby|getelementby|queryselector|createelement|"
    r"currentscript|documentelement|defaultview|ownerdocument|parentnode|firstchild|appendchild|setattribute|"
    r"getattribute|baseuri|nodename|nodetype|innerhtml|outerhtml|__proto__)"
)
# a password field ("<input name=p type=password>"), read after a form's opening tag
_PASSWORD_FIELD = re.compile(r"<[\s]{0,4}input\b[^<>]{0,200}\btype[\s]{0,4}=[\s]{0,4}[\"'`]?password")
# attributes a client-side framework reads as code or as an address it fetches (htmx, Alpine, Vue,
# AngularJS, Knockout): "hx-get=", "x-init=", "v-html=", ":href=", "@click=", "ng-init=", "data-bind=";
# with the prefixes they also accept ("data-hx-", Alpine's "data-x-", AngularJS's "x-ng-",
# "data_ng_") and AngularJS's other separators ("ng:click=", "ng_init=")
_FRAMEWORK_ATTRIBUTE = re.compile(
    r"(?:^|[\s/\"'`])(?:(?:data|x)[\-_:])?(?:hx-|x-|v-|ng[\-_:]|bind\b)[a-z0-9\-_:.]{0,40}[\s]{0,4}="
    r"|(?:^|[\s/\"'`])[@:][a-z][a-z0-9\-:.]{0,40}[\s]{0,4}="
)


def _plain_attributes(attributes: str) -> bool:
    """Every address in a tag's attributes is a plain one (`_PLAIN_URL`), no ``id`` or ``name``
    clobbers the DOM, and no framework attribute holds code or an address."""
    if "=" in attributes and (_CLOBBER.search(attributes) is not None or _FRAMEWORK_ATTRIBUTE.search(attributes) is not None):
        return False
    return all(_PLAIN_URL.match(m.group(1)) is not None for m in _URL_ATTRIBUTE.finditer(attributes))


# the elements that load a source (``src=``) as an image or media
_MEDIA_ELEMENTS = frozenset({"img", "image", "video", "audio", "source", "input"})
# a source of one or two letters or digits, quoted or not: no file, path or address
_PLACEHOLDER_SOURCE = re.compile(r"(?:^|[\s/\"'`])src[\s]{0,4}=[\s]{0,4}([\"'`]?)[a-z0-9]{1,2}\1(?:[\s/]|$)")
_SOURCE_VALUE = re.compile(r"(?:^|[\s/\"'`])src[\s]{0,4}=[\s]{0,4}[\"'`]?([^\s\"'`>]{1,300})")
# a state-changing action named in a URL's path or query ("/admin/delete.php?id=7", "?action=logout")
_ACTION_WORD = re.compile(
    r"(?:^|[/?&=_.\-])(?:delete|remove|logout|logoff|signout|transfer|withdraw|deactivate|destroy|grant|promote"
    r"|make_?admin|set_?admin|add_?admin|add_?user|change_?password|reset_?password|change_?email|unsubscribe)(?:$|[/?&=_.])"
)
_MEDIA_FILE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|ico|bmp|avif|mp[34]|webm|ogg|wav)$")
_SCRIPT_FILE = re.compile(r"\.(?:php[0-9]?|aspx?|jsp|cgi|pl|do|action|cfm)$")


def _action_source(attributes: str) -> bool:
    """A media element's source (``src=``) is a request to an application's action: an action
    word (`_ACTION_WORD`) in a script's path or with a query, not a media file."""
    m = _SOURCE_VALUE.search(attributes)
    if m is None:
        return False
    path, _, query = m.group(1).partition("?")
    if _MEDIA_FILE.search(path) is not None or (not query and _SCRIPT_FILE.search(path) is None):
        return False
    return _ACTION_WORD.search(path.split("//", 1)[-1].partition("/")[2] if "//" in path else path) is not None or (
        _ACTION_WORD.search(query) is not None)


# markup written out of an attribute: the value opens (after at most a short token: "1", "abc",
# an e-mail) with a quote that closes the attribute and a ">" that closes the tag, then a new
# element ('"><h1>', "'><b>", '" /><p>'); rich text and captured pages open with their own tag
# (or opens with a run of symbols holding two quotes, the breakers of every context tried at once
# before the tag: "';\"`--><x>", "'\")--><b>")
_ATTRIBUTE_BREAK = re.compile(
    r"[^<>\"'`]{0,40}(?:[\"'`]|[\"'`][^<>a-z0-9]{0,12}[\"'`][^<>a-z0-9]{0,12})[\s/]{0,4}>[\s]{0,8}<[\s/]{0,4}[a-z!]"
)
# the same out of an element whose content is text (a title, a text area, a style or script
# block): its end tag, then a new element ("</title><h1>", "</textarea><b>", "</option></select><p>")
_ELEMENT_BREAK = re.compile(
    r"[^<>]{0,40}</[\s]{0,4}(?:title|textarea|style|script|noscript|xmp|iframe|noembed|noframes|template|option|"
    r"select|plaintext)[\s]{0,4}>[\s]{0,8}<[\s/]{0,4}[a-z!]"
)


# a value that is one element and only the word an injection test shows ("<h1>XSS</h1>",
# "<b>pwned</b>"), alone or appended to a value's token ("1<h1>XSS</h1>", "/page<b>pwned</b>"):
# the proof that markup is rendered; rich text says more than that word
# (inside up to three elements, "<center><b>hacked</b></center>"; a defacer's signature, "hacked by x")
_INJECTION_MARKER = re.compile(
    r"[^<>\s]{0,40}(?:<[a-z][a-z0-9]{0,10}(?:[\s/][^<>]{0,100})?>[\s]{0,4}){1,3}"
    r"(?:xss|pwned|pwnd|pwn3d|hacked|h4ck3d|h4cked|hack3d|0wn3d|injected|html[\s\-_]?injection|xss[\s\-_]?test|(?:hacked|defaced)[\s]{1,4}by[\s]{1,4}[a-z0-9_\-]{1,20}(?: [a-z0-9_\-]{1,20}){0,2})"
    r"[\s!.:1-9]{0,4}(?:</[a-z][a-z0-9]{0,10}[\s]{0,4}>[\s]{0,4}){1,3}"
)


# the elements whose content the parser reads as raw text up to their end tag
_SWALLOWING = frozenset({"textarea", "title", "noscript", "noembed", "noframes", "style"})
# elements a lone complete tag of probes the page with ("<form>", "<svg>": nesting a form, a
# switch of the parser's namespace); as the whole value, never data
_BARE_PROBES = frozenset({"form", "input", "keygen", "button", "select", "svg", "math"})
_OPEN_ATTRIBUTE = re.compile(r"(?:^|[\s/\"'`])open(?:[\s/=]|$)")
# a box laid over the page: fixed to the viewport, or absolute outside a positioned container of
# the value (a responsive embed's "position:relative" wrapper); and what makes it cover or hide
_FIXED = re.compile(r"position[\s]{0,4}:[\s]{0,4}fixed")
_ABSOLUTE = re.compile(r"position[\s]{0,4}:[\s]{0,4}absolute")
_CONTAINER = re.compile(r"position[\s]{0,4}:[\s]{0,4}(?:relative|absolute|sticky)")
_COVER = re.compile(
    r"(?:^|[\s;\"'`{])(?:(?:width|height)[\s]{0,4}:[\s]{0,4}(?:100(?:\.0{1,3})?%|100v[wh]|[0-9]{4,5}px)"
    r"|inset[\s]{0,4}:[\s]{0,4}0|z-index[\s]{0,4}:[\s]{0,4}[0-9]{3,}"
    r"|opacity[\s]{0,4}:[\s]{0,4}0?(?:\.0{1,3})?(?:[\s;\"'`}]|$))"
)
_HIDDEN = re.compile(r"display[\s]{0,4}:[\s]{0,4}none|visibility[\s]{0,4}:[\s]{0,4}hidden")
# a rule for the whole page: the root, the body, every element, or content generated before or
# after one of them (its declarations in group 1)
_PAGE_RULE = re.compile(r"(?:^|[>}\s,])(?:html|body|\*)(?:::?(?:before|after))?[\s]{0,4}\{([^{}]{0,300})")


def _restyles_page(sheet: str) -> bool:
    """A style sheet (``sheet``) hides the whole page or lays a box over it from a rule for the
    page itself (`_PAGE_RULE`: "body{display:none}", "body::before{content:'..';position:fixed;
    inset:0}"); a site's own rules style its classes (".overlay{position:fixed}")."""
    for count, m in enumerate(_PAGE_RULE.finditer(sheet[:2000])):
        if count >= 8:
            break
        rule = m.group(1)
        if _HIDDEN.search(rule) is not None or ("position" in rule and _overlay(rule, "")):
            return True
    return False


def _overlay(style: str, before: str) -> bool:
    """A tag's attributes or a sheet (``style``) lay a box over the page: ``position: fixed`` that
    covers, stacks on top or is transparent (`_COVER`: a phishing form or a clickjacking link over
    the site), or ``position: absolute`` doing so with no positioned container in the value before
    it (``before``), and the box is not hidden; editors and mail clients never write either."""
    if _COVER.search(style) is None or _HIDDEN.search(style) is not None:
        return False  # (a hidden box, "display:none": a page's closed dialog, covers nothing)
    if _FIXED.search(style) is not None:
        return True
    return _ABSOLUTE.search(style) is not None and _CONTAINER.search(before) is None


def _quote_break(before: str) -> bool:
    """The value opens with a quote before its first tag: markup written out of an attribute (a
    quote left open, or closed right before a ">"; words quoted in pairs, 'any "Select" plan', are prose)."""
    return "<" not in before and any(q in before for q in "\"'`") and (
        any(before.count(q) % 2 for q in "\"'`") or _QUOTE_CLOSE.search(before) is not None)


_QUOTE_CLOSE = re.compile(r"[\"'`][\s]{0,4}/?>")


# what an icon or a formula is drawn with; not the elements that load, run, animate or restyle
# (script, foreignObject, style, a, image, use of an outside file, animate, set) nor the ones a
# parser-differential payload leans on (mtext, mglyph, annotation-xml)
_DRAWING = frozenset(
    """svg g path circle rect line polyline polygon ellipse defs title desc text tspan lineargradient
    radialgradient stop clippath mask symbol use pattern marker filter fegaussianblur feoffset
    feblend fecolormatrix feflood femerge femergenode math mi mo mn mrow mfrac msup msub msubsup
    msqrt mroot mspace mtable mtr mtd munder mover munderover mstyle mpadded""".split()
)
_INNER_LINK = re.compile(r"(?:^|[\s/\"'`])(?:xlink:)?href[\s]{0,4}=[\s]{0,4}[\"'`]?([^\s\"'`>]{0,300})")


_SVG_DATA_URI = re.compile(r"\Adata:image/svg\+xml(?:;[a-z0-9=._-]{1,40}){0,3},")


def _inert_drawing(text: str) -> bool:
    """An SVG icon or a MathML formula: only drawing elements, no handler, no script or data URI,
    links only to a fragment or a web page. The value may be the drawing as a data URI
    (``data:image/svg+xml,<svg ...``: a page's placeholder image, reported by RUM beacons)."""
    text = _SVG_DATA_URI.sub("", text, count=1)
    if len(text) > 4000 or "data:" in text or _URI.search(text) is not None or _HANDLER.search(text) is not None:
        return False
    if any(m.group(1) not in _DRAWING for m in _TAG.finditer(text)):
        return False
    return all(_document_link(m.group(1)) for m in _INNER_LINK.finditer(text))


def _document_link(value: str) -> bool:
    """A fragment, a web page or a path of the site ("#icon", "/sprite.svg#check")."""
    return value.startswith(("#", "http://", "https://")) or (
        value.startswith("/") and not value.startswith(("//", "/\\")) and ":" not in value)


# the elements a rich-text editor, a markdown renderer or a mail client writes: formatting,
# structure, links and media (what each loads is read by `_plain_attributes`)
_RICH_TEXT = frozenset(
    """p div span b i u s em strong small big mark code pre kbd samp var blockquote q cite abbr dfn
    br hr h1 h2 h3 h4 h5 h6 ul ol li dl dt dd table thead tbody tfoot tr td th caption colgroup col
    a img figure figcaption picture source video audio track sub sup del ins font center section
    article header footer nav aside main summary details time address wbr tt strike""".split()
)
# the elements whose plain attributes make a tag no evidence: rich text, and the document
# elements an XML feed or a whole page sent as data names (<title>, <body>); not form controls
# (an injected <input> or <button> collects or submits), nor <marquee>, <xmp>, <noscript>...
_PLAIN_ELEMENTS = _RICH_TEXT | {"title", "body", "html", "head"}


# the players video and map sites give to paste into a page (https only, their embed paths)
_EMBED_SRC = re.compile(
    r"https://(?:www\.)?(?:youtube(?:-nocookie)?\.com/embed/|player\.vimeo\.com/video/|google\.com/maps/embed\b"
    # (audio and other video players: SoundCloud, Spotify, Dailymotion, Apple Music, Bandcamp, OpenStreetMap)
    r"|w\.soundcloud\.com/player/|open\.spotify\.com/embed/|dailymotion\.com/embed/video/|geo\.dailymotion\.com/player"
    r"|embed\.music\.apple\.com/|bandcamp\.com/embeddedplayer/|openstreetmap\.org/export/embed\.html)"
    r"[a-z0-9_\-/?=&;.%!:#,+]{0,400}$"  # (a map's "pb=!1m18!...!1s0x89c2%3a0xd1..." parameter, decoded too)
)


# a script element of a data type (JSON-LD, JSON), its one attribute the type (an id may
# follow), holding no markup up to its end tag: browsers do not run it, and ignore a src on it
# the empty script element a social network gives to paste beside an embedded post (X/Twitter,
# Instagram, TikTok, Reddit, Imgur, Facebook, LinkedIn, Pinterest): its only source the network's
# own loader, which a CMS article carries wherever a post is quoted; a script from anywhere else,
# or one with a body or a handler, is read as before
_EMBED_SCRIPT = re.compile(
    r"(?:[\s]{1,4}(?:async|defer|charset=([\"']?)utf-8\1|crossorigin=([\"']?)anonymous\2|nonce=([\"']?)[a-z0-9+/=]{1,40}\3"
    r"|src=([\"']?)(?:https:)?//(?:platform\.twitter\.com/widgets\.js|www\.instagram\.com/embed\.js|www\.tiktok\.com/embed\.js"
    r"|embed\.reddit\.com/widgets\.js|s\.imgur\.com/min/embed\.js|connect\.facebook\.net/[a-z_]{2,5}/sdk\.js(?:#[a-z0-9=&.]{0,60})?"
    r"|platform\.linkedin\.com/in\.js|assets\.pinterest\.com/js/pinit\.js)\4)){1,6}[\s]{0,4}>[\s]{0,4}</script[\s]{0,4}>"
)
def _embed_script(text: str, pos: int) -> bool:
    found = _EMBED_SCRIPT.match(text, pos)
    return found is not None and "src=" in found.group(0)


_DATA_SCRIPT = re.compile(
    r"[\s]{1,4}type[\s]{0,4}=[\s]{0,4}([\"']?)application/(?:ld\+)?json\1(?:[\s]{1,4}id[\s]{0,4}=[\s]{0,4}[\"']?[a-z0-9_\-]{1,40}[\"']?)?"
    r"[\s]{0,4}>[^<]{0,8000}</script[\s]{0,4}>"
)


# what a site's embed code never holds: a frame name (window.<name> is the frame: any name
# clobbers a global the page's script reads) and a style that lays the frame over the page
_EMBED_EXTRA = re.compile(r"(?:^|[\s/\"'`])name[\s]{0,4}=|position[\s]{0,4}:[\s]{0,4}(?:fixed|absolute)")


def _video_embed(rest: str) -> bool:
    """The attributes after ``<iframe`` (``rest``) are a video or map embed: closed, its one
    address an embed player's (`_EMBED_SRC`), nothing else that loads or runs (no srcdoc,
    handler, framework attribute or clobbering name: `_plain_attributes`)."""
    attributes, closed, _ = rest.partition(">")
    if not closed or "srcdoc" in attributes or "<" in attributes or _EMBED_EXTRA.search(attributes) is not None:
        return False
    addresses = [m.group(1) for m in _URL_ATTRIBUTE.finditer(attributes)]
    return (len(addresses) == 1 and _EMBED_SRC.match(addresses[0]) is not None
            and _plain_attributes(attributes) and _HANDLER.search(attributes) is None)


def _embeds_only(text: str) -> bool:
    """Every ``<iframe`` of the value opens a video or map embed (`_video_embed`), and one does."""
    openings = [m for m in _TAG.finditer(text) if m.group(1) == "iframe" and "/" not in text[m.start() : m.start(1)]]
    return bool(openings) and all(_video_embed(text[m.end(1) :]) for m in openings)


def _in_document(text: str) -> bool:
    """The value is a whole HTML document (it has its frame), not a tag injected alone."""
    return "<html" in text or "<head" in text


# the frame of a whole HTML mail or page around rich text; its <meta> only the charset
# (`_META_CHARSET`)
_DOCUMENT = frozenset({"html", "head", "body", "title", "meta"})
# HTML's, SVG's and MathML's other elements: forms and their controls, maps, canvases, slots,
# the ruby and obsolete elements, and the drawing elements that animate, load or nest HTML
_HTML_OTHER = frozenset(
    """area map canvas label option optgroup fieldset legend output progress meter datalist noembed
    noframes slot menu menuitem command search selectedcontent nobr ruby rt rp rb rtc listing blink element
    content shadow spacer multicol nextid foreignobject animatemotion animatetransform animatecolor discard
    mpath feimage annotation annotation-xml semantics maction mtext mglyph malignmark""".split()
)

_PREFIXED_PLAIN = (_RICH_TEXT | _DOCUMENT) - {"meta"}


def _data_element(name: str) -> bool:
    """An element of an XML data vocabulary (``<note>``, ``<entry key=...>``, ``<soap:envelope>``,
    ``<w:t>``): no element HTML, SVG or MathML defines under that local name, and no custom
    element's hyphenated name (a page may define one); a browser renders it as inert text, so
    only its attributes (handlers, addresses: read by `_plain_markup`) could act. (``<param>``
    only configures an ``<object>``, itself active: XML-RPC's ``<param>`` is data.)"""
    prefix, _, local = name.rpartition(":")
    if prefix and local in _PREFIXED_PLAIN:
        return True  # "<w:body>", "<w:p>": prefixed names are unknown elements to HTML, plain ones to XHTML
    return ("-" not in local and local not in ACTIVE_TAGS and local not in STRONG_TAGS and local not in _OBSOLETE_TAGS
            and local not in _RICH_TEXT and local not in _DRAWING and local not in _DOCUMENT and local not in _HTML_OTHER)


# a closed HTML comment holding no markup, not a conditional comment
_HTML_COMMENT = re.compile(r"<!--(?!\[)[^<>]{0,200}-->")


def rich_text(text: str) -> bool:
    """A lower-case view that is rich text and nothing more (`_plain_markup`), with no sink but
    one named in a text node whose text is no script ("<a ...>document.cookie docs</a>"). Such a
    value cannot run script, whatever a statistical model makes of its shape. HTML comments
    (an editor's "<!--more-->", a block editor's "<!-- wp:paragraph -->", a draft note) are read
    as blanks; a conditional comment ("<!--[if IE]>") is not one."""
    if "<!--" in text:
        text = _HTML_COMMENT.sub(" ", text)
        if "<" not in text:
            return True
    if not _plain_markup(text):
        return False
    sink = _SINK.search(text)
    for _ in range(8):
        if sink is None:
            return True
        if not _fragment_link(text, sink):
            node = _text_node(text, sink, _always)  # the whole value is plain markup
            if node is None or _sink_score(text[node[0] : node[1]], sink.start() - node[0], sink) >= 0.5:
                return False
        sink = _SINK.search(text, sink.end())
    return False


# what follows the scheme of a no-op link's href in markup: "void(0)", ";" or nothing, then the
# attribute's end ('href="javascript:void(0)"'); any other script after it is no no-op
_NOOP_HREF = re.compile(r"(?:void\(0\);?|;)?[\"'`]?(?:[\s>]|$)")


def _plain_markup(text: str) -> bool:
    """Every element formatting, structure, a link or media (an inert drawing for SVG / MathML),
    every address plain (`_plain_attributes`), no event handler, script or active data URI, and
    not opened by a quote that ends an attribute. (What holds for a value holds for each of its
    prefixes that ends a tag.)"""
    if "<" not in text or len(text) > 4000:
        return False
    names = [m.group(1) for m in _TAG.finditer(text)]
    if not names or _quote_break(text[: text.find("<")]):
        return False
    drawing = any(n in ("svg", "math") for n in names)
    if any(n not in _RICH_TEXT and not (drawing and n in _DRAWING) and n not in _DOCUMENT and n != "iframe"
           and not _data_element(n) for n in names):
        return False
    if "iframe" in names and not _embeds_only(text):
        return False
    if "meta" in names and (not _in_document(text) or any(
            m.group(1) == "meta" and _META_CHARSET.match(text, m.end(1)) is None for m in _TAG.finditer(text))):
        return False
    if drawing and not _inert_drawing(text):
        return False
    if "=" in text and (_HANDLER.search(text) is not None
                        or any(m.group(1) in EVENTS for m in _ANY_HANDLER.finditer(text))):
        # (an event's name assigned anywhere, not only after a blank or a quote:
        # "<b>hi</b>onerror=alert;throw 1")
        return False
    if ":" in text and any(_NOOP_HREF.match(text, m.end()) is None or _spread(m.group(0)) for m in _URI.finditer(text)):
        return False  # (a no-op link's href is plain: `_NOOP_HREF`)
    data = _DATA_URI.search(text) if "data:" in text else None
    if data is not None and _active_data(text, data):
        return False
    return _plain_attributes(text)


_ANY_HANDLER = re.compile(r"(on[a-z]{3,48})[\s\x00-\x1f+]{0,16}=")


def _array_field_name(text: str, sink: Any) -> bool:
    """``variables[][key]``: the empty index of a form field's name (Rails', PHP's arrays of
    records) glued to the name, not JSFuck's ``[][`` (an array literal where an expression begins)."""
    start = sink.start()
    # (after a name or a nested key's bracket: "backing[add_ons][][id]")
    return (sink.group(0).startswith("[][") and start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_]")
            and _FIELD_KEY.match(text, sink.end()) is not None)


# the key after an array marker: a name and its closing bracket ("[][secret_value]")
_FIELD_KEY = re.compile(r"[a-z_][a-z0-9_\-]{0,60}\]")


def _fragment_link(text: str, sink: Any) -> bool:
    """``xlink:href="#icon"``, ``xlink:href="https://..."``: a link inside an SVG document to one of
    its own elements or to a web page, not a script."""
    if not sink.group(0).startswith("xlink:href"):
        return False
    value = text[sink.end() : sink.end() + 200].lstrip(" \t\n\"'`")
    return _document_link(value.split('"', 1)[0].split("'", 1)[0].split(">", 1)[0].split(" ", 1)[0])


def _jsx_value(text: str, end: int) -> bool:
    return _JSX.match(text, end) is not None


def _bare_setting(text: str, start: int) -> bool:
    """The whole value (or a path segment / query parameter of it) is ``on<name>=<word>``, and
    the word is not a function a page can call: "onerror=ignore", "/files/onload=lazy"."""
    separated = text[start : start + 1] in ("/", "?", "&")
    if start > 0 and not separated:
        return False
    m = _SETTING.fullmatch(text[start + separated :].split("&", 1)[0].strip())
    return m is not None and m.group(1) not in _CALLABLE


def _prose_call(text: str, start: int) -> bool:
    call = _PROSE_CALL.match(text, start)
    if call is None:
        return False
    # the sentence may be one parameter of a URL (a Referer: "https://shop.example/?q=please confirm (yes/no)")
    before = _PARAM_START.split(text[max(0, start - 200) : start])[-1]
    after = text[call.end() : call.end() + 200].split("&", 1)[0]
    # (other functions named with empty parentheses are words too: "eval() exec() globals locals")
    if _PROSE_TEXT.fullmatch(before.replace("()", "")) is None or _PROSE_TEXT.fullmatch(after.replace("()", "")) is None:
        return False
    return _WORD_BEFORE.search(before) is not None or _WORD_AFTER.search(after) is not None


def _same_site(attributes: str, attribute: re.Pattern[str]) -> bool:
    """``href="/static/site.css"``, ``action=cart/add``: a path on the page's own site (no scheme,
    not protocol-relative ``//host``), and no other attribute that runs or fetches anything."""
    if _tag_uri(attributes) or "formaction" in attributes or "srcdoc" in attributes:
        return False
    m = attribute.search(attributes)
    if m is None:
        return False
    url = m.group(1)
    return url != "" and not url.startswith(("//", "\\", "/\\")) and ":" not in url and "\\" not in url


def _tag_uri(rest: str) -> bool:
    uri = _URI.search(rest)
    if uri is not None and not _inert_uri(rest, uri.end()):
        return True
    data = _DATA_URI.search(rest[:200])
    return data is not None and _active_data(rest, data)


# what makes an SVG image run script: an element or handler that executes, or a script URI
_SVG_SCRIPT = re.compile(r"<[\s/]{0,4}(?:script|foreignobject|iframe|embed|object)|[\s\"'/]on[a-z]{3,40}[\s]{0,8}=|javascript:|%3cscript")


def _base64_pieces(words: tuple[str, ...]) -> tuple[str, ...]:
    """The lower-cased base64 spellings of ``words`` at the three byte alignments (the part
    whose every character comes from the word): the text is read lower-cased, so the encoded
    form is matched lower-cased too (a search, never a decode of a case-folded blob)."""
    out: set[str] = set()
    for word in words:
        raw = word.encode()
        for shift in range(3):
            enc = base64.b64encode(b"\x00" * shift + raw).decode()
            piece = enc[(shift * 8 + 5) // 6 : (shift + len(raw)) * 8 // 6]
            if len(piece) >= 8:
                out.add(piece.lower())
    return tuple(sorted(out))


# what `_SVG_SCRIPT` looks for, as it reads inside a base64 SVG ("data:image/svg+xml;base64,PHN2Zy...")
_SVG_SCRIPT_BASE64 = linear("|".join(re.escape(p) for p in _base64_pieces(
    ("<script", "<foreignObject", "<iframe", " onload=", " onerror=", " onbegin=", " onclick=", " onmouseover=",
     " onfocus=", "javascript:", "<svg onload", "<image onerror"))))


def _active_data(text: str, data: re.Match[str]) -> bool:
    """A ``data:`` URI whose content a browser runs: HTML, XML or script types, an empty type
    (``data:,alert(1)`` as a script source), or SVG carrying script. Images, fonts and SVG
    icons (``data:image/svg+xml,<svg xmlns=...><path .../></svg>`` in CSS) are inert."""
    kind = data.group(0)
    if "svg" in kind:
        encoded = text.find(";base64,", data.end() - 8, data.end() + 40)  # "image/svg+xml;base64,"
        if encoded >= 0:
            return _SVG_SCRIPT_BASE64.search(text[encoded + 8 : encoded + 4000]) is not None
        return _SVG_SCRIPT.search(text, data.end(), data.end() + 1200) is not None
    if any(k in kind for k in ("html", "xml", "javascript")):
        return True
    if kind.endswith(";base64,"):
        media = kind[5:-8].strip()
        return media == "" or media.startswith(("text/", "application/"))
    return kind.endswith(",")  # data:, (the type defaults to text/plain; as a script source it runs)


_POSTBACK = re.compile(r"[\s]{0,4}(?:__dopostback|webform_dopostbackwithoptions)[\s]{0,4}\(")
_STRONG_SINK = re.compile(
    r"\b(?:alert|prompt|confirm|eval|settimeout|setinterval|fromcharcode|atob|fetch|import)[\s]{0,8}[(`]"
    r"|document[\s]{0,4}\.|window[\s]{0,4}\.|location|\bfunction\b|constructor|=>|<"
)


def _postback(text: str, end: int) -> bool:
    """``javascript:__doPostBack('ctl00$x','')``: the links ASP.NET WebForms renders for every
    button, reported by click analytics; any other call after it is not a postback."""
    if _POSTBACK.match(text, end) is None:
        return False
    return _STRONG_SINK.search(text, end, end + 600) is None


def _spread(scheme: str) -> bool:
    """``ja\tvascript:``: blanks inside the scheme name are obfuscation, never a no-op link."""
    return any(c.isspace() or c < " " for c in scheme.rstrip(":").rstrip())


_NOOP_LINK = re.compile(rf"[\s]{{0,4}}javascript:[\s]{{0,4}}(?:{_NOOP})[\s]{{0,4}}")


def noop_link(text: str) -> bool:
    """The whole lower-case view is a no-op link (``javascript: void(0)``, ``javascript:;``): the
    href of a link a page's script handles, which analytics beacons report."""
    return _NOOP_LINK.fullmatch(text) is not None


# ServiceNow's dynamic filter values: "start_date>=javascript:gs.beginningOfThisWeek()^type=normal",
# "assignment_group=javascript:getMyGroups()": a GlideSystem call the instance evaluates on its
# server when it builds the list query, one call closed by a query separator; a browser has no
# "gs" (and whatever comes after a break, ";alert(1)", is no separator)
_GLIDE_CALL = re.compile(
    r"[\s]{0,2}(?:gs\.[a-z_][a-z0-9_]{1,40}|getmygroups|getmyassignments|getmyapprovals|getmyinteractions)"
    r"\([^()<>\"`;]{0,80}\)[\s]{0,2}(?:$|[\^@&,])")


def _inert_uri(text: str, end: int) -> bool:
    """``javascript:void(0)``, ``javascript:;``: the no-op links analytics beacons report."""
    return _INERT.match(text, end) is not None and not _returns_name(text, end)


# CSS escapes ("\\75" or "\\0075 " for "u"): a style attribute or sheet may spell its whole value with them
_CSS_ESCAPE = re.compile(r"\\([0-9a-f]{1,6})[ \t\n]?")
_CSS_SINK = re.compile(r"expression[\s]{0,8}\(|-moz-binding|\bbehavior[\s]{0,4}:|url[\s]{0,4}\([\s'\"]{0,4}(?:javascript|vbscript):|@import\b")


def _css_escaped_sink(text: str) -> int | None:
    """Where a style property that runs script is found once CSS escapes are decoded (and not
    before: the plain spelling is the sink search's), or None."""
    start = text.find("style")
    escaped = text[start : start + 2000]
    if _CSS_ESCAPE.search(escaped) is None:
        return None
    decoded = _CSS_ESCAPE.sub(lambda m: chr(min(int(m.group(1), 16), 0x10FFFF)) if int(m.group(1), 16) else "", escaped)
    sink = _CSS_SINK.search(decoded.lower())
    return None if sink is None else start


def _generic_event(name: str) -> frozenset[str]:
    """Unknown ``on*`` names inside a tag still count: browsers add events every year."""
    return frozenset({name}) if len(name) >= 5 else frozenset()


def features(text: str) -> dict[str, float]:
    return {
        "html.tags": float(len(_TAG.findall(text))),
        "html.handlers": float(len(_HANDLER.findall(text))),
        "html.uri": float(_URI.search(text) is not None),
        "html.sinks": float(len(_SINK.findall(text))),
        "html.angle": float(text.count("<") + text.count(">")),
        "html.evidence": max((h.score for h in scan(text)), default=0.0),
    }
