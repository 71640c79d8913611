"""SQL injection: a small SQL tokenizer and grammar rules over its token stream.

Like libinjection, a value is read in three contexts: as SQL on its own (numeric context), and as
if it started inside a single- or double-quoted string (the first quote then *closes* that
string). A value is an injection when, in some context, the tokens after the break form SQL
that changes the query: a boolean or comparison continuation (``' or 1=1``), a comment that cuts
the rest (``admin'--``), a stacked statement (``; drop table``), a ``union select``, calls of
functions that only make sense to an attacker (``sleep(``, ``extractvalue(``), system catalogs.
Prose with SQL words (``select your size``, ``O'Brien``, ``drop me a line``) tokenizes to
barewords where the grammar needs operators, and passes; quoted prose (``the 'and' vs 'or'
debate``, ``'yes' or 'no'``, ``-- see below``) is told from literals and cutting comments.
Typographic quotes (’ ‘ ´ ʼ), which a best-fit conversion to a single-byte charset turns into
``'``, open a fourth context that only accepts an operator or statement right after the quote.

Token types: ``s`` string, ``n`` number, ``b`` bareword, ``k`` keyword, ``E`` statement keyword,
``U`` union, ``&`` logic operator, ``o`` operator, ``f`` function name (followed by ``(``),
``v`` variable, ``c`` comment, ``(`` ``)`` ``,`` ``;`` punctuation, ``x`` anything else.
MySQL's backslash-N (NULL) is a number token: to MySQL ``\\Nunion select`` is ``NULL UNION SELECT``.
The tokenizer is linear: one compiled master pattern without nested quantifiers, and
``str.find`` for strings and comments.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import SHORT_TEXT, linear, literal_trie

MAX_TOKENS = 160


class Token(NamedTuple):
    kind: str
    value: str
    start: int
    end: int


# (a number may carry Oracle's binary-double / -float suffix where a keyword is glued to it: "1dunion")
# (U+FFFD is whitespace: a byte that is no UTF-8, "%a0" sent raw in a URL, is decoded to it, and
# MySQL's latin-1 reading of that byte is a no-break space between keywords: "1%a0union%a0select")
_MASTER = re.compile(
    r"(?P<ws>[\s\x00-\x1f\xa0+\ufffd]+)"
    r"|(?P<num>0x[0-9a-f]+|0b[01]+|\d+(?:\.\d*)?(?:e[+-]?\d+)?(?:[df](?=union))?|\.\d+|\\n)"
    r"|(?P<var>@@?[a-z_0-9$.]*)"
    r"|(?P<word>[a-z_$\u00c0-\ufffc\ufffe\uffff][a-z0-9_$\u00c0-\ufffc\ufffe\uffff]*)"
    r"|(?P<op><=>|!=|<>|<=|>=|\|\||&&|::|:=|!<|!>|->>|->|[=<>!\-*/%^|&~:])"
    r"|(?P<punct>[(),;.])"
)
# PostgreSQL ``::type`` casts that injections use (``'1'::int``, ``'{...}'::jsonb``)
CAST_TYPES = frozenset(
    {"int", "int2", "int4", "int8", "integer", "bigint", "smallint", "numeric", "decimal", "real", "float",
     "float4", "float8", "text", "varchar", "char", "character", "json", "jsonb", "bool", "boolean", "date",
     "time", "timestamp", "timestamptz", "interval", "regclass", "regproc", "oid", "bytea", "uuid", "inet",
     "xml", "money", "bit", "varbit", "name", "tsvector", "tsquery"}
)
_FUNC_PAREN = re.compile(r"[ \t\r\n]*\(")

LOGIC = frozenset({"and", "or", "xor", "||", "&&", "not"})
OP_WORDS = frozenset(
    {"like", "ilike", "rlike", "regexp", "is", "in", "between", "sounds", "glob", "match", "div", "mod",
     "notnull", "isnull", "escape", "collate", "similar"}
)
STATEMENTS = frozenset(
    {"select", "insert", "update", "delete", "drop", "exec", "execute", "declare", "create",
     "alter", "truncate", "shutdown", "waitfor", "grant", "revoke", "merge", "call", "handler",
     "load", "rename", "begin", "commit", "rollback", "pragma", "attach", "copy", "backup"}
)
KEYWORDS = frozenset(
    {"from", "where", "having", "order", "group", "by", "limit", "offset", "into", "values",
     "table", "database", "null", "true", "false", "case", "when", "then", "else", "end", "as",
     "all", "distinct", "top", "procedure", "outfile", "dumpfile", "delay", "exists", "join",
     "on", "set", "asc", "desc", "schema", "user", "view", "function", "index", "column",
     "inner", "outer", "left", "right", "cross", "natural", "using", "with", "recursive",
     "analyse", "unknown", "time", "infile", "data", "login", "trigger"}
)
LITERALS = frozenset({"null", "true", "false", "not", "exists", "case", "current_user",
                      "user", "unknown"})
COMPARISONS = frozenset({"=", "<", ">", "<=", ">=", "<>", "!=", "<=>", "!<", "!>", "like", "ilike", "rlike",
                         "regexp", "is", "in", "between", "sounds", "glob", "match", "similar"})
ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "^", "|", "&", "~", "div", "mod", "::"})
# Functions whose call in an input value is the mark of an attack (timing, error-based
# extraction, file access, command execution, catalog probing).
ATTACK_FUNCTIONS = frozenset(
    {"sleep", "benchmark", "pg_sleep", "extractvalue", "updatexml", "load_file", "group_concat",
     "xp_cmdshell", "name_const", "sys_eval", "sys_exec", "lo_import", "lo_export",
     "pg_read_file", "pg_ls_dir", "randomblob", "sqlite_version", "make_set", "elt",
     "dbms_pipe", "utl_inaddr", "utl_http", "dbms_xmlgen", "xmltype", "ctxsys", "geometrycollection",
     "multipoint", "polygon", "linestring", "multilinestring", "multipolygon", "gtid_subset",
     "json_keys", "exp", "floor", "rand", "convert", "cast", "char", "chr", "ascii", "ord",
     "substring", "substr", "mid", "concat", "concat_ws", "version", "database", "schema",
     "user", "current_user", "system_user", "session_user", "if", "ifnull", "iif", "nullif",
     "coalesce", "hex", "unhex", "length", "count", "row_count", "found_rows", "bin", "lower",
     "upper", "instr", "locate", "position", "left", "right", "reverse", "md5", "sha1",
     "waitfor", "openrowset", "opendatasource", "openquery", "has_dbaccess", "db_name",
     "is_srvrolemember", "serverproperty", "object_id", "col_name", "unicode", "nchar",
     "dbms_lock", "sys_context", "to_char", "tochar", "rawtohex", "dbms_utility", "current_setting",
     "query_to_xml", "pg_user", "inet_server_addr", "table_name", "column_name", "json_extract",
     "json_value", "json_query", "jsonb_pretty", "json_build_object", "find_in_set", "unistr", "lo_get",
     "db_name", "schema_name", "sysdate", "strcmp", "uncompress", "current_database", "pg_backend_pid",
     "last_insert_id", "connection_id", "suser_name", "user_name", "host_name", "object_name",
     # MySQL's lock wait times a query like sleep(); SQLite's extension loader runs a shared
     # library, and its rowid/option calls fingerprint it; conv() spells numbers in any base
     "get_lock", "load_extension", "last_insert_rowid", "sqlite_compileoption_used", "conv",
     # Oracle's URI type fetches a URL (out-of-band exfiltration: "httpuritype('http://'||user).getclob()")
     "httpuritype",
     # Firebird's ascii() and char() (blind extraction: "1 and ascii_val(substring(... from 1 for 1))>96")
     "ascii_val", "ascii_char"}
)
# SQL functions: a value that is only ``name(`` is a fragment of a query being built.
SQL_FUNCTIONS = ATTACK_FUNCTIONS | frozenset(
    {"abs", "avg", "sum", "min", "max", "round", "ceil", "ceiling", "trunc", "truncate", "pow", "power",
     "sqrt", "sin", "cos", "tan", "log", "ln", "log10", "pi", "now", "sysdate", "curdate", "curtime",
     "date", "time", "year", "month", "day", "hour", "minute", "second", "quarter", "week", "datediff",
     "dateadd", "date_add", "date_sub", "date_format", "replace", "trim", "ltrim", "rtrim", "lpad", "rpad",
     "format", "default", "values", "compress", "uncompress", "encode", "decode", "aes_encrypt",
     "aes_decrypt", "des_encrypt", "password", "old_password", "encrypt", "soundex", "strcmp", "regexp_like",
     "regexp_replace", "regexp_substr", "isnull", "nvl", "nvl2", "decode", "greatest", "least", "field",
     "insert", "char_length", "bit_length", "octet_length", "to_number", "to_date", "cot", "radians",
     "degrees", "sign", "crc32", "sha2", "uuid", "local", "localtime", "localtimestamp", "utc_date",
     "utc_time", "last_day", "makedate", "extract", "weekday", "dayname", "monthname", "get_lock",
     "release_lock", "is_free_lock", "master_pos_wait", "load_file", "json_object", "json_array",
     # SQL Server's string lengths ("1 and len(user)>0": the boolean-blind probe of a name's length)
     "len", "datalength",
     # the JSON functions of MySQL, PostgreSQL, SQLite and SQL Server: a condition on a JSON literal
     # ("1 or json_depth('{}') != 2511", "1 and isjson('{}')=1") is the WAF bypass that hides a
     # tautology in JSON syntax older rule sets do not parse
     "json_length", "json_depth", "json_valid", "json_type", "json_contains", "json_contains_path",
     "json_search", "json_overlaps", "json_unquote", "json_quote", "json_pretty", "json_storage_size",
     "json_set", "json_insert", "json_replace", "json_remove", "json_merge_patch", "json_merge_preserve",
     "json_array_append", "json_array_insert", "json_array_length", "json_typeof", "json_each", "json_tree",
     "json_patch", "json_modify", "isjson", "openjson", "jsonb_array_length", "jsonb_typeof", "jsonb_exists",
     "jsonb_path_exists", "jsonb_path_query", "jsonb_path_match", "jsonb_set", "jsonb_insert",
     "jsonb_object_keys", "json_object_keys", "to_json", "to_jsonb", "row_to_json", "array_to_json",
     # SQLite's own functions, which fingerprint it in a boolean probe ("1 and typeof(1)='integer'",
     # "1 and total_changes()>=0")
     "typeof", "total_changes", "changes", "sqlite_source_id", "zeroblob", "likelihood", "likely", "unlikely",
     "printf", "sqlite_offset",
     # the privilege and clock functions that fingerprint PostgreSQL, SQL Server and Oracle in the same
     # probe ("1 and has_table_privilege('users','select')", "1 and is_member('db_owner')=1", "1 and getdate()>0")
     "has_table_privilege", "has_database_privilege", "has_schema_privilege", "has_column_privilege", "pg_has_role",
     "is_member", "is_rolemember", "permissions", "getdate", "getutcdate", "sysdatetime", "newid", "sys_guid",
     "st_astext", "st_geomfromtext", "point"}
)
# Database procedures and providers: the name alone, as a value, is a probe of the server.
PROCEDURES = frozenset(
    {"xp_cmdshell", "xp_dirtree", "xp_regread", "xp_regwrite", "xp_fileexist", "xp_servicecontrol",
     "xp_availablemedia", "xp_subdirs", "xp_loginconfig", "xp_makecab", "xp_ntsec_enumdomains",
     "xp_terminate_process", "sp_executesql", "sp_oacreate", "sp_oamethod", "sp_makewebtask",
     "sp_addextendedproc", "sp_configure", "sp_password", "sp_addlogin", "sp_addsrvrolemember",
     "openrowset", "opendatasource", "msdasql", "sqloledb"}
)
# Functions that only a database has: a value that *is* a call of one (``database()``, ``db_name(``).
DB_ONLY_FUNCTIONS = frozenset(
    {"database", "db_name", "schema_name", "current_user", "session_user", "system_user", "xmltype",
     "unhex", "name_const", "sysdate", "current_database", "pg_backend_pid", "last_insert_id",
     "connection_id", "suser_name", "suser_sname", "is_member", "host_name", "make_set",
     "uncompress", "pg_sleep", "sleep", "benchmark", "group_concat", "concat_ws", "load_file",
     "lo_get", "find_in_set"}
)
# The subset that no benign input calls: a call alone is enough.
STRONG_FUNCTIONS = frozenset(
    {"sleep", "benchmark", "pg_sleep", "extractvalue", "updatexml", "load_file", "group_concat",
     "xp_cmdshell", "name_const", "sys_eval", "sys_exec", "lo_import", "lo_export",
     "pg_read_file", "pg_ls_dir", "randomblob", "zeroblob", "sqlite_version", "dbms_pipe", "utl_inaddr",
     "utl_http", "dbms_xmlgen", "xmltype", "gtid_subset", "openrowset", "opendatasource",
     "is_srvrolemember", "has_dbaccess", "dbms_lock", "sys_context", "query_to_xml",
     "inet_server_addr", "current_setting", "make_set", "concat_ws", "load_extension", "httpuritype"}
)
# Oracle packages whose procedures time or exfiltrate (``dbms_pipe.receive_message(``,
# ``utl_inaddr.get_host_name(``): ``name.`` after a string break is a call of one
ORACLE_PACKAGES = frozenset({"dbms_pipe", "dbms_lock", "dbms_xmlgen", "dbms_utility", "utl_inaddr", "utl_http",
                             "ctxsys", "dbms_java", "dbms_scheduler", "sys_context"})
CATALOGS = (
    "information_schema", "sysobjects", "syscolumns", "sysusers", "sysdatabases", "pg_catalog",
    "pg_shadow", "pg_user", "mysql.user", "sqlite_master", "sqlite_schema", "all_tables",
    "user_tables", "dba_users", "all_users", "v$version", "msysobjects", "msysaccessobjects",
    "@@version", "@@datadir", "@@hostname", "@@basedir", "@@servername", "sys.objects",
    "sys.tables", "master..", "master.dbo", "xp_cmdshell", "sp_executesql", "sp_password",
    "sp_oacreate", "sp_configure", "dbms_pipe", "utl_http", "utl_inaddr",
    # Oracle packages that time, fetch or raise errors carrying data ("ctxsys.drithsx.sn(1,user)")
    "ctxsys.", "dbms_lock.", "dbms_xmlgen.", "dbms_java.", "dbms_scheduler.",
)
# catalogs that only a database's internals are named: a value that is one of them, whole, names a
# system table or schema to a parameter that takes a table name ("sql_table=pg_catalog")
SOLE_CATALOGS = frozenset(
    {"information_schema", "pg_catalog", "pg_shadow", "sysobjects", "syscolumns", "sysdatabases", "sqlite_master",
     "sqlite_schema", "msysobjects", "msysaccessobjects", "mysql.user", "mysql.db", "information_schema.tables",
     "information_schema.columns", "information_schema.schemata", "pg_user", "sys.objects",
     "sys.tables", "sys.columns", "sys.databases", "dba_users", "all_tab_columns"}
)
# the catalog names spelled with word characters alone (the fast path must know them as words)
CATALOG_WORDS = frozenset(name for name in (*CATALOGS, *SOLE_CATALOGS) if name.replace("_", "").isalnum())
# whether any catalog name occurs at all: one pass instead of a find per name
# (RE2 on long text: the stdlib engine tries the trie at every position)
_CATALOG_ANY = linear(literal_trie(CATALOGS), short_text=SHORT_TEXT)
# an e-mail address, whole: no quote, space, comment or parenthesis, so no SQL but the keyword's name
# a server variable's name (@@version, @@global.sql_mode, @@servername): letters and underscores;
# "@@uchpw5n$t6ep9raisy" with digits and dollars is a generated password, not a variable
_SYSTEM_VARIABLE = re.compile(r"@@(?:(?:global|session|local)\.)?[a-z_]{2,64}")
# JavaScript's well-known symbols as documentation names them ("Symbol/@@iterator" on MDN)
_JS_SYMBOLS = frozenset({"@@iterator", "@@asynciterator", "@@toprimitive", "@@hasinstance", "@@species",
                         "@@tostringtag", "@@unscopables", "@@match", "@@matchall", "@@replace", "@@search",
                         "@@split", "@@isconcatspreadable"})
# the keywords after which a server variable glued to them is still read ("between@@port")
_GLUED_BEFORE_VARIABLE = frozenset({"between", "and", "or", "xor", "not", "select", "where", "having", "like", "union"})
# Syntax only SQL has: a MySQL user variable assigned, opening the value or a parenthesis
# ("(@a:=1)"), a character set introducer before a string ("_binary'admin'"), a sub-select opened
# without a blank ("(select!0)", "(select`1`)"), InnoDB's shared read lock, ODBC's date, time and
# outer-join escapes
_SQL_ONLY_SYNTAX = re.compile(
    r"(?:^|\()[\s]{0,2}@[a-z_][a-z0-9_$]{0,30}[\s]{0,2}:=[\s]{0,2}[0-9a-z@('\"]"
    r"|(?:^|[^a-z0-9_])_(?:binary|utf8mb4|utf8|latin1|ascii|ucs2|utf16|utf32)[\s]{0,2}'"
    r"|\(select[!`~@0-9'\"]"  # (not "(select(": SQLAlchemy's "execute(select(Invoice))")
    r"|\block[\s]{1,4}in[\s]{1,4}share[\s]{1,4}mode\b"
    r"|\{(?:ts|t|d)[\s]{1,4}'[0-9]|\{oj[\s]"
)
_EMAIL = re.compile(r"[a-z0-9._+\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){1,8}")
# keywords written into themselves ("uniunionon", "selselectect"): a filter that deletes the keyword
# once, without repeating, leaves the keyword itself. No word of prose contains one.
_NESTABLE = ("union", "select", "from", "where", "insert", "update", "delete", "drop", "sleep", "benchmark",
             "concat", "information_schema", "and", "or")
NESTED_FORMS = {word[:k] + word + word[k:]: word for word in _NESTABLE for k in range(1, len(word))}
_NESTED_ANY = linear(literal_trie(tuple(NESTED_FORMS)), short_text=SHORT_TEXT)
_TRIGGER = linear(
    r"['\"`#]|--|/\*|@@|\|\||&&|\b(?:union|select|or|and|xor|order|group|having|waitfor|drop|"
    r"insert|delete|update|exec|execute|declare|shutdown|information_schema|sleep|benchmark|"
    r"pg_sleep|extractvalue|updatexml|load_file|truncate|procedure|rlike|regexp|xp_cmdshell|"
    r"sysobjects|group_concat|concat_ws|make_set|dbms_pipe|utl_http|utl_inaddr|openrowset|ctxsys|dbms_lock|dbms_xmlgen|"
    r"dbms_java|dbms_scheduler|"
    r"sqlite_master|pg_catalog|create|alter|limit|outfile|dumpfile|xp_[a-z_]{3,30}|"
    r"sp_[a-z_]{6,30}|msdasql|sqloledb)\b|::|\b(?:"
    r"database|db_name|schema_name|current_user|session_user|system_user|xmltype|unhex|name_const|"
    r"sysdate|current_database|pg_backend_pid|last_insert_id|connection_id|suser_s?name|is_member|"
    r"host_name|uncompress|i?if|lo_get|find_in_set|concat|n?char|chr|unhex|version|user|randomblob|zeroblob|sqlite_version|"
    r"lo_import|lo_export|pg_read_file|pg_ls_dir|gtid_subset|is_srvrolemember|has_dbaccess|sys_eval|sys_exec|"
    r"current_setting|query_to_xml|inet_server_addr|httpuritype)[\s]{0,4}\(|\b(?:except|intersect)\b|[0-9]\.e\("
    r"|\bwhen\b[^&]{1,40}\bthen\b|;[\s]{0,4}set[\s]{1,4}(?:@|global\b|session\b|persist\b)"
    r"|;[\s]{0,4}(?:use|bulk|backup|kill|reconfigure|dbcc|lock|flush|show|describe|replace|rename|pragma|merge)\b"
    r"|\bprepare[\s]{1,8}[a-z_0-9]{1,30}[\s]{1,8}from\b|\bas\b[^&]{1,40}\bfrom\b|\bfrom\b[^&]{1,60}\b(?:where|by)\b"
    r"|\b[a-z_]{2,20}[\s]{0,4}\([\s]{0,4}$"
    r"|[0-9](?:or|and|xor)\b"
    r"|^[\s]{0,4}(?:[a-z0-9_]{1,20},)?[\s]{0,4}[0-9]{1,10}[\s]{0,4}(?:=|<=>|<>|!=|like\b|is\b)"
)
# words after a function call that continue a query ("sleep(5) from dual", "sleep(5) union select")
_QUERY_GOES_ON = frozenset({"union", "select", "from", "where", "order", "group", "having", "limit", "into",
                            "and", "or", "xor", "then", "else", "end"})
_STACKABLE = {
    "drop": frozenset({"table", "database", "procedure", "view", "user", "function", "index",
                       "schema", "trigger", "column", "login"}),
    "create": frozenset({"table", "database", "procedure", "view", "user", "function",
                         "index", "schema", "trigger", "login"}),
    "alter": frozenset({"table", "database", "procedure", "view", "user", "function", "login",
                        "schema"}),
    "truncate": frozenset({"table"}),
    "insert": frozenset({"into"}),
    "delete": frozenset({"from"}),
    "waitfor": frozenset({"delay", "time"}),
    "load": frozenset({"data"}),
    "attach": frozenset({"database"}),  # SQLite: a new database file, written where the path says
}


def tokenize(text: str, start: int = 0, limit: int = MAX_TOKENS) -> list[Token]:
    """Tokens of lower-case ``text`` from ``start`` (at most ``limit``)."""
    out: list[Token] = []
    append = out.append
    new = tuple.__new__  # Token(...) without the generated __new__'s extra call
    pos = start
    size = len(text)
    match = _MASTER.match
    while pos < size and len(out) < limit:
        ch = text[pos]
        if ch in _BLANKS:
            pos += 1  # (what `_MASTER`'s "ws" group would skip, one character at a time)
            continue
        if ch in _OPENERS:
            if ch in "'\"`":
                end = _string_end(text, pos + 1, ch)
                append(new(Token, ("b" if ch == "`" else "s", text[pos:end], pos, end)))
                pos = end
                continue
            if ch == "#" or (ch == "-" and text.startswith("--", pos)):
                end = text.find("\n", pos)
                end = size if end < 0 else end
                append(new(Token, ("c", text[pos:end], pos, end)))
                pos = end
                continue
            if ch == "/" and text.startswith("/*", pos):
                end = text.find("*/", pos + 2)
                end = size if end < 0 else end + 2
                append(new(Token, ("c", text[pos:end], pos, end)))
                pos = end
                continue
        m = match(text, pos)
        if m is None:
            append(new(Token, ("x", ch, pos, pos + 1)))
            pos += 1
            continue
        group = m.lastgroup
        end = m.end()
        if group == "ws":
            pos = end
            continue
        value = m.group(0)
        if group == "word" and end < size and text[end] == "'" and _typed_literal(text, value, end):
            pos = end  # "n'a'", "_binary'1'", "x'31'": the string literal is read, its prefix dropped
            continue
        if group == "word":
            append(new(Token, (_word_kind(text, value, end), value, pos, end)))
        elif group == "num":
            append(new(Token, ("n", value, pos, end)))
        elif group == "var":
            append(new(Token, ("v", value, pos, end)))
        elif group == "op":
            append(new(Token, ("&" if value in ("||", "&&") else "o", value, pos, end)))
        else:
            append(new(Token, (value, value, pos, end)))
        pos = end
    return out


# letters glued to a string literal that type it: MSSQL's national "n'a'", MySQL's bit and hex
# strings "b'1'", "x'31'", PostgreSQL's escape string "e'\\x27'", and MySQL's charset introducers
# ("_binary'1'", "_utf8mb4'a'", any "_name" before a quote): to the database they are one
# literal, and ``1 or n'a'=n'a'`` a comparison of two strings
_LITERAL_PREFIXES = frozenset({"n", "b", "x", "e"})
_LITERAL_BODY = re.compile(r"[^'\s]{0,64}")
_HEX_BODY = re.compile(r"[0-9a-f]{0,64}")
_BIT_BODY = re.compile(r"[01]{0,64}")


def _typed_literal(text: str, prefix: str, quote: int) -> bool:
    """``prefix`` before the quote at ``quote`` types a closed literal of its grammar: hex digits
    after ``x``, bits after ``b``, a word without blanks after ``n``, ``e`` or ``_charset``. A
    prefix before an open string or words is a value's last letter ("x' or 1=1", "x')+@@version")."""
    if prefix not in _LITERAL_PREFIXES and not (prefix[0] == "_" and len(prefix) > 2):
        return False
    close = text.find("'", quote + 1, quote + 66)
    if close < 0:
        return False  # (open, or longer than the literals read here)
    body = text[quote + 1 : close]
    grammar = _HEX_BODY if prefix == "x" else _BIT_BODY if prefix == "b" else _LITERAL_BODY
    return grammar.fullmatch(body) is not None
