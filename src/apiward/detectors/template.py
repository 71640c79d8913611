"""Template, expression and lookup injection: Log4Shell, SSTI, OGNL/SpEL/EL, Java gadgets.

Log4Shell: a ``${...}`` lookup whose name, once nested lookups are resolved, is ``jndi`` (or
another lookup that reaches out: ``ldap``, ``rmi``, ``dns``, ``env``, ``sys``, ``java``...);
``${${lower:j}${upper:n}di:ldap://...}`` and ``${${::-j}ndi:...}`` resolve here by evaluating
the default-value and case lookups, linearly, innermost first (a default ending in ``$`` joins
the next brace: ``${:1337:-x$}{jndi:...}``). A lookup whose name is itself a lookup
(``${${base64:...}}``) and a lone information lookup (``${env:AWS_SECRET_ACCESS_KEY}``) count too.

SSTI / expression languages: ``{{ }}``, ``{% %}``, ``#{ }``, ``${ }``, ``*{ }``, ``@( )``,
``<%= %>`` whose body is an *expression* (arithmetic, attribute chains with dunders, method
calls on ``class``/``runtime``/``request``), not a word in braces. Java: fully-qualified class
names of the JDK and gadget libraries (``java.lang.Runtime``, ``javax.naming``,
``org.apache.commons.collections``), known deserialization gadget class names (also when the
value is base64), and the serialization stream magic (``rO0AB``, ``aced0005``).
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear
from apiward.detectors.sql import random_blob

MAX_RESOLVE = 64
LOOKUPS = frozenset(
    {"jndi", "ldap", "ldaps", "rmi", "dns", "iiop", "nis", "nds", "corba", "http", "https"}
)
INFO_LOOKUPS = frozenset(
    {"env", "sys", "java", "date", "ctx", "main", "map", "sd", "spring", "kubernetes", "docker",
     "web", "bundle", "jvmrunargs", "log4j", "marker", "event", "base64", "k8s", "hostname"}
)
_LOOKUP_OPEN = re.compile(r"\$\{")
# Apache Commons Text's interpolators that read a URL or a file or run a script (CVE-2022-42889,
# "Text4Shell"): "${url:UTF-8:http://...}", "${file:UTF-8:/etc/passwd}", "${script:js:...}". The
# name, then a charset or an engine, then a second colon: a shell's "${url:-default}" or
# "${file:0:3}" has a default or an offset there
TEXT_LOOKUPS = frozenset({"url", "file", "script"})
_TEXT_LOOKUP_ARG = re.compile(r"[a-z][a-z0-9_\-]{1,20}:")
# a case or default-value lookup and what it resolves to; a default may end in "$" that joins the
# next brace: "${:1337:-x$}{jndi:...}" resolves to "x${jndi:...}"
_CASE = re.compile(r"\$\{(?:lower:|upper:|::-|[^${}:\s]{0,16}:-|date:'?|[^${}:\s]{0,16}(?::[^${}:]{0,40}){1,3}:-)([^${}]{0,40}?\$?)'?\}")
# a lookup whose name is itself built by a lookup: "${${base64:JHtqbmRp}}", "${${env:x:-j}ndi..."
# (``${::-x}``, a default value with an empty key, has no colon after its ``::-``: "${${::-${::-$${::-j}}}}",
# the recursion of CVE-2021-45105)
_NESTED_LOOKUP = re.compile(r"\$\{[\s]{0,4}\$\{[\s]{0,4}(?:::-|(?:lower|upper|env|sys|date|base64|main|java|k8s|sd|ctx|web|bundle|spring|docker):)")
# an information lookup on its own: "${env:AWS_SECRET_ACCESS_KEY}", "${sys:java.version}"
# ``${base64:...}`` decodes to text that Log4j substitutes again (a hidden "${jndi:...}"), and
# ``${ctx:...}`` reads the thread context: both spelled only by Log4j
_INFO_LOOKUP = re.compile(
    r"\$\{[\s]{0,4}(?:env|sys|java|jvmrunargs|k8s|kubernetes|docker|spring|log4j|sd|bundle|main|ctx|web):[a-z0-9_.\-]{1,60}(?::-[^{}]{0,40})?\}"
    r"|\$\{[\s]{0,4}base64:[a-z0-9+/]{8,400}={0,2}\}"
    # a resource bundle's key ("${bundle:application:spring.datasource.password}")
    r"|\$\{[\s]{0,4}bundle:[a-z0-9_.\-]{1,60}:[a-z0-9_.\-]{1,60}\}"
    # the host name lookup as a DNS label in front of a domain ("${hostName}.x.oast.example"): the
    # lookup's answer leaks in the name the server resolves; not a label of a URL or host a
    # template builds ("https://${hostName}.example.com", "cdn-${hostName}.example.com": a JS
    # template literal or a config value)
    r"|(?<![a-z0-9_/.\-])\$\{[\s]{0,4}hostname[\s]{0,4}\}\.[a-z0-9\-]{1,63}\.[a-z0-9\-]{1,63}"
)
_TEMPLATE = linear(
    r"\{\{[\s]{0,8}[^{}]{1,300}\}\}|\{\{[^{}]{1,200}\{[^{}]{0,60}\}[^{}]{1,200}\}\}|[#$*@~%]\{[\s]{0,4}\{[^{}]{0,60}\}[^{}]{1,200}\}|\{%[\s]{0,8}[^%]{1,300}%\}|[#$*@~%]\{[^{}]{1,300}\}|<%[=@!#]?[^%]{1,300}%>"
    r"|\$\{\{[^{}]{1,300}\}\}|@\([^()]{1,300}\)"
    r"|<#(?:assign|list|if|include|import|macro|function|local|global|setting|attempt)\b[^>]{1,300}>"  # freemarker directives
)
# template probes that are attacks as such: a product in single braces ("{7*7}", smarty), the
# smarty and flask globals, and the metacharacter polyglot that fuzzers send ("${{<%[%'\"}}%\\.")
_PROBE = linear(
    r"\{[\s]{0,4}[0-9]{1,4}[\s]{0,4}\*[\s]{0,4}[0-9]{1,4}[\s]{0,4}\}|\{\$smarty\.[a-z]"
    # the same product between the other engines' delimiters: Template Toolkit's "[% 7*7 %]" (and
    # "[%= %]"), the marked braces of Latte, doT, Dust-likes ("{=7*7}", "{#7*7}") and Blade's raw
    # echo ("{!! 7*7 !!}"); a product of two numbers in a delimiter pair probes which engine runs it
    r"|(?:\{[#=!]{1,2}|\[%[=\-]?)[\s]{0,4}[0-9]{1,4}[\s]{0,4}\*[\s]{0,4}['\"]?[0-9]{1,4}['\"]?[\s]{0,4}(?:[#=!]{0,2}\}|%\])"
    # a number piped into a filter with an argument (Liquid's "{{ 7 | times: 7 }}", Django's
    # "{{7|add:7}}"): arithmetic by filters; a message's placeholder filters a name, never a number
    # (or through a filter without one: "{{ 99|string|length }}")
    r"|\{\{[\s]{0,4}['\"]?[0-9]{1,6}['\"]?[\s]{0,4}\|[\s]{0,4}[a-z_]{2,20}[\s]{0,4}(?::[\s]{0,4}['\"]?[0-9]|\||\}\})"
    # Go's text/template actions: a template defined or called by name, the whole context printed
    r"|\{\{-?[\s]{0,4}(?:define|template|block)[\s]{1,4}\"[^\"{}]{0,40}\"|\{\{-?[\s]{0,4}\.[\s]{0,4}-?\}\}"
    # (and a variable declared in an action: "{{ $x := "id" }}"; the request, the environment or
    # a secret read from the context's root: "{{ .Request.Header }}", "{{.Env}}")
    r"|\{\{-?[\s]{0,4}\$[a-z_][a-z0-9_]{0,30}[\s]{0,4}:="
    r"|\{\{-?[\s]{0,4}\.(?:env|request|os|secrets?|password)(?:[\s.}\-]|$)"
    # Jinja's print statement and Liquid's assignment ("{% print config %}", "{% assign x = 7 %}")
    r"|\{%-?[\s]{0,4}print[\s(]{1,4}[a-z0-9_('\"]|\{%-?[\s]{0,4}assign[\s]{1,4}[a-z_][a-z0-9_]{0,30}[\s]{0,4}="
    # a Velocity / JSP reference calling a method of the servlet objects ("$request.getSession()")
    r"|\$!?\{?(?:request|response|application|servletcontext|class)\.[a-z_][a-z0-9_]{1,40}[\s]{0,4}\("
    r"|\{\{[\s]{0,4}(?:config|self|_self|request|settings\.secret_key|url_for|get_flashed_messages)[\s]{0,4}\}\}|\$\{\{<%|<%\[%|\{\{<%"
    # Template Toolkit loading a plugin or running Perl ("[% USE dir = Directory('/etc') %]",
    # "[% PERL %]"), FreeMarker's directives that define, loop or load ("<#list 1..3 as i>")
    r"|\[%-?[\s]{0,4}(?:use[\s]{1,4}[a-z_][a-z0-9_]{0,30}[\s]{0,4}(?:=|\(|%\])|perl[\s]{0,4}-?%\]|rawperl\b)"
    r"|<#(?:assign|list|include|import|macro|function|setting|attempt|global|local)[\s]{1,4}[^>]{1,200}>"
    # a Velocity assignment (``#set($x=7*7)$x``): template code, never text
    # (and Cheetah's, without the parentheses: "#set $x = 7*7")
    r"|#set[\s]{0,4}\(?[\s]{0,4}\$[a-z_][a-z0-9_]{0,30}[\s]{0,4}="
    # Twig's environment and context reached from a template ("{_self.env.registerUndefinedFilterCallback('exec')}",
    # "{{ _context|json_encode }}"), and a PHP filter callback named as an option ("{'options':'system'}")
    r"|\b_self\.env\.|registerundefinedfiltercallback|\{\{[\s]{0,4}(?:dump\([\s]{0,4})?_context\b"
    r"|'options'[\s]{0,4}:[\s]{0,4}'(?:system|passthru|exec|shell_exec|popen|proc_open|assert)'"
    # FreeMarker's square-bracket interpolation ("[=7*7]") and Django's context dump ("{% debug %}")
    r"|\[=[\s]{0,4}[0-9]{1,4}[\s]{0,4}\*[\s]{0,4}[0-9]{1,4}[\s]{0,4}\]|\{%-?[\s]{0,4}debug[\s]{0,4}-?%\}"
    # a Jinja/Twig assignment ("{% set x = ... %}", like Velocity's #set above)
    r"|\{%-?[\s]{0,4}set[\s]{1,4}[a-z_][a-z0-9_]{0,30}[\s]{0,4}="
    # Thymeleaf/Angular-style inlined products ("[[7*7]]"), Django's tag-library load ("{% load log %}")
    # and a Razor expression reaching .NET ("@System.Diagnostics.Process.Start(")
    r"|\[\[[\s]{0,4}[0-9]{1,4}[\s]{0,4}\*[\s]{0,4}[0-9]{1,4}[\s]{0,4}\]\]|\{%-?[\s]{0,4}load[\s]{1,4}[a-z_][a-z0-9_. ]{0,60}-?%\}"
    r"|@\(?[\s]{0,4}system\.(?:diagnostics|io|reflection|net|environment|runtime|management|web|activator)\."
    r"|@\(?[\s]{0,4}environment\.(?:getenvironmentvariable|machinename|username|exit|currentdirectory|commandline)"
    # the implicit objects of JSP/JSF expression language: the page context and the request's
    # scopes named alone ("#{request}", "${pagecontext}") or read through ("${pagecontext.request}",
    # "${paramvalues[0]}"); "param", "header" and "cookie" read through are JavaScript template
    # literals as often ("${header.title}"), so only their quoted-key form counts ("${header['host']}")
    r"|[$#]\{[\s]{0,4}(?:pagecontext|facescontext|request|session|application|servletcontext|applicationscope|sessionscope|requestscope)[\s]{0,4}\}"
    r"|[$#]\{[\s]{0,4}(?:pagecontext|facescontext|paramvalues|headervalues|initparam)[\s]{0,4}(?:\.[\s]{0,4}[a-z_]|\[)"
    r"|[$#]\{[\s]{0,4}(?:param|header|cookie)[\s]{0,4}\[[\s]{0,4}['\"]"
    # a secret read from the application's configuration ("{{ config.SECRET_KEY }}")
    r"|\{\{[\s]{0,4}(?:config|settings|app\.config)[\s]{0,4}\.[\s]{0,4}[a-z_]{0,30}(?:secret|key|password|passwd|token|database|_uri|dsn|credential)"
    # Dust helpers that evaluate or dump the context ("{@if cond=...}", "{@contextDump/}")
    r"|\{@(?:if|math|select|eq|ne|lt|gt|lte|gte)[\s]{1,4}[a-z]{1,20}[\s]{0,4}=|\{@contextdump\b"
    # Struts' OGNL internals, whatever spells the "#" ("\\43_memberAccess", "\\u0023context"), and
    # S2-045's content-type expression ("(#_='multipart/form-data')")
    r"|\b_memberaccess\b|xwork\.methodaccessor|denymethodexecution|allowstaticmethodaccess|ognlcontext@|\bognlutil\b"
    r"|\(#[a-z_]{1,20}=['\"]multipart/form-data"
    # YAML tags that make PyYAML, Psych or SnakeYAML build an object or call a function
    r"|!!python/(?:object|name|module)\b|![!]?ruby/(?:object|hash|struct|marshal|class|sym)\b|!!(?:php|perl)/object\b"
    # jsonpickle's reduce and function tags, which call what they name on decode ("py/function": "os.system")
    # (the key alone too: a JSON document's keys are read one by one)
    r"|(?:^|\")py/reduce(?:\"|$)|\"py/function\"[\s]{0,4}:[\s]{0,4}\"(?:os|posix|nt|subprocess|builtins|__builtin__|pty|commands)\."
    # Smarty: a string or variable handed to a PHP function as its modifier ("{'id'|system}",
    # "{$x|passthru}", "{$x='id'|passthru}"), and its math function evaluating an equation ("{math equation='7*7'}")
    r"|\{[\s]{0,4}(?:\$[a-z_][a-z0-9_]{0,40}[\s]{0,4}=[\s]{0,4})?(?:'[^'{}]{0,100}'|\"[^\"{}]{0,100}\"|\$[a-z_][a-z0-9_.]{0,40})[\s]{0,4}\|[\s]{0,4}@?"
    r"(?:system|passthru|exec|shell_exec|popen|proc_open|pcntl_exec|assert|file_get_contents|readfile|file)[\s]{0,4}[}:]"
    r"|\{[\s]{0,4}math[\s]{1,4}equation[\s]{0,4}="
    # Tornado: its request handler reached from a template (the application and its settings:
    # "{{handler.settings}}", the cookie secret), its raw-output switch and UI-module call
    r"|\{\{[\s]{0,4}handler[\s]{0,4}\.[\s]{0,4}(?:settings|application)\b|\{%-?[\s]{0,4}(?:autoescape[\s]{1,4}(?:none|false|off)\b|module[\s]{1,4}[a-z_]{1,40}[\s]{0,4}\()"
    # FreeMarker's directives in its square-bracket syntax ("[#assign x=7*7]", "[#list 1..3 as i]")
    r"|\[#(?:assign|list|include|import|macro|function|setting|attempt|global|local)[\s]{1,4}[^\]]{1,200}\]"
    # Mako binding a Python module as a namespace ("<%namespace name='x' module='os'/>")
    r"|<%namespace[\s][^>]{0,200}\bmodule[\s]{0,4}="
    # JSP EL reading a cookie's value ("${cookie.JSESSIONID.value}"): a session id read out
    r"|[$#]\{[\s]{0,4}cookie[\s]{0,4}\.[\s]{0,4}[a-z0-9_\-]{1,60}[\s]{0,4}\.[\s]{0,4}value[\s]{0,4}\}"
    # Node's process reached through the global object ("root.process", "global.process.mainModule"):
    # the way out of a Pug / EJS / Handlebars template to child_process
    r"|\b(?:global|root|globalthis)[\s]{0,4}\.[\s]{0,4}process\b|\bprocess[\s]{0,4}\.[\s]{0,4}mainmodule\b"
)
_EXPRESSION = linear(
    r"[0-9]['\"]?[\s]{0,4}(?:[*+\-/%]|//|\*\*)[\s]{0,4}['\"]?-?[0-9]|['\"][\s]{0,4}\*[\s]{0,4}[0-9]|__[a-z]{2,20}__|\.class\b|getclass|forname|runtime|processbuilder"
    r"|\bexec\b|\bnew[\s]{1,4}[a-z]{1,40}\(|\bt\([\s]{0,4}java|@java|java\.|javax\.|\bjndi\b|request\.(?:get|application|session|servlet)|response\.|application\.|config\.(?:items|__class__)|\bconfig\.[a-z_]{2,30}[\s]{0,4}\(|%x[\s]{0,4}[(\[{|]"
    r"|self\.|lipsum|cycler|joiner|namespace|popen|subprocess|\bimport\b|\bos\.|\bsystem\b|\bgetruntime|\bmro\b|subclasses"
    r"|\beval\b|\bexecute\b|constructor|\bprocess\b|\brequire\b|#_memberaccess|#context|#request|#attr|ognl|@ognl"
    r"|\.getwriter|\.getparameter|\.invoke|\bclassloader\b|\|[\s]{0,4}attr\b|~[\s]{0,4}['\"]"
    # JSP/JSF expression language: scopes and attribute access
    r"|request\.environ|request\.(?:args|form|values|cookies|headers|files|meta)\b|\bdir\.(?:entries|glob|children)|\bio\.(?:popen|readlines|read)\b|app\.request\b|\bdump\([\s]{0,4}app\b|protectiondomain|objectconstructor|\?new\(\)"
    # FreeMarker's special variables and evaluating built-ins ("${.data_model}", "x?api", "s?eval")
    r"|\$\{[\s]{0,4}\.[a-z_]{2,30}|[\s(]\.(?:data_model|globals|vars|main|namespace)\b|\?(?:api|eval|interpret|new)\b"
    # Ruby's process environment and kernel ("<%= ENV.to_h %>", "<%= Kernel.system('id') %>")
    r"|\benv\.(?:to_h|to_a|to_hash|keys|values|each|fetch|inspect)\b|\benv[\s]{0,4}\[|\bkernel\.[a-z_]"
    r"|\b(?:config|settings)[\s]{0,4}\[[\s]{0,4}['\"]|\bsettings\.secret_key\b|applicationscope|sessionscope|requestscope|pagescope|facescontext|\.setattribute\(|\.getattribute\(|\binitparam\b"
    # Spring EL's property maps and bean references ("#{systemProperties['user.home']}", "#{@env.x}")
    r"|\bsystem(?:properties|environment)\b|^#\{[\s]{0,4}@[a-z_][a-z0-9_]{0,40}\.[a-z_]"
    # PHP functions handed to a Twig filter as its callback ("|map('passthru')"), and Twig's
    # functions that dump the context or read PHP constants ("{{ dump() }}", "{{ constant('X') }}")
    r"|\b(?:passthru|shell_exec|proc_open|pcntl_exec|call_user_func(?:_array)?|file_get_contents|file_put_contents|readfile)\b"
    r"|\b(?:dump|constant)[\s]{0,4}\(|\b_context\b"
    # Thymeleaf's expression objects and SpEL's root ("${#ctx.getVariable('x')}", "${#vars}")
    r"|(?:^|[^.a-z0-9_])#(?:ctx|vars|execinfo|root)\b"
    # ... and the servlet scopes as OGNL / Thymeleaf context variables ("%{#application}", "${#session}")
    r"|(?:^|[^.a-z0-9_&])#(?:application|session|parameters|servletcontext)\b"
    # a dunder name assembled from quoted pieces ("request['__cl'+'ass__']", "'_'*2"): the filter on
    # "__class__" is the reason to split it
    r"|['\"]__[a-z]{0,20}['\"][\s]{0,4}[+~]|[+~][\s]{0,4}['\"][a-z]{0,20}__['\"]|['\"]_['\"][\s]{0,4}\*[\s]{0,4}2\b"
    # a method called on a string literal ("{{ 'x'.upper() }}", "#{'a'.toUpperCase()}"): which
    # language evaluates the expression, probed; a placeholder names data, it calls nothing on a literal
    r"|['\"][\s]{0,4}\.[\s]{0,4}[a-z_][a-z0-9_]{1,30}[\s]{0,4}\("
    # (Ruby's calls need no parentheses: "#{'abc'.upcase}", "<%= 'x'.class %>")
    r"|['\"][\s]{0,4}\.[\s]{0,4}(?:upcase|downcase|swapcase|capitalize|reverse|class|inspect)[\s]{0,4}(?:[}%]|$)"
    # a list literal multiplied ("{{[7]*7}}"), Twig's own template object as an argument
    # ("{{ attribute(_self, 'env') }}"), Ruby's binding ("<%= binding %>")
    # ... or from characters formatted out of their codes ("'%c'%95", '"%c%c"|format(95,95)') or
    # a dict's keys joined ("dict(__cla=1,ss__=1)|join")
    r"|['\"](?:%c){1,8}['\"][\s]{0,4}\)?[\s]{0,4}(?:%|\|[\s]{0,4}format\b)|\bdict[\s]{0,4}\([\s]{0,4}_"
    r"|(?:^|[{(\s,])\[[\s]{0,4}[0-9]{1,4}[\s]{0,4}\][\s]{0,4}\*[\s]{0,4}[0-9]|\(_self\b|^<%[=-]?[\s]{0,4}binding\b"
)
JAVA_PACKAGES = linear(
    r"\b(?:java\.(?:lang|io|net|util|rmi|beans|nio|security|sql|awt|applet|text|time|math|naming|evil)|javax|jdk\.(?:internal|jshell|nashorn)|"
    r"sun\.(?:misc|reflect|rmi|tools|net\.www|org\.mozilla|corba|security|nio|jvm)|com\.sun|org\.apache\.(?:commons|xalan|xbean|tomcat|naming|catalina|bcel|myfaces|wicket|struts|ibatis|log4j|shiro)|"
    r"org\.springframework|org\.hibernate|org\.codehaus\.groovy|org\.mozilla\.javascript|org\.python|org\.omg|com\.mchange|"
    r"com\.alibaba\.fastjson|com\.fasterxml\.jackson\.databind|clojure|bsh|ognl|freemarker|org\.jboss|weblogic|com\.tangosol|"
    r"com\.rometools|com\.opensymphony|org\.yaml\.snakeyaml|com\.thoughtworks\.xstream|net\.sf\.json|org\.aspectj|org\.eclipse\.jetty|"
    r"ch\.qos\.logback|com\.zaxxer\.hikari|com\.caucho|org\.apache\.openjpa|oracle\.jdbc|org\.apache\.aries|com\.nqadmin|"
    r"org\.apache\.cxf|br\.com\.anteros|com\.ibatis|org\.jdom2?|org\.apache\.axis2?|org\.apache\.batik)\.[a-z_$][a-z0-9_$]{0,40}"
    # a gadget library's package named alone ("org.apache.commons"): three segments, never a host name
    r"|\b(?:org\.apache\.(?:commons|xalan|xbean|bcel|myfaces|wicket|struts2?|shiro|log4j)|org\.codehaus\.groovy|com\.mchange\.v2"
    r"|com\.alibaba\.fastjson|com\.fasterxml\.jackson|com\.thoughtworks\.xstream|org\.yaml\.snakeyaml|com\.sun\.rowset"
    r"|org\.springframework\.(?:beans|context|aop|expression)|sun\.misc\.unsafe)(?:$|[^a-z0-9_.\-/])"
)
GADGETS = linear(
    r"runtime|processbuilder|processimpl|invokertransformer|instantiatetransformer|instantiatefactory|chainedtransformer|"
    r"constanttransformer|clonetransformer|forclosure|whileclosure|transformedmap|lazymap|templatesimpl|jdbcrowsetimpl|"
    r"annotationinvocationhandler|badattributevalueexpexception|prototypeclonefactory|prototypeserializationfactory|"
    r"transformingcomparator|beancomparator|mockattributeprovider|unicastref|unicastremoteobject|remoteobjectinvocationhandler|"
    r"objectinputstream|objectoutputstream|xmldecoder|xstream|classloader|urlclassloader|bytecode|defineclass|"
    r"getruntime|scriptengine|nashorn|groovyshell|methodclosure|jndilookup|jndimanager|initialcontext|"
    r"naming\.reference|spring\.beans|springframework|commons\.collections|c3p0|rhino|nativejavaobject|"
    r"clojure\.main|hashtable|hashmap\$|treemap|priorityqueue|concurrenthashmap|serialversionuid|"
    # .NET deserialisation gadgets (ysoserial.net's): a type that calls a method, loads XAML or an assembly
    r"objectdataprovider|expandedwrapper|textformattingrunproperties|activitysurrogateselector|typeconfusedelegate|"
    r"assemblyinstaller"
)
# a template control block with its end tag: "{% if x %}..{% endif %}", "<% if x %>..<% end %>"
_BLOCK = linear(
    r"\{%-?[\s]{0,8}(?:if|for|set|macro|with|block|raw|filter|call)\b[^%]{0,200}%\}[\s\S]{0,200}\{%-?[\s]{0,8}end"
    r"|<%[=-]?[\s]{0,8}(?:if|for|unless|while|each)\b[^%]{0,200}%>[\s\S]{0,200}<%[=-]?[\s]{0,8}end"
    # Velocity's directives with their end ("#if(7*7==49)yes#end", "#foreach($i in $list)..#end"):
    # a condition holding a reference or an operator; not the C preprocessor's "#endif"
    r"|#\{?(?:if|foreach|elseif)\}?[\s]{0,4}\([^()\n]{0,100}[$=<>!*][^()\n]{0,100}\)[\s\S]{0,200}#\{?end(?:\}|\b)"
    # handlebars block parameters, the opening of its sandbox escapes: "{{#with "s" as |string|}}"
    r"|\{\{#with[\s][^{}]{0,80}\bas[\s]{1,4}\|"
)
_PROTOTYPE = re.compile(
    r"__proto__|constructor[\s]{0,4}(?:\.|\[[\s'\"]{0,4})[\s]{0,4}prototype"
    r"|constructor['\"][\s]{0,4}:[\s]{0,4}\{[\s]{0,4}['\"]prototype['\"][\s]{0,4}:"  # {"constructor":{"prototype":..}}
)
# Spring4Shell / Struts: the class loader reached through bean properties
# the full dotted name from a package match on ("org.springframework.web.httprequestmethodnotsupportedexception")
_DOTTED_NAME = re.compile(r"[a-z0-9_$]{1,60}(?:\.[a-z0-9_$]{1,60}){0,12}")
# where a class name is put to use rather than reported: SpEL's T(...), a constructor call, a
# deserialiser's type key ("@type": fastjson's expect-class bypasses name java.lang.Exception)
_CLASS_USED = re.compile(r"(?:\bt[\s]{0,4}\(|\bnew[\s]{1,4}|@type|\$type|class[\s]{0,4}[=:])[\s\"':=]{0,8}$")


_SPRING_RESOLVER_COOKIES = ("org.springframework.web.servlet.i18n.cookielocaleresolver.locale",
                            "org.springframework.web.servlet.theme.cookiethemeresolver.theme")
# a DNS name (and port) from a match's start: dotted labels that end in a top-level domain
_HOST_NAME = re.compile(
    r"[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,6}\.(?:com|org|net|io|dev|app|cloud|internal|local|lan|corp|example|test|"
    r"[a-z]{2})(?::[0-9]{1,5})?(?=$|[/?#])"
)


def _host_name(text: str, start: int) -> bool:
    """The package name at ``start`` is the start of a host name: the whole value (a Host header) or
    a URL's authority ("://", "//" or "@" before it)."""
    if start > 0 and not text.endswith(("//", "@"), 0, start):
        return False
    return _HOST_NAME.match(text, start) is not None


