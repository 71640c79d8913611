"""NoSQL (MongoDB) operator injection.

An operator where a value was expected: a JSON key or query-parameter key such as ``$ne``,
``$gt``, ``$where``, ``$regex`` (``user[$ne]=x``, ``{"password": {"$ne": null}}``), or a value
holding an operator object or server-side JavaScript (``{"$where": "sleep(100)"}``,
``'; return true; var x='``, ``db.getCollection('users').find()``). Keys are checked by the stage with `key_operator`.
"""

from __future__ import annotations

import re

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear

OPERATORS = frozenset(
    {"$ne", "$eq", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$regex", "$where", "$exists",
     "$expr", "$or", "$and", "$nor", "$not", "$elemmatch", "$function", "$accumulator", "$type",
     "$size", "$all", "$mod", "$text", "$search", "$jsonschema", "$lookup", "$merge", "$out",
     "$set", "$unset", "$inc", "$push", "$where:", "$options", "$comment", "$natural"}
)
# $eq / $in select what a plain value selects (Strapi-style APIs use them in query strings);
# these change the query's meaning: inequality, ranges, patterns, server-side code.
STRONG = frozenset({"$ne", "$gt", "$gte", "$lt", "$lte", "$regex", "$where", "$nin",
                    "$exists", "$expr", "$or", "$nor", "$not", "$function", "$accumulator",
                    "$elemmatch"})
# Mongo-only matchers no REST filter dialect uses (modulo, array size, superset): operators as a
# parameter key ("user[$mod]=x", also read in a value) or an object's first key ('{"$size": []}'); in prose or code they
# are variables ("$size = 10"). ("$type" is also Json.NET's polymorphic type key.)
KEY_ONLY = frozenset({"$mod", "$size", "$all"})
# (also the update operators and aggregation stages of `_MONGO_KEY`, which a value holds only to
# smuggle an update or a pipeline: '{"$inc": {"balance": 1}}', '[{"$match": {}}]')
# (and the pipeline stages that reshape or write out what a query returns: '[{"$project": {"pw":
# "$password"}}]', '{"$group": {"_id": "$role"}}', '{"$out": "x"}')
_KEY_ONLY_NAMES = ("mod|size|all|inc|push|pull|pullall|addtoset|rename|setoninsert|currentdate|match|graphlookup|unionwith|"
                   "project|group|unwind|out|addfields|replaceroot|replacewith|facet|sortbycount|bucket")