# the characters that open a string or a comment (the rest is `_MASTER`'s)
_OPENERS = frozenset("'\"`#-/")
# the commonest characters of `_MASTER`'s "ws" group, skipped without a match call (a run of
# them is skipped whole either way, and a "ws" match adds no token)
_BLANKS = frozenset(" +\t\n\r")


def _string_end(text: str, pos: int, quote: str) -> int:
    size = len(text)
    while True:
        end = text.find(quote, pos)
        if end < 0:
            return size
        backslashes = 0
        k = end - 1
        while k >= pos and text[k] == "\\":
            backslashes += 1
            k -= 1
        if backslashes % 2:
            pos = end + 1
            continue
        if end + 1 < size and text[end + 1] == quote:  # doubled quote inside the string
            pos = end + 2
            continue
        return end + 1


def _word_kind(text: str, word: str, end: int) -> str:
    if word in LOGIC:
        return "&" if word != "not" else "k"
    if word == "union":
        return "U"
    if word in OP_WORDS:
        return "o"
    if word in STATEMENTS:
        return "E"
    if word in KEYWORDS:
        return "k"
    if _FUNC_PAREN.match(text, end) is not None:
        return "f"
    return "b"


def _operand(tok: Token | None) -> bool:
    if tok is None:
        return False
    return tok.kind in "nsbfv(" or (tok.kind in "kE" and (tok.value in LITERALS or tok.value == "select"))


def _closing(tok: Token | None) -> bool:
    """What may follow a complete condition: end, comment, operator, separator, clause keyword."""
    if tok is None:
        return True
    return tok.kind in "co&;)," or tok.kind == "U" or (
        tok.kind in "kE" and tok.value not in LITERALS
    )


def _at(tokens: Sequence[Token], i: int) -> Token | None:
    return tokens[i] if i < len(tokens) else None


# Whole short values that are SQL fragments and nothing else: what injection probes send to see
# whether a clause parses. Each needs a number, NULL or a closing quote/parenthesis before it
# (not a word: "credit union", "workers' union" are names), so the shapes are syntax, not prose.
# None of them occurs in wcp's 95k legit requests. Bounded, no nested quantifiers (fullmatch).
_HEAD = r"""(?:-?[0-9]{1,10}(?:\.[0-9]{1,6})?['")]{0,3}|null|-?[0-9]{0,10}['"]\){0,2}|\){1,2})"""
_CUT = r"(?:[\s]{0,2}(?:--[ +]?-?|#|/\*|;))?"
_FRAGMENT = re.compile(
    # "1 union", "' union all--", "1 and 0 union": a union with its select left to the query
    rf"{_HEAD}(?:[\s]{{1,3}}(?:and|or)[\s]{{1,3}}-?[0-9]{{1,3}})?[\s]{{0,3}}union(?:[\s]{{1,3}}(?:all|distinct))?{_CUT}"
    # "1 into @a", "1 into @,@,@": MySQL assigns the selected columns to variables
    # (after the LIMIT that keeps one row: "1 limit 1 into @a,@b")
    rf"|{_HEAD}(?:[\s]{{1,3}}limit[\s]{{1,3}}[0-9]{{1,10}}(?:[\s]{{0,2}},[\s]{{0,2}}[0-9]{{1,10}})?)?[\s]{{1,3}}into[\s]{{0,3}}@[@a-z0-9_, ]{{0,60}}{_CUT}"
    # "1 with rollup", "1 group by 1 with rollup"
    rf"|{_HEAD}(?:[\s]{{1,3}}group[\s]{{1,3}}by[\s]{{1,3}}[0-9a-z_,]{{1,20}})?[\s]{{1,3}}with[\s]{{1,3}}rollup{_CUT}"
    # "1 or 1 div 1", "1 rlike 1", "2 sounds like 1": MySQL-only operators between numbers
    # ("10 mod 3", "7 div 2" alone are homework arithmetic, and pass), and compared ("1 and 2 div 2=1")
    rf"|{_HEAD}[\s]{{1,3}}(?:(?:and|or|xor)[\s]{{1,3}}-?[0-9]{{1,10}}[\s]{{1,3}}(?:div|mod|rlike|regexp)"
    rf"|rlike|regexp|sounds[\s]{{1,3}}like)[\s]{{1,3}}-?(?:0x[0-9a-f]{{1,16}}|[0-9]{{1,10}})"
    rf"(?:[\s]{{0,3}}(?:=|<>|!=|<=?|>=?)[\s]{{0,3}}-?[0-9]{{1,10}})?{_CUT}"
    # "1-- -", "1 --+", "1)#", "1);--": a number that ends the statement and cuts the rest with
    # the comment forms sqlmap uses ("1--" and "1#" alone are ranges and tags, and pass)
    r"|-?[0-9]{1,10}['\"]?[\s]{0,2}--(?: -| \+|\+-?)"
    r"|-?[0-9]{1,10}\){1,3};?[\s]{0,2}(?:--[ +]?-?|#|/\*)"
    # "1);", "1))": a number that closes the query's parentheses, and its statement ("1)" alone is
    # a list item, and passes)
    r"|-?[0-9]{1,10}(?:\){1,3};|\){2,3})"
    # "1=1--", "where 1=1": the tautology with a cut or its clause
    rf"|(?:where[\s]{{1,3}})?-?[0-9]{{1,10}}[\s]{{0,2}}=[\s]{{0,2}}-?[0-9]{{1,10}}(?:--[ +]?-?|#|/\*|;)"
    r"|where[\s]{1,3}-?[0-9]{1,10}[\s]{0,2}=[\s]{0,2}-?[0-9]{1,10}"
    # "1 or1=1", "1or 1=1": MySQL reads a keyword glued to a number
    r"|(?:-?[0-9]{1,10}['\"]?|true|false)[\s]{0,2}(?:or|and|xor)[\s]{0,2}-?[0-9]{1,10}[\s]{0,2}(?:=|<>|!=)[\s]{0,2}-?[0-9]{1,10}"
    r"(?:[\s]{0,2}(?:--[ +]?-?|#|/\*|;))?"
    # "1 having 1", "1 where 1", "1 offset 0", "1 is null", "1 not between 0 and 0", "1 like 0x25":
    # a number and the clause or predicate the query would go on with ("1 in 10" is prose, and passes)
    rf"|{_HEAD}[\s]{{1,3}}(?:having|where|offset|not[\s]{{1,3}}between[\s]{{1,3}}-?[0-9]{{1,10}}[\s]{{1,3}}and"
    rf"|fetch[\s]{{1,3}}first)[\s]{{1,3}}-?[0-9]{{1,10}}(?:[\s]{{1,3}}rows?[\s]{{1,3}}only)?{_CUT}"
    rf"|{_HEAD}[\s]{{1,3}}(?:is(?:[\s]{{1,3}}not)?[\s]{{1,3}}null|like[\s]{{1,3}}0x[0-9a-f]{{1,16}}){_CUT}"
    # "1 limit 1 offset 0", "1 limit 0,1": the number and the LIMIT clause a query ends with
    rf"|{_HEAD}[\s]{{1,3}}limit[\s]{{1,3}}[0-9]{{1,10}}(?:[\s]{{0,2}},[\s]{{0,2}}[0-9]{{1,10}}|[\s]{{1,3}}offset[\s]{{1,3}}[0-9]{{1,10}})?{_CUT}"
    # "1*1", "42 * 1", "1/*": a number times one (the numeric-context probe: the same row if the value
    # is computed) or a number that opens a comment ("2*3", "1920*1080" are sizes, "1*12" a pack, and pass)
    r"|-?[0-9]{1,10}[\s]{0,2}\*[\s]{0,2}1|-?[0-9]{1,10}['\")]{0,3}/\*"
    # "' or", "') and", "1\" ||": a string closed and a logic operator left for the query to complete
    r"|-?[0-9]{0,10}['\"]\){0,2}[\s]{0,3}(?:or|and|xor|\|\||&&)"
    # "from users--": a table named and the rest of the query cut
    r"|from[\s]{1,3}[a-z_][a-z0-9_.]{0,30}[\s]{0,2}(?:--[ +]?-?|#|/\*)"
    # "'and'", "'or'": an operator between two empty strings
    r"|'(?:and|or|xor|div|like|rlike|regexp)'"
    # ODBC escapes: "{fn user()}", "{oj t left outer join u on 1=1}"
    r"|\{[\s]{0,3}(?:fn[\s]{1,3}[a-z_]{1,30}[\s]{0,2}\(|oj[\s])[^{}]{0,60}\}"
    # "1 exec sp_", "1;exec xp_": a procedure call after a number
    rf"|{_HEAD}[\s]{{0,3}};?[\s]{{0,3}}exec(?:ute)?[\s]{{1,3}}(?:sp|xp)_[a-z0-9_]{{0,30}}{_CUT}"
    # "from dual", "1 from dual--": Oracle/MySQL's dummy table
    rf"|(?:{_HEAD}[\s]{{1,3}})?from[\s]{{1,3}}dual{_CUT}"
    # the session-user functions called alone, what error-based probes splice in (the bare word
    # is also a filter value APIs take: "assignee=current_user")
    r"|(?:current_user|session_user|system_user)\(\)|(?:schema|user_name|db_name|suser_name|suser_sname)\(\)"
)
FRAGMENT_MAX = 80
# What every `_FRAGMENT` and `_HEX_LITERAL` match starts with (a sign, a digit, a quote, a closing
# parenthesis, an ODBC brace, or one of the words the shapes open with): most values start
# otherwise, and `str.startswith` turns them away before the regex engine tries the shapes.
# A new `_FRAGMENT` alternative must start with one of these (tests/detectors/test_sql.py holds
# the two to each other)
FRAGMENT_HEADS: tuple[str, ...] = (
    *"-0123456789'\"){",
    "null", "where", "from", "true", "false",
    "current_user(", "session_user(", "system_user(", "schema(", "user_name(", "db_name(", "suser_name(", "suser_sname(",
)
# "0x27206f7220313d31" is MySQL's hex literal for "' or 1=1": 3+ bytes that decode to printable
# text are read again as SQL (wallet addresses and hashes decode to binary and stay data)
_HEX_LITERAL = re.compile(r"0x((?:[0-9a-f]{2}){3,64})")
# "username,password from users--", "* from users#": the column list of a select whose value is a
# column name (a sort or field parameter) goes on with the table and cuts the rest off (a list, a star or
# an aggregate, "count(*) from users--": "made from wood --" is prose)
_COLUMNS_FROM = re.compile(
    r"(?:\*|[a-z_][a-z0-9_]{0,30}\([\s]{0,2}(?:\*|[a-z0-9_]{1,30})[\s]{0,2}\)"
    r"|[a-z_][a-z0-9_.]{0,30}(?:[\s]{0,2},[\s]{0,2}[a-z_*][a-z0-9_.]{0,30}){1,8})[\s]{1,3}from[\s]{1,3}"
    r"[a-z_][a-z0-9_.]{0,30}[\s]{0,2}(?:--[ +]?-?|#|/\*)"
)
# "name asc limit 1", "id desc limit 0,1": a sort parameter's column and direction, then the LIMIT the
# query would end with, or a comment (a sort value is a column and a direction alone)
_ORDER_LIMIT = re.compile(
    r"[a-z_][a-z0-9_.]{0,30}[\s]{1,3}(?:asc|desc)[\s]{1,3}limit[\s]{1,3}[0-9]{1,10}"
    r"(?:[\s]{0,2},[\s]{0,2}[0-9]{1,10}|[\s]{1,3}offset[\s]{1,3}[0-9]{1,10})?(?:[\s]{0,2}(?:--[ +]?-?|#|/\*|;))?"
    # "name asc--", "2 desc/*": the direction, and the rest of the query cut off after it
    r"|[a-z0-9_][a-z0-9_.]{0,30}[\s]{1,3}(?:asc|desc)[\s]{0,2}(?:--[ +]?-?|#|/\*)"
)


_SESSION_FUNCTIONS = frozenset({"current_user()", "session_user()", "system_user()", "user()", "database()", "schema()",
                                "version()", "@@version", "user_name()", "db_name()", "suser_name()", "suser_sname()"})
_LISTED_NAME = re.compile(r"[a-z_][a-z0-9_.]{0,60}")


def _session_function_listed(body: str) -> bool:
    """A comma-separated list of names with a session function among them ("id,name,user()")."""
    items = [item.strip() for item in body.split(",")]
    return any(item in _SESSION_FUNCTIONS for item in items) and all(
        item in _SESSION_FUNCTIONS or _LISTED_NAME.fullmatch(item) is not None for item in items)


_COMMENTED_NAME = re.compile(r"[a-z_][a-z0-9_.]{0,40}\)?[\s]{0,2}-- -")


# operators, clauses and sleeps a comment may split ("a/**/nd", "sle/**/ep") for a filter that deletes comments
_SPLITTABLE = frozenset({"and", "or", "xor", "not", "having", "order", "group", "limit", "sleep", "benchmark", "pg_sleep"})


def _words_aside(tokens: list[Token], k: int) -> bool:
    """True when ``tokens[k:]`` is only words in parentheses, the last token: "(newest first)"."""
    rest = tokens[k:]
    return len(rest) >= 3 and rest[0].kind == "(" and rest[-1].kind == ")" and all(tok.kind == "b" for tok in rest[1:-1])