def _thrown_class(text: str, start: int) -> bool:
    """The Java name at ``start`` is an exception or error class named in an error message, a stack
    trace or a search ("java.lang.OutOfMemoryError: Java heap space"), and nothing uses it as a
    class: a throwable named in prose constructs nothing (gadgets that are exceptions excepted)."""
    name = _DOTTED_NAME.match(text, start)
    if name is None:
        return False
    last = name.group(0).rsplit(".", 1)[-1]
    if not last.endswith(("exception", "error")) or GADGETS.search(last) is not None:
        return False
    return _CLASS_USED.search(text, max(0, start - 40), start) is None


# a frame line of a JVM stack trace: "at" (and a module, "java.base/") before the method's
# qualified name, its source file and line (or "Native Method") after it
_FRAME_BEFORE = re.compile(r"(?:^|[\s])at[ \t]{1,4}(?:[a-z0-9_.\-@]{1,60}/){0,2}$")
_FRAME_AFTER = re.compile(r"\((?:[a-z0-9_$]{1,80}\.(?:java|kt|scala|groovy|clj):[0-9]{1,6}|native method|unknown source)\)")


def _stack_frame(text: str, start: int) -> bool:
    """The Java name at ``start`` is the method of a stack trace's frame ("\\tat
    java.base/java.lang.Thread.run(Thread.java:833)"): an error report names where code ran,
    it runs nothing."""
    name = _DOTTED_NAME.match(text, start)
    return (name is not None and _FRAME_AFTER.match(text, name.end()) is not None
            and _FRAME_BEFORE.search(text, max(0, start - 80), start) is not None)


