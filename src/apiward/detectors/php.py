"""PHP code injection: calls of PHP functions, variable functions and variable variables.

Values reach ``eval``, ``assert``, ``preg_replace /e``, ``create_function`` or an include; the
payload is then PHP source. What marks it, beyond the open tag and the superglobals the shell
analyser already knows:

- a call of a function only PHP has and only an attacker calls from an input value: process,
  socket, environment and configuration control (``pfsockopen(``, ``posix_getpwuid(``,
  ``ini_set(``, ``get_defined_vars()``), decoders used to unpack a second stage
  (``gzinflate(``, ``bzdecompress(``, ``str_rot13(``), dumpers (``print_r(``, ``var_dump(``),
  or a function family prefix (``posix_``, ``pcntl_``, ``proc_``, ``stream_socket_``, ...);
- a value that *is* one PHP-style call of an ``snake_case`` name or a PHP built-in
  (``is_array()``, ``substr($x)``, ``strrev( )``): weaker, code in a value;
- variable functions and variable variables: ``$__[$_[1]](7)``, ``${$a}['x'](1)``,
  ``$OOO0{0}(1)``, ``${'ff'}``, ``$ {$a}`` (a space between ``$`` and ``{`` is PHP-only syntax);
- a quoted function name called: ``"system"(...)``; a parenthesised or concatenated one
  (``(system)('id')``, ``('sys'.'tem')('id')``); one handed to a callback taker
  (``array_map('system', ...)``); an ``include 'x';`` statement;
- a php.ini directive that loads code or lifts limits (``auto_prepend_file=``, ``opcache.*=``);
- a value ending in an open tag ``<?``.

Prose and ordinary values ("Call me (maybe)", "price($)", ``${name}`` templates) pass: the call
needs a PHP name, or a ``$variable`` argument, or the whole value to be the call.
All patterns are RE2 (`linear`) or bounded.
"""

from __future__ import annotations

import re

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear

# blanks and at most one comment: /* block */, # line or // line
_COMMENT = r"(?:[\s]{0,8}(?:/\*[^*]{0,40}\*/|(?:#|//)[^\n]{0,40}\n))?[\s]{0,8}"
# Functions whose call in an input value is an attack (process, socket, environment, configuration,
# introspection, decoding of a second stage, dumping).
DANGEROUS_FUNCTIONS = (
    "fsockopen", "pfsockopen", "bzdecompress", "bzopen", "gzinflate", "gzdecode", "gzuncompress", "gzopen",
    "zlib_decode", "get_defined_functions", "get_defined_vars", "get_defined_constants", "ini_set", "ini_get",
    "ini_get_all", "ini_restore", "ini_alter", "assert_options", "putenv", "phpversion", "php_uname", "phpinfo",
    "chroot", "curl_init", "curl_exec", "apache_setenv", "apache_child_terminate", "highlight_string",
    "escapeshellcmd", "escapeshellarg", "shell_exec", "passthru", "popen", "proc_open", "symlink", "tempnam",
    "fputs", "fwrite", "file_put_contents", "move_uploaded_file", "filegroup", "fileowner", "fileperms",
    "fileinode", "get_current_user", "getmypid", "getmyuid", "getmygid", "sys_get_temp_dir",
    "gethostbyname", "gethostbynamel", "dns_get_record", "var_dump", "var_export", "print_r",
    "debug_zval_dump", "str_rot13", "strrev", "base64_decode", "convert_uudecode", "unserialize",
    "create_function", "call_user_func", "call_user_func_array", "register_shutdown_function",
    "register_tick_function", "set_error_handler", "preg_replace_callback", "mb_ereg_replace",
    "parse_str", "get_cfg_var", "getrusage", "disk_free_space", "readlink", "scandir", "opendir",
    "readdir", "pcntl_exec", "iterator_apply", "func_get_args",
)
# (English words such as ``system``, ``exec``, ``assert``, ``extract`` are calls only with code
# arguments: the shell analyser's ``system('...')`` / ``exec($x)`` rule.)
_FAMILIES = (
    "posix", "pcntl", "proc", "stream_socket", "curl", "ldap", "odbc", "mysqli?", "sodium_crypto", "tidy",
    "zend", "apache", "openssl", "xml_parser", "oci", "ssh2", "imap", "finfo", "mb_ereg", "get_defined",
    "ini", "bz", "gz", "zlib", "socket", "shmop", "sem", "msg", "ftp", "dba", "fann", "runkit7?", "uopz",
)
_DANGEROUS_CALL = linear(
    r"(?:^|[^a-z0-9_$>.:])(?:" + "|".join(DANGEROUS_FUNCTIONS) + r"|(?:" + "|".join(_FAMILIES)
    + r")_[a-z0-9_]{2,60})" + _COMMENT + r"\("
)
# PHP built-ins without an underscore that a whole-value call may name.
BUILTINS = frozenset(
    """substr strlen strrev strtolower strtoupper strpos stripos str_replace substr_count chr ord intval
    floatval strval printf sprintf vsprintf unpack pack crypt range checkdate chroot unserialize serialize
    implode explode trim rtrim ltrim md5 sha1 crc32 hash hex2bin bin2hex urldecode rawurldecode
    htmlspecialchars addslashes stripslashes nl2br ucfirst lcfirst ucwords wordwrap count sizeof in_array
    file readfile include require eval assert system exec shell_exec passthru popen fopen fread fgets
    file_exists is_file is_dir is_array is_string is_numeric compact extract header setcookie mail
    session_start die exit sleep usleep time mktime strtotime microtime uniqid rand mt_rand
    random_bytes json_decode json_encode strip_tags""".split()
)
# Prefixes of PHP's built-in function families.
_BUILTIN_PREFIXES = (
    "is_", "array_", "date_", "str_", "file_", "mb_", "preg_", "json_", "hash_", "ctype_", "func_", "ob_",
    "spl_", "class_", "method_", "property_", "iterator_", "filter_", "session_", "error_", "get_", "set_",
    "stream_", "timezone_", "openssl_", "pg_", "mysql_", "mysqli_", "ldap_", "odbc_", "sodium_crypto_",
    "tidy_", "zend_", "xml_", "libxml_", "simplexml_", "dom_", "gz", "bz", "posix_", "pcntl_", "proc_",
)
# builtins whose names are also an analytics query's aggregate columns, written with empty parentheses
_QUERY_COLUMNS = frozenset({"count", "max", "min", "time", "date", "microtime"})
_WHOLE_CALL = re.compile(
    r"[\s]{0,8}@?([a-z_][a-z0-9_]{1,60})" + _COMMENT + r"\([^()]{0,80}\)?[\s]{0,8}(?:;|\[[0-9]{1,3}\])?[\s]{0,8}"
)
# "range(address='A1:F20')": an argument assigned by name (OData's and Microsoft Graph's
# addressing in a path), which no PHP call is written with
_NAMED_ARGUMENT = re.compile(r"[\s]{0,4}[a-z_][a-z0-9_]{0,40}[\s]{0,4}=(?!=)")
_CELL_REFERENCE = re.compile(r"[a-z]{1,3}[0-9]{1,7}")
# a filter's range of numbers, as a shop's search API writes it ("market.lowestAsk=range(100|250)",
# "price=between(10:20)"): no PHP call separates its arguments so
_RANGE_ARGUMENT = re.compile(r"-?[0-9.]{1,12}(?:[|:~]-?[0-9.]{0,12})+")
_VAR_ARG_CALL = linear(r"(?:^|[^a-z0-9_$.])[a-z_][a-z0-9_]{1,40}" + _COMMENT + r"\([\s]{0,8}\$[a-z_][a-z0-9_]{0,30}[\s]{0,8}[,)\[]")
_VARIABLE_CALL = linear(
    r"\$[a-z_][a-z0-9_]{0,40}(?:" + _COMMENT + r"(?:\[[^\]]{0,24}\]\]?|\{[^{}]{0,24}\}))+" + _COMMENT + r"\("
    r"|\$[\s]{0,16}\{[^{}]{1,40}\}(?:" + _COMMENT + r"(?:\[[^\]]{0,24}\]\]?|\{[^{}]{0,24}\}))*" + _COMMENT + r"\("
)
# a template placeholder before an aside in parentheses ("${price} (excl. VAT)"): spaced from its "(",
# a call's argument opens with a variable, a string or nothing, not with a word
_PLACEHOLDER_ASIDE = re.compile(r"\$\{[a-z_][a-z0-9_]{0,40}\}[\s]{1,8}\([\s]{0,4}[a-z0-9]")
_VARIABLE_VARIABLE = linear(
    r"\$[\s]{0,16}\{[\s]{0,16}(?:'[^']{0,40}'|\"[^\"]{0,40}\"|\$[a-z_]|@)|(?:^|[^a-z0-9])\$[\s]{1,16}\{[\s]{0,16}[a-z_][a-z0-9_]{0,30}[\s]{0,16}\}[\s]{0,4}(?:$|[;(\[])"
)
_QUOTED_CALL = linear(
    r"['\"](?:system|exec|shell_exec|passthru|popen|proc_open|assert|eval|create_function|call_user_func|"
    r"base64_decode|file_get_contents|file_put_contents|include|require|phpinfo|pcntl_exec)['\"][\s]{0,4}\("
)
# "(system)('id')", "('sys'.'tem')('id')", "(sy.(st).em)(@id)": a parenthesised name, or a
# concatenation of quoted or bare fragments, called; the letters must spell a dangerous function
# the bare-word branch is possessive: a run of letters is one word, never re-split between the
# repetitions (without it, "(" + 40 letters + "!" takes seconds)
_CONCAT_CALL = re.compile(r"\(((?:[\s.]{0,4}(?:'[a-z_]{1,16}'|\"[a-z_]{1,16}\"|[a-z_]{1,16}+|\([a-z_.'\"]{1,20}\))){1,8})[\s]{0,4}\)[\s]{0,4}\(")
_CALLABLE_NAMES = frozenset(
    {"system", "exec", "shell_exec", "passthru", "popen", "proc_open", "assert", "create_function", "phpinfo",
     "pcntl_exec", "file_get_contents", "file_put_contents", "base64_decode", "call_user_func", "readfile",
     "include", "require", "eval", "fsockopen", "unserialize", "show_source", "highlight_file"}
)
# php.ini directives set from a value (a .user.ini upload, "-d" through php-cgi, ini_set by name):
# ones that load code, open includes, lift restrictions or name opcache / mbstring internals
_INI_DIRECTIVE = linear(
    r"^[\s]{0,8}(?:[a-z_][a-z0-9_]{0,30}=)?(?:auto_prepend_file|auto_append_file|allow_url_include|allow_url_fopen|disable_functions|disable_classes"
    r"|open_basedir|safe_mode|extension_dir|sendmail_path|include_path|error_log|log_errors|display_errors"
    r"|display_startup_errors|register_globals|upload_tmp_dir|memory_limit|max_execution_time|short_open_tag"
    r"|unserialize_max_depth|enable_dl|cgi\.force_redirect|session\.save_path|session\.serialize_handler"
    r"|(?:opcache|mbstring|suhosin|phar|zend|xdebug|pcre)\.[a-z_]{2,40})[\s]{0,8}=[\s]{0,8}[^\s=&]"
    r"|^[\s]{0,8}(?:[a-z_][a-z0-9_]{0,30}=)?(?:zend_)?extension[\s]{0,8}=[\s]{0,8}[^\s=&]{0,80}\.(?:so|dll)\b"
)
# a dangerous function handed to a callback taker: "array_map('system', ...)", "usort($a, 'system')"
# (the arguments before it may hold one call: "array_filter(array('id'), 'system')")
_CALLBACK = linear(
    r"\b(?:array_map|array_filter|array_walk(?:_recursive)?|array_reduce|u[ak]?sort|iterator_apply|ob_start"
    r"|set_exception_handler|spl_autoload_register|forward_static_call(?:_array)?|array_diff_u(?:key|assoc)|array_intersect_u(?:key|assoc))"
    + _COMMENT + r"\([^()]{0,60}(?:\([^()]{0,40}\)[^()]{0,40})?['\"](?:system|exec|passthru|shell_exec|assert|popen|proc_open|pcntl_exec|phpinfo)['\"]"
)
# an include statement without parentheses: "include 'http://x/s.txt';", "require_once \"/tmp/x\";"
_INCLUDE = linear(r"(?:^|[;{}\s])(?:include|require)(?:_once)?[\s]{1,8}['\"][^'\"\s]{1,200}['\"][\s]{0,4}(?:;|\?>)")
# ``$``-names that JavaScript frameworks pass in markup and code (AngularJS, Vue, jQuery plugins)
_FRAMEWORK_VARIABLES = frozenset(
    """event index scope rootscope root parent el refs emit t store route router http window document element
    attrs ctrl item model first last odd even key value data this""".split()
)
# the probe an injection scanner sends to see PHP run: a hash of a constant printed ("die(md5(1));")
_HASH_PROBE = linear(r"(?:^|[^a-z0-9_$>.])(?:echo|print|die|exit|var_dump|print_r)[\s(]{1,4}(?:md5|sha1|crc32)" + _COMMENT + r"\(")
_TRIGGER = linear(r"\(|\$|<\?")
# what follows a function's empty call in PHP's warnings and errors
_ERROR_MESSAGE = re.compile(r"\)(?::? expects |: argument #| has been disabled | is deprecated)")


