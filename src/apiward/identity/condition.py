"""A small, safe condition language for ABAC rules (no eval, no attribute access on objects).

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := operand (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") operand)?
    operand := ref | STRING | NUMBER | true | false | null | "[" [operand ("," operand)*] "]" | "(" expr ")"
    ref     := path.NAME | query.NAME | header.NAME | identity.(sub|subject|method|roles|scopes|tenant|key_id)
             | identity.claims.NAME | request.(method|path)

Examples: ``path.user_id == identity.sub``, ``identity.tenant == path.tenant``,
``"admin" in identity.roles or identity.claims.plan == "pro"``.

A missing attribute is ``null`` and compares equal to nothing but ``null``. Equality between a
number and a numeric string compares numbers; ordering needs two numbers. Parsing is linear,
expressions are bounded in length and nesting, and errors name the column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from apiward.core import Identity

MAX_LENGTH = 1024
MAX_DEPTH = 32

_ROOTS = frozenset({"path", "query", "header", "identity", "request"})
_IDENTITY_ATTRS = frozenset({"sub", "subject", "method", "roles", "scopes", "tenant", "key_id"})
_REQUEST_ATTRS = frozenset({"method", "path"})
_OPS = ("==", "!=", "<=", ">=", "<", ">")


class ConditionError(ValueError):
    def __init__(self, message: str, column: int) -> None:
        self.column = column  # 1-based
        super().__init__(f"column {column}: {message}")


class Env(Protocol):
    def resolve(self, root: str, name: str) -> object: ...


@dataclass(frozen=True, slots=True)
class RequestEnv:
    """What a condition can see about one request."""

    identity: Identity | None
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    method: str
    path: str

    def resolve(self, root: str, name: str) -> object:
        if root == "path":
            return self.path_params.get(name)
        if root == "query":
            return self.query.get(name)
        if root == "header":
            return self.headers.get(name.lower())
        if root == "request":
            return self.method if name == "method" else self.path
        ident = self.identity
        if ident is None:
            return None
        if name.startswith("claims."):
            return dict(ident.claims).get(name[7:])
        if name in ("sub", "subject"):
            return ident.subject
        return {
            "method": ident.method,
            "roles": ident.roles,
            "scopes": ident.scopes,
            "tenant": ident.tenant,
            "key_id": ident.key_id,
        }[name]


# -- AST ----------------------------------------------------------------------------------
class Node(Protocol):
    def eval(self, env: Env) -> object: ...


@dataclass(frozen=True, slots=True)
class Lit:
    value: object

    def eval(self, env: Env) -> object:
        return self.value


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Node, ...]

    def eval(self, env: Env) -> object:
        return tuple(item.eval(env) for item in self.items)


@dataclass(frozen=True, slots=True)
class Ref:
    root: str
    name: str

    def eval(self, env: Env) -> object:
        return env.resolve(self.root, self.name)


@dataclass(frozen=True, slots=True)
class Not:
    item: Node

    def eval(self, env: Env) -> object:
        return not _truthy(self.item.eval(env))


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]

    def eval(self, env: Env) -> object:
        return all(_truthy(item.eval(env)) for item in self.items)


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]

    def eval(self, env: Env) -> object:
        return any(_truthy(item.eval(env)) for item in self.items)


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Node
    right: Node

    def eval(self, env: Env) -> object:
        a, b = self.left.eval(env), self.right.eval(env)
        if self.op == "==":
            return _equal(a, b)
        if self.op == "!=":
            return not _equal(a, b)
        if self.op in ("in", "not in"):
            found = isinstance(b, (tuple, list, frozenset, set)) and any(_equal(a, x) for x in b)
            return found if self.op == "in" else not found
        x, y = _number(a), _number(b)
        if x is None or y is None:
            return False
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[self.op]


def _truthy(value: object) -> bool:
    return bool(value) and value is not None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and 0 < len(value) <= 32:
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _equal(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        x, y = _number(a), _number(b)
        return x is not None and x == y
    if isinstance(a, (frozenset, set, tuple, list)) or isinstance(b, (frozenset, set, tuple, list)):
        return isinstance(a, (frozenset, set, tuple, list)) and isinstance(
            b, (frozenset, set, tuple, list)
        ) and set(map(str, a)) == set(map(str, b))
    return str(a) == str(b)


# -- lexer --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # "ref" | "str" | "num" | "kw" | "op" | "end"
    text: str
    value: Any
    col: int  # 1-based


_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
_PUNCT = frozenset("()[],")


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
            continue
        col = i + 1
        if ch in "\"'":
            j = i + 1
            buf: list[str] = []
            while j < n and text[j] != ch:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            if j >= n:
                raise ConditionError("unterminated string", col)
            toks.append(_Tok("str", text[i : j + 1], "".join(buf), col))
            i = j + 1
        elif ch.isdigit() or (ch == "-" and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (text[j].isdigit() or text[j] == "."):
                j += 1
            raw = text[i:j]
            try:
                value: Any = float(raw) if "." in raw else int(raw)
            except ValueError as exc:
                raise ConditionError(f"bad number {raw!r}", col) from exc
            toks.append(_Tok("num", raw, value, col))
            i = j
        elif ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_.-:"):
                j += 1
            word = text[i:j]
            toks.append(_Tok("kw" if word in _KEYWORDS else "ref", word, word, col))
            i = j
        elif text.startswith(("==", "!=", "<=", ">="), i):
            toks.append(_Tok("op", text[i : i + 2], None, col))
            i += 2
        elif ch in "<>" or ch in _PUNCT:
            toks.append(_Tok("op", ch, None, col))
            i += 1
        else:
            raise ConditionError(f"unexpected character {ch!r}", col)
    toks.append(_Tok("end", "", None, n + 1))
    return toks


# -- parser -------------------------------------------------------------------------------
class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Tok:
        return self.toks[self.pos]

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def accept(self, text: str) -> bool:
        tok = self.peek()
        if tok.kind in ("kw", "op") and tok.text == text:
            self.pos += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            tok = self.peek()
            raise ConditionError(f"expected {text!r}, found {tok.text or 'end'!r}", tok.col)

    def nest(self, col: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError("expression nested too deeply", col)

    def expr(self) -> Node:
        items = [self.and_()]
        while self.accept("or"):
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.accept("and"):
            items.append(self.not_())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_(self) -> Node:
        tok = self.peek()
        if tok.kind == "kw" and tok.text == "not":
            self.take()
            self.nest(tok.col)
            node: Node = Not(self.not_())
            self.depth -= 1
            return node
        return self.compare()

    def compare(self) -> Node:
        left = self.operand()
        tok = self.peek()
        if tok.kind == "op" and tok.text in _OPS:
            self.take()
            return Compare(tok.text, left, self.operand())
        if tok.kind == "kw" and tok.text == "in":
            self.take()
            return Compare("in", left, self.operand())
        if tok.kind == "kw" and tok.text == "not" and self.toks[self.pos + 1].text == "in":
            self.pos += 2
            return Compare("not in", left, self.operand())
        return left

    def operand(self) -> Node:
        tok = self.take()
        if tok.kind in ("str", "num"):
            return Lit(tok.value)
        if tok.kind == "kw" and tok.text in ("true", "false", "null"):
            return Lit({"true": True, "false": False, "null": None}[tok.text])
        if tok.kind == "ref":
            return _ref(tok)
        if tok.kind == "op" and tok.text == "(":
            self.nest(tok.col)
            node = self.expr()
            self.expect(")")
            self.depth -= 1
            return node
        if tok.kind == "op" and tok.text == "[":
            items: list[Node] = []
            if not self.accept("]"):
                items.append(self.operand())
                while self.accept(","):
                    items.append(self.operand())
                self.expect("]")
            return ListLit(tuple(items))
        raise ConditionError(f"unexpected {tok.text or 'end of expression'!r}", tok.col)


def _ref(tok: _Tok) -> Ref:
    root, dot, name = tok.text.partition(".")
    if root not in _ROOTS:
        raise ConditionError(
            f"unknown name {root!r} (use one of {', '.join(sorted(_ROOTS))})", tok.col
        )
    if not dot or not name:
        raise ConditionError(f"{root!r} needs an attribute, e.g. {root}.id", tok.col)
    if root == "identity" and name not in _IDENTITY_ATTRS and not (
        name.startswith("claims.") and len(name) > 7
    ):
        raise ConditionError(f"unknown identity attribute {name!r}", tok.col)
    if root == "request" and name not in _REQUEST_ATTRS:
        raise ConditionError(f"unknown request attribute {name!r}", tok.col)
    return Ref(root, name)


@dataclass(frozen=True, slots=True)
class Condition:
    source: str
    node: Node

    def evaluate(self, env: Env) -> bool:
        return _truthy(self.node.eval(env))


def compile_condition(text: str) -> Condition:
    """Parse once at policy load. Raises ConditionError (with the column) on any mistake."""
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH)
    parser = _Parser(_lex(text))
    node = parser.expr()
    tok = parser.peek()
    if tok.kind != "end":
        raise ConditionError(f"unexpected {tok.text!r}", tok.col)
    return Condition(text, node)