def fragment(text: str) -> Hit | None:
    """A whole short value that is a bare SQL fragment (see `_FRAGMENT`), or a hex literal
    that spells an injection."""
    body = text.strip()
    if not body or len(body) > FRAGMENT_MAX:
        return None
    if (" from" in body and _COLUMNS_FROM.fullmatch(body) is not None and (
            "(" not in body or body.partition("(")[0] in SQL_FUNCTIONS)) or (
            (" limit" in body or " asc" in body or " desc" in body) and _ORDER_LIMIT.fullmatch(body) is not None):
        return Hit(Category.SQLI, 0.85, "sqli.fragment", text, 0, len(text))
    if "()" in body and "," in body and _session_function_listed(body):
        # "id,license_no,suser_sname()": a field list (a projection parameter) with the session
        # user's function in it, what an error- or union-based probe splices into a select list
        return Hit(Category.SQLI, 0.85, "sqli.fragment", text, 0, len(text))
    if body.endswith("-- -") and _COMMENTED_NAME.fullmatch(body) is not None:
        # "id-- -", "title)-- -": a column name (a sort key) with the rest of the query commented
        # out, the "-- -" spelled so that trimming keeps the blank MySQL needs after "--"
        return Hit(Category.SQLI, 0.85, "sqli.fragment", text, 0, len(text))
    if not body.startswith(FRAGMENT_HEADS):
        return None
    if _FRAGMENT.fullmatch(body) is not None:
        return Hit(Category.SQLI, 0.85, "sqli.fragment", text, 0, len(text))
    hexed = _HEX_LITERAL.fullmatch(body)
    if hexed is not None:
        decoded = bytes.fromhex(hexed.group(1)).decode("latin-1")
        if decoded.isprintable() and any(ch in decoded for ch in "'\"=;()#-"):
            inner = scan(decoded.lower())
            if inner and max(h.score for h in inner) >= 0.7:
                return Hit(Category.SQLI, 0.85, "sqli.hex-literal", text, 0, len(text))
    return None


# a value that is one emoticon (":'(", ":'-(", ";(", "(:"): a reaction, not a string break
# (`apiward.detectors.stage` keeps the model alone from blocking it too)
EMOTICON = re.compile(r">?[:;=][',]{0,2}-?[()\[\]|/\\*]{1,3}|[()]{1,3}-?[:;]")
# quoted words offered as alternatives in a sentence ("'yes' or 'no'", "is it 'on' or 'off'?"):
# no comparison, comment or parenthesis, only words in the quotes (apostrophes inside words
# around them: "it's"); a question about a choice, which the model alone does not block
QUOTED_ALTERNATIVES = re.compile(
    r"(?:[a-z0-9 ,.?!]|(?<=[a-z])'(?=[a-z])){0,60}(['\"])[a-z][a-z ]{0,20}\1[\s]{1,3}(?:or|and|vs\.?)[\s]{1,3}"
    r"(['\"])[a-z][a-z ]{0,20}\2(?:[a-z0-9 ,.?!]|(?<=[a-z])'(?=[a-z])){0,60}", re.IGNORECASE)


_ODATA_TAUTOLOGY = re.compile(r"\b(?:or|and)[\s]{1,4}([0-9]{1,10}|'[^']{0,20}')[\s]{1,4}eq[\s]{1,4}([0-9]{1,10}|'[^']{0,20}')")


def scan(text: str) -> list[Hit]:
    """SQL injection evidence in one lower-case view."""
    if len(text) <= 6 and EMOTICON.fullmatch(text) is not None:
        return []
    if len(text) <= 26 and text.strip() in SOLE_CATALOGS:
        return [Hit(Category.SQLI, 0.7, "sqli.sole-catalog", text, 0, len(text))]
    if len(text) <= FRAGMENT_MAX:
        frag = fragment(text)
        if frag is not None:
            return [frag]
    if "@" in text and len(text) <= 254 and _EMAIL.fullmatch(text) is not None:
        return []  # "select@example.com": a mailbox named like a keyword, "@example.com" is no variable
    if ":=" in text or "'" in text or "(select" in text or "{" in text or " share " in text:
        syntax = _SQL_ONLY_SYNTAX.search(text)
        if syntax is not None:
            return [Hit(Category.SQLI, 0.85, "sqli.syntax", text, syntax.start(), syntax.end())]
    if " eq " in text:
        same = _ODATA_TAUTOLOGY.search(text)
        if same is not None and same.group(1) == same.group(2):
            # "level eq 'error' or 1 eq 1": an OData filter's condition that is always true, joined
            # to the application's own (a filter compares a property, never a literal with itself)
            return [Hit(Category.SQLI, 0.9, "sqli.tautology", text, same.start(), same.end())]
    if _NESTED_ANY.search(text) is not None:
        hits = _scan_nested(text)
        if hits:
            return hits
    if "<>" in text and _SPLIT_WORD.search(text) is not None:
        hits = _scan_split(text)
        if hits:
            return hits
    lookalike = _lookalike_quote(text)
    if _TRIGGER.search(text) is None:
        if lookalike < 0:
            return []
        # prose with typographic apostrophes: only the break at the lookalike can matter
        found = _judge_lookalike(text, lookalike)
        return [] if found is None else [Hit(Category.SQLI, found[0], found[1], text, found[2], found[3])]
    hits: list[Hit] = []
    # (spaced as a concatenation is written, "' + '", "\" || \"")
    compact = text.replace(" ", "") if len(text) <= 8 and text[:1] in "'\"" else text
    if 3 <= len(compact) <= 4 and compact[0] == compact[2] and compact[3:] in ("", compact[0]) and (
            (compact[0] == "'" and compact[1] in "-+&^*|") or (compact[0] == '"' and compact[1] in "-+&^|")):
        # "'-'", "'&'": the value closes the string and applies an operator to the empty strings
        # on either side ("user=''-''" is true in MySQL); "'-''" doubles the closing quote
        return [Hit(Category.SQLI, 0.8, "sqli.break-operator", text, 0, len(text))]
    if len(text) <= 12 and _QUOTED_ARITHMETIC.fullmatch(text) is not None:
        # "'-0-'", "'-0||'", "'+1+'": the same with a number between two operators
        return [Hit(Category.SQLI, 0.8, "sqli.break-operator", text, 0, len(text))]
    if len(text) <= 24 and _QUOTED_TAUTOLOGY.fullmatch(text) is not None:
        # "'1'='1", '"a"="a': a literal compared to itself, the last quote left to the query's own
        return [Hit(Category.SQLI, 0.8, "sqli.break-operator", text, 0, len(text))]
    if len(text) <= 40 and _PROBE_SHAPES.fullmatch(text) is not None:
        return [Hit(Category.SQLI, 0.75, "sqli.break-probe", text, 0, len(text))]
    tokens = tokenize(text)
    best = _judge_plain(text, tokens)
    if len(tokens) == MAX_TOKENS and (best is None or best[0] < 0.9):
        later = _judge_later(text, tokens)
        if later is not None:
            best = later
    if lookalike >= 0:
        found = _judge_lookalike(text, lookalike)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    for quote in ("'", '"', "`"):
        qpos = text.find(quote)
        if quote == "`":
            qpos = _past_code_spans(text, qpos)
        elif qpos >= 0:
            qpos = _past_quoted_symbols(text, qpos, quote)
            if quote == '"':
                qpos = _past_inch_marks(text, qpos)
        if qpos < 0:
            continue
        rest = tokenize(text, qpos + 1, limit=24)
        found = _judge_break(text, qpos, rest)
        if (found is None or found[0] < 0.9) and any(_cuts(tok) for tok in rest[:-1]):
            # "1' and--\n1=1--", "1' and#\n1=1": empty line comments standing in for spaces
            bare = [tok for k, tok in enumerate(rest) if not (k < len(rest) - 1 and _cuts(tok))]
            spaced = _judge_break(text, qpos, bare)
            if spaced is not None and spaced[0] >= 0.9:
                found = spaced
        if found is None or found[0] < 0.9:
            for k, tok in enumerate(rest):  # "x' + sleep(20) + '": a timing/extraction call right after the break
                if tok.kind == "f" and tok.value in STRONG_FUNCTIONS and not (k == 0 and _quoted_call(text, qpos, rest)):
                    found = (0.9, "sqli.break-function", qpos, tok.end + 1)
                    break
                if tok.kind == "b" and tok.value in ORACLE_PACKAGES and k + 1 < len(rest) and (
                        rest[k + 1].kind == "." and rest[k + 1].start == tok.end):
                    found = (0.9, "sqli.break-function", qpos, rest[k + 1].end)  # "'||dbms_pipe.receive_message("
                    break
        if (found is None or found[0] < 0.9) and quote == "'" and qpos > 0 and text[qpos - 1].isalpha():
            # judged again as if the prose's contractions had no apostrophes (a sure judgement counts)
            later = _past_contractions(text, qpos)
            if later > qpos:
                later = _past_quoted_symbols(text, later, quote)
            if later > qpos:
                again = _judge_break(text, later, tokenize(text, later + 1, limit=24))
                if again is not None and again[0] >= 0.9:
                    found = again
        if found is not None and quote == "`" and found[1] in ("sqli.break-comment", "sqli.break-terminate"):
            found = None  # a backtick closes an identifier; commenting the rest out needs a string break
        if found is not None and found[0] < 0.95 and random_blob(text) and not any(
                tok.kind == "f" and tok.value in STRONG_FUNCTIONS for tok in rest):
            # (a timing or extraction function called by name after the break is no coincidence of
            # characters: "1' and 1337=like('abcdefg',upper(hex(randomblob(500000000/2))))--"
            # spreads its characters like a blob)
            found = (0.45, found[1], found[2], found[3])
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    if "/*!" in text:
        pos = text.find("/*!")
        close = text.find("*/", pos + 3, pos + 64)
        if close >= 0 or not random_blob(text):  # "/*!50000union*/"; "/*!8~*?w1p" in a sensor blob is noise
            found = (0.9, "sqli.mysql-comment", pos, pos + 3)
            if best is None or found[0] > best[0]:
                best = found
    if "ch" in text and (best is None or best[0] < 0.85):
        chain = _CHAR_CHAIN.search(text)
        if chain is not None:
            best = (0.85, "sqli.char-chain", chain.start(), chain.end())
    if best is not None:
        score, rule, start, end = best
        hits.append(Hit(Category.SQLI, score, rule, text, start, end))
    if (best is None or best[0] < 0.9) and ("\\'" in text or '\\"' in text):
        # "admin\' or \'1\'=\'1": quotes escaped once, as a value that went through addslashes or
        # a JSON string and is unescaped again (stripslashes, a second decode) before it is quoted
        found = [h for h in scan(_ESCAPED_QUOTE.sub(r"\1", text)) if h.score >= 0.9]
        if found:
            return [Hit(Category.SQLI, found[0].score, "sqli.unescaped-quote", text, 0, len(text))]
    if (best is None or best[0] < 0.9) and '""' in text:
        # '"hi"") or (""a""=""a"': double quotes doubled, as a CSV export or a quoted-string
        # escape writes them and its reader undoes
        single = text
        while '""' in single:
            single = single.replace('""', '"')
        found = [h for h in scan(single) if h.score >= 0.9]
        if found:
            return [Hit(Category.SQLI, found[0].score, "sqli.unescaped-quote", text, 0, len(text))]
    return hits


_ESCAPED_QUOTE = re.compile(r"\\+(['\"])")


Judgement = tuple[float, str, int, int]


def _logic_next(tokens: list[Token], k: int) -> bool:
    """The token at ``k`` is a logic operator ("||", "&&", "and"): what came before compared nothing."""
    tok = _at(tokens, k)
    return tok is not None and tok.kind == "&"


def _past_contractions(text: str, qpos: int) -> int:
    """The first single quote from ``qpos`` that is no contraction's apostrophe (letters on both
    sides: "I'll", "it's"), or -1. Prose before a payload ("... I'll try it, it's fine.\n\nPS: '
    OR 1=1-- -") would otherwise put the break at its first apostrophe."""
    for _ in range(_CONTRACTIONS):
        if qpos < 0 or not (text[qpos - 1 : qpos].isalpha() and text[qpos + 1 : qpos + 2].isalpha()):
            return qpos
        qpos = text.find("'", qpos + 1)
    return -1


_CONTRACTIONS = 8


def _past_code_spans(text: str, qpos: int) -> int:
    """The first backtick from ``qpos`` that does not open a Markdown code span. A backtick at the
    start or after a blank, right before a word and closed later ("the query `select count(*)
    from t` took 9s") cannot end an identifier the application quoted: that name would end in a
    blank, or be empty, and MySQL refuses both. The break is looked for after the span."""
    for _ in range(8):
        if qpos < 0 or not (qpos == 0 or text[qpos - 1] in " \t\n(") or not (
                text[qpos + 1 : qpos + 2].isalnum()
                # or a tag ("press `<kbd>Ctrl</kbd> + <kbd>C</kbd>`", "the `<div>` element")
                or (text[qpos + 1 : qpos + 2] == "<" and text[qpos + 2 : qpos + 3].isalpha())
                # or one symbol in a span of its own ("escape `<` and `>`"), as `_past_quoted_symbols`
                or (text[qpos + 1 : qpos + 2] in _QUOTED_SYMBOLS and text[qpos + 2 : qpos + 3] == "`")):
            return qpos
        close = text.find("`", qpos + 2)
        if close < 0:
            return qpos
        qpos = text.find("`", close + 1)
    return qpos


# one symbol in quotes, as prose and error messages name a character ("Unexpected token '<'",
# "expected ')' after argument list", "use ',' or ';' between items")
_QUOTED_SYMBOLS = frozenset("<>(){}[],.:;")
# SQL's words in quotes, as a search quotes them to find them together ('"union all" vs "union"',
# '"select * from" meme'): letters and blanks, a star among them, a statement's keyword among the
# words (other quoted words, "property 'call' of", are judged as the first quote, as before)
_QUOTED_PHRASE = re.compile(r"[a-z][a-z ]{0,40}(?:\*[a-z ]{1,40})?")
_PHRASE_KEYWORDS = frozenset({"union", "select", "from", "where", "drop", "insert", "delete", "update", "table",
                              "join", "into", "values", "exec"})
# a search's boolean operator and its next quoted phrase ('"drop table" OR selftext:"union all"')
_NEXT_PHRASE = re.compile(r"[\s]{1,4}(?:or|and|not)[\s]{1,4}(?:-?[a-z_]{1,30}:)?['\"][a-z]")
# what makes the quote after such words a break after all ("'x' or 1=1--", "'a';--")
_LOGIC_AFTER = re.compile(r"[\s)]{0,8}(?:or\b|and\b|xor\b|\|\||&&|union\b|[;=<>!]|--|#|/\*)")


# two measures in inches joined by a word ('1/8" or 9/64"', '5" x 7"'): each mark right after a number
_INCH_PAIR = re.compile(r"[\s]{1,4}(?:or|and|to|x|by|vs|-)[\s]{1,4}[0-9][0-9/.,]{0,8}\"")


def _past_inch_marks(text: str, qpos: int) -> int:
    """The first double quote from ``qpos`` that is not the first of two inch marks joined by a word
    ("a 1/8\" or 9/64\" bit"): such a pair closes no string (the next double quote is judged)."""
    for _ in range(8):
        if qpos <= 0 or not text[qpos - 1].isdigit():
            return qpos
        pair = _INCH_PAIR.match(text, qpos + 1)
        if pair is None:
            return qpos
        qpos = text.find('"', pair.end())
    return qpos


def _past_quoted_symbols(text: str, qpos: int, quote: str) -> int:
    """The first ``quote`` from ``qpos`` that does not open a quoted symbol or phrase: a blank (or
    the value's start, "(" or ":") before it, one symbol of `_QUOTED_SYMBOLS` or words
    (`_QUOTED_PHRASE`), the same quote, then a blank, the end or a closing punctuation (after
    words, no logic operator, comparison or comment but one joining the next quoted phrase).
    Read as a break, such a quote closes the application's string and the next one opens
    another, which holds what follows up to the next quote: that next one is where a break
    could be."""
    for _ in range(8):
        if qpos < 0 or not (qpos == 0 or text[qpos - 1] in " \t\n(:"):
            return qpos  # (":" before a search field's phrase: 'title:"drop table"')
        if text[qpos + 1 : qpos + 2] in _QUOTED_SYMBOLS and text[qpos + 2 : qpos + 3] == quote:
            close = qpos + 2
            words = False
        else:
            phrase = _QUOTED_PHRASE.match(text, qpos + 1)
            if phrase is None or text[phrase.end() : phrase.end() + 1] != quote or text[phrase.end() - 1] == " " or (
                    _PHRASE_KEYWORDS.isdisjoint(phrase.group(0).split())):
                return qpos
            close = phrase.end()
            words = True
        if text[close + 1 : close + 2] not in ("", " ", "\t", "\n", ")", ",", ".", ":", ";"):
            return qpos
        if words and _LOGIC_AFTER.match(text, close + 1) is not None and _NEXT_PHRASE.match(text, close + 1) is None:
            return qpos
        qpos = text.find(quote, close + 1)
    return qpos


def _scan_nested(text: str) -> list[Hit]:
    """``1 uniunionon selselectect 1``: the value read as the filter that strips each keyword once
    leaves it; an injection there (at 0.85 or more) is one here."""
    plain = text
    for form, word in NESTED_FORMS.items():
        if form in plain:
            plain = plain.replace(form, word)
    found = [h for h in scan(plain) if h.score >= 0.85] if _NESTED_ANY.search(plain) is None else []
    return [Hit(Category.SQLI, h.score, "sqli.nested-keyword", text, 0, len(text)) for h in found]

# ("'-||0'": a sign and a concatenation before the number, the closing operator left out)
# "uni<>on sel<>ect": a filter that deletes "<>" (an HTML tag stripper) joins the keyword again
_SPLIT_WORD = re.compile(r"[a-z]<>[a-z]")
_SPLIT_WORDS = re.compile(r"[a-z_]{0,30}(?:<>[a-z_]{1,30}){1,8}")
_SPLIT_KEYWORDS = STATEMENTS | KEYWORDS | LOGIC | ATTACK_FUNCTIONS | {"union"}


def _scan_split(text: str) -> list[Hit]:
    """``-1 uni<>on sel<>ect 1,2``: the value read as the filter that deletes ``<>`` inside words
    leaves it; an injection there (at 0.9 or more) that the value itself is not, is one here."""
    if not any(m.group(0).replace("<>", "") in _SPLIT_KEYWORDS for m in _SPLIT_WORDS.finditer(text) if "<>" in m.group(0)):
        return []  # ("where a<>b": no keyword is joined, the "<>" compares)
    joined = _SPLIT_WORD.sub(lambda m: m.group(0)[0] + m.group(0)[-1], text)
    if joined == text or _SPLIT_WORD.search(joined) is not None:
        return []
    return [Hit(Category.SQLI, h.score, "sqli.split-keyword", text, 0, len(text)) for h in scan(joined) if h.score >= 0.9]