# Android's NullPointerException message, in every crash report of that kind: "Attempt to invoke
# virtual method 'int java.lang.String.length()' on a null object reference" (or "read from field
# 'int x.y.z'"); the return type before the method is a qualified name too
_NULL_REFERENCE_BEFORE = re.compile(
    r"(?:invoke[\s]{1,4}(?:virtual|interface|static|direct|super)[\s]{1,4}method|(?:read[\s]{1,4}from|write[\s]{1,4}to)"
    r"[\s]{1,4}field)[\s]{1,4}'(?:[a-z0-9_$.\[\]]{1,120}[\s]{1,4})?$"
)
_NULL_REFERENCE_AFTER = re.compile(
    r"(?:[\s]{1,4}[a-z0-9_$.]{1,200})?(?:\([a-z0-9_$.\[\], ]{0,200}\))?'[\s]{1,4}on[\s]{1,4}a[\s]{1,4}null[\s]{1,4}object"
    r"[\s]{1,4}reference"
)


def _null_reference(text: str, start: int) -> bool:
    """The Java name at ``start`` is the method (or its return type) or the field that Android's
    NullPointerException message says was reached through a null reference: a crash report."""
    name = _DOTTED_NAME.match(text, start)
    return (name is not None and _NULL_REFERENCE_AFTER.match(text, name.end()) is not None
            and _NULL_REFERENCE_BEFORE.search(text, max(0, start - 160), start) is not None)