def scan(text: str) -> list[Hit]:
    """PHP code evidence in one lower-case view."""
    if "(" not in text and "$" not in text and "<?" not in text and "=" not in text and "'" not in text and '"' not in text:
        return []
    best: Hit | None = None

    def keep(score: float, rule: str, start: int, end: int) -> None:
        nonlocal best
        if best is None or score > best.score:
            best = Hit(Category.CMDI, score, rule, text, start, end)

    if "(" in text:
        m = _DANGEROUS_CALL.search(text)
        if m is not None:
            if _ERROR_MESSAGE.match(text, m.end()) is not None or text[max(0, m.start() - 20) : m.start() + 1].rstrip().endswith("undefined function"):
                # PHP's own error text naming a function ("mysql_fetch_array() expects parameter 1",
                # "Call to undefined function mysql_connect() in /var/www/db.php"): pasted into a
                # support form or reported by a page, it names the call and passes it nothing
                keep(0.3, "php.error-message", m.start(), m.end())
            else:
                keep(0.9, "php.function-call", m.start(), m.end())
        if "'" in text or '"' in text:
            m = _QUOTED_CALL.search(text)
            if m is not None:
                keep(0.92, "php.quoted-call", m.start(), m.end())
            m = _CALLBACK.search(text) if best is None else None
            if m is not None:
                keep(0.9, "php.callback", m.start(), m.end())
        if "$" in text:
            m = _VARIABLE_CALL.search(text)
            if m is not None and _PLACEHOLDER_ASIDE.match(text, m.start()) is None:
                keep(0.9, "php.variable-function", m.start(), m.end())
            elif best is None:
                for count, m in enumerate(_VAR_ARG_CALL.finditer(text)):
                    if count >= 8:
                        break
                    name = m.group(0).rsplit("$", 1)[1].rstrip(" \t\r\n,)[")
                    if _CELL_REFERENCE.fullmatch(name) is not None:
                        continue  # "=VLOOKUP($A2, ...)": a spreadsheet's absolute cell reference
                    if name not in _FRAMEWORK_VARIABLES:  # "ng-click=\"toggle($event)\"" is AngularJS
                        keep(0.85, "php.variable-argument", m.start(), m.end())
                        break
        if best is None:
            m = _HASH_PROBE.search(text)
            if m is not None:
                keep(0.85, "php.hash-probe", m.start(), m.end())
        if (best is None or best.score < 0.9) and ")" in text:
            m = _CONCAT_CALL.search(text)
            if m is not None and "".join(c for c in m.group(1) if c.isalpha() or c == "_") in _CALLABLE_NAMES:
                keep(0.9, "php.concatenated-call", m.start(), m.end())
        if best is None and len(text) <= 120:
            m = _WHOLE_CALL.fullmatch(text)
            if m is not None:
                name = m.group(1)
                argument = text[text.find("(") + 1 :].strip(" )")
                if (name in BUILTINS or name.startswith(_BUILTIN_PREFIXES)) and _NAMED_ARGUMENT.match(
                        text, text.find("(") + 1) is None and not (argument in ("", "*") and name in _QUERY_COLUMNS) and (
                        _RANGE_ARGUMENT.fullmatch(argument) is None):
                    # ("count()" with nothing to count, or "count(*)", is a column of a query:
                    # Sentry's "field=count()"; "strip_tags()", "is_array()" name a PHP function to
                    # see it run)
                    keep(0.6, "php.value-is-call", m.start(1), m.end())
    if "$" in text and "{" in text and (best is None or best.score < 0.88):
        m = _VARIABLE_VARIABLE.search(text)
        if m is not None:
            keep(0.88, "php.variable-variable", m.start(), m.end())
    if best is None and ("include" in text or "require" in text) and ("'" in text or '"' in text):
        m = _INCLUDE.search(text)
        if m is not None:
            keep(0.85, "php.include", m.start(), m.end())
    if best is None and "=" in text and len(text) <= 400:
        m = _INI_DIRECTIVE.search(text)
        if m is not None:
            keep(0.8, "php.ini-directive", m.start(), m.end())
    if text.rstrip().endswith("<?") and best is None:
        end = len(text.rstrip())
        keep(0.8, "php.open-tag", end - 2, end)
    return [best] if best is not None else []


def features(text: str) -> dict[str, float]:
    return {"php.evidence": max((h.score for h in scan(text)), default=0.0)}