_QUOTED_TAUTOLOGY = re.compile(r"(['\"])([a-z0-9]{1,8})\1[\s]{0,2}(?:=|<=>|like)[\s]{0,2}\1\2")
_QUOTED_ARITHMETIC = re.compile(r"'(?:[-+*^&]|\|\|)[0-9]{1,3}(?:[-+*^&=]|\|\|)'|['\"][-+][|&]{2}[0-9]{1,3}['\"]")
# whole values that only probe how a string break parses, each with syntax no data has:
# - a word, a quote and an operator that joins it to a reopened string ("1'*'1", "1'or-1-'": the
#   query reads '1'*'1' or '1'or-1-''), also with a number or an empty string between two
#   operators ("1'-0-'", "1'*1*'", "'-''-'");
# - a backslash (or two) and a quote, the escape-swallowing probe ("\'", "1\"", "\\'");
# - both quote kinds side by side, the terminator probe that breaks a string whichever quote the
#   query uses ("'\"", "1'\"", "'\")", "\"';")
# (a word and a quote alone, "21128'", "padding'", is what broken scripts send, and not read;
# with a NUL after it, see `null_terminated_break`)
_PROBE_SHAPES = re.compile(
    r"[a-z0-9_]{0,12}'(?:[-+*^&|/%]{1,2}|(?:or|and|xor|[-+*^&|]{1,2})-?[0-9]{1,3}(?:[-+*^&|]{1,2}|=)"
    r"|[-+*^&|]{1,2}''[-+*^&|]{1,2})'[a-z0-9_]{0,12}"
    r"|[a-z0-9_]{0,12}\\{1,2}['\"]"
    r"|[a-z0-9_]{0,12}(?:'[)]{0,2}\"|\"[)]{0,2}')[)`;]{0,2}"
)

# Quote lookalikes that a database's best-fit conversion to a single-byte charset turns into
# ``'`` (SQL Server ``varchar``, legacy code pages): ``1’ or ’1’=’1``; NFKC leaves ``´`` as a
# space and a combining acute (U+0301)
LOOKALIKE_QUOTES = "\u2019\u2018\u00b4\u0301\u02bc\u02b9\u2032\uff07"
_TO_QUOTE = str.maketrans(dict.fromkeys(LOOKALIKE_QUOTES, "'"))
# break judgements that need an operator or statement right after the quote: prose with
# typographic apostrophes ("it’s -- really") never reaches them
_LOOKALIKE_RULES = frozenset({"sqli.break-logic", "sqli.break-union", "sqli.break-stacked",
                              "sqli.break-subquery", "sqli.break-logic-tail"})


# what the lookalike rules need right after the quote: a logic or comparison operator, union, ";"
_AFTER_BREAK = re.compile(
    r"[\s)+]{0,8}(?:or\b|and\b|xor\b|not\b|\|\||&&|union\b|[;,]|[=<>!]|\([\s]{0,4}select\b|like\b|is\b|in\b|between\b|"
    r"regexp\b|rlike\b|sounds\b|glob\b|match\b|similar\b|ilike\b)"
)


# a string spelled in character codes, so that no quote is needed: two code calls joined by a
# concatenation ("char(39)+char(32)", "chr(97)||chr(98)"), one MySQL char() of several codes
# ("char(115,97)"), or a concat() whose first part is a code
_CODE_CALL = r"(?:n?char|chr)[\s]{0,4}\([\s]{0,4}[0-9]{1,3}[\s]{0,4}\)"
_CHAR_CHAIN = linear(
    rf"\b{_CODE_CALL}[\s]{{0,4}}(?:\+|\|\||&)[\s]{{0,4}}{_CODE_CALL}"
    r"|\bchar[\s]{0,4}\([\s]{0,4}[0-9]{1,3}(?:[\s]{0,4},[\s]{0,4}[0-9]{1,3}){1,60}[\s]{0,4}\)"
    rf"|\bconcat(?:_ws)?[\s]{{0,4}}\([\s]{{0,4}}{_CODE_CALL}[\s]{{0,4}},"  # concat(char(39),char(32))
)
_WORD_QUOTE = re.compile(r"[a-z0-9_.@-]{0,32}['\"]")


def null_terminated_break(text: str) -> Hit | None:
    """``text`` is the view of a value that ended in a NUL byte (``1'%00``), which normalisation
    removed: a word and a quote before it close a string and end the statement where C code
    reads the query (a NUL is never in data)."""
    if len(text) <= 34 and _WORD_QUOTE.fullmatch(text) is not None:
        return Hit(Category.SQLI, 0.75, "sqli.break-null", text, 0, len(text))
    return None


def _lookalike_quote(text: str) -> int:
    """Position of the first quote lookalike in ``text`` (-1: none)."""
    if text.isascii():
        return -1
    first = -1
    for ch in LOOKALIKE_QUOTES:
        pos = text.find(ch)
        if pos >= 0 and (first < 0 or pos < first):
            first = pos
    return first


def _judge_lookalike(text: str, qpos: int) -> Judgement | None:
    """The value read with its quote lookalikes as ``'``, broken at the first of them."""
    if qpos > 0 and text[qpos - 1].isalnum() and text[qpos + 1 :].strip() in _BARE_CUTS:
        # "admin’--", "admin’#": a name, the quote and a comment that cuts the rest, nothing else
        # (the login bypass; prose puts a word or a space after an apostrophe)
        return (0.85, "sqli.lookalike-quote", qpos, len(text))
    if _AFTER_BREAK.match(text, qpos + 1) is None:
        return None  # "l’histoire", "it’s": a word right after the apostrophe
    window = text[qpos : qpos + 256].translate(_TO_QUOTE)  # the break reads at most 24 tokens
    found = _judge_break(window, 0, tokenize(window, 1, limit=24))
    if found is None or found[0] < 0.9 or found[1] not in _LOOKALIKE_RULES:
        return None
    return (found[0], "sqli.lookalike-quote", qpos + found[2], qpos + found[3])


def _judge_break(text: str, qpos: int, rest: list[Token]) -> Judgement | None:
    """The value closes a string at ``qpos``; do the following tokens continue the query?"""
    found = _judge_break_head(text, qpos, rest)
    if found is not None and found[0] >= 0.9:
        return found
    more = _logic_tail(rest, qpos)
    if more is None:
        more = _later_union(rest, qpos)
    if more is None:
        more = _later_stacked(rest, qpos)
    if more is None:
        more = _concat_tail(text, qpos, rest)
    if more is None and rest and rest[0].kind == "f" and rest[0].value in ATTACK_FUNCTIONS and (
            text[qpos + 1 : rest[0].start].strip() == "+"):
        more = (0.88, "sqli.break-expression", qpos, rest[0].end + 1)  # "' + char(39) + '"
    if more is None and len(rest) >= 4 and rest[0].kind == "," and rest[0].start == qpos + 1 and (
            rest[1].kind == "b" and rest[2].value == "=" and (
                (rest[3].kind in "sn" and (
                    rest[3].value[:1] == text[qpos] or (rest[3].kind == "n" and len(rest) >= 7 and rest[4].kind == ","
                                                        and rest[5].kind == "b" and rest[6].value == "=")))
                # "', email=(select password from users where id=1), city='": a sub-query's result
                or (rest[3].kind == "(" and len(rest) >= 5 and rest[4].value == "select"))):
        # "', password='x", "x', role='admin' where '1'='1": the string closed and a column assigned
        # a string of the value's choosing, in the SET list of an UPDATE ("', is_admin=1, bio='": a
        # number, and the next column reopens the string)
        more = (0.9, "sqli.break-assignment", qpos, rest[3].start + 1)
    if more is None and len(rest) >= 3 and rest[0].value == "as" and rest[1].value[:1] in "`'\"" and (
            rest[2].value == "from"):
        more = (0.8, "sqli.break-alias", qpos, rest[2].end)  # "` as `edit_user_id` from": a column alias
    if more is None and found is None and rest and rest[0].kind == ")" and all(tok.kind == ")" for tok in rest) and (
            _NUMBER.fullmatch(text[:qpos].strip()) is not None or not text[:qpos].strip()):
        # "1')", "1\"))", "')": a number or nothing, a quote and closing parentheses, nothing else: the
        # probe that closes a string and the calls around it to see the query break
        more = (0.7, "sqli.break-close", qpos, rest[-1].end)
    if more is not None and (found is None or more[0] > found[0]):
        return more
    return found


_NUMBER = re.compile(r"-?[0-9]{1,12}")


def _quoted_call(text: str, qpos: int, rest: Sequence[Token]) -> bool:
    """The call opening ``rest`` is itself in quotes, glued to both (prose naming it: 'the
    "sleep(5)" trick'); a call spliced into a query stands apart from the quotes or is joined
    to them by an operator ("'+sleep(5)+'", "'||pg_sleep(5)--")."""
    if len(rest) < 2 or rest[0].start != qpos + 1 or rest[1].kind != "(" or rest[1].start != rest[0].end:
        return False
    if qpos == 0 or not text[qpos - 1].isspace():
        return False  # ('"sleep(5)"' alone is sent as a probe)
    end = _group_end(rest, 1)
    return text[end : end + 1] == text[qpos]


def _cuts(tok: Token) -> bool:
    """A comment that cuts the rest of the query: ``--``, ``-- -``, ``#``, ``--+``, an open ``/*``;
    not a dash or hash followed by words (``-- see below``, ``#section``)."""
    if tok.kind != "c":
        return False
    value = tok.value
    if value.startswith("/*"):
        return not value.endswith("*/") or len(value) <= 4
    body = value[2:] if value.startswith("--") else value[1:]
    return len(body.strip()) <= 3 and not any(ch.isalpha() for ch in body)


def _logic_tail(rest: Sequence[Token], qpos: int) -> Judgement | None:
    """``x' or email~all(array[email]);analyze--``, ``' or glob (id,id);``, ``a'or?--``,
    ``' is not?--``: right after the break a logic operator or comparison word, then within a
    few tokens the end of the statement: a cutting comment or a final ``;``."""
    i = 0
    while i < len(rest) and rest[i].kind == ")":
        i += 1
    t = _at(rest, i)
    if t is None or not (t.kind == "&" or (t.kind == "o" and t.value in COMPARISONS and t.value.isalpha())):
        return None
    for k in range(i + 1, min(len(rest), i + 18)):
        tok = rest[k]
        if tok.kind == "c":
            return (0.9, "sqli.break-logic-tail", qpos, tok.end) if _cuts(tok) and k == len(rest) - 1 else None
        if tok.kind == ";":
            after = rest[k + 1 : k + 4]
            words = [a for a in after if a.kind in "bkE"]
            if not after or (_cuts(after[-1]) and len(words) == len(after) - 1 and len(after) == len(rest) - k - 1):
                return (0.9, "sqli.break-logic-tail", qpos, rest[-1].end)
            return None
    return None


def _later_union(rest: Sequence[Token], qpos: int) -> Judgement | None:
    """``x"}' and data @> '{"a":"a"}' union select ...``: a ``union select`` further on, outside
    the strings of this quote context."""
    for k in range(len(rest) - 1):
        if rest[k].kind == "U" and rest[k + 1].value in ("select", "all", "distinct"):
            return (0.95, "sqli.break-union", qpos, rest[k + 1].end)
    return None


def _later_stacked(rest: Sequence[Token], qpos: int) -> Judgement | None:
    """``x','0','0');waitfor delay '0:0:15';--``: the break closes a value list (literals, commas,
    a parenthesis) and a stacked statement follows; ``',(select 1 where ..))--``: the list goes on
    with a sub-query; ``x'), ('admin','pw')--``, ``', 1, 2)--``: the list is closed with values of
    the value's choosing and the rest of the statement cut off (an INSERT's row forged)."""
    if not rest or rest[0].kind not in ",)":
        return None
    last = len(rest) - 1
    for k, tok in enumerate(rest):
        if k == last and k >= 3 and _cuts(tok) and any(t.kind == "," for t in rest[:k]) and rest[k - 1].kind == ")":
            return (0.9, "sqli.break-values", qpos, tok.end)
        if tok.kind == ";":
            end = _stacked(rest, k + 1)
            return (0.95, "sqli.break-stacked", qpos, end) if end is not None and k > 0 else None
        if tok.kind == "(" and k > 0 and rest[k - 1].kind in ",(" and _at(rest, k + 1) is not None and (
                rest[k + 1].value == "select"):
            # (or a row of its own opened first: "hello'), ((select user_pass from wp_users), 'x")
            end = _select(rest, k + 1)
            return (0.92, "sqli.break-subquery", qpos, end) if end is not None else None
        if tok.kind not in ",sn()":
            return None
    return None


def _concat_tail(text: str, qpos: int, rest: Sequence[Token]) -> Judgement | None:
    """``x'+email--``: the break, a literal ``+`` (string concatenation), a name and a cutting
    comment that ends the value."""
    if not text.startswith("+", qpos + 1) or len(rest) != 2:
        return None
    if rest[0].kind == "b" and _cuts(rest[1]) and rest[0].start == qpos + 2:
        return (0.8, "sqli.break-concat", qpos, rest[1].end)
    return None


def _quoted_tag_end(text: str, qpos: int, rest: list[Token], k: int) -> bool:
    """What follows a name in angle brackets right after a break ('"<select>' ...) is words
    or the quote's end and words: no logic, comment or statement goes on from it ("x'<id>'--",
    "x\"<id> or 1=1--" do)."""
    nxt = _at(rest, k)
    if nxt is None:
        return True
    if nxt.kind == "s" and nxt.value[:1] == text[qpos]:
        tail = nxt.value[1:]
        return tail[:1] in ("", " ", ",", ".", ":", "!", "?", ")") and "--" not in tail and "#" not in tail and ";" not in tail
    return text[rest[k - 1].end : nxt.start] != "" and not any(tok.kind in "&c;" for tok in rest[k:])


def _judge_break_head(text: str, qpos: int, rest: list[Token]) -> Judgement | None:
    i = 0
    while i < len(rest) and rest[i].kind == ")":
        i += 1
    t = _at(rest, i)
    if t is None:
        return None
    u = _at(rest, i + 1)
    w = _at(rest, i + 2)
    end = (w or u or t).end
    if t.kind == "c":
        if t.value.startswith("#") and len(t.value) > 1 and t.value[1].isalnum():
            if text[t.end : t.end + 1] == "\n" and i + 1 < len(rest):
                # "'#RMOOWdaQ\nUNION#Qbp\nALL#k\nSELECT": MySQL's comments to the line's end in place
                # of blanks (sqlmap's space2hash); what the break does is read without them
                code = [tok for tok in rest[i + 1 :] if tok.kind != "c"]
                after = _judge_break_head(text, qpos, code) if code else None
                if after is not None and after[0] >= 0.9:
                    return after
            return (0.4, "sqli.break-comment", qpos, t.end)  # "#id": a hashtag or CSS selector
        if (t.value[1:2] == text[qpos : qpos + 1] and t.value[2:3] in (" ", "") and qpos + 1 == t.start
                and text[qpos - 1 : qpos] == " "):
            return (0.4, "sqli.break-comment", qpos, t.end)  # "contains a '#' which": the sign quoted in a sentence
        if t.value.startswith("#{") and 2 < t.value.find("}", 2, 40) and t.value[2:3].isalpha() and qpos + 1 == t.start:
            return (0.4, "sqli.break-comment", qpos, t.end)  # '"#{name} is #{age}"': Ruby's interpolation in a string
        if t.value.startswith("--") and len(t.value[2:].split()) > 1:
            return (0.4, "sqli.break-comment", qpos, t.end)  # he's 6'2" -- or so: a dash before words
        return (0.92, "sqli.break-comment", qpos, t.end)
    if t.kind == ";":
        if u is None or u.kind == "c":
            return (0.75, "sqli.break-terminate", qpos, t.end)
        stacked = _stacked(rest, i + 1)
        if stacked is not None:
            return (0.97, "sqli.break-stacked", qpos, stacked)
        if u.kind == "E":
            return (0.9, "sqli.break-stacked", qpos, u.end)  # "';select ..." closes and starts a statement
        if u.value == "if" and any(tok.value in ("waitfor", "select") for tok in rest[i + 2 :]):
            return (0.9, "sqli.break-stacked", qpos, u.end)  # "'; if not(select ..) waitfor delay"
        if u.value == "values" and w is not None and w.kind == "(":
            return (0.9, "sqli.break-stacked", qpos, w.end)  # "'; values(1)--": a row constructor as a statement
        admin = _admin_statement(rest, i + 1)
        if admin is not None:
            return (0.9, "sqli.break-stacked", qpos, admin)  # "'; use master--", "'); flush privileges#"
        return None
    if t.kind == "U":
        k = i + 1
        while k < len(rest) and rest[k].kind == "c":
            k += 1  # union#x\nselect, union/**/select
        u = _at(rest, k)
        if u is not None and (u.value in ("select", "all", "distinct") or u.kind == "("):
            return (0.97, "sqli.break-union", qpos, u.end)
        rows = _union_rows(rest, k)
        return (0.92, "sqli.break-union", qpos, rows) if rows is not None else None
    # ("+" reads as a space; after closing parentheses it joins what follows: "')+(select 1)+'")
    joined = i == 0 or "+" in text[rest[i - 1].end : t.start]
    if t.kind == "(" and joined and u is not None and u.value == "select":
        sub = _select(rest, i + 1)
        if sub is not None:
            return (0.9, "sqli.break-subquery", qpos, sub)  # "'+(select 1)+'": "+" reads as a space
    if t.kind == "&" or (t.kind == "o" and t.value in COMPARISONS):
        if u is not None and (u.value == "not" or (u.value == "binary" and w is not None and w.kind == "s")
                              or (t.value == "sounds" and u.value == "like")):
            # ("' or binary 'a'='a": MySQL's BINARY casts the string after it; "' sounds like 'a" is
            # MySQL's one comparison of two words)
            u, w = w, _at(rest, i + 3)
        if u is None:
            return None
        if (t.value == "<" and t.start == qpos + 1 and u.start == t.end and u.value.isalpha()
                and w is not None and w.value == ">" and w.start == u.end and _quoted_tag_end(text, qpos, rest, i + 3)):
            # 'File "<stdin>", line 1', 'the form says "<select> a reason"': a name in angle
            # brackets right inside the quote (a traceback's pseudo-file, an HTML tag), no comparison
            return None
        if u.kind in "f(" or u.value == "select":
            return (0.95, "sqli.break-logic", qpos, u.end)
        if u.value == "exists" and w is not None and w.kind == "(":
            sub = _subquery(rest, i + 1)
            if sub is not None:
                return (0.92, "sqli.break-subquery", qpos, sub)  # "' and exists(select 1)": a sub-query tested
        if u.kind == "k" and u.value in ATTACK_FUNCTIONS and w is not None and w.kind == "(" and w.start == u.end:
            return (0.92, "sqli.break-logic", qpos, w.end)  # "' and database()='x", "' and user() like 'r": keyword-named calls
        if t.kind == "&":
            compared = _literal_comparison(rest, i + 1)
            if compared is not None:
                return (0.93, "sqli.break-logic", qpos, compared)  # "x' or 'a' not like 'b"
        if u.kind == "s" and w is not None and w.kind == "b" and u.value == f"'{w.value}='":
            return (0.9, "sqli.break-logic", qpos, w.end)  # "x'or'a='a": 'a'='a with a quote dropped
        if u.kind in "nsv" or u.value in LITERALS:
            if t.value.isalpha() and u.kind == "s" and _prose_string(u, u.start == t.end) and not (
                    w is not None and w.kind == "o" and w.value in COMPARISONS):
                return _trailing_comment(rest, i, qpos, text[qpos])  # "the 'and' vs 'or' debate", "cafe 'or'"
            if _closing(w):
                return (0.93, "sqli.break-logic", qpos, end)
            if u.kind == "s" and w is not None and w is rest[-1] and w.value == text[qpos] and (
                    not any(ch.isalpha() for ch in u.value) and not text[u.end : w.start].strip()):
                # "' or '' '", "\" or \"1\" \"": a literal and the quote that reopens the query's own
                # string, which the database joins to it ('' '' is '')
                return (0.9, "sqli.break-logic", qpos, w.end)
            return _trailing_comment(rest, i, qpos, text[qpos])
        if u.kind == "b" and w is not None and ((w.kind == "o" and w.value in COMPARISONS) or w.kind in "c;)" or (
            w.kind == "k" and w.value in ("not", "is", "in")) or w.value in ("notnull", "isnull")):
            return (0.9, "sqli.break-logic", qpos, w.end)
        if u.kind in "bk" and w is not None and w.value in ("->", "->>"):
            key, cmp_ = _at(rest, i + 3), _at(rest, i + 4)
            if key is not None and key.kind in "sn" and cmp_ is not None and cmp_.kind == "o" and cmp_.value in COMPARISONS:
                return (0.9, "sqli.break-logic", qpos, cmp_.end)  # "' or data->>'role'='admin": a JSON member compared
        sub = _subquery(rest, i)
        if sub is not None:
            return (0.92, "sqli.break-subquery", qpos, sub)
        return _trailing_comment(rest, i, qpos, text[qpos])
    if t.kind == "v" and joined and t.value.startswith("@@") and len(t.value) > 3 and t.value[2].isalpha() and (
            u is None or u.kind in "s&o;c"):
        return (0.9, "sqli.break-expression", qpos, t.end)  # "'+@@version+'": "+" reads as a space
    if t.kind == "o" and t.value == "::" and u is not None and u.value in CAST_TYPES:
        return (0.9, "sqli.break-cast", qpos, u.end)
    if t.kind == "o" and t.value in ARITHMETIC:
        if u is not None and (u.kind in "(" or (u.kind == "f" and u.value in ATTACK_FUNCTIONS)
                              or u.value == "select" or (u.kind == "v" and u.value.startswith("@@") and len(u.value) > 3)):
            return (0.9, "sqli.break-expression", qpos, u.end)  # "'+@@version+'": a server variable spliced in
        if u is not None and u.kind in "ns" and w is not None and w.kind == "&" and i + 2 < len(rest):
            # "x' div 0 or '1", "x'*1 and '1": the closed string takes an operand, then the condition
            # goes on as it would right after the break
            after = _judge_break_head(text, qpos, rest[i + 2 :])
            if after is not None and after[0] >= 0.9:
                return after
        return _trailing_comment(rest, i, qpos, text[qpos])
    if t.kind in "kE":
        clause = _clause(rest, i)
        if clause is None and t.value == "as" and u is not None and u.kind == "b" and w is not None and (
                w.value in ("where", "having")):
            # "1')) as abc where 8123=8123 and ((('x'='x": the closed sub-query named as a derived
            # table, and a condition on it
            clause = _clause(rest, i + 2)
        if clause is not None:
            return (0.9, "sqli.break-clause", qpos, clause)
    return _trailing_comment(rest, i, qpos, text[qpos])