# the characters of a qualified Java name (the views are lower-case)
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_$.")


def _name_start(text: str, pos: int, limit: int) -> int:
    """Where the qualified Java name that ``pos`` lies in starts (at most ``limit`` back)."""
    begin = pos
    while begin > 0 and pos - begin < limit and text[begin - 1] in _NAME_CHARS:
        begin -= 1
    return begin


def _in_stack_frame(text: str, pos: int) -> bool:
    """The word at ``pos`` is part of the qualified method name of a stack frame (`_stack_frame`)
    or of a thrown class named in the report (`_thrown_class`: "org.springframework.beans.
    BeanCreationException: ...")."""
    begin = _name_start(text, pos, 200)
    return _stack_frame(text, begin) or (begin < pos and _thrown_class(text, begin))


# a class a polymorphic deserialiser's type key names (see `apiward.detectors.stage`'s `_TYPE_KEYS`):
# the platform's and the gadget libraries' packages, fastjson's descriptor spellings, .NET's
# gadget namespaces with their assembly
GADGET_CLASS = re.compile(
    r"[\s]{0,4}(?:(?:java\.(?!util\.)|javax\.|jdk\.|sun\.|com\.sun\.|org\.apache\.|org\.springframework\.|com\.mysql\.|org\.postgresql\."
    r"|oracle\.|org\.h2\.|ch\.qos\.|com\.zaxxer\.|com\.mchange\.|org\.hibernate\.|org\.codehaus\.|groovy\.|bsh\.|org\.mozilla\."
    r"|com\.alibaba\.|org\.jboss\.|com\.ibatis\.|org\.eclipse\.|net\.sf\.|com\.caucho\.|org\.aspectj\.|com\.fasterxml\.|org\.yaml\."
    r"|com\.thoughtworks\.|org\.slf4j\.|com\.ibm\.|weblogic\.)[a-z0-9_$.]{1,120}"
    r"|\[{1,4}[a-z_$][a-z0-9_$.]{2,120}|l[a-z_$][a-z0-9_$]{0,40}(?:\.[a-z_$][a-z0-9_$]{0,60}){1,8};"
    r"|(?:system\.(?:windows|diagnostics|data\.services|configuration\.install|security|web\.(?:security|ui)|identitymodel"
    r"|runtime\.remoting|workflow|management|activities|io\.(?:file|directory)|xml\.xmldocument|codedom)"
    r"|microsoft\.(?:visualstudio|exchange|powershell|build|sharepoint|ie))\.[a-z0-9_.`]{1,120}(?:[\s]{0,4},[^/]{0,200})?)[\s]{0,4}"
)
# the same type key written inside a text (JSON in a path segment, a header, a log line):
# '"$type":"System.Diagnostics.Process, System"', "'@type': 'com.sun.rowset.JdbcRowSetImpl'"
_TYPE_KEY_TEXT = re.compile(r"(?:\$type|@type|__type|@class)[\\]{0,2}['\"]?[\s]{0,4}:[\s]{0,4}[\\]{0,2}['\"]")