_OBJECT_OPERATOR = re.compile(
    rf"\{{[\s]{{0,4}}['\"]?(\$(?:{_KEY_ONLY_NAMES}))['\"]?[\s]{{0,4}}:|[a-z0-9_\]]\[(\$(?:{_KEY_ONLY_NAMES}))\]"
)
_OPERATOR = re.compile(r"(?:^|[\[{,\"'\s.])(\$[a-z]{2,16})(?:$|[\]}\"'\s:=])")
_JS = linear(
    r"(?:^|['\"];?|['\"][\s]{0,4}(?:&&|\|\|))[\s]{0,8}(?:return[\s]{1,8}(?:true|1|this)"
    r"|this\.[a-z_]{1,32}[\s]{0,4}(?:===?|!==?|\.match|\[|\.length\b|\.startswith\(|\.indexof\()"
    r"|sleep\([0-9]{1,8}\)|db\.[a-z_]{1,32}\.(?:find|drop|insert|remove))"
    # a number and a JavaScript equality joined to it, the whole value: "1 || 1==1", "true || ''=='" (a $where
    # on a number or a boolean)
    r"|^(?:[0-9]{1,12}|true)[\s]{0,4}(?:\|\||&&)[\s]{0,4}[0-9a-z'\"]{1,12}[\s]{0,4}===?"
)
# the mongo shell's database methods and collection calls ("db.getCollection('users').find()",
# "db.getSiblingDB('admin')", "db.users.deleteMany({})"); map-reduce code ("mapReduce(function(){emit(1,1)}, ...)")
_SHELL = linear(
    r"\bdb\.(?:getcollection|getsiblingdb|getcollectionnames|getcollectioninfos|dropdatabase|runcommand|"
    r"admincommand|createuser|dropuser|getusers|getmongo|eval|copydatabase|shutdownserver|fsynclock|serverstatus)[\s]{0,4}\("
    r"|\bdb\.[a-z_]{1,32}\.(?:find|findone|drop|insert|insertone|insertmany|remove|deleteone|deletemany|update|"
    r"updateone|updatemany|aggregate|mapreduce|renamecollection)[\s]{0,4}\("
    r"|\bmapreduce[\s]{0,4}\([\s]{0,4}function\b"
)
# a $where / mapReduce string closed, statements spliced in, and a string reopened at the end
# so the original closing quote still parses ("'; var d=new Date(); ...; var x='")
_SPLICE = linear(r"^[^'\"]{0,40}['\"][\s]{0,4};[^\n]{1,300};[\s]{0,4}(?:var|let|const)[\s]{1,4}[a-z_$][a-z0-9_$]{0,30}[\s]{0,4}=[\s]{0,4}['\"]$")
# Mongo-only operators as an object's key: the schema validator, aggregation joins, and a BSON
# type test by number or alias (Json.NET's "$type" names a .NET class, never these)
_MONGO_OBJECT = linear(
    r"\{[\s]{0,4}['\"]\$(?:jsonschema|lookup|graphlookup|unionwith)['\"][\s]{0,4}:"
    r"|\{[\s]{0,4}['\"]\$type['\"][\s]{0,4}:[\s]{0,4}(?:[0-9]{1,2}[\s]{0,4}[,}]|['\"](?:string|double|object|array|bool|null|int|long|"
    r"decimal|objectid|bindata|date|regex|javascript|timestamp|number|minkey|maxkey|undefined)['\"])"
)
# a JavaScript string closed and a statement begun ("'; return '' == '", "'; db.dropDatabase(); '"):
# what $where and mapReduce code shows when a value is spliced into it (a number after "return" only
# in a comparison: "'The Hobbit'; return 2 copies" is prose)
_BREAKOUT = re.compile(
    r"(?:['\"]\){0,2}|^[0-9]{1,12}|^true)[\s]{0,4}(?:;|\|\||&&)[\s]{0,8}(?:return[\s]{1,8}(?:['\"]|true\b|false\b|this\b|db\.|[0-9]{1,8}[\s]{0,4}[=!<>]|!)"
    r"|db\.[a-z_]{1,32}[\s]{0,4}[.(]|sleep[\s]{0,4}\(|while[\s]{0,4}\("
    # a map-reduce emit or a thrown error carrying the document ("'; emit(this._id, this.password); '",
    # "';throw new Error(JSON.stringify(this));'")
    r"|emit[\s]{0,4}\([\s]{0,4}this\b|throw[\s]{1,4}new[\s]{1,4}error[\s]{0,4}\([^)]{0,40}\bthis\b"
    # "';return(this.password.match(/^a/));'": the returned expression in parentheses
    r"|return[\s]{0,4}\([\s]{0,4}(?:this\.|true\b|db\.)"
    # the document's own fields read in the spliced expression ("a'||this.b||'", "'&&this.isAdmin&&'")
    r"|this\.[a-z_$][a-z0-9_$]{0,31}[\s]{0,4}(?:\|\||&&|;|$)"
    # a declaration spliced in ("'; var d=new Date(); do{...}while(...); '": a busy-wait timer),
    # or the bare assignment that starts the same timer ("';it=new Date();do{...}")
    r"|(?:var|let|const)[\s]{1,4}[a-z_$][a-z0-9_$]{0,30}[\s]{0,4}=[\s]{0,4}(?:new[\s]{1,4}[a-z]|this\b|db\.|function\b)"
    r"|[a-z_$][a-z0-9_$]{0,30}[\s]{0,4}=[\s]{0,4}new[\s]{1,4}date\b"
    # an endless loop spliced in, the timer without a clock ("';for(;;){};'", "'; while(1){}; '")
    r"|for[\s]{0,4}\([\s]{0,4};[\s]{0,4};[\s]{0,4}\))"
)
# (RE2 on long text: the stdlib engine tries the branches at every "r", "t", "s", "d", "m")
# (";var": a declaration spliced after a number, "0;var d=new Date(); do{...}while(...)")
_TRIGGER = linear(r"\$[a-z]|return|this\.|sleep|db\.|mapreduce|;[\s]{0,8}(?:var|let|const)[\s]|^(?:[0-9]{1,12}|true)[\s]{0,4}(?:\|\||&&)"
                  r"|emit[\s]{0,4}\(|throw[\s]{1,4}new|new[\s]{1,4}date\b|for[\s]{0,4}\(|\}[\s]{0,4},[\s]{0,4}\{")