def _union_rows(tokens: Sequence[Token], k: int) -> int | None:
    """After ``union``: rows that are not a select, ``values (1)``, ``values row(1,2)`` (MySQL 8,
    PostgreSQL), ``table users`` ending the value or cut by a comment; the end."""
    u = _at(tokens, k)
    w = _at(tokens, k + 1)
    if u is None or w is None:
        return None
    if u.value == "values" and (w.kind == "(" or (w.value == "row" and _at(tokens, k + 2) is not None
                                                   and tokens[k + 2].kind == "(")):
        return w.end
    after = _at(tokens, k + 2)
    if u.value == "table" and w.kind == "b" and (after is None or after.kind in "c;"):
        return w.end
    return None


def _prose_string(tok: Token, glued: bool = True) -> bool:
    """A string token that quotes prose, not a literal: a lone quote that the value ends on,
    glued to the word before it (``'or'``; ``admin' or '`` is spaced) or text opening with a
    space (``' vs '``)."""
    body = tok.value[1:]
    return (body == "" and glued) or (body[:1] == " " and any(ch.isalpha() for ch in body))


def _subquery(tokens: Sequence[Token], i: int) -> int | None:
    """``( select`` among the next tokens after a break and a logic operator: a sub-query."""
    for k in range(i, min(len(tokens) - 1, i + 10)):
        if tokens[k].kind == "(" and tokens[k + 1].value == "select" and _at(tokens, k + 2) is not None:
            return tokens[k + 2].end
    return None


_COMMENT_TAIL = re.compile(r"[a-z0-9 +\-#;*/()]*")


def _trailing_comment(rest: Sequence[Token], i: int, qpos: int, quote: str) -> Judgement | None:
    """``x'&email--``, ``user'collate nocase--``: after the break, a short SQL expression (an
    operator or keyword among at most six tokens) and a comment that cuts the original query."""
    tail = rest[i : i + 13]
    if len(tail) < 2 or tail[-1].kind != "c" or len(rest) > i + 13:
        return None
    if tail[-1].value.startswith("#") and len(tail[-1].value) > 1 and tail[-1].value[1].isalnum():
        return None  # "#section": a URL fragment or hashtag, not a comment
    if not tail[-1].value.startswith("/*") and (len(tail[-1].value[2:].split()) > 1 or len(tail[-1].value) > 12):
        # "it's 100% cotton -- machine wash": a dash before words; "vxj--gkiq4miadjvdqsyabx14": a
        # token's double dash (sqlmap's comment is "-- xyBn", "--+", "-- -")
        return None
    marker = 2 if tail[-1].value.startswith("--") else 1
    if tail[-1].value.startswith("/*") and "*/" not in tail[-1].value and quote in tail[-1].value:
        # 'url.path:"/api/orders/*" and status >= 400' (Kibana), "path:'/docs/*'": an unclosed
        # "comment" holding the quote that opened the value's string is a glob inside that string
        return None
    if not tail[-1].value.startswith("/*") and _COMMENT_TAIL.fullmatch(tail[-1].value[marker:]) is None:
        return None  # "property 'call' of object '#<Object>'": markup after a hash
    body = tail[:-1]
    operator = any(tok.kind in "&kEU" or (tok.kind == "o" and tok.value != "!") for tok in body)
    if operator and all(tok.kind in "o&kEUnbsvf()," for tok in body):
        return (0.88, "sqli.break-comment", qpos, tail[-1].end)
    return None