def _named_util_class(text: str, start: int, end: int) -> bool:
    """The gadget word at ``start:end`` ends a qualified ``java.util`` name that is only named
    (`_named_collection`)."""
    begin = _name_start(text, start, 80)
    return begin < start and _named_collection(text, begin, end)


def _named_collection(text: str, start: int, end: int) -> bool:
    """The Java name at ``start:end`` is a ``java.util`` class named, not used: a search or a
    question ("java.util.HashMap", "type=java.util.ArrayList"). The collections package holds no
    class that runs code by itself; one put to use is a constructor or SpEL's T(...), a type key,
    an XStream element ("<java.util.PriorityQueue serialization=...>") or a method called on it."""
    if not text.startswith("java.util.", start):
        return False
    if text[start - 1 : start] == "<" or text[end : end + 1] in ("(", ">", "@", "$") or "serialization" in text:
        return False
    return _CLASS_USED.search(text, max(0, start - 40), start) is None


_CLASS_LOADER = re.compile(r"(?:^|[^a-z0-9_])class(?:\.module)?\.classloader\b"
                           r"|\bclass\[[\s'\"]{0,4}(?:module[\s'\"]{0,4}\][\s]{0,4}\[[\s'\"]{0,4})?classloader")
# (and the stream's magic bytes themselves, percent-encoded: "%ac%ed%00%05sr..." decodes, as Latin-1
# and without its NUL, to "\xac\xed\x05" and a type code (object, block data, string, array); a
# query parser that reads UTF-8 leaves two replacement characters of the magic; .NET BinaryFormatter's
# header in base64, "AAEAAAD/////AQAAAAAAAAA", the first bytes of every ysoserial.net payload)
_SERIAL = re.compile(
    r"\bro0ab|aced0005|aced 00 05|\bac ed 00 05\b|aaeaaad/////aqaaaaaaaaa|\\xac\\xed\\x00\\x05|(?:\xac\xed|\ufffd\ufffd)\x00?\x05(?:[srtuw]|$)"
    # a Ruby Marshal 4.8 stream with an object ("\x04\x08o:" and the length byte of its class name)
    r"|\x04\x08o:[\x05-\x7f][a-z]"
)
_TRIGGER = linear(r"\[#|py/(?:reduce|function)|@environment\.|\$!\{|\.[\s]{0,4}process\b|mainmodule|[$#*@~%]\{|\$type|@type|__type|@class|ac ed 00 05|\x04\x08o:|\|[\s]{0,4}@?(?:system|passthru|exec|shell_exec|popen|proc_open|pcntl_exec|assert|file|readfile)|\{[\s]{0,4}math|\[=|\[%|\{[#=!]|#(?:if|foreach|elseif)\b|\$!?(?:request|response|application|servletcontext|class)\.|_self\.env|registerundefined|options'|#set|\{\{|\{%|<%|<#|\{[\s]{0,4}[0-9]|\{\$smarty|\{@|@\(|@system|\[\[|java|classloader|logback|hikari|caucho|openjpa|oracle\.|nqadmin|anteros|ibatis|jdom|axis|batik|jdk|sun\.|com\.|org\.|ognl|bsh\.|clojure|freemarker|weblogic|ro0ab|aced0005|proto|runtime|processbuilder|transformer|factory|closure|templatesimpl|rowsetimpl|invocationhandler|objectinputstream|xmldecoder|classloader|lookup|jndi|_memberaccess|methodaccessor|denymethodexecution|staticmethodaccess|ognlutil|multipart/form-data|!!|!ruby/|aaeaaad/////|\xac\xed|" "\ufffd\ufffd\x05" r"|objectdataprovider|expandedwrapper|textformatting|activitysurrogate|typeconfuse|assemblyinstaller")


# a JNDI lookup URL by itself: the protocols Log4Shell's lookup fetches from
_JNDI_URL = re.compile(r"\bjndi:(?:ldaps?|rmi|dns|iiop|corba|nds|nis|https?):/")


# a placeholder of a message or a page template: a dotted name or a quoted message key, through
# word filters ("{{ user.firstName }}", "{{ 'welcome.title' | translate }}", "{{ x | upper }}")
# (a filter may take literal arguments after a colon, as Liquid writes them: "| date: "%d.%m.%Y"",
# "| truncate: 20"; Jinja and Twig take theirs in parentheses, which stay refused)
_FILTER_ARGUMENT = r"(?:\"[^\"{}()\\]{0,40}\"|'[^'{}()\\]{0,40}'|-?[0-9]{1,6})"
_PLACEHOLDER = re.compile(
    r"\{\{[\s]{0,8}([a-z_][a-z0-9_]{0,40}(?:\.[a-z_][a-z0-9_]{0,40}){0,6}|'[a-z0-9_. \-]{1,80}'|\"[a-z0-9_. \-]{1,80}\")"
    r"[\s]{0,8}(?:\|[\s]{0,8}[a-z_][a-z0-9_]{0,30}"
    r"(?:[\s]{0,4}:[\s]{0,4}" + _FILTER_ARGUMENT + r"(?:[\s]{0,4},[\s]{0,4}" + _FILTER_ARGUMENT + r"){0,3})?[\s]{0,8}){0,4}\}\}"
)
# the names a template engine's globals, request and configuration are reached by
_ENGINE_NAMES = frozenset(
    """config self _self request settings app session g env environ os sys _context context url_for
    get_flashed_messages lipsum cycler joiner namespace range dict this constructor process global
    globals class object application runtime""".split()
)


# a secret reached through the context ("{{ user.password }}", "{{ handler.settings.cookie_secret }}",
# Django's "{{ messages.storages.0.signer.key }}"): what a message never shows
_SECRET_PATH = re.compile(
    r"(?:^|[._])(?:password|passwd|secret|token|credentials?|api_?key|private_?key)(?:_?hash)?$|(?:^|\.)signer\."
)


# a placeholder's dotted path, list indexes included ("messages.storages.0.signer.key")
_CONTEXT_PATH = re.compile(r"\{\{[\s]{0,8}([a-z_][a-z0-9_]{0,40}(?:\.[a-z0-9_]{1,40}){1,8})[\s]{0,8}(?:\|[^{}]{0,60})?\}\}")