# a string or a document of the query closed and the next member written by the value: an operator
# key ("' } ], $comment:'x'", "', $or: [ {}, {'a':'a") or a document matching a regex literal
# ("}, { password : /.*/ }"), the query object literal of server-side code completed from inside (the
# key unquoted and the regex literal are JavaScript: a JSON document, a JSON schema's '"$comment":', has neither)
_OBJECT_BREAK = linear(
    r"['\"][\s]{0,4}[}\]][\s}\]]{0,8},[\s]{0,4}\$[a-z]{2,16}[\s]{0,4}:"
    r"|\}[\s]{0,4},[\s]{0,4}\{[\s]{0,4}['\"]?[a-z_][a-z0-9_.]{0,30}['\"]?[\s]{0,4}:[\s]{0,4}/[^/\n]{1,40}/[gimsx]{0,4}[\s]{0,4}\}"
)
# Mongo-only operators as a key in a field's name: a JSON document a value carries is read leaf
# by leaf (`apiward.http.embedded_json`), so '{"$size": 0}' in a parameter, or '{"$inc":
# {"balance": 1000}}' in a JSON string, arrives as the field "q.$size" or "note.$inc.balance". These
# are the matchers, schema validator, aggregation stages and update operators no REST filter
# dialect or analytics payload uses ("$set"/"$unset" are PostHog's and Mixpanel's profile keys,
# "$in"/"$eq" Strapi's filters, "$search"/"$count" OData's); "$type" only with a BSON type as its
# value (Json.NET's "$type" names a .NET class), "$size" only with a number.
_MONGO_KEY = re.compile(rf"(?:^|[.\[#])\$({_KEY_ONLY_NAMES}|jsonschema|lookup|type)(?:$|[\].#])")
_BSON_TYPE = re.compile(
    r"[0-9]{1,2}|-1|string|double|object|array|bool|null|int|long|decimal|objectid|bindata|date|regex|javascript|"
    r"timestamp|number|minkey|maxkey|undefined"
)
_COUNT = re.compile(r"[0-9]{1,9}")


def key_operator(key: str) -> bool:
    """True when a parameter or JSON key (last path element) is a query operator."""
    name = key.rsplit(".", 1)[-1].rsplit("[", 1)[-1].strip("[]'\"").lower()
    return name in STRONG or name in KEY_ONLY


def mongo_key(name: str, value: str) -> bool:
    """True when a lower-case field name holds a Mongo-only operator as a key (see `_MONGO_KEY`)."""
    for m in _MONGO_KEY.finditer(name):
        op = m.group(1)
        if op == "type" or op == "size":
            # a BSON type, an array length: only with that value ('{"$size": "large"}' is a label)
            grammar = _BSON_TYPE if op == "type" else _COUNT
            if m.end() == len(name) and grammar.fullmatch(value.strip().lower()) is not None:
                return True
            continue
        return True
    return False


def _in_sentence(text: str, start: int, end: int) -> bool:
    """The operator at ``text[start:end]`` is a word of a sentence: blanks on both sides, or it
    opens the text followed by a blank ("mongodb $regex case insensitive", "$gt and $lt date
    range"). An injected operator is bracketed, quoted or keyed ("[$ne]", '{"$gt": ""}', "$where:")."""
    after = text[end : end + 1]
    if after and not after.isspace():
        return False
    before = text[start - 1 : start] if start else ""
    return (before.isspace() and (not after or after.isspace())) or (not before and after.isspace())