_SYMBOLS = frozenset("!#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


# Google's encoded polyline alphabet (ASCII 63-126: no digit, blank, quote, parenthesis, "$", "/")
_POLYLINE = re.compile(r"[?-~]+")
_POLYLINE_SYMBOLS = frozenset("?@[\\]^_`{|}~")


def random_blob(text: str) -> bool:
    """A long value without spaces whose characters are spread like random data (tokens,
    bot-sensor blobs): SQL or shell there is a coincidence of characters, not a statement.
    Payloads repeat their syntax (``/**/``, ``__``, quotes): in their first 128 characters
    they use fewer than 32 distinct characters, random blobs more."""
    if 20 <= len(text) <= 65536 and _POLYLINE.fullmatch(text) is not None and len(_POLYLINE_SYMBOLS.intersection(text)) >= 4:
        return True  # an encoded polyline (a map route): characters "?" to "~" only, symbols spread among letters
    if len(text) < 48 or text.count(" ") > len(text) // 24:
        return False
    head = text[:128]
    return len(set(head)) >= 32 and len(_SYMBOLS.intersection(head)) >= 7


def _clause(tokens: Sequence[Token], i: int) -> int | None:
    """A query clause starting at ``tokens[i]`` that is complete SQL, not prose; its end."""
    t = tokens[i]
    u = _at(tokens, i + 1)
    w = _at(tokens, i + 2)
    if u is None:
        return None
    v = t.value
    if v in ("order", "group") and u.value == "by" and w is not None and w.kind == "(":
        sub = _at(tokens, i + 3)
        # "' order by (select 1)", "order by (case when ... end)": a subquery or a condition as
        # the sort key, read to its closing parenthesis
        return _group_end(tokens, i + 2) if sub is not None and sub.value in ("select", "case") else None
    if v in ("order", "group") and u.value == "by" and w is not None and w.kind in "nbf":
        k = i + 3
        while w.kind == "b" and k + 1 < len(tokens) and tokens[k].kind == "." and tokens[k + 1].kind == "b":
            w = tokens[k + 1]  # users.id
            k += 2
        after = _at(tokens, k)
        if after is not None and after.kind == ",":
            return _column_list(tokens, k)
        if w.kind == "f" and after is not None and after.kind == "(" and after.start == w.end:
            # "group by concat(version(),floor(rand(0)*2))": an expression, read to its closing
            # parenthesis so that the clauses after it (``having``, a comment) are read too
            return _group_end(tokens, k)
        if w.kind == "f" or after is None or after.kind in "c;)" or after.value in _AFTER_COLUMNS:
            return w.end
        if w.kind == "n" and after.kind == "&" and _at(tokens, k + 1) is not None and tokens[k + 1].kind == "s":
            return w.end  # "x') order by 5 and '1'='1": a column number, then a condition on a literal
        return None
    if v in ("having", "where") and _operand(u) and w is not None and (
        (w.kind == "o" and w.value in COMPARISONS) or w.kind == "&"):
        x = _at(tokens, i + 3)
        return x.end if w.kind == "o" and x is not None and x.kind in "nsv" else w.end
    if v in ("having", "where") and u.kind == "f" and w is not None and w.kind == "(":
        k = i + 3
        while k < len(tokens) and k < i + 12 and tokens[k].kind != ")":
            k += 1
        cmp_ = _at(tokens, k + 1)
        operand = _at(tokens, k + 2)
        if k < len(tokens) and cmp_ is not None and cmp_.kind == "o" and cmp_.value in COMPARISONS and _operand(operand):
            return operand.end  # type: ignore[union-attr]
        if v == "having" and k < len(tokens) and w.start == u.end and (cmp_ is None or cmp_.kind in "c;"):
            return tokens[k].end  # "having min(0)" closing a query: an aggregate alone is a condition
    if v == "into" and u.value in ("outfile", "dumpfile"):
        return u.end
    if v == "limit" and u.kind == "n" and (w is None or w.kind in ",c;"):
        x = _at(tokens, i + 3)
        if w is not None and w.kind == "," and x is not None and x.kind == "n":
            return x.end  # limit 1,1
        return u.end
    if v == "procedure" and u.value == "analyse":
        x = _at(tokens, i + 3)
        if w is not None and w.kind == "(" and (x is None or x.kind in "nf)"):
            # "procedure analyse()", "procedure analyse(extractvalue(...),1)"; not "analyse (page 3)"
            return _group_end(tokens, i + 2)
        return u.end
    if v == "select":
        return _select(tokens, i)
    if v in ("create", "alter") and u.value == "or" and w is not None and w.value in ("replace", "alter"):
        # PostgreSQL's "create or replace function", SQL Server's "create or alter procedure": the
        # object's kind follows the two words
        kind = _at(tokens, i + 3)
        if kind is not None and kind.value in _STACKABLE["create"] and _at(tokens, i + 4) is not None:
            return kind.end
        return None
    if v in _STACKABLE and u.value in _STACKABLE[v]:
        if v == "insert" and i == 0 and _insert_prose(tokens, i + 2):
            return None  # "insert into the toaster", "insert into slot 2": no row to insert, no statement
        if v == "waitfor" and w is not None and w.kind in "bko":
            # "waitfor delay is used to pause a batch": the statement takes a time string or a
            # variable ("waitfor delay '0:0:5'", "waitfor delay @t"); a word after it is prose
            return None
        if w is not None and (w.kind == "&" or w.value in ("?", "!")):
            # "drop table or desk", "Drop table? No, a drop-leaf table.": the object a statement needs
            # is missing, a logic word or a sentence's end follows
            return None
        last = _at(tokens, i + 3)
        if w is not None and w.kind == "b" and last is not None and last.value in ("?", "!") and _at(tokens, i + 4) is None:
            return None  # "Delete from cart?": the statement's words as a question, nothing after it
        if v in _NAMED_OBJECT_STATEMENTS and w is not None and w.kind == "s" and (
                len(w.value) < 2 or w.value[-1] != w.value[0]):
            # '"drop table" meme t-shirt': a quoted phrase, then a string that never closes where the
            # statement needs an object's name ("waitfor delay '" takes a string, and one cut short)
            return None
        if v in _NAMED_OBJECT_STATEMENTS and u.value not in ("user", "login") and w is not None and (
                w.kind == "s" and w.value[:1] == "'"):
            # "'drop table' is the nerdiest pickup line": the words quoted, then text; no dialect
            # names a table in single quotes (a user is: "drop user 'bob'@'%'")
            return None
        return u.end
    if v in ("exec", "execute") and (u.value.startswith(("xp_", "sp_", "master")) or u.kind == "("):
        return u.end
    if v == "declare" and u.kind == "v":
        return u.end
    if v == "call" and u.kind == "f" and w is not None and w.kind == "(" and w.start == u.end and (
            "_" in u.value or "$" in u.value or u.value in SQL_FUNCTIONS):
        # "; call sleep(5)", "; call system$wait(5)": a stored procedure called by its SQL name
        # (an underscore, a "$" or a function's; "; call me(maybe)" is prose)
        return w.end
    if v == "shutdown" and (w is None or w.kind in "c;"):
        return u.end if u.kind in "c;" else t.end
    if v == "shutdown" and u.value == "with" and w is not None and w.value == "nowait":
        return w.end  # SQL Server's "shutdown with nowait": the server stopped without a checkpoint
    if v == "update" and u.kind == "b" and w is not None and w.value == "set":
        return w.end
    if v == "copy" and w is not None:
        # PostgreSQL "copy t to '/tmp/x'", "copy (select ...) to program 'id'", "copy t from stdin"
        if u.kind == "(" and w.value == "select":
            return w.end
        x = _at(tokens, i + 3)
        if u.kind == "b" and w.value in ("to", "from") and x is not None and (
                (x.kind == "s" and x.value[1:2] in ("/", "\\")) or x.value in ("program", "stdin", "stdout")):
            return x.end
    return None


_NAMED_OBJECT_STATEMENTS = frozenset({"drop", "create", "alter", "truncate"})
_AFTER_COLUMNS = frozenset({"asc", "desc", "having", "limit", "procedure", "into"})


def _column_list(tokens: Sequence[Token], k: int) -> int | None:
    """The rest of an ``order by`` / ``group by`` list from the comma at ``tokens[k]``: each item a
    column, number or call, followed by the end, a comment, a clause or another comma; None when
    words follow a comma ("group by size, then sort by price": a sentence)."""
    while k < len(tokens) and tokens[k].kind == ",":
        item = _at(tokens, k + 1)
        if item is None or item.kind not in "nbf":
            return None
        if item.kind == "f":
            return item.end
        k += 2
        while k + 1 < len(tokens) and tokens[k].kind == "." and tokens[k + 1].kind == "b":
            k += 2  # users.id
        end = tokens[k - 1].end
        nxt = _at(tokens, k)
        if nxt is not None and nxt.value in ("asc", "desc"):
            end = nxt.end
            k += 1
            nxt = _at(tokens, k)
        if nxt is None or nxt.kind in "c;)" or nxt.value in _AFTER_COLUMNS:
            return end
    return None


def _group_end(tokens: Sequence[Token], k: int) -> int:
    """The end of the parenthesised group opening at ``tokens[k]``: its closing parenthesis, or
    the last token read when the value ends (or 24 tokens pass) before it closes."""
    depth = 0
    end = tokens[k].end
    for m in range(k, min(len(tokens), k + 24)):
        tok = tokens[m]
        end = tok.end
        if tok.kind == "(":
            depth += 1
        elif tok.kind == ")":
            depth -= 1
            if depth == 0:
                break
    return end


# calls named by a keyword (the tokenizer reads them as "k"), that only a database answers
_KEYWORD_CALLS = frozenset({"user", "database", "schema"})


def _select(tokens: Sequence[Token], i: int) -> int | None:
    """``select`` followed by a column list that is SQL: numbers, functions, ``*``, variables,
    literals, sub-selects; a bare word list (prose) only with ``from <name>`` and a clause."""
    u = _at(tokens, i + 1)
    if u is None:
        return None
    if u.value in ("distinct", "all", "distinctrow") and _at(tokens, i + 2) is not None:
        return _select(tokens, i + 1)  # a modifier: the column list follows ("select all" alone is a button label)
    w = _at(tokens, i + 2)
    if u.value == "*" and w is not None and w.kind not in "c;),." and w.value not in _AFTER_STAR:
        return None  # "select * is considered harmful": a star and then words, a title
    if u.value == "*" and w is not None and w.value == "from" and all(
            tok is not None and tok.kind == "b" for tok in (_at(tokens, i + 3), _at(tokens, i + 4), _at(tokens, i + 5))):
        return None  # "select * from the menu below": three words after "from" are a sentence
    # "Select Start (band)": a word no SQL dialect calls, its parenthesis apart, is a title's word
    worded = u.kind == "f" and w is not None and w.start > u.end and u.value not in SQL_FUNCTIONS
    if (u.kind in "nfv(" or u.value in ("*", "null", "top", "case", "@@version")) and not worded:
        return u.end
    if u.value in _KEYWORD_CALLS and w is not None and w.kind == "(" and w.start == u.end:
        return w.end  # "(select user())", "select database()": keyword-named calls ("select left(hand)" is prose)
    if u.kind == "s" and _closing(_at(tokens, i + 2)) and not _prose_string(u) and u.value[1:].strip(";"):
        return u.end
    if u.kind == "b" or u.value == "user" or worded:
        j = i + 2
        while j < len(tokens) and tokens[j].kind in "b," and j < i + 12:
            j += 1
        f = _at(tokens, j)
        if f is not None and f.value == "from":
            name = _at(tokens, j + 1)
            tail = _at(tokens, j + 2)
            if name is not None and name.value == "dual" and (tail is None or tail.kind in "c;)"):
                return name.end  # "select user from dual": Oracle's one-row table
            if name is not None and u.value[:1] == "`" and name.value[:1] == "`":
                return name.end  # "select`a`from`b`": quoted identifiers on both sides
            k = j + 2
            while k + 1 < len(tokens) and tokens[k].kind == "." and tokens[k + 1].kind == "b":
                k += 2  # schema.table
            after = _at(tokens, k)
            if name is not None and name.kind == "b" and after is not None and (
                after.kind in "c;)" or after.value in ("where", "limit", "order", "group", "union", "join")
            ):
                return after.end
    return None


# what follows "select *" in a query ("select * from", "select *,1", "select * into outfile")
_AFTER_STAR = frozenset({"from", "into", "union", "limit", "where", "order", "group", "except", "intersect"})
# calls that wrap hex-spelled strings in extraction payloads: concat(0x7e,version(),0x7e)
HEX_WRAPPERS = frozenset({"concat", "concat_ws", "group_concat", "char", "unhex", "make_set", "elt",
                          "extractvalue", "updatexml"})


def _hex_literal(tok: Token) -> bool:
    return tok.kind == "n" and tok.value.startswith("0x") and len(tok.value) >= 4


def _set_operation(tokens: Sequence[Token], i: int) -> int | None:
    """After ``except`` / ``intersect``: ``select 1,2``, ``select null``, ``select f(``,
    ``values (1,2)``; not prose (``all items except select brands``, ``except select 2-packs``)."""
    u = tokens[i]
    w = _at(tokens, i + 1)
    if u.value == "select" and w is not None and (w.kind in "fv(" or w.value in ("*", "null")):
        return w.end
    if u.value == "select" and w is not None and w.kind in "ns":
        after = _at(tokens, i + 2)
        if after is None or after.kind in ",c;)" or after.value == "from":
            return w.end
    if u.value == "values" and w is not None and w.kind == "(":
        x = _at(tokens, i + 2)
        y = _at(tokens, i + 3)
        if x is not None and x.kind in "ns" and y is not None and y.kind in ",)":
            return y.end
    return None


def _values_statement(tokens: Sequence[Token], i: int) -> int | None:
    """After ``;``: ``replace [into] name (cols) values (1, 'x')`` or ``insert ... values (``,
    a stacked statement that writes a row."""
    t = _at(tokens, i)
    if t is None or t.value not in ("replace", "insert"):
        return None
    for k in range(i + 1, min(len(tokens) - 2, i + 14)):
        tok = tokens[k]
        if tok.kind in "sc;&U":
            return None
        if tok.value == "values" and tokens[k + 1].kind == "(" and tokens[k + 2].kind in "nsv":
            return tokens[k + 2].end
    return None


def _balanced(tokens: Sequence[Token], i: int) -> bool:
    """Every parenthesis before ``tokens[i]`` closes one opened before it, and none is left open."""
    depth = 0
    for tok in tokens[:i]:
        depth += (tok.kind == "(") - (tok.kind == ")")
        if depth < 0:
            return False
    return depth == 0


def _named_sort_to_end(tokens: Sequence[Token], k: int) -> bool:
    """From ``tokens[k]`` to the end: sort keys that are names (``rank``, ``t.created``), each
    optionally ``asc`` / ``desc``, separated by commas; no number, call, comment or clause."""
    n = len(tokens)
    while k < n:
        if tokens[k].kind != "b":
            return False
        k += 1
        while k + 1 < n and tokens[k].kind == "." and tokens[k + 1].kind == "b":
            k += 2
        if k < n and tokens[k].value in ("asc", "desc"):
            k += 1
        if k == n:
            return True
        if tokens[k].kind != ",":
            return False
        k += 1
    return False


def _insert_prose(tokens: Sequence[Token], k: int) -> bool:
    """``tokens[k:]`` (what follows "insert into" at a value's start) are a few words and numbers
    to the end: no column list, no VALUES, SELECT, SET or DEFAULT, no comment, no ";" (the
    statement needs a row; without one it is an instruction in prose)."""
    rest = tokens[k:]
    return 1 <= len(rest) <= 8 and all(
        tok.kind in "bn" or (tok.kind == "k" and tok.value not in ("values", "value", "select", "set", "default", "output"))
        for tok in rest)


def _named_sort_list(tokens: Sequence[Token], k: int) -> bool:
    """``tokens[k:]`` is the whole rest: "by" and then columns by name, each with an optional
    direction, split by commas ("by price asc, name")."""
    n = len(tokens)
    if k - 1 < 0 or k - 1 >= n or tokens[k - 1].value != "by" or k >= n or n - k > 24:
        return False
    while k < n:
        if tokens[k].kind != "b":
            return False
        k += 1
        if k < n and tokens[k].value in ("asc", "desc"):
            k += 1
        if k < n:
            if tokens[k].kind != "," or k + 1 >= n:
                return False
            k += 1
    return True


def _clause_chain(tokens: Sequence[Token], end: int) -> int:
    """Extends a clause ending at ``end`` over a number list and the clauses that follow it:
    ``order by 1,2,3``, ``group by 1 having 1=1``, ``order by 1 desc limit 1``."""
    k = _index_after(tokens, end)
    for _ in range(8):
        tok = _at(tokens, k)
        nxt = _at(tokens, k + 1)
        if tok is None:
            break
        if tok.kind == "," and nxt is not None and nxt.kind == "n":
            end = nxt.end
            k += 2
        elif tok.value in ("asc", "desc"):
            end = tok.end
            k += 1
        elif tok.value in ("having", "limit", "order", "group", "procedure", "into"):
            more = _clause(tokens, k)
            if more is None:
                break
            end = more
            k = _index_after(tokens, end)
        else:
            break
    return end


def _select_complete(tokens: Sequence[Token], i: int) -> bool:
    """``select a from t where ...``: a word list followed by ``from name`` and a clause. An item of
    the list is a name and at most an alias: three words in a row are a sentence ("select a new
    vendor from the union list")."""
    j = i + 1
    run = 0
    while j < len(tokens) and tokens[j].kind in "b," and j < i + 12:
        run = run + 1 if tokens[j].kind == "b" else 0
        if run > 2:
            return False
        j += 1
    f = _at(tokens, j)
    after = _at(tokens, j + 2)
    return f is not None and f.value == "from" and after is not None and after.value in (
        "where", "limit", "order", "group", "union", "join")


def _stacked(tokens: Sequence[Token], i: int) -> int | None:
    t = _at(tokens, i)
    u = _at(tokens, i + 1)
    w = _at(tokens, i + 2)
    if t is not None and t.value == "prepare" and u is not None and u.kind == "b" and w is not None and (
            w.value == "from"):
        return w.end  # "'; prepare s from @q; execute s--": a statement built from a string and run
    if t is None or t.kind not in "kE":
        return None
    if t.value == "desc" and u is not None and u.kind == "b" and (w is None or w.kind in "c;"):
        return u.end  # "'; desc users; --"
    if t.value == "set" and u is not None and w is not None and (
            u.kind == "v" or (u.value in ("global", "session", "persist", "role") and w.kind == "b")):
        # "'; set global general_log=1--", "; set @q=0x..": a server or session variable written;
        # "'; set role postgres--": PostgreSQL's session taking another role's rights
        return w.end
    if t.kind != "E":
        return None  # "sort: newest; order by price": a clause is not a statement
    return _clause(tokens, i)


# server and session statements a stacked query runs, by their first word: what the next words
# must be (None: any name), and whether the value must end there (a comment or ";" may follow)
_SYSTEM_DATABASES = frozenset({"master", "mysql", "information_schema", "tempdb", "msdb", "model", "sys",
                               "postgres", "template1", "performance_schema"})
_ADMIN_SHAPES: dict[str, tuple[tuple[frozenset[str] | None, ...], bool]] = {
    "use": ((_SYSTEM_DATABASES,), True),  # "'; use master--"
    "bulk": ((frozenset({"insert"}), None, frozenset({"from"})), False),
    "backup": ((frozenset({"database", "log"}), None, frozenset({"to"})), False),
    "kill": ((None,), True),  # (a connection's number)
    "reconfigure": ((), True),
    "dbcc": ((None,), False),
    "lock": ((frozenset({"tables"}), None), False),
    "flush": ((frozenset({"privileges", "tables", "logs", "hosts", "status"}),), True),
    "show": ((frozenset({"tables", "databases", "grants", "variables", "processlist", "schemas",
                         "columns", "status", "users", "privileges"}),), True),
    "replace": ((frozenset({"into"}), None), False),
    "rename": ((frozenset({"table", "user"}), None, frozenset({"to"})), False),
    "pragma": ((None,), False),
    "merge": ((frozenset({"into"}), None), False),
    # only after a string break: after a number they read as a list of steps ("1; describe it")
    "describe": ((None,), True),
    # MySQL's HANDLER reads a table row by row without a select ("1;handler users open as h")
    "handler": ((None, frozenset({"open", "read", "close"})), False),
    "truncate": ((None,), True),
    # H2's script runner, fetching the statements it runs ("'; runscript from 'http://x/p.sql'")
    "runscript": ((frozenset({"from"}),), False),
}
_BREAK_ONLY_ADMIN = frozenset({"describe", "truncate"})


def _admin_statement(tokens: Sequence[Token], i: int, after_break: bool = True) -> int | None:
    """``use master``, ``bulk insert t from``, ``flush privileges``, ``show tables``, ``kill 1`` at
    ``tokens[i]`` (after a ``;`` that a break or a number opened): a stacked server statement; its end."""
    t = _at(tokens, i)
    if t is None or t.value not in _ADMIN_SHAPES or (not after_break and t.value in _BREAK_ONLY_ADMIN):
        return None
    shape, whole = _ADMIN_SHAPES[t.value]
    end = t.end
    for k, allowed in enumerate(shape, i + 1):
        tok = _at(tokens, k)
        if tok is None or tok.kind not in "bkEnf" or (allowed is not None and tok.value not in allowed):
            return None
        end = tok.end
    if t.value == "kill" and tokens[i + 1].kind != "n":
        return None  # "kill 53"; "kill it" is prose
    after = _at(tokens, i + 1 + len(shape))
    if t.value in ("replace", "merge") and not (after is not None and (after.kind == "(" or after.value in (
            "values", "select", "set", "using"))):
        return None  # "replace into t values(..)"; "5; replace into box" is prose
    if whole and not (after is None or after.kind == ";" or _cuts(after)):
        return None
    return end


def _judge_plain(text: str, tokens: list[Token]) -> Judgement | None:
    """The value read as SQL on its own (numeric context, or a whole query)."""
    best: Judgement | None = None

    def keep(found: Judgement) -> None:
        nonlocal best
        if best is None or found[0] > best[0]:
            best = found

    n = len(tokens)
    for i, t in enumerate(tokens):
        kind = t.kind
        if kind == "U":
            k = i + 1
            while k < n and tokens[k].kind == "c":
                k += 1  # union/**/select, union#\nselect
            u = _at(tokens, k)
            if u is not None and u.value in ("all", "distinct", "distinctrow"):
                k += 1
                while k < n and tokens[k].kind == "c":
                    k += 1
                after = _at(tokens, k)
                # "union all select", "union distinct(select"; "what does union all do" is a question
                if after is None or not (after.value == "select" or after.kind == "("):
                    u = None
            if u is not None and (u.value in ("select", "all", "distinct", "distinctrow") or u.kind == "("):
                keep((0.97, "sqli.union", t.start, u.end))
            elif u is not None and i > 0 and tokens[i - 1].kind in "ns)":
                end = _union_rows(tokens, k)
                if end is not None:
                    keep((0.92, "sqli.union", t.start, end))
        elif kind == ";":
            end = _stacked(tokens, i + 1)
            if end is None:
                end = _values_statement(tokens, i + 1)
            if end is None and i > 0 and tokens[0].kind == "n" and all(tok.kind in "n)" for tok in tokens[1:i]):
                end = _admin_statement(tokens, i + 1, after_break=False)  # "1;show tables", "1);use master--"
            if end is not None:
                keep((0.95, "sqli.stacked", t.start, end))
        elif kind == "f":
            if t.value in STRONG_FUNCTIONS:
                arg, word = _at(tokens, i + 2), _at(tokens, i + 3)
                # "Sleep(5 hours) tracker": a number and a word side by side is a unit in prose, no argument
                prose = arg is not None and arg.kind in "ns" and word is not None and word.kind == "b"
                if not prose and i > 0 and tokens[i - 1].kind == "b" and word is not None and word.kind == ")":
                    # "the sleep(5) call in my script": the call named between two words of a sentence
                    # (two words after it, neither a clause a query goes on with)
                    prose = all(
                        after is not None and after.kind in "bEko" and after.value not in _QUERY_GOES_ON
                        for after in (_at(tokens, i + 4), _at(tokens, i + 5)))
                elif not prose and i == 0 and word is not None and word.kind == ")":
                    # "sleep(5) in a Python loop blocks my app": the call opening a sentence (three
                    # words after it, none a clause a query goes on with)
                    prose = all(
                        after is not None and after.kind in "bEko" and after.value.isalpha()
                        and after.value not in _QUERY_GOES_ON
                        for after in (_at(tokens, i + 4), _at(tokens, i + 5), _at(tokens, i + 6)))
                keep((0.45 if prose else 0.92, "sqli.function", t.start, t.end + 1))
            elif t.value in HEX_WRAPPERS and i + 2 < n and tokens[i + 1].kind == "(" and _hex_literal(tokens[i + 2]):
                keep((0.88, "sqli.hex-call", t.start, tokens[i + 2].end))  # concat(0x7e,version())
        elif kind == "s" and t.value[1:3] in ("$.", "$[") and i >= 2 and tokens[i - 2].kind == "s" and (
                tokens[i - 2].value[1:2] in "{[" and _json_operator(tokens[i - 1])):
            keep((0.85, "sqli.json-path", tokens[i - 2].start, t.end))  # '{"a":1}' -> '$.a'
        elif kind == "n" and t.value.endswith(".") and i + 2 < n and tokens[i + 1].value == "e" and (
                tokens[i + 1].start == t.end and tokens[i + 2].kind == "(" and tokens[i + 2].start == tokens[i + 1].end):
            keep((0.85, "sqli.number-glue", t.start, tokens[i + 2].end))  # 1.e(ascii ...: MySQL reads "1.e" as 1
        elif kind == "k" and t.value == "where" and i + 3 < n and tokens[i + 1].kind in "ns" and (
                tokens[i + 2].kind == "o" and tokens[i + 2].value in COMPARISONS and tokens[i + 3].kind in "ns"):
            keep((0.88, "sqli.where-literal", t.start, tokens[i + 3].end))  # "as x where 1=1 and 1=0"
        elif kind == "b" and t.value in ("except", "intersect") and i + 1 < n:
            end = _set_operation(tokens, i + 1)
            if end is not None:
                keep((0.9, "sqli.set-operation", t.start, end))
        elif kind == "E" or kind == "k":
            if t.value == "as" and i > 0 and tokens[i - 1].kind in ")bns" and i + 2 < n and tokens[i + 1].kind in "bks" and tokens[i + 2].value == "from":
                # ") as x from", "`col` as `x` from", "1234 as \"x\" from": a column alias; a word list is prose
                prev = tokens[i - 1]
                sql_like = prev.kind in ")n" or prev.value.startswith("`") or tokens[i + 1].value[:1] in "`'\""
                keep((0.8 if sql_like else 0.45, "sqli.alias", prev.start, tokens[i + 2].end))
            if i > 0 and tokens[i - 1].kind not in "(,;" and t.value in _STACKABLE:
                u = _at(tokens, i + 1)
                if u is not None and u.value in _STACKABLE[t.value]:
                    after = _at(tokens, i + 3)
                    complete = after is None or after.kind in "c;"
                    keep((0.75 if complete else 0.4, "sqli.statement", t.start, u.end))
            if i == 0 or tokens[i - 1].kind in "(,;" or (i == 2 and tokens[1].value == "=" and tokens[0].kind == "b"):
                end = _clause(tokens, i)
                if end is not None:
                    score = 0.9 if t.value != "select" or _select_strong(tokens, i) else 0.45
                    if t.value in ("order", "group") and tokens[i + 2 : i + 3] and (
                            n == i + 3 and tokens[i + 2].kind == "b" or tokens[i + 2].kind in "bf" and _words_aside(tokens, i + 3)):
                        score = 0.45  # "order by date", "group by category (a-z)": a sort label
                    if t.value in ("drop", "truncate", "create") and i == 0 and _ddl_then_prose(tokens):
                        score = 0.45  # "drop table reservations for friday": a sentence goes on
                    if t.value in ("order", "group") and i == 0 and _named_sort_list(tokens, 2):
                        # "ORDER BY price ASC", "order by date desc, name": a value that is only a sort
                        # by named columns is a UI's sort expression; spliced into a query it ends no
                        # string and runs nothing ("1 order by 3--" counts columns with a number)
                        score = 0.15
                    keep((score, "sqli.statement", t.start, end))
            elif t.value in ("order", "group", "having", "limit", "procedure", "into") and tokens[i - 1].kind in "nsb)":
                end = _clause(tokens, i)
                if end is not None:
                    end = _clause_chain(tokens, end)
                if end is not None and _closed_and_cut(tokens, _index_after(tokens, end)) and (
                        _past_sign(tokens, 0) < i and tokens[_past_sign(tokens, 0)].kind == "n"):
                    # "1 group by 1,2)--", "-1 having 1=1)--": a number, the clause, the query's
                    # parentheses closed and the rest cut off
                    keep((0.85, "sqli.clause", tokens[i - 1].start, tokens[-1].end))
                elif end is not None and (end == tokens[-1].end or _at(tokens, _index_after(tokens, end)) is None
                                        or tokens[_index_after(tokens, end)].kind in "c;"):
                    last = tokens[_index_after(tokens, end) - 1]
                    prose = tokens[i - 1].kind == "b" and last.kind == "b" and end == tokens[-1].end
                    # "you can order by phone": words on both sides and nothing cut off: prose
                    # 'project = "X" and assignee = currentuser() order by created desc': a search
                    # language's whole query (Jira's JQL), a field compared first, sorted by a field and
                    # nothing cut off; an injected clause follows a number or a break, or sorts by a number
                    prose = prose or (t.value == "order" and _at(tokens, i + 2) is not None and tokens[i + 2].kind == "b"
                                      and tokens[0].kind == "b" and tokens[1].kind == "o"
                                      and tokens[1].value in COMPARISONS and end == tokens[-1].end
                                      and not any(tok.kind in "c;" for tok in tokens))
                    # "project = WEB AND status in (a, b) ORDER BY created DESC": a filter language's
                    # sort (JQL, admin list filters) by named fields that ends the value inside
                    # balanced parentheses breaks out of nothing; column numbers ("1 order by 5")
                    # probe a query's width and keep counting, and a value that opens with a number
                    # ("1 order by name") is the tail of a numeric parameter
                    # "results having p<0.05", "cases having fever>38": a word, "having" and a named
                    # measure compared to a number, ending the value: a report's prose ("1 having 1=1"
                    # compares numbers after a number)
                    prose = prose or (t.value == "having" and tokens[i - 1].kind == "b" and _at(tokens, i + 1) is not None
                                      and tokens[i + 1].kind == "b" and end == tokens[-1].end
                                      and tokens[_past_sign(tokens, 0)].kind != "n"
                                      and not any(tok.kind in "c;" for tok in tokens))
                    # "speed limit 55", "credit limit 5000": words, then "limit" and one number ending
                    # the value (an injected LIMIT follows a number or a break: "1 limit 1", "' limit 0,1")
                    prose = prose or (t.value == "limit" and all(tok.kind == "b" for tok in tokens[:i])
                                      and n == i + 2 and tokens[i + 1].kind == "n")
                    label = t.value == "order" and tokens[_past_sign(tokens, 0)].kind != "n" and (
                        _balanced(tokens, i) and _named_sort_to_end(tokens, i + 2))
                    keep((0.15 if label else 0.45 if prose else 0.85, "sqli.clause", tokens[i - 1].start, end))
        elif kind == "&":
            found = _tautology(tokens, i)
            if found is not None:
                keep(found)
        elif kind == "o" and t.value == "::" and i > 0 and tokens[i - 1].kind in "s)" and _at(tokens, i + 1) is not None and tokens[i + 1].value in CAST_TYPES:
            keep((0.8, "sqli.cast", tokens[i - 1].start, tokens[i + 1].end))
        elif kind == "v" and t.value.startswith("@@") and _SYSTEM_VARIABLE.fullmatch(t.value) is not None and (
            t.start == 0 or not text[t.start - 1].isalnum()
            # (or glued to a keyword: "1 between@@port and@@port")
            or (i > 0 and tokens[i - 1].value in _GLUED_BEFORE_VARIABLE and tokens[i - 1].end == t.start)
        ) and not text.startswith("@@", t.end) and t.value not in _JS_SYMBOLS:  # @@macro@@
            keep((0.85, "sqli.system-variable", t.start, t.end))
        elif kind == "b" and t.value == "information_schema" and n >= 2:
            keep((0.9, "sqli.catalog", t.start, t.end))
    # a "-" or "/" comment token is only ever cut at a "--" or "/*": the text test skips the
    # token loop exactly when it could find none
    if (best is None or best[0] < 0.9) and ("--" in text or "/*" in text or "#" in text) and any(
            _spacer_comment(text, tok) for tok in tokens[:-1]):
        # "1--x\nand--y\n9227=9227", "1#x\nand#y\n1=1": comments standing in for spaces
        bare = [tok for tok in tokens if not _spacer_comment(text, tok)]
        for i, t in enumerate(bare):
            if t.kind == "&":
                found = _tautology(bare, i)
                if found is not None:
                    keep(found)
    if best is None and 3 <= n <= 6:
        found = _bare_comparison(tokens)
        if found is not None:
            keep(found)
    if best is None or best[0] < 0.9:
        found = _constructs(text, tokens)
        if found is not None:
            keep(found)
    if (best is None or best[0] < 0.9) and n >= 2 and _CATALOG_ANY.search(text) is not None:
        # a catalog name alone is a word, not a query; the loop runs only when a name occurs
        for name in CATALOGS:
            pos = text.find(name)
            if pos >= 0 and not _inside_word(text, name, pos):
                keep((0.88, "sqli.catalog", pos, pos + len(name)))
                break
    if n == 0:
        return best
    return best


# windows past the first MAX_TOKENS tokens: how many, and how many tokens each re-reads before its
# own (left context for a construct that spans the edge)
_LATER_WINDOWS = 5
_OVERLAP = 8
# what the later windows are read for: the words of a statement or a timing/extraction call (a
# long text with none of them is not tokenized further; "or"/"and" are in all prose)
_LATER_HINT = linear(
    r"\b(?:union|select|sleep|benchmark|pg_sleep|waitfor|extractvalue|updatexml|exec|execute|drop|insert|delete|"
    r"update|shutdown|declare|load_file|outfile|xp_cmdshell|information_schema)\b"
)


def _judge_later(text: str, tokens: list[Token]) -> Judgement | None:
    """``a a a ... a 1 union select 1,2``: a value padded in front of its injection past the first
    window of tokens. Read up to `_LATER_WINDOWS` more windows, each starting `_OVERLAP` tokens
    back; a judgement counts when it is grammar-certain (0.9) and starts past the window's first
    two tokens (rules that read the value's start see a window's start there)."""
    if _LATER_HINT.search(text, tokens[-1].end) is None:
        return None
    window = tokens
    for _ in range(_LATER_WINDOWS):
        if len(window) < MAX_TOKENS:
            return None
        window = tokenize(text, window[-_OVERLAP].start)
        if len(window) <= _OVERLAP:
            return None
        found = _judge_plain(text, window)
        if found is not None and found[0] >= 0.9 and found[2] >= window[2].start:
            return found
    return None


_NARROW_CASTS = frozenset({"int", "int4", "int8", "integer", "bigint", "smallint", "numeric", "text", "varchar",
                           "jsonb", "regclass", "bytea", "double", "oid", "regproc"})
_LEADING_STATEMENTS = frozenset({"select", "insert", "update", "delete", "drop", "exec", "execute", "declare",
                                 "create", "alter", "truncate", "shutdown", "waitfor"})
# what the token-level constructs need to see somewhere in the text (skips the loop for most values)
_CONSTRUCT_HINT = linear(
    r"when|exec|prepare|into|xp_|sp_|openrowset|opendatasource|msdasql|sqloledb|select|[a-z0-9_]/\*|\*/[a-z(]|::|drop|truncate"
)
# the comments sqlmap and payload lists end a value with: nothing after the marker
_BARE_CUTS = frozenset({"--", "-- -", "--+", "--+-", "-- +", "#", "/*"})
# MySQL's if() with a literal condition, compared or as is ("if(1=1,", "if(1,sleep(5),0)")
# (glued "if(1," only: "if (1, 2) fail" is a list in prose)
# (and SQL Server's iif(): "iif(1=1,1,1/0)")
_IF_COMPARISON = linear(r"\bi?if[\s]{0,4}\([\s]{0,4}\(?[\s]{0,4}[0-9]{1,12}[\s]{0,4}(?:=|<>|!=|<|>)|\bi?if\([0-9]{1,12},[\s]{0,4}[0-9a-z(]")


def _constructs(text: str, tokens: list[Token]) -> Judgement | None:
    """SQL constructs that prose and ordinary values do not contain, wherever they stand:
    ``case when .. then``, ``execute immediate``, ``into outfile '``, procedure and provider names,
    a value that is a call of a database-only function, ``select pg_sleep``, keywords glued by
    inline comments (``drop/**/table``, ``dr/**/op``), casts (``x::int``), a value opening with
    a stacked statement (``;drop``, ``;set @x``), ``drop name;``, ``if(1=``."""
    n = len(tokens)
    if 2 <= n <= 3 and tokens[-1].kind == "c" and tokens[-1].value.rstrip() in _BARE_CUTS and (
            [tok.kind for tok in tokens[:-1]] in (["n", ";"], [";"])):
        # "1;--", ";#": the value ends the statement and cuts the rest ("1--" alone is inert
        # text to the fast path, `apiward.detectors.analysers.inert`, and stays unread)
        return (0.75, "sqli.terminate", tokens[0].start, tokens[-1].end)
    lead = 1 if n and tokens[0].kind == "," else 0  # ", find_in_set('22', category)": a continued column list
    if 1 < n - lead <= 8 and tokens[lead].value in DB_ONLY_FUNCTIONS and tokens[lead + 1].kind == "(" and not (
            n - lead > 3 and tokens[lead + 2].kind in "ns" and tokens[lead + 3].kind == "b") and not (  # "Sleep(5 hours) tracker"
            # "Database (SQL) administrator": a word in parentheses after a blank, and words going on
            n - lead > 4 and tokens[lead + 1].start > tokens[lead].end and tokens[lead + 2].kind == "b"
            and tokens[lead + 3].kind == ")" and tokens[lead + 4].kind == "b"):
        return (0.88, "sqli.db-function", tokens[lead].start, tokens[lead + 1].end)
    if n == 3 and tokens[0].value in ("version", "user") and tokens[1].kind == "(" and tokens[2].kind == ")":
        return (0.8, "sqli.db-function", tokens[0].start, tokens[2].end)  # "version()", "user()"
    if 5 <= n <= 24 and tokens[0].kind == "f" and tokens[0].value in SQL_FUNCTIONS and tokens[1].kind == "(" and (
            tokens[-1].kind == ")" and _group_end(tokens, 1) == tokens[-1].end
            and all(tok.kind in "fnsk()," for tok in tokens)
            and any(_identity_call(tokens, k) for k in range(2, n - 2))):
        # "ascii(substring(version(),1,1))", "length(database())": the whole value is calls around the
        # database's own version, user or name (an expression for an ORDER BY or a column parameter)
        return (0.85, "sqli.db-function", tokens[0].start, tokens[-1].end)
    if n >= 2 and tokens[0].kind == ";":
        u = tokens[1]
        if (u.kind == "E" and u.value in _LEADING_STATEMENTS
                and (n <= 3 and all(x.kind == "b" for x in tokens[2:]) or _clause(tokens, 1) is not None)) or (
                u.value == "set" and n >= 3 and tokens[2].kind == "v"):
            return (0.88, "sqli.stacked", tokens[0].start, u.end)
    scan_tokens = _CONSTRUCT_HINT.search(text) is not None
    for i, t in enumerate(tokens if scan_tokens else ()):
        kind = t.kind
        u = _at(tokens, i + 1)
        if kind == "k" and t.value == "when" and u is not None:
            for k in range(i + 1, min(n, i + 10)):
                if tokens[k].value == "then":
                    between = tokens[i + 1 : k]
                    case_first = i > 0 and tokens[i - 1].value == "case" and (
                        i == 1 or tokens[i - 2].kind in "(,;")
                    if between and (case_first or any(b.kind in "nsov" for b in between)):
                        return (0.9, "sqli.case-when", t.start, tokens[k].end)
                    break
        elif kind == "E" and t.value in ("execute", "exec") and u is not None and u.value == "immediate":
            return (0.92, "sqli.execute-immediate", t.start, u.end)
        elif t.value == "prepare" and u is not None and _at(tokens, i + 2) is not None and (
                tokens[i + 2].value == "from") and _at(tokens, i + 3) is not None and tokens[i + 3].kind in "vs":
            return (0.9, "sqli.prepare", t.start, tokens[i + 3].end)
        elif kind == "k" and t.value == "into" and u is not None and u.value in ("outfile", "dumpfile"):
            return (0.95, "sqli.outfile", t.start, u.end)
        elif kind in "bf" and t.value in PROCEDURES and not _inside_word(text, t.value, t.start):
            return (0.9, "sqli.procedure", t.start, t.end)  # not "xp_availablemediaA" (a longer name)
        elif kind == "s" and t.value[1:-1] in ("msdasql", "sqloledb"):
            return (0.85, "sqli.procedure", t.start, t.end)  # openrowset('msdasql', ...)
        elif kind == "E" and t.value == "select" and u is not None and u.kind == "b" and u.value in STRONG_FUNCTIONS:
            return (0.9, "sqli.select-function", t.start, u.end)
        elif kind == "c" and t.value.startswith("/*") and 0 < i < n - 1:
            prev, nxt = tokens[i - 1], tokens[i + 1]
            glued = prev.end == t.start and nxt.start == t.end
            joined = prev.value + nxt.value
            if glued and prev.kind in "bk" and nxt.kind in "bk" and joined in (STATEMENTS | {"union", "from", "where"}):
                return (0.9, "sqli.split-keyword", prev.start, nxt.end)
            if glued and prev.kind in "bkf" and nxt.kind in "bkf" and (joined in _SPLITTABLE or joined in STRONG_FUNCTIONS) and (
                    _at(tokens, i + 2) is not None and tokens[i + 2].kind in "(nsvb"):
                # "a/**/nd 1=1", "pg_sle/**/ep(5)": an operator or a function split by a comment that
                # a filter deletes (what follows is its operand or its arguments)
                return (0.88, "sqli.split-keyword", prev.start, nxt.end)
            if (prev.kind in "EU" or prev.value in ("from", "where")) and prev.end == t.start and nxt.kind in "bnEUkf(*" :
                return (0.88, "sqli.inline-comment", prev.start, nxt.end)
        elif kind == "o" and t.value == "::" and i > 0 and u is not None and u.value in _NARROW_CASTS and (
                tokens[i - 1].kind in "bvn)" and tokens[i - 1].end == t.start) and (
                tokens[i - 1].kind == ")" or _closing(_at(tokens, i + 2)) and _at(tokens, i + 2) is None
                or tokens[i + 2].kind in "o;,)c"):
            return (0.88, "sqli.cast", tokens[i - 1].start, u.end)
        elif kind == "E" and t.value in ("drop", "truncate") and (i == 0 or tokens[i - 1].kind in ";(") and (
                u is not None and u.kind == "b"):
            after = _at(tokens, i + 2)
            if after is not None and after.kind in ";c":
                return (0.9, "sqli.statement", t.start, after.end)
    if n >= 3 and tokens[0].value == "from" and tokens[1].kind == "b":
        k = 2
        while k + 1 < n and tokens[k].kind == "." and tokens[k + 1].kind == "b":
            k += 2
        nxt = _at(tokens, k)
        if nxt is not None and nxt.value in ("where", "group", "order", "having"):
            end = _clause(tokens, k)
            if end is not None:
                return (0.88, "sqli.from-clause", tokens[0].start, end)
        if k >= 4 and all(tokens[m].value.startswith("`") and tokens[m].value.endswith("`") for m in (1, 3)) and (
                tokens[2].start == tokens[1].end and tokens[3].start == tokens[2].end):
            return (0.85, "sqli.from-clause", tokens[0].start, tokens[3].end)  # from `db`.`table`
    if n >= 2 and tokens[-1].value == "select" and tokens[-2].kind == "(":
        return (0.8, "sqli.open-subquery", tokens[-2].start, tokens[-1].end)
    if n == 2 and tokens[1].kind == "(" and tokens[0].kind in "fbkE" and tokens[0].value in SQL_FUNCTIONS and (
            tokens[1].end == len(text.rstrip())):
        return (0.6, "sqli.function-fragment", tokens[0].start, tokens[1].end)  # "substring(", "pg_sleep ("
    if "if" in text and "(" in text:
        m = _IF_COMPARISON.search(text)
        if m is not None:
            return (0.88, "sqli.if-condition", m.start(), m.end())
    return None


def _inside_word(text: str, name: str, pos: int) -> bool:
    """``name`` found at ``pos`` continues a longer identifier (``sp_oacreatex``, ``mysysobjects``)."""
    before = text[pos - 1] if pos > 0 else ""
    after = text[pos + len(name)] if pos + len(name) < len(text) else ""
    return bool((name[0].isalnum() and (before.isalnum() or before == "_"))
                or (name[-1].isalnum() and (after.isalnum() or after == "_")))


# OData's comparison operators, words where SQL has symbols ("$filter=length(Name) gt 5")
_ODATA_COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})