def _deep_secret(body: str) -> bool:
    """A secret (`_SECRET_PATH`) read through the engine's globals or down a chain of objects:
    "{{ request.user.password }}", "{{ messages.storages.0.signer.key }}". A mail template's
    "{{ user.password }}" (two names, not an engine global) stays a weak hint."""
    m = _CONTEXT_PATH.fullmatch(body)
    if m is None or _SECRET_PATH.search(m.group(1)) is None:
        return False
    names = m.group(1).split(".")
    return names[0] in _ENGINE_NAMES or len(names) >= 3


def _i18n_placeholder(body: str) -> bool:
    """A message's placeholder (`_PLACEHOLDER`) that names no engine global (`_ENGINE_NAMES`), no
    dunder attribute and no secret (`_SECRET_PATH`)."""
    m = _PLACEHOLDER.fullmatch(body)
    if m is None or "__" in body:
        return False
    head = m.group(1)
    if head[0] not in "'\"" and _SECRET_PATH.search(head) is not None:
        return False
    if head[0] in "'\"":
        return True
    parts = head.split(".")
    if parts[0] == "this" and len(parts) > 1:
        # "{{this.name}}" in a Handlebars or Vue loop: the item's field, unless it walks on to the
        # engine ("{{this.constructor.constructor}}")
        return not any(part in _ENGINE_NAMES or part == "prototype" for part in parts[1:])
    return parts[0] not in _ENGINE_NAMES


# a Rails view's output of an instance variable's attribute, the whole value ("<%= @user.name %>",
# a mail editor's placeholder): no call, no operator, nothing but the object's field
_ERB_FIELD = re.compile(r"[\s]{0,4}<%=?-?[\s]{0,8}@([a-z_][a-z0-9_]{0,40}(?:\.[a-z_][a-z0-9_]{0,40}){0,6})[\s]{0,8}-?%>[\s]{0,4}")


def erb_field(value: str) -> bool:
    """The whole value is one ERB output tag of an instance variable or its attributes, naming no
    secret (``<%= @user.name %>``)."""
    field = _ERB_FIELD.fullmatch(value.lower())
    if field is None or "__" in field.group(1):
        return False
    name = field.group(1)
    return _SECRET_PATH.search(name) is None and not any(part in _ENGINE_NAMES for part in name.split("."))


# a wiki's template call ("{{cite web |url=https://example.org |title=Paris}}", "{{birth date|1815|12|10}}"):
# a name of plain words, then "|" parameters with no call, index or brace
_WIKI_CALL = re.compile(r"\{\{[\s]{0,4}([a-z][a-z0-9_\-]{0,30}(?: [a-z0-9_\-]{1,30}){0,4})[\s]{0,4}((?:\|[^{}|()\[\]]{0,300}){1,60})\}\}")
# a named parameter of one ("|last=Smith"); a filter never has "=" after its name ("|last == x" compares)
_WIKI_PARAMETER = re.compile(r"[\s]{0,4}[a-z0-9_\-]{1,30}[\s]{0,4}=(?!=)")


def _wiki_call(body: str) -> bool:
    """A MediaWiki template call: a name of two words or more, or a named parameter, which no
    Jinja / Twig expression can be ("cite journal" puts two names side by side, "|last=Smith"
    assigns in an expression); no engine global or dunder is named."""
    m = _WIKI_CALL.fullmatch(body)
    if m is None or "__" in body:
        return False
    head = m.group(1)
    if any(word in _ENGINE_NAMES for word in head.split()):
        return False
    return " " in head or any(_WIKI_PARAMETER.match(part) is not None for part in m.group(2).split("|")[1:])


# Liquid / Jinja / Django control tags that only branch or loop over data ("{% if product.available
# %}", "{% for item in cart.items limit:4 %}"): a condition of names, literals and comparisons
_LOGIC_TAG = re.compile(
    r"\{%-?[\s]{0,8}(?:if|elsif|elif|else|endif|unless|endunless|for|endfor|case|when|endcase)\b"
    r"([a-z0-9_.\s'\"=<>!,:\-]{0,200})-?%\}"
)
_LITERAL_WORDS = frozenset({"true", "false", "none", "nil", "null", "and", "or", "not", "in", "contains", "is",
                            "limit", "offset", "reversed", "blank", "empty"})
_LOGIC_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}(?:\.[a-z_][a-z0-9_]{0,40}){0,6}")


def _plain_logic(text: str) -> bool:
    """Every statement tag of the value branches or loops on plain data, and every output tag is a
    placeholder (`_i18n_placeholder`): a shop's or a mail editor's template ("{% if
    product.available %}In stock{% else %}Sold out{% endif %}"). No call, index, filter argument,
    dunder, engine global or secret appears: a condition on ``config.secret_key`` could still
    leak it a bit at a time, so a name that `_i18n_placeholder` would refuse is refused here."""
    tags = list(_LOGIC_TAG.finditer(text))
    if not tags or len(tags) != text.count("{%") or len(tags) > 32:
        return False
    dotted = False
    for tag in tags:
        condition = tag.group(1)
        if "__" in condition:
            return False
        names = [n for n in _LOGIC_NAME.findall(condition) if n not in _LITERAL_WORDS]
        if not names and condition.strip() and tag.group(0).lstrip("{%- ").startswith(("if", "elsif", "elif", "unless", "when")):
            return False  # "{% if True %}49{% endif %}": a constant condition probes the engine
        for name in names:
            if name.split(".", 1)[0] in _ENGINE_NAMES or _SECRET_PATH.search(name) is not None:
                return False
            dotted = dotted or "." in name
    outputs = re.findall(r"\{\{[^{}]{0,200}\}\}", text)
    if text.count("{{") != len(outputs) or not all(_i18n_placeholder(out) for out in outputs):
        return False
    # a template reads its data's fields ("product.available", "item.title"); "{% for x in y
    # %}{{x}}{% endfor %}" with bare letters is a probe of the engine
    return dotted or any("." in out for out in outputs)