def _quoted_sleep(text: str, start: int, end: int) -> bool:
    """`_JS` matched a ``sleep(n)`` that prose quotes: a blank, the quote, the call and the same
    quote right after it ('the "sleep(5)" trick'); a $where splice goes on after the call."""
    quote = text[start]
    return (quote in "'\"" and text[end - 1] == ")" and text[end : end + 1] == quote
            and start > 0 and text[start - 1].isspace() and text[start + 1 : end].lstrip().startswith("sleep("))


# three words after a call: a sentence goes on ("sleep(5) in a python loop blocks my app")
_PROSE_AFTER = re.compile(r"[\s]{1,4}([a-z]{1,20})[\s]{1,4}[a-z]{1,20}[\s]{1,4}[a-z]{1,20}\b")


def _sleep_opens_prose(text: str, start: int, end: int) -> bool:
    """`_JS` matched a ``sleep(n)`` opening the value and a sentence follows it, no splice."""
    if start != 0 or not text.startswith("sleep(", start):
        return False
    after = _PROSE_AFTER.match(text, end)
    return after is not None and after.group(1) not in ("and", "or", "return", "if", "while", "for")


# the metacharacter probe of NoSQL scanners ('"\;{}', "{}';\""): only the characters that break a
# JavaScript string, a statement and a document, to see which one the server chokes on
_META_PROBE = re.compile(r"[\s'\"\\;{}$]{4,16}")


def scan(text: str) -> list[Hit]:
    """NoSQL evidence in one lower-case view (a value, or a key path)."""
    if len(text) <= 16 and "{" in text and "}" in text and _META_PROBE.fullmatch(text) is not None and (
            ("'" in text or '"' in text) and (";" in text or "\\" in text)):
        return [Hit(Category.NOSQLI, 0.75, "nosqli.metacharacter-probe", text, 0, len(text))]
    if _TRIGGER.search(text) is None and (text[-1:] not in ("'", '"') or ";" not in text):
        return []  # (a splice ends by reopening a string, see `_SPLICE`)
    best: Hit | None = None
    for m in _OPERATOR.finditer(text):
        if m.group(1) in STRONG and not _in_sentence(text, m.start(1), m.end(1)):
            best = Hit(Category.NOSQLI, 0.9, "nosqli.operator", text, m.start(1), m.end(1))
            break
    if best is None and ("{" in text or "[" in text):
        obj = _OBJECT_OPERATOR.search(text)
        if obj is not None:
            group = 1 if obj.group(1) is not None else 2
            best = Hit(Category.NOSQLI, 0.9, "nosqli.operator", text, obj.start(group), obj.end(group))
    if best is None and "{" in text and "$" in text:
        mongo = _MONGO_OBJECT.search(text)
        if mongo is not None:
            best = Hit(Category.NOSQLI, 0.85, "nosqli.operator", text, mongo.start(), mongo.end())
    # (every `_BREAKOUT` match holds ";", "||" or "&&": its stdlib search tries each quote of long text)
    js = _JS.search(text)
    if js is not None and (_quoted_sleep(text, js.start(), js.end()) or _sleep_opens_prose(text, js.start(), js.end())):
        js = None
    js = (js or (_BREAKOUT.search(text) if ";" in text or "||" in text or "&&" in text else None)
          or _SHELL.search(text) or _SPLICE.search(text) or (_OBJECT_BREAK.search(text) if "," in text else None))
    if js is not None and (best is None or best.score < 0.85):
        best = Hit(Category.NOSQLI, 0.85, "nosqli.javascript", text, js.start(), js.end())
    return [best] if best is not None else []


def features(text: str) -> dict[str, float]:
    return {
        "nosql.operators": float(sum(1 for m in _OPERATOR.finditer(text) if m.group(1) in OPERATORS)),
        "nosql.evidence": max((h.score for h in scan(text)), default=0.0),
    }