def _odata_compared(tokens: Sequence[Token], j: int) -> bool:
    """The call at ``tokens[j]`` (a function both languages have, none that only an attack calls)
    is compared with an OData operator word: a filter of an OData service ("year(BirthDate) eq
    1985 and length(LastName) gt 5"), which SQL would refuse."""
    if tokens[j].value in STRONG_FUNCTIONS or j + 1 >= len(tokens) or tokens[j + 1].kind != "(":
        return False
    after = _at(tokens, _index_after(tokens, _group_end(tokens, j + 1)))
    return after is not None and after.kind == "b" and after.value in _ODATA_COMPARISONS


def _index_after(tokens: Sequence[Token], end: int) -> int:
    for k, tok in enumerate(tokens):
        if tok.start >= end:
            return k
    return len(tokens)


def _select_strong(tokens: Sequence[Token], i: int) -> bool:
    u = _at(tokens, i + 1)
    return u is not None and (u.kind != "b" or u.value[:1] == "`" or _select_complete(tokens, i))


def _closes_call(tokens: Sequence[Token], k: int) -> bool:
    """``tokens[k]`` is the ")" of a call opened in the value: a name glued to its "("."""
    depth = 0
    for m in range(k, max(-1, k - 64), -1):
        kind = tokens[m].kind
        if kind == ")":
            depth += 1
        elif kind == "(":
            depth -= 1
            if depth == 0:
                return m > 0 and tokens[m - 1].kind in "bf" and tokens[m - 1].end == tokens[m].start
    return False


def _piped_record(tokens: Sequence[Token]) -> bool:
    """Three or more ids and numbers joined by "||" and nothing else, no blank anywhere: a record
    stored with "||" between its fields (WooCommerce's session cookie, "t_5f2c…||1709227378||
    1708283805"), no condition ("1||1" is the probe's)."""
    n = len(tokens)
    if n < 5 or n % 2 == 0:
        return False
    for k, tok in enumerate(tokens):
        if (tok.value != "||") if k % 2 else (tok.kind not in "nb"):
            return False
        if k and tokens[k - 1].end != tok.start:
            return False
    return True