def scan(text: str) -> list[Hit]:
    """Log4Shell / SSTI / Java expression and gadget evidence in one lower-case view."""
    if _TRIGGER.search(text) is None:
        return []
    hits: list[Hit] = []
    if "${" in text:
        hit = _log4shell(text)
        if hit is None:
            nested = _NESTED_LOOKUP.search(text)
            if nested is not None:
                hit = Hit(Category.LOG4SHELL, 0.95, "log4shell.nested-lookup", text, nested.start(), nested.end())
            else:
                info = _INFO_LOOKUP.search(text)
                if info is not None:
                    hit = Hit(Category.LOG4SHELL, 0.85, "log4shell.lookup", text, info.start(), info.end())
        if hit is not None:
            hits.append(hit)
    if not hits and "jndi:" in text:
        bare = _JNDI_URL.search(text)
        if bare is not None:
            # "jndi:ldap://host/a" outside an intact "${...}" ("$\\{jndi:...\\}", a lookup a shell or
            # template unescapes): the naming URL alone is the exploit, and no text but it holds one
            hits.append(Hit(Category.LOG4SHELL, 0.9, "log4shell.jndi-url", text, bare.start(), bare.end()))
    best: Hit | None = None

    def keep(score: float, rule: str, start: int, end: int) -> None:
        nonlocal best
        if best is None or score > best.score:
            best = Hit(Category.SSTI, score, rule, text, start, end)

    for m in _TEMPLATE.finditer(text):
        body = m.group(0)
        if "|" in body and _wiki_call(body):
            # "{{cite journal |title=Import rules |pages=1-10}}": a wiki page's template, which no
            # template engine parses (its words are not read as an expression)
            continue
        if body.startswith("@(?"):
            # "[a-z]+@(?:[a-z0-9-]+\\.)+": a regular expression's group after an "@", where no
            # Razor expression can start ("?" opens none in C#)
            continue
        expr = _EXPRESSION.search(body)
        if expr is not None:
            keep(0.45 if random_blob(text) else 0.93, "ssti.expression", m.start(), m.end())
            break
        if body.startswith("{{") and any(c in body for c in "()[]|.+*") and "{{" not in body[2:]:
            if _i18n_placeholder(body):
                continue  # "{{ user.firstName }}", "{{ 'cart.title' | translate }}": a message's slot
            if _deep_secret(body):
                keep(0.88, "ssti.secret-read", m.start(), m.end())
                continue
            keep(0.45, "ssti.template", m.start(), m.end())  # unfilled placeholders are common
    if best is None or best.score < 0.88:
        probe = _PROBE.search(text)
        if probe is not None:
            keep(0.88, "ssti.probe", probe.start(), probe.end())
    if ("{%" in text or "<%" in text or "{{#" in text or "#end" in text or "#{end" in text) and (best is None or best.score < 0.85):
        block = _BLOCK.search(text)
        if block is not None and not _plain_logic(text):
            keep(0.85, "ssti.template-block", block.start(), block.end())
    if "proto" in text:
        proto = _PROTOTYPE.search(text)
        if proto is not None:
            keep(0.9, "ssti.prototype-pollution", proto.start(), proto.end())
    if "classloader" in text:
        loader = _CLASS_LOADER.search(text)
        if loader is not None:
            keep(0.9, "ssti.class-loader", loader.start(), loader.end())
    java = JAVA_PACKAGES.search(text) if "." in text else None
    for _ in range(8):
        if java is None or not (_thrown_class(text, java.start()) or _named_collection(text, java.start(), java.end())
                                or _stack_frame(text, java.start()) or _null_reference(text, java.start())
                                # JSF's own names in its resource URLs and requests ("/javax.faces.resource/jsf.js",
                                # "ln=javax.faces", "javax.faces.partial.ajax=true"): the framework, no gadget
                                or text.startswith("javax.faces", java.start())
                                # Spring MVC's own cookies for a visitor's locale and theme, by their default names
                                or text.startswith(_SPRING_RESOLVER_COOKIES, java.start())
                                # "weblogic.corp.example:7001", "https://freemarker.apache.org/docs/": a
                                # host named after the product, in a Host header or a URL's authority
                                or _host_name(text, java.start())):
            break
        java = JAVA_PACKAGES.search(text, java.end())
    if java is not None:
        keep(0.9, "ssti.java-class", java.start(), java.end())
    # ("javascript" is no Java context: a browser SDK's '"runtime":"browser"' tag is not a gadget)
    java_context = "java" in text.replace("javascript", "") or "processbuilder" in text
    named: set[str] = set()
    for count, gadget in enumerate(GADGETS.finditer(text)):
        if count >= 16:
            break
        word = gadget.group(0)
        if _in_stack_frame(text, gadget.start()):
            continue  # "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:883)"
        if _named_util_class(text, gadget.start(), gadget.end()):
            continue  # "java.util.concurrent.ConcurrentHashMap": a collection named (a search, a docs page)
        if text.strip() in _SPRING_RESOLVER_COOKIES:
            continue  # the name of Spring MVC's locale or theme cookie
        named.add(word)
        if len(named) >= 2 and "." in text[gadget.start() - 1 : gadget.start()]:
            keep(0.85, "ssti.java-gadget", gadget.start(), gadget.end())  # "runtime.forclosure": gadgets chained
        strong = len(word) >= 12 or word in ("runtime", "processbuilder", "getruntime", "xstream", "rhino", "c3p0")
        context = text[max(0, gadget.start() - 1) : gadget.end() + 1]
        bounded = not (context[:1].isalpha() and context[-1:].isalpha())
        if strong and (bounded or len(word) >= 14):
            weak = word in ("runtime", "hashtable", "treemap", "priorityqueue", "classloader")
            # a weak name counts in Java context when code touches it ("lang.runtime", "runtime.exec",
            # "<string>runtime", "(runtime)"); a JSON field '"runtime":"java"' is a setting
            touched = context[:1] in (".", "@", "(", ">", "$") or context[-1:] in (".", "@", "(", ")", "<")
            strong_context = java_context and (touched or not weak)
            keep(0.45 if weak and not strong_context else 0.85, "ssti.java-gadget", gadget.start(), gadget.end())
    # (the literals every `_SERIAL` match holds, found faster than its "\b" is tried at each letter)
    serial = (_SERIAL.search(text) if "ro0ab" in text or "aced" in text or "ac ed" in text or "aaeaaad/////" in text or "\\xac" in text
              or "\xac\xed" in text or "\ufffd\ufffd\x05" in text or "\x04\x08o:" in text else None)
    if serial is not None:
        keep(0.9, "ssti.java-serialized", serial.start(), serial.end())
    if "type" in text or "@class" in text:
        for count, key in enumerate(_TYPE_KEY_TEXT.finditer(text)):
            if count >= 8:
                break
            named_class = GADGET_CLASS.match(text, key.end())
            if named_class is not None and "." in named_class.group(0):
                keep(0.85, "ssti.polymorphic-type", key.start(), named_class.end())
                break
    if best is not None:
        hits.append(best)
    return hits


def _encodings(words: tuple[str | bytes, ...]) -> tuple[str, ...]:
    """The base64 spellings of ``words`` at the three byte alignments (the stable middle part),
    so a gadget name is found inside a base64 blob without decoding it (a text word also in its
    capitalised and upper-case spellings; a bytes word as it is)."""
    out: set[str] = set()
    for word in words:
        variants = {word} if isinstance(word, bytes) else {word, word.capitalize(), word.upper()}
        for variant in variants:
            raw = variant if isinstance(variant, bytes) else variant.encode()
            for shift in range(3):
                enc = base64.b64encode(b"\x00" * shift + raw).decode()
                # keep the characters whose six bits all come from the word (the first starts at
                # bit ceil(8 * shift / 6), the last ends before bit 8 * (shift + len))
                start = (shift * 8 + 5) // 6
                end = (shift + len(raw)) * 8 // 6
                piece = enc[start:end]
                if len(piece) >= 8:
                    out.add(piece)
    return tuple(sorted(out))


ENCODED_GADGET_WORDS = (
    "runtime", "processbuilder", "invokertransformer", "instantiatetransformer", "instantiatefactory",
    "chainedtransformer", "constanttransformer", "clonetransformer", "forclosure", "whileclosure",
    "transformedmap", "lazymap", "templatesimpl", "jdbcrowsetimpl", "annotationinvocationhandler",
    "prototypeclonefactory", "prototypeserializationfactory", "transformingcomparator",
    "beancomparator", "getruntime", "java.lang", "javax.", "commons.collections", "objectinputstream",
    "unicastref", "remoteobjectinvocationhandler", "badattributevalueexpexception", "xmldecoder",
    "InvokerTransformer", "ChainedTransformer", "ConstantTransformer", "InstantiateTransformer",
    "InstantiateFactory", "TemplatesImpl", "JdbcRowSetImpl", "ProcessBuilder", "Runtime",
    "PrototypeCloneFactory", "PrototypeSerializationFactory", "CloneTransformer", "ForClosure",
    "WhileClosure", "TransformedMap", "LazyMap", "AnnotationInvocationHandler",
    # node-serialize's function marker, base64-encoded in cookies
    "_$$ND_FUNC$$_",
    # .NET gadgets inside BinaryFormatter / ViewState blobs (ysoserial.net), Ruby's and Python's
    "ObjectDataProvider", "TypeConfuseDelegate", "TextFormattingRunProperties", "System.Diagnostics",
    "Microsoft.PowerShell", "System.Windows.Data", "ActivitySurrogateSelector", "ActiveSupport",
    "Gem::Installer", "Gem::Requirement", "subprocess",
    # a pickle's imports of a function that runs code: the GLOBAL opcode's "module\nname\n" of
    # protocols 0-3 ("cposix\nsystem\n", "c__builtin__\neval"), and protocol 4's short strings
    # before the MEMOIZE opcode ("\x8c\x05posix\x94\x8c\x06system\x94")
    b"posix\nsystem\n", b"\nos\nsystem\n", b"cos\nsystem\n", b"\nnt\nsystem\n", b"cnt\nsystem\n",
    b"\nsubprocess\n", b"csubprocess\n", b"__builtin__\neval", b"__builtin__\nexec", b"builtins\neval", b"builtins\nexec",
    b"\x8c\x05posix\x94", b"\x8c\x02os\x94", b"\x8c\x02nt\x94", b"\x8c\nsubprocess\x94", b"\x8c\x06system\x94",
    b"\x8c\x08builtins\x94", b"\x8c\x04eval\x94", b"\x8c\x04exec\x94",
    # the header of a .NET BinaryFormatter stream (SerializationHeaderRecord: record 0, root id 1,
    # header id -1, version 1.0) at any alignment: inside a ViewState ("/wEy" and a length first)
    b"\x00\x01\x00\x00\x00\xff\xff\xff\xff\x01\x00\x00\x00\x00\x00\x00\x00",
)
# the serialization stream magic (ac ed 00 05) at the three alignments
# (and the fixed headers of a .NET BinaryFormatter stream, "AAEAAAD/////", and of a pickle of protocol 4, "gASV")
_ENCODED_GADGET = linear("|".join(re.escape(p) for p in _encodings(ENCODED_GADGET_WORDS)) + r"|rO0AB|KztAAU|Cs7QAF|AAEAAAD/////|^gASV"
    # a Ruby Marshal 4.8 stream whose root is an object ("\x04\x08o:" and the class name's length):
    # a Rails cookie session's root is a hash ("BAh7")
    r"|^BAhvO")