def _tautology(tokens: Sequence[Token], i: int) -> Judgement | None:
    """``X or Y = Z``, ``X and sleep(5)``, ``or 1=1`` at the start: a logic operator joining
    conditions that are SQL (comparisons, literals, calls), not words."""
    if tokens[i].value == "||" and _piped_record(tokens):
        return None
    left = i - 1
    while left >= 0 and tokens[left].kind == ")":
        left -= 1
    # 'created >= startOfMonth(-1) and "Story Points" > 3' (JQL): a call's result before the
    # operator and a double-quoted name after it compare a field, as a query language writes it
    after_call = left < i - 1 and _closes_call(tokens, i - 1)
    has_left = left >= 0 and (tokens[left].kind in "nsbv" or (
        # "user)) or 1=1--": a word the grammar calls a keyword, closed in parentheses like a value
        left < i - 1 and tokens[left].kind == "k" and tokens[left].value in LITERALS) or (
        # "active:true or 1=1", "is_admin=true or 1=1": a boolean literal a field was given
        left >= 1 and tokens[left].value in _BOOLEAN_WORDS and tokens[left - 1].value in (":", "=", "==")))
    if has_left and left >= 1 and tokens[i].value == "and" and tokens[left - 1].value == "between":
        return None  # "between 5 and 10": the range's own "and", not a condition joined
    # "https://x/list?q=or 1=1": the operator opens a parameter's value, as it opens a value
    # "*/ or 1=1 /*": the value closes a comment the query had open and adds a condition after it
    at_start = left < 0 or _parameter_value(tokens, i) or (
        i == 2 and tokens[0].value == "*" and tokens[1].value == "/" and tokens[1].start == tokens[0].end)
    keyed = i == 2 and tokens[1].value == "=" and tokens[0].kind == "b"  # "id=or '{...}' ->"
    if not (has_left or at_start or keyed):
        joined = left - 1 if left >= 1 and tokens[left - 1].value != "not" else left - 2
        if joined >= 0 and tokens[left].value in _BOOLEAN_WORDS and tokens[joined].kind == "&":
            # "1) xor true and '1'='1", "1) or not false and '1'='1": a boolean literal, itself joined
            # by a logic operator, and a comparison of literals joined to it
            end = _literal_comparison(tokens, i + 1)
            return None if end is None else (0.9, "sqli.tautology", tokens[joined].start, end)
        return None
    j = i + 1
    while j < len(tokens) and tokens[j].kind == "(":
        j += 1
    if j < len(tokens) and tokens[j].value in ("not", "!"):
        j += 1  # "1 and not 1=2", "1 and !(1=2)": MySQL's "!" negates like "not"
        while j < len(tokens) and tokens[j].kind == "(":
            j += 1
    u = _at(tokens, j)
    if u is None:
        return None
    # "1 and `a`.`b`=1": a backtick-quoted name, qualified or not, is SQL syntax, not a word
    quoted_name = u.kind == "b" and u.value[:1] == "`"
    while quoted_name and j + 2 < len(tokens) and tokens[j + 1].kind == "." and tokens[j + 2].kind == "b" and (
            tokens[j + 1].start == tokens[j].end and tokens[j + 2].start == tokens[j + 1].end):
        j += 2
    start = tokens[left].start if has_left else tokens[i].start
    if has_left and left >= 2 and tokens[left - 1].kind == "o" and tokens[left - 1].value in COMPARISONS and (
            tokens[i].value in ("and", "&&") and not _parameter_value(tokens, left) and not (
                left >= 3 and tokens[left - 3].value in ("having", "where") and tokens[left].kind in "ns"
                and tokens[left - 2].kind in "ns" and u.kind == "s")):
        # "3 < 5 and 7 > 2", "5 > 3 && 'a' < 'b'": a chain of comparisons (maths), not a condition
        # added to a query (after a clause's own literal condition a quoted one is: "1) having 1=1
        # and '1'='1"; "rated 5 where 5 = best and 1 = worst" is prose)
        return None
    if u.kind == "f" and u.value in ATTACK_FUNCTIONS and not _odata_compared(tokens, j):
        return (0.92, "sqli.logic-function", start, u.end + 1)
    if u.value in _KEYWORD_CALLS and (
            at_start or (has_left and tokens[left].kind in "ns")) and j + 2 < len(tokens) and (
            tokens[j + 1].kind == "(" and tokens[j + 1].start == u.end and tokens[j + 2].kind == ")"):
        # "1 and user()", "1 and database()": keyword-named calls without arguments ("left(wing)" is prose)
        return (0.92, "sqli.logic-function", start, tokens[j + 2].end)
    if u.kind == "f" and (at_start or (has_left and tokens[left].kind in "ns")) and j + 4 < len(tokens) and (
            tokens[j + 1].kind == "(" and _identity_call(tokens, j + 2)):
        # "1 and weight_string(user())", "1 and json_length(database())": any call wrapped around
        # the database's own identity, the probe of a condition's truth
        return (0.9, "sqli.logic-function", start, tokens[j + 4].end)
    if u.value in SQL_FUNCTIONS and (at_start or (has_left and tokens[left].kind in "ns")):
        end = _call_compared(tokens, j)
        if end is not None:
            return (0.9, "sqli.logic-function", start, end)  # "1 and greatest(1,2)=2", "1 and left(version(),1)='5'"
        if at_start and j + 1 < len(tokens) and tokens[j + 1].kind == "(":
            after = _index_after(tokens, _group_end(tokens, j + 1))
            if after == len(tokens) - 1 and _cuts(tokens[after]):
                # " or isnull(1/0) /*": the value opens with the operator, calls a function and cuts
                # the rest off (the error or delay of the call is the answer)
                return (0.85, "sqli.logic-function", start, tokens[after].end)
    if u.kind == "E" and u.value == "select" and not (has_left and tokens[left].kind == "b" and not _select_strong(tokens, j)):
        # after a word, the select must read as one ("start typing or select a destination" is prose)
        return (0.9, "sqli.logic-select", start, u.end)
    quoted_field = after_call and u.kind == "s" and u.value[:1] == '"'
    if at_start or (has_left and tokens[left].kind in "ns" and not quoted_field):
        end = _literal_comparison(tokens, i + 1)
        if end is not None:
            return (0.9, "sqli.tautology", start, end)  # "(1)and(1)=(1)", "1 and 1 not in (2)", "null is null"
    w = _at(tokens, j + 1)
    x = _at(tokens, j + 2)
    if (at_start or keyed) and u.kind == "s" and u.value[1:2] in "{[" and _json_operator(w):
        # "or '{"a":2}' -> '$.a' = 2", "or '[1,2]' ? '1'": a JSON literal under a JSON operator
        return (0.88, "sqli.json-operator", tokens[i].start, w.end)  # type: ignore[union-attr]
    if not (has_left or at_start):
        return None
    if at_start and u.kind in "nsbvk" and (u.kind != "k" or u.value == "null") and w is not None and w.kind == "o" and (
            w.value in COMPARISONS or w.value == "!=") and (
            x is None or x.kind in "nsvf(" or x.value in LITERALS or (x.kind == "b" and (u.kind != "b" or x.value == u.value))
            or (x.kind == "o" and x.value in ("=", "!", "!=") and not _logic_next(tokens, j + 3))):
        # a value that opens with a logic operator and a comparison: "and value = '", "|| c == '", "&&(e==="
        # (not "=||x==||": a token's base64 padding between "||" separators compares nothing)
        return (0.85, "sqli.logic-comparison", tokens[i].start, (x or w).end)
    if u.kind == "v" and u.value.startswith("@") and w is not None and w.value == ":=" and x is not None and (
            x.kind in "nsvf(") and (at_start or (has_left and tokens[left].kind in "ns")):
        return (0.85, "sqli.logic-assignment", start, x.end)  # "1 and @a:=1": a user variable written in a condition
    if u.kind == "k" and u.value == "user" and w is not None and w.kind == "o" and w.value in COMPARISONS and (
            x is not None and x.kind in "nsv" and has_left and tokens[left].kind == "n" and (
                left == 0 or left == 1 and tokens[0].value == "-")):
        return (0.85, "sqli.numeric-condition", start, x.end)  # "1 and user=0x726f6f74": the column named user
    if u.kind in "nsbv" and w is not None and w.kind == "o" and w.value in COMPARISONS and x is not None and (
        x.kind in "nsbvf(" or x.value in LITERALS
    ):
        if quoted_field or (w.value == "in" and x.kind != "("):
            return None  # (SQL's IN takes a parenthesised list: 'mix "salt" and "pepper" in a bowl')
        logic = tokens[i].value
        if quoted_name and (at_start or (has_left and tokens[left].kind in "ns")) and x.kind in "nsv":
            return (0.9, "sqli.tautology", start, x.end)
        # a value that is a number (closed by parentheses or not) and then "and col = literal" ends a
        # numeric parameter and adds a condition: the boolean-blind probe ("1 and name='admin'",
        # "5) and pass like 0x2561")
        numeric_head = has_left and tokens[left].kind == "n" and x.kind in "nsv" and (
            left == 0 or left == 1 and tokens[0].value == "-")
        if u.kind == "b" and not (logic in ("or", "xor") or (x.kind == "b" and x.value == u.value)):
            if numeric_head:
                return (0.85, "sqli.numeric-condition", start, x.end)
            return None  # "price > 0 and published = 1": a filter expression, not a tautology
        if u.kind == "b" and has_left and not at_start and (tokens[left].kind == "b" or (
                left >= 2 and tokens[left - 1].kind == "o" and (tokens[left - 1].value in COMPARISONS
                                                                or tokens[left - 1].value == ":")
                and tokens[left - 2].kind == "b")):
            # "brand:acme or rating > 4", "price < 10 or rating >= 4", 'tag:"a b" or year = 2020':
            # fields compared and joined (a search filter); an injected condition follows a break
            # (a quote, a number alone)
            return None
        if u.kind == "b" and x.kind == "b" and not (has_left and tokens[left].kind in "ns"):
            return None
        if u.kind == "s" and x.kind == "b" and u.value[1:-1] != x.value and not at_start:
            # 'parent = WEB-1200 or "Epic Link" = WEB-1200' (JQL): a quoted field compared with
            # another word (only a name compared with itself, '"a" = a', is always true)
            return None
        return (0.9, "sqli.tautology", start, x.end)
    if u.kind in "ns" and (w is None or w.kind in "c;"):
        if has_left and not at_start and (w is None or w.kind == "c" and not _cuts(w)) and _prose_pair(tokens, left, u):
            # "choose 'yes' or 'no'", "Pick 1 or 2", 'I said "yes" or "no" -- nothing else': a choice
            # in words, nothing cut off (a dash before words is prose, not a comment)
            return None
        if (w is None and has_left and left == 0 and tokens[0].kind == u.kind == "n"
                and tokens[i].value != "xor" and tokens[0].value != u.value and u.value not in ("0", "1")):
            # "1 or 2", "10 and 20": a count or a range in words, the whole value; the probe
            # repeats its number or answers with a bit ("1 or 1", "1 and 0") or cuts the rest off
            return None
        if at_start or (has_left and tokens[left].kind in "ns"):
            return (0.75, "sqli.logic-literal", start, u.end)
    if u.kind in "ns" and w is not None and w.kind == ")":
        # "1)or(1)#", "1) or (1))--": parentheses closed around the literal, then the rest cut off
        cut = _closed_then_cut(tokens, j, left, has_left, at_start)
        if cut is not None:
            return (0.75, "sqli.logic-literal", start, cut.end)
    if at_start and u.kind in "ns" and w is not None and w.kind == "o" and w.value in COMPARISONS and x is None:
        return (0.75, "sqli.logic-literal", start, w.end)
    if u.value in ("true", "false", "null") and (w is None or w.kind in "c;"):
        return (0.8, "sqli.logic-literal", start, u.end)
    if u.value in _BOOLEAN_WORDS and w is not None and w.kind == ")":
        # "1) or true)--", "1) or not false)--": the parentheses of the query closed after the
        # literal and the rest cut off (a number, its closing parenthesis, then the condition)
        cut = _closed_then_cut(tokens, j, left, has_left, at_start)
        if cut is not None:
            return (0.8, "sqli.logic-literal", start, cut.end)
    return None


_DROP_OPTIONS = frozenset({"cascade", "restrict", "purge", "constraints"})
_DDL_OBJECTS = frozenset({"table", "database", "schema", "view", "index"})


def _ddl_then_prose(tokens: Sequence[Token]) -> bool:
    """``drop table <name>`` (or ``truncate``, ``create``) opening the value, then a word that no
    such statement has after its name ("drop table reservations for friday", "create table in
    google docs", "truncate table logs now"): a sentence."""
    if len(tokens) < 4 or tokens[1].value not in _DDL_OBJECTS:
        return False
    name, after = tokens[2], tokens[3]
    return (name.kind == "b" or (name.kind == "o" and name.value.isalpha())) and (
        after.kind == "b" and after.value not in _DROP_OPTIONS and after.value != "if")


def _spacer_comment(text: str, tok: Token) -> bool:
    """A ``--`` or ``/*`` comment, or a ``#`` comment after some text that a line break ends
    (MySQL's, not a hashtag that ends the value or opens a list), where the tokenizer put it."""
    return tok.kind == "c" and (tok.value[:1] in "-/" or (
        tok.value[:1] == "#" and tok.start > 0 and text[tok.end : tok.end + 1] in ("\n", "\r")))


def _closed_then_cut(tokens: Sequence[Token], j: int, left: int, has_left: bool, at_start: bool) -> Token | None:
    """After the literal at ``j``: closing parentheses, then the token that cuts the rest off (a
    comment, `_closed_and_cut`), where the value starts the condition or a literal opened by "("
    leads it."""
    if not (at_start or (has_left and tokens[left].kind in "ns" and all(tok.kind == "(" for tok in tokens[:left]))):
        return None
    return tokens[-1] if _closed_and_cut(tokens, j + 1) else None


_BOOLEAN_WORDS = frozenset({"true", "false"})


_IDENTITY_CALLS = frozenset({"user", "database", "schema", "version", "current_user", "session_user", "system_user",
                             "db_name", "current_database", "suser_name", "connection_id"})


def _identity_call(tokens: Sequence[Token], k: int) -> bool:
    """``user()``, ``database()``, ``version()`` at ``tokens[k]``: a call without arguments that
    answers with the database's own name, user or version."""
    t, u, w = _at(tokens, k), _at(tokens, k + 1), _at(tokens, k + 2)
    return t is not None and u is not None and w is not None and t.value in _IDENTITY_CALLS and (
        u.kind == "(" and u.start == t.end and w.kind == ")")


def _closed_and_cut(tokens: Sequence[Token], k: int) -> bool:
    """From ``tokens[k]``: closing parentheses, then a comment that cuts the rest, and the end."""
    m = k
    while m < len(tokens) and tokens[m].kind == ")":
        m += 1
    return k < m == len(tokens) - 1 and _cuts(tokens[m])


def _parameter_value(tokens: Sequence[Token], k: int) -> bool:
    """``tokens[k]`` is the value of a query parameter, ``name=value`` glued and opening the text or
    following ``?``, ``&`` or ``;`` (a URL in a Referer, a query string posted as one value):
    the ``=`` assigns, it does not compare."""
    if k < 2:
        return False
    eq, name, value = tokens[k - 1], tokens[k - 2], tokens[k]
    if eq.value != "=" or name.kind != "b" or name.end != eq.start or eq.end != value.start:
        return False
    if k == 2:
        return True
    sep = tokens[k - 3]
    return sep.value in ("?", "&", ";") and sep.end == name.start


def _bare_comparison(tokens: Sequence[Token]) -> Judgement | None:
    """A value that is only a comparison of two literals that always holds (``1=1``, ``b,1=1``,
    ``42 like 42``, ``42<=>42``, ``1 is not 2``, ``11!=1``): the tautology a scanner sends to see
    whether the page changes. One that never holds (``1=11``) or is in words is not read."""
    n = len(tokens)
    k = 2 if n >= 5 and tokens[0].kind == "b" and tokens[1].kind == "," else 0
    if k + 3 > n or tokens[k].kind not in "ns":
        return None
    left, cmp_ = tokens[k], tokens[k + 1]
    if cmp_.kind != "o" or cmp_.value not in ("=", "<=>", "<>", "!=", "like", "is"):
        return None
    m = k + 2
    negated = cmp_.value in ("<>", "!=")
    if m < n and tokens[m].value == "not":
        m += 1
        negated = not negated
    if m != n - 1 or tokens[m].kind not in "ns":
        return None
    right = tokens[m]
    if (left.value == right.value) == negated:
        return None
    return (0.7, "sqli.bare-comparison", left.start, right.end)


def _is_literal(tok: Token | None) -> bool:
    return tok is not None and (tok.kind in "ns" or tok.value in ("null", "true", "false"))


def _literal_comparison(tokens: Sequence[Token], k: int) -> int | None:
    """``(1)=(1)``, ``1 not in (2)``, ``'a' not like 'b'``, ``null is not null`` from ``tokens[k]``:
    two literals, in parentheses or not, around a comparison (negated or not); the end."""
    n = len(tokens)
    while k < n and tokens[k].kind == "(":
        k += 1
    k = _past_sign(tokens, k)
    if not _is_literal(_at(tokens, k)):
        return None
    k = _arithmetic_end(tokens, k + 1)
    while k < n and tokens[k].kind == ")":
        k += 1
    if k < n and tokens[k].value == "not":
        k += 1
    cmp_ = _at(tokens, k)
    if cmp_ is None or cmp_.kind != "o" or cmp_.value not in COMPARISONS:
        return None
    k += 1
    if cmp_.value == "sounds" and k < n and tokens[k].value == "like":
        k += 1  # MySQL's "a sounds like b"
    if k < n and tokens[k].value == "not":
        k += 1
    if cmp_.value == "in" and (k >= n or tokens[k].kind != "("):
        return None  # 'mix "salt" and "pepper" in a bowl': SQL's IN takes a parenthesised list
    while k < n and tokens[k].kind == "(":
        k += 1
    right = _at(tokens, _past_sign(tokens, k))
    return right.end if right is not None and _is_literal(right) else None


def _past_sign(tokens: Sequence[Token], k: int) -> int:
    """Past a sign glued to the number after it (``-1``): the number's index, else ``k``."""
    if k + 1 < len(tokens) and tokens[k].value in ("-", "+") and tokens[k + 1].kind == "n" and (
            tokens[k + 1].start == tokens[k].end):
        return k + 1
    return k


_TERM_OPERATORS = frozenset({"+", "-", "*", "/", "%"})


def _arithmetic_end(tokens: Sequence[Token], k: int) -> int:
    """Past the arithmetic that continues a numeric literal before ``tokens[k]``: ``2+1``, ``3*2-1``
    (``+`` reads as a space in a form value, so ``2 1`` is two adjacent numbers); at most 4
    terms, so a list of numbers in prose is not taken for a sum."""
    n = len(tokens)
    for _ in range(4):
        if k < n and tokens[k].kind == "n" and tokens[k - 1].kind == "n":
            k += 1
        elif k + 1 < n and tokens[k].kind == "o" and tokens[k].value in _TERM_OPERATORS and tokens[k + 1].kind == "n":
            k += 2
        else:
            break
    return k


def _call_compared(tokens: Sequence[Token], j: int) -> int | None:
    """``name(...) <comparison> operand`` from ``tokens[j]``: the end of the operand."""
    if j + 1 >= len(tokens) or tokens[j + 1].kind != "(":
        return None
    depth = 0
    for k in range(j + 1, min(len(tokens), j + 24)):
        kind = tokens[k].kind
        if kind == "(":
            depth += 1
        elif kind == ")":
            depth -= 1
            if depth == 0:
                cmp_ = _at(tokens, k + 1)
                operand = _at(tokens, k + 2)
                if cmp_ is not None and cmp_.kind == "o" and cmp_.value in COMPARISONS and _operand(operand):
                    return operand.end  # type: ignore[union-attr]
                return None
    return None


def _prose_pair(tokens: Sequence[Token], left: int, right: Token) -> bool:
    """``'yes' or 'no'``, ``"union square" or "times square"``: two quoted words; ``pick 1 or 2``:
    two numbers after words. Injected literals are digits (``'1' or '1``) or open the value."""
    first = tokens[left]
    if first.kind == "s" and right.kind == "s":
        return any(ch.isalpha() for ch in first.value) and any(ch.isalpha() for ch in right.value)
    return first.kind == "n" and right.kind == "n" and left > 0 and tokens[left - 1].kind == "b"


def _json_operator(tok: Token | None) -> bool:
    """``->``, ``->>``, ``#>``, ``@>``, ``<@``, ``?``, ``?|``, ``?&`` (their first token)."""
    if tok is None:
        return False
    return (tok.kind == "o" and tok.value in ("-", "<", ">", "=", "->", "->>")) or tok.value in ("?", "@") or (
        tok.kind == "c" and tok.value.startswith("#>"))


_FEATURE_KINDS = "snbkEU&ofvc(),;x"


def features(text: str) -> dict[str, float]:
    """Counts over the token stream of one lower-case view (for the model)."""
    tokens = tokenize(text)
    counts = dict.fromkeys(_FEATURE_KINDS, 0)
    for tok in tokens:
        counts[tok.kind] = counts.get(tok.kind, 0) + 1
    out = {f"sql.tok.{k}": float(v) for k, v in counts.items()}
    out["sql.attack_functions"] = float(
        sum(1 for tok in tokens if tok.kind == "f" and tok.value in ATTACK_FUNCTIONS)
    )
    out["sql.quotes"] = float(text.count("'") + text.count('"'))
    best = max((h.score for h in scan(text)), default=0.0)
    out["sql.evidence"] = best
    return out