# "runtime" (java.lang.Runtime, and the word alone in CRS's probe) also ends other words in
# base64 text: a bot-detection sensor's "loadTimescsiappruntime", a config's "appRuntime"
_RUNTIME_SPELLINGS = frozenset(_encodings(("runtime",)))
_BASE64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_")
_WORD_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789")
_RUNTIME_DECODE_MAX = 8192


def _runtime_inside_words(raw: str, start: int, end: int) -> bool:
    """The base64 token around ``raw[start:end]`` decodes to text in which "runtime" only ends a
    longer word. (A token that does not decode keeps the finding.)"""
    left = start
    while left > 0 and raw[left - 1] in _BASE64_CHARS:
        left -= 1
    right = end
    while right < len(raw) and raw[right] in _BASE64_CHARS:
        right += 1
    right += len(raw[right : right + 2]) - len(raw[right : right + 2].lstrip("="))  # its padding
    if right - left > _RUNTIME_DECODE_MAX:
        return False
    token = raw[left:right].replace("-", "+").replace("_", "/")
    try:
        decoded = base64.b64decode(token[: len(token) // 4 * 4]).lower()
    except (binascii.Error, ValueError):
        return False
    at = decoded.find(b"runtime")
    if at < 0:
        return False
    while at >= 0:
        if at == 0 or decoded[at - 1] not in _WORD_CHARS:
            return False
        at = decoded.find(b"runtime", at + 7)
    return True


def encoded_gadget(raw: str) -> Hit | None:
    """A Java gadget name or serialization header inside a base64 value (raw, case kept)."""
    if len(raw) < 5 or raw == raw.lower():
        return None  # every spelling holds an upper-case letter (checked by a test)
    m = _ENCODED_GADGET.search(raw)
    for _ in range(4):
        if m is None or m.group(0) not in _RUNTIME_SPELLINGS or not _runtime_inside_words(raw, m.start(), m.end()):
            break
        m = _ENCODED_GADGET.search(raw, m.end())
    if m is None:
        return None
    return Hit(Category.SSTI, 0.88, "ssti.java-base64", raw, m.start(), m.end())


# the first bytes of a serialized object once a gzip-compressed base64 value ("H4sI...") is
# inflated: Java's stream magic, .NET BinaryFormatter's header, a pickle importing a function
# that runs code, a Ruby Marshal object (a JSF ViewState or a cookie gzipped before base64)
_INFLATED_SERIAL = re.compile(
    rb"^(?:\xac\xed\x00\x05|\x00\x01\x00\x00\x00\xff\xff\xff\xff\x01|\x04\x08o:)"
    rb"|(?:posix|\nos|^cos|\nnt|^cnt|subprocess|__builtin__|builtins)\n(?:system|popen|check_output|call|run|eval|exec)\n"
    rb"|\x8c\x05posix\x94|\x8c\x02os\x94|\x8c\nsubprocess\x94"
)
GZIP_BASE64 = "H4sI"  # the base64 of gzip's magic and deflate method (1f 8b 08)
_INFLATE_MAX = 512


def compressed_gadget(raw: str) -> Hit | None:
    """A serialized object (`_INFLATED_SERIAL`) inside a gzip-compressed base64 value: the value
    is decoded (at most 4,096 characters) and its first 512 bytes inflated."""
    token = raw.strip()
    if not token.startswith(GZIP_BASE64):
        return None
    token = token[:4096].replace("-", "+").replace("_", "/")
    token = token[: len(token) // 4 * 4]
    try:
        inflated = zlib.decompressobj(31).decompress(base64.b64decode(token), _INFLATE_MAX)
    except (binascii.Error, zlib.error, ValueError):
        return None
    if _INFLATED_SERIAL.search(inflated) is None:
        return None
    return Hit(Category.SSTI, 0.9, "ssti.compressed-serialized", raw, 0, min(len(raw), 40))


# a lookup with no lookup inside it, inside another one's name: "${main:\\l}" in "${j${main:\\l}ndi:...}"
_INNER_LOOKUP = re.compile(r"(?<=[^\s])\$\{[^${}\s]{0,40}\}(?=[^\s}])")


def _log4shell(text: str) -> Hit | None:
    """Resolve nested case/default lookups, then look for a ``${name:`` that reaches out."""
    resolved = text
    for _ in range(8):
        step = _CASE.sub(lambda m: m.group(1), resolved)
        if step == resolved:
            break
        resolved = step
    # Log4j upper-cases in Java, where the dotless "\u0131" becomes "I" and the long "\u017f" "S":
    # "${jnd${upper:\u0131}:ldap://...}" names jndi
    compact = resolved.replace(" ", "").replace("\u0131", "i").replace("\u017f", "s")
    if resolved != text and "jndi" in compact and "jndi" not in text:
        # "${:-j}${:-n}${:-d}${:-i}", "${lower:${upper:j}}ndi", "${${::-j}nd${::-i}}": lookups that
        # spell the name, whatever follows (a fragment cut before its protocol); no text but an
        # evasion has case or default lookups resolve to it
        raw_start = text.find("${")
        return Hit(Category.LOG4SHELL, 0.97, "log4shell.spelled-jndi", text, raw_start, min(len(text), raw_start + 60))
    if "ndi" in compact and compact.count("${") >= 2 and "jndi" not in text:
        # "${j${main:\\l}ndi:ldap://...}": a lookup that resolves to nothing cut into the name (Log4j
        # versions and lookups differ in what an unknown key gives), "jndi" once it is taken out
        bare = compact
        for _ in range(3):
            bare = _INNER_LOOKUP.sub("", bare)
            if "${jndi:" in bare:
                raw_start = text.find("${")
                return Hit(Category.LOG4SHELL, 0.95, "log4shell.spelled-jndi", text, raw_start, min(len(text), raw_start + 60))
    pos = 0
    while True:
        start = compact.find("${", pos)
        if start < 0:
            return None
        colon = compact.find(":", start + 2, start + 2 + MAX_RESOLVE)
        if colon > 0:
            name = compact[start + 2 : colon]
            if name in LOOKUPS or name.endswith("jndi") or (
                    name in TEXT_LOOKUPS and _TEXT_LOOKUP_ARG.match(compact, colon + 1) is not None):
                raw_start = text.find("${")
                return Hit(Category.LOG4SHELL, 0.99, "log4shell.jndi", text, raw_start, min(len(text), raw_start + 60))
            if name in INFO_LOOKUPS and ("${" in compact[colon : colon + 80] or compact[start:].count("${") >= 2):
                raw_start = text.find("${")
                return Hit(Category.LOG4SHELL, 0.9, "log4shell.lookup", text, raw_start, min(len(text), raw_start + 60))
        pos = start + 2


def features(text: str) -> dict[str, float]:
    return {
        "template.lookups": float(text.count("${")),
        "template.blocks": float(len(_TEMPLATE.findall(text))),
        "template.java": float(JAVA_PACKAGES.search(text) is not None),
        "template.evidence": max((h.score for h in scan(text)), default=0.0),
    }
