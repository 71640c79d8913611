"""Server-side request forgery: URLs and hosts that point inside.

Only values that *are* a URL or a host (``scheme://...``, ``//host/...``, ``host:port``, a bare
IP) are read. Evidence: the host is loopback, unspecified, link-local / cloud metadata
(``169.254.169.254``, ``metadata.google.internal``, ``100.100.100.200``, ``fd00:ec2::254``) or
private, in any notation an HTTP client accepts (dotted, decimal ``2130706433``, octal
``0177.0.0.1``, hex ``0x7f000001``, short ``127.1``, IPv6 and IPv4-mapped ``[::ffff:a9fe:a9fe]``),
``localhost`` and its sub-domains; or the scheme is one that speaks raw protocols
(``gopher``, ``dict``, ``ldap``, ``tftp``, ``jar``, ``netdoc``). Ordinary public URLs pass.
"""

from __future__ import annotations

import ipaddress
import re

from apiward.core import Category
from apiward.detectors.hit import Hit

ODD_SCHEMES = frozenset({"gopher", "dict", "ldap", "ldaps", "tftp", "jar", "netdoc", "sftp", "rmi",
                         "jndi", "dns", "iiop", "ssh", "telnet", "smb", "imap", "pop3", "smtp",
                         "redis", "memcache", "mysql", "postgres", "mongodb", "rsync", "svn", "git",
                         "ftp", "ftps", "expect", "ogg", "rtsp", "nntp", "local_file", "phar", "glob",
                         "dav", "davs", "webdav"})
# schemes judged by their host (an internal one is a probe), not by their name alone
_HOST_JUDGED_SCHEMES = frozenset({"ftp", "ftps", "git", "svn", "rtsp", "ssh", "postgres", "mysql", "mongodb", "redis"})
# Names that resolve to the machine itself or to its container / cluster network.
LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4",
                         "localhost6", "localhost6.localdomain6", "ip6-localhost", "ip6-loopback",
                         "ipv6-localhost", "ipv6-loopback", "localtest.me", "lvh.me", "localh.st",
                         "host.docker.internal", "gateway.docker.internal", "kubernetes.docker.internal",
                         "host.containers.internal", "kubernetes.default.svc.cluster.local"})
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "metadata.azure.com",
                            "instance-data", "instance-data.ec2.internal", "kubernetes.default",
                            "kubernetes.default.svc", "metadata.packet.net", "metadata.tencentyun.com",
                            "rancher-metadata"})
_URL = re.compile(r"([a-z][a-z0-9+._\-]{1,15}):(//)?|//")
# a host written without a scheme: a name or address, or an IPv6 address in its brackets ("[::1]";
# a colon inside them tells it from "[11]", an index)
_BARE_HOST = r"(?:[a-z0-9.\-]{3,64}|\[[0-9a-f]{0,4}:[0-9a-f:.]{1,44}\])"
# "localhost/", "host.docker.internal:8080/admin", "[::1]:25": a local host followed by a port or a path
_BARE_LOCAL = re.compile("(" + _BARE_HOST + r")(?::[0-9]{1,5}|(?::[0-9]{1,5})?/)")
# a script or text file's URL that ends in "?": whatever the application appends becomes a query string
# (remote include). A site's own page URL with an empty query ("https://shop.example?") is common in
# analytics beacons, so the file name is required.
# A query that is only the extension the application appends ("http://evil.example/?.php") is the
# same trick spelled the other way round.
# (a scheme-relative "//evil.example/x.php?" is the same URL: the include fetches it over the page's scheme)
_TRAILING_QUERY = re.compile(
    r"(?:(?:https?|ftps?):)?//[^/?#\s]{1,255}/[^?#\s]{0,200}\.(?:php[0-9]?|phtml|txt|inc|asp|aspx|jsp|pl|cgi|sh|py)(?:\?{1,3}|\?{0,2}#)$"
    r"|(?:(?:https?|ftps?):)?//[^/?#\s]{1,255}/[^?#\s]{0,200}\?\.(?:php[0-9]?|phtml|inc|txt|asp|aspx|jsp)$"
    # a text file's URL ending in an empty parameter ("shell.txt?x=", "x.txt?&"): what is appended
    # becomes that parameter's value (a site's own script with "?id=" is a link, a text file is no script)
    r"|(?:(?:https?|ftps?):)?//[^/?#\s]{1,255}/[^?#\s]{0,200}\.(?:txt|inc)\?{1,2}(?:[a-z0-9_]{1,20}=)?&?$"
    # a paste site's raw file (no extension needed: the raw view serves any paste as text), which is
    # where an inclusion's payload is hosted, never a page a site links with an empty query
    r"|(?:https?:)?//(?:pastebin\.com/raw|raw\.githubusercontent\.com|gist\.githubusercontent\.com"
    r"|paste\.ee/r|hastebin\.com/raw|rentry\.co/[a-z0-9_\-]{1,40}/raw|dpaste\.com|termbin\.com|ix\.io|sprunge\.us)"
    r"/[^?#\s]{1,200}(?:\?{1,3}|\?{0,2}#)$"
)
# A remote file's URL (a script, a text file, or an image that hides one) called the ways an
# inclusion is: cut with "&" (what the application appends becomes another parameter), followed
# by "?.jpg" / "?.png" (an extension check satisfied by the query), or given a web shell's command
# parameter ("x.txt?cmd=id", "x.gif?&cmd=ls"). A command word is required: "?cmd=_s-xclick" is a
# payment button's link. (The "&" cut after a script or text file only: a shop's image URL with
# an empty query, "swatch.jpg?&", is common; the look-behind excludes the image extensions' last letters.)
_SCRIPT_CALL = re.compile(
    r"(?:(?:https?|ftps?):)?//[^/?#\s]{1,255}/[^?#\s]{0,200}\.(?:php[0-9]?|phtml|txt|inc|asp|aspx|jsp|pl|cgi|sh|py|gif|jpe?g|png)"
    r"(?:(?<![gfn])&|\?\.(?:jpe?g|png|gif|html?)"
    r"|\?&?(?:[a-z0-9_]{1,20}=[^&#\s]{0,40}&)?"
    r"(?:(?:cmd|exec|command|execute|shell)=(?:id|ls|whoami|uname|pwd|dir|ipconfig|ifconfig|netstat|ps|cat|echo|phpinfo)"
    # a web shell's one-letter parameter ("c99.txt?c=whoami"), with a command no listing sorts by
    r"|c=(?:whoami|uname|ipconfig|ifconfig|netstat|phpinfo))"
    r"(?:[\s+;&%][^#\s]{0,200})?)$"
    # a web shell's command parameter on a page without an extension ("//evil.example/backdoor?cmd=id")
    r"|(?:(?:https?|ftps?):)?//[^/?#\s]{1,255}/[^?#\s]{0,200}\?&?(?:[a-z0-9_]{1,20}=[^&#\s]{0,40}&)?"
    r"(?:cmd|exec|command|execute|shell)=(?:id|whoami|uname|ipconfig|ifconfig|phpinfo)(?:[\s+;&%][^#\s]{0,200})?$"
)
# a server-side script's source saved under a name the remote server will not run ("x.php.txt",
# "inc.asp.jpg"): served as text, so whoever includes the URL gets the code itself, not its output
_SCRIPT_SOURCE = re.compile(
    r"/[^/?#\s]{0,80}\.(?:php[0-9]?|phtml|asp|aspx|jsp)\.(?:txt|text|inc|dat|jpe?g|gif|png)(?:$|[?#%])"
)
# a URL behind a few characters of another value ("1http://", "/pagegopher://")
# (or a scheme-relative "//host", a UNC "\\\\host", "http:/host" and "jar:" with one slash or none)
_GLUED_URL = re.compile(
    r"[a-z0-9/_.\-]{1,16}?((?:https?|ftps?|gopher|dict|file|ldaps?|tftp|sftp|jar|netdoc|smb)://|(?:https?|jar):|//|\\\\)"
)
# a raw "name=" in front of a URL ("url=http://...", "dest=gopher://...")
# (or a URL in the spellings clients also accept: scheme-relative "//host", "http:/host", or a bare
# host with a path or port, "0x7f000001/admin", judged as in `_scan`)
_ASSIGNED_URL = re.compile(r"[a-z_][a-z0-9_.\-]{0,30}=(?=[a-z][a-z0-9+.\-]{1,15}:/|//|\\\\|[a-z0-9.\-]{3,64}[:/])")
_ASSIGNED_AT_07 = frozenset({"ssrf.remote-include", "ssrf.internal-name"})
_HOST_CHARS = re.compile(r"[^/?#\s\\]{1,255}")
_SCRIPT_TAIL = re.compile(r"\.(?:php[0-9]?|phtml|txt|asp|aspx|jsp|pl|cgi|sh|py|inc)(?:$|\?)|\?$")
_TRIGGER = re.compile(r"^[a-z][a-z0-9+._\-]{1,15}:|^//|^url:|^" + _BARE_HOST + r"(?::[0-9]{1,5}|/)|^\\\\")
# Wildcard DNS zones that answer with the address written in the name (127.0.0.1.nip.io,
# 10-0-0-1.sslip.io, 7f000001.nip.io): judged by the embedded address.
WILDCARD_ZONES = ("nip.io", "xip.io", "sslip.io", "xip.name", "nip.direct", "traefik.me", "localtest.me",
                  "lvh.me", "vcap.me", "lacolhost.com", "1u.ms",
                  # DNS rebinding services: "7f000001.c0a80001.rbndr.us" answers with either address
                  "rbndr.us", "rebind.network")
# Out-of-band interaction services of security testing tools: a fetch there only confirms a hole.
OOB_ZONES = ("burpcollaborator.net", "oastify.com", "interact.sh", "interactsh.com", "oast.fun", "oast.pro",
             "oast.live", "oast.site", "oast.online", "oast.me", "dnslog.cn", "ceye.io", "requestrepo.com",
             "canarytokens.com", "canarytokens.org", "r87.me", "xss.ht", "bxss.me")
# Service names a container or cluster network resolves (a URL to one names a host inside).
SERVICE_HOSTS = frozenset({"consul", "vault", "etcd", "redis", "memcached", "elasticsearch", "kibana",
                           "grafana", "prometheus", "jenkins", "rabbitmq", "mongo", "mongodb", "mysql",
                           "postgres", "postgresql", "mariadb", "kafka", "zookeeper", "minio", "docker",
                           "kubernetes", "intranet", "internal", "backend", "admin", "db", "database"})
# Top-level names set aside for private networks (RFC 6762 ".local", RFC 8375 ".home.arpa", ICANN's
# ".internal", and the ".lan" / ".corp" / ".intranet" / ".localdomain" of home and company networks), and
# the names a cluster's own DNS answers (Kubernetes "<service>.<namespace>.svc", Consul "<name>.service.consul")
PRIVATE_ZONES = (".local", ".internal", ".home.arpa", ".lan", ".corp", ".intranet", ".localdomain", ".svc", ".consul")
# what unfilled templates and script bugs put where a host belongs ("http://undefined:8080/")
PLACEHOLDERS = frozenset({"undefined", "null", "none", "nan", "true", "false", "example", "test", "host",
                          "hostname", "server", "domain", "yourdomain", "your-domain", "foo", "bar", "x"})
_PORT = re.compile(r":[0-9]{1,5}")
_OVERFLOW_OCTETS = re.compile(r"[0-9]{1,5}(?:\.[0-9]{1,5}){3}")
_NAME_PARTS = re.compile(r"[\-_]")
_SERVICE_NAME = re.compile(r"[a-z][a-z0-9\-_]{0,62}")
# a web shell's usual file name at the end of a fetched URL ("http://evil.example/c99.txt")
_SHELL_FILE = re.compile(
    r"/(?:shell|c99|r57|c100|webshell|backdoor|wso|b374k|phpshell|cmdshell|reverse-shell|revshell)[0-9_\-]{0,4}"
    r"\.(?:php[0-9]?|phtml|txt|inc|asp|aspx|jsp|jspx|cgi|pl|py|sh)(?:$|[?%#;])"
    # and the names inclusion tests give the file they serve: a command runner, a probe, a payload
    r"|/(?:cmd|inj|inject|injection|rfi|evil|exploit|xpl|hack|hacked|pwn|pwned|payload|pbot|spy)[0-9_\-]{0,4}"
    # (scripts and text only: "uploads/2024/03/Inject.png" is a blog's picture)
    r"\.(?:php[0-9]?|phtml|txt|inc|asp|aspx|jsp|jspx|cgi|pl|py|sh)(?:$|[?%#;])"
)
# "http:\\host", "http:/\\host": special schemes whose slashes a browser or client reads backslashes as
_BACKSLASH_URL = re.compile(r"(https?|ftp|file|wss?):[\\/]{1,3}")
_UNC = re.compile(r"\\\\([^\\/\s]{1,255})[\\/]")
# a UNC host that is a domain name ("evil.example", "x.attacker.net@ssl"), not a NetBIOS name
_UNC_DOMAIN = re.compile(r"(?:[a-z0-9\-]{1,63}\.){1,8}[a-z]{2,24}(?:@ssl)?(?:@[0-9]{1,5})?")
# a scheme-relative address whose first two slashes mix "/" and "\\" (and a host name after them)
_MIXED_SLASH_HOST = re.compile(r"(?:/\\|\\/)[/\\]{0,2}(?:[a-z0-9\-]{1,63}\.){1,8}[a-z]{2,24}(?::[0-9]{1,5})?(?:[/\\?#]|$)")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


# a user name spelled like a host name: a common top-level domain at its end ("example.com",
# "example.com:x") or a slash inside it ("good.example%2f", "good.example\\"); "first.last@" is a
# user name
_HOSTLIKE_USERINFO = re.compile(
    r"[a-z0-9\-]{1,63}\.(?:com|net|org|edu|gov|mil|int|io|co|info|biz|dev|app|xyz|me|us|uk|eu|de|fr|"
    r"ru|cn|jp|br|in|it|nl|au|ca|es|ch|se|pl|il|kr|tw)(?::[^@]{0,64})?$"
    r"|[a-z0-9\-]{1,63}\.[a-z]{2,24}(?:%2f|%5c|/|\\)"
    # or a host with a web port ("https://target.example:443@evil.example/"): no password is one
    r"|[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){1,8}:(?:80|443|8080|8443)$"
)


def _bare_ipv6(text: str) -> ipaddress.IPv6Address | None:
    try:
        return ipaddress.IPv6Address(text.split("%", 1)[0])
    except ValueError:
        return None


def _parse_ipv4_part(part: str) -> int | None:
    try:
        if part.startswith(("0x", "0X")):
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part.startswith("0"):
            return int(part, 8)
        return int(part, 10)
    except ValueError:
        return None


def parse_host(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IP address in any notation inet_aton / browsers accept, or None for a name."""
    host = host.strip().rstrip(".")
    if host.startswith("[") and "]" in host:
        inner = host[1 : host.index("]")].split("%", 1)[0]
        try:
            addr6 = ipaddress.IPv6Address(inner)
        except ValueError:
            return None
        mapped = addr6.ipv4_mapped or addr6.sixtofour
        return mapped if mapped is not None else addr6
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(parts):
        return None
    values = [_parse_ipv4_part(p) for p in parts]
    if any(v is None for v in values):
        return None
    nums = [v for v in values if v is not None]
    if len(nums) == 1 and 1 << 32 <= nums[0] < 1 << 64 and (
            parts[0].startswith("0x") or (len(parts[0]) >= 10 and nums[0] < 1 << 40)):
        # http://7147006462/ and http://0x41414141A9FEA9FE/ wrap to 169.254.169.254 (in decimal, a few
        # bits over 32: a 19-digit id, "card://1791300000000000001", is an id, not an address)
        nums = [nums[0] & 0xFFFFFFFF]
    # a.b.c.d / a.b.(c.d as 16 bits) / a.(b.c.d as 24 bits) / one 32-bit number
    last_bits = 8 * (5 - len(nums))
    if any(v > 255 for v in nums[:-1]) or nums[-1] >= 1 << last_bits:
        return None
    value = 0
    for v in nums[:-1]:
        value = (value << 8) | v
    value = (value << last_bits) | nums[-1]
    if len(nums) == 1 and len(parts[0]) < 8 and not parts[0].startswith("0x") and parts[0] != "0":
        # a short plain number is not a host, nor a short one with a leading zero ("0603/BJR", a
        # car's type code: octal 0.0.1.131, where nothing listens); "0" is 0.0.0.0, this host
        return None
    return ipaddress.IPv4Address(value)


_SHARED_SPACE = ipaddress.IPv4Network("100.64.0.0/10")
# cloud instance metadata services (AWS / GCP / Azure / OpenStack, Alibaba, Oracle, AWS over IPv6, ECS
# task credentials, Azure's WireServer: public but answering only inside)
METADATA_ADDRESSES = frozenset({"169.254.169.254", "100.100.100.200", "192.0.0.192", "fd00:ec2::254", "169.254.170.2",
                                "168.63.129.16"})


def metadata_host(value: str) -> bool:
    """A Host-like header value (``host[:port]``, the first of a list) that names a cloud metadata
    service, by name or by address in any notation."""
    host = value.split(",", 1)[0].strip().lower().rstrip(".")
    if host.startswith("["):
        host = host[: host.find("]") + 1] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host in METADATA_HOSTS:
        # a cloud's own name ("metadata.google.internal"); not a bare "metadata" or the cluster's
        # API ("kubernetes.default"), which a service behind this gateway may be called
        return "." in host and not host.startswith("kubernetes")
    addr = parse_host(host)
    return addr is not None and str(addr) in METADATA_ADDRESSES


def _internal(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[float, str] | None:
    # 168.63.129.16: Azure's WireServer (VM agent, extension settings), public but answering only inside
    if str(addr) in METADATA_ADDRESSES:
        return (0.97, "ssrf.metadata")
    if addr.is_loopback or addr.is_unspecified:
        return (0.93, "ssrf.loopback")
    if addr.is_link_local:
        return (0.93, "ssrf.link-local")
    if addr.is_private or addr.is_reserved or (isinstance(addr, ipaddress.IPv6Address) and addr.is_site_local):
        return (0.8, "ssrf.private")
    if isinstance(addr, ipaddress.IPv4Address) and addr in _SHARED_SPACE:
        # 100.64.0.0/10, carrier-grade NAT's shared space, which clouds and overlay networks use
        # inside (Alibaba's metadata service at 100.100.100.200, cluster pod ranges, VPN meshes)
        return (0.8, "ssrf.private")
    return None


def scan(text: str) -> list[Hit]:
    """SSRF evidence in one lower-case view that is a URL or a host."""
    return _scan(text, 0)


# URLs inside URLs read at most this deep ("https://a/?u=https://b/?u=http://127.0.0.1/"): each
# level reads a few parameters, so the work stays a small constant however a value nests
_MAX_NESTING = 2


def _scan(text: str, nesting: int) -> list[Hit]:
    value = text.strip()
    if len(value) > 2048:
        return []
    if "\\" in value and "\\/" not in value and value.startswith(("http:", "https:")) and "/" not in value[8:]:
        # "http://evil.example\\shell.txt", "http:\\\\evil.example\\x.txt": a web URL whose path has
        # only backslashes, which browsers and the URL parsers that follow WHATWG read as slashes
        # (JSON's escaped "\\/" is a slash already; "http://a\\@169.254.169.254/" is left to the
        # rules for parser confusion)
        value = value.replace("\\", "/")
    if nesting < _MAX_NESTING and ("//" in value[1:40] or ":/" in value[1:40] or "\\\\" in value[1:40]):
        glued = _GLUED_URL.match(value)
        if glued is not None:
            # "1http://127.0.0.1/", "/pagegopher://...", "1\\\\host\\x.php": a URL appended to the
            # ordinary value a parameter held; only an internal target or a remote script counts
            shift = max(0, text.find(value)) + glued.start(1)
            inner = _scan(text[shift:], nesting + 1)
            if inner and inner[0].score >= 0.7:
                hit = inner[0]
                return [Hit(Category.SSRF, hit.score, hit.rule, text, shift + hit.start, shift + hit.end)]
    if value[:2] in ("/\\", "\\/") and not value.startswith("\\/\\/"):  # (JSON's escaped "//" is no trick)
        mixed = _MIXED_SLASH_HOST.match(value)
        if mixed is not None:
            # "/\\evil.example/x.js": browsers (and the URL parsers that follow them) read it as
            # "//evil.example/", another site's address spelled so that a check for "//" misses it
            return [Hit(Category.SSRF, 0.75, "ssrf.mixed-slashes", text, 0, min(len(text), mixed.end()))]
    if _TRIGGER.search(value) is None:
        # ("?dest=http://...", "&url=//..."): the pair copied with the query's own separator
        assigned = _ASSIGNED_URL.match(value, 1 if value[:1] in "?&" else 0)
        if assigned is None:
            if value[:1] == "/" and "?" in value and "=" in value and nesting < _MAX_NESTING:
                # "/redirect?url=http://127.0.0.1/": a link to the application's own redirect or
                # proxy route, whose parameter holds the internal URL (read as in a public URL)
                return _nested_url(text, value, value.find("?"), nesting + 1)
            return []
        # "url=http://169.254.169.254/": a raw "name=" pair in one value (a query the application
        # forwards or splits itself) holds the URL it fetches; only an internal target counts
        # (a script or text file from a bare address, "inc=//203.0.113.7/x.txt", is an include as
        # well, and a name only the server's own network resolves, "url=http://api.svc.cluster.local/",
        # a fetch inside as it is without the name)
        inner = _scan(value[assigned.end() :], nesting)
        if not inner or inner[0].score < (0.7 if inner[0].rule.startswith("rfi.") or inner[0].rule in _ASSIGNED_AT_07 else 0.8):
            return []
        offset = max(0, text.find(value)) + assigned.end()
        return [Hit(Category.SSRF, inner[0].score, inner[0].rule, text, offset, min(len(text), offset + inner[0].end))]
    if value.startswith("\\\\"):
        unc = _UNC.match(value)  # \\127.0.0.1\share: Windows fetches it over SMB
        if unc is None:
            return []
        found = _host_hit(unc.group(1) + "/", 0)
        if found is not None and found[0] >= 0.8:
            return [Hit(Category.SSRF, found[0], found[1], text, 0, min(len(text), unc.end()))]
        rest = value[unc.end() : unc.end() + 300].replace("\\", "/")
        if parse_host(unc.group(1)) is not None or _SCRIPT_TAIL.search(rest) is not None:
            # \\198.51.100.7\x, \\evil.example\share\shell.php: a script (or an SMB logon) from a
            # share outside: remote inclusion on Windows, and a leak of the server's NTLM hash
            return [Hit(Category.SSRF, 0.7, "rfi.unc-include", text, 0, min(len(text), unc.end()))]
        if _UNC_DOMAIN.fullmatch(unc.group(1)) is not None:
            # \\files.evil.example\share: Windows opens it over SMB (or WebDAV) and logs on with
            # the server's account: an NTLM hash sent outside, or a file read from there
            return [Hit(Category.SSRF, 0.6, "rfi.unc-host", text, 0, min(len(text), unc.end()))]
        return []
    slashes = _BACKSLASH_URL.match(value)
    if slashes is not None and slashes.group(0) != slashes.group(1) + "://":
        odd = _odd_slashes_include(value, slashes.end())
        if odd is not None:
            return [Hit(Category.SSRF, 0.7, "rfi.odd-slashes", text, 0, min(len(text), odd))]
    if slashes is not None and "\\" in slashes.group(0):
        value = slashes.group(1) + "://" + value[slashes.end() :]
    bare = _BARE_LOCAL.match(value)
    if bare is not None and bare.group(1) in LOCAL_HOSTS:
        rest = value[len(bare.group(1)) :]
        port = _PORT_ALONE.match(rest)
        if port is None or port.group(1) in _SERVICE_PORTS:
            return [Hit(Category.SSRF, 0.75, "ssrf.loopback", text, 0, bare.end())]
        # "localhost:3000": a developer's server by its port alone, as "127.0.0.1:3000" (a database's or
        # mail server's port, or a path after it, is still a probe); a label below the log threshold
        return [Hit(Category.SSRF, 0.15, "ssrf.loopback-port", text, 0, bare.end())]
    if bare is not None and not value.startswith(bare.group(1) + ":/"):
        judged = _bare_internal(bare.group(1), value[len(bare.group(1)) :])
        if judged is not None:
            return [Hit(Category.SSRF, judged[0], judged[1], text, 0, bare.end())]
    m = _URL.match(value)
    scheme = ""
    host_start = 0
    if m is not None:
        scheme = (m.group(1) or "").lower()
        if m.group(0) == "//" or m.group(2):
            host_start = m.end()  # past "//" (scheme-relative) or "scheme://"
            if scheme in ("http", "https") and value[host_start : host_start + 1] == "/":
                # "http:///127.0.0.1/", "https:////host": browsers and curl skip the extra slashes
                # of a special scheme and read the host after them (only an internal address or
                # name counts there: "http:///admin/x" is also what a template with an empty host writes)
                while host_start < min(len(value), m.end() + 4) and value[host_start] == "/":
                    host_start += 1
                extra = _host_hit(value, host_start, scheme)
                if extra is not None and extra[0] >= 0.8:
                    return [Hit(Category.SSRF, extra[0], extra[1], text, 0, min(len(text), extra[2]))]
                host_start = m.end()
            if ("?" in value or value.endswith("#")) and _TRAILING_QUERY.fullmatch(value) is not None:
                return [Hit(Category.SSRF, 0.8, "rfi.trailing-query", text, 0, len(text))]
            if ("?" in value or value.endswith("&")) and _SCRIPT_CALL.fullmatch(value) is not None:
                return [Hit(Category.SSRF, 0.75, "rfi.script-call", text, 0, len(text))]
        elif scheme in ODD_SCHEMES and _URL.match(value, m.end()) is not None:
            return [Hit(Category.SSRF, 0.9, "ssrf.scheme", text, 0, min(len(text), m.end() + 40))]  # jar:http://
        elif scheme in ("http", "https") and value[m.end() : m.end() + 1] in ("/", "0", "1", "2", "3", "4", "5", "6",
                                                                              "7", "8", "9", "["):
            host_start = m.end() + (1 if value[m.end()] == "/" else 0)  # "http:/2852039166", "http:0x7f000001"
            found = _host_hit(value, host_start)
            if found is None:
                return []
            return [Hit(Category.SSRF, found[0], found[1], text, 0, found[2])]
        else:
            return []
    else:
        return []  # a bare host or address is data (an IP column, a version), not a fetch
    found = _host_hit(value, host_start, scheme)
    if found is None or found[0] < 0.8:
        confused = _confused_authority(value, host_start)
        if confused is not None:
            return [Hit(Category.SSRF, 0.85, "ssrf.parser-confusion", text, 0, min(len(text), confused))]
        if scheme in ("http", "https") and "\\" in value[host_start : host_start + 300]:
            split = _backslash_host(value, host_start)
            if split is not None:
                return [Hit(Category.SSRF, 0.85, "ssrf.parser-confusion", text, 0, min(len(text), split))]
    # ("" is a scheme-relative "//evil.example/shell.txt": the include fetches it over the page's scheme)
    if scheme in ("http", "https", "ftp", "ftps", "") and (found is None or found[0] < 0.7):
        shell = _SHELL_FILE.search(value, host_start, host_start + 300)
        if shell is not None:
            return [Hit(Category.SSRF, 0.7, "rfi.shell-url", text, 0, min(len(text), shell.end()))]
        path_end = min([i for i in (value.find("?", host_start), value.find("#", host_start)) if i >= 0], default=len(value))
        source = _SCRIPT_SOURCE.search(value, host_start, min(path_end + 1, host_start + 300))
        if source is not None:
            return [Hit(Category.SSRF, 0.7, "rfi.script-source", text, 0, min(len(text), source.end()))]
    if scheme in ODD_SCHEMES:
        # (a database's connection URL names where an application connects, not what a fetcher
        # reads: "postgres://db.example.com:5432/orders" is configuration; to an internal host it
        # is still a probe, as for the version-control and file-transfer schemes)
        if scheme not in _HOST_JUDGED_SCHEMES or found is not None and found[0] >= 0.8:
            return [Hit(Category.SSRF, 0.9, "ssrf.scheme", text, 0, min(len(text), host_start + 40))]
        if scheme in ("ftp", "ftps") and found is None:
            hm = _HOST_CHARS.match(value, host_start)
            tail = value[hm.end() : hm.end() + 200].split("#", 1)[0] if hm is not None else ""
            if "/" in tail and _SCRIPT_TAIL.search(tail) is not None:
                # ftp://files.example/shell.txt: a script or text file an include() can read over FTP
                return [Hit(Category.SSRF, 0.7, "ssrf.remote-include", text, 0, min(len(text), host_start + 40))]
    if found is None:
        if scheme in ("http", "https") and "=" in value and nesting < _MAX_NESTING:
            return _nested_url(text, value, host_start, nesting + 1)
        return []
    score, rule, end = found
    offset = max(0, text.find(value))  # (-1 when backslashes were rewritten)
    return [Hit(Category.SSRF, score, rule, text, offset, min(len(text), offset + end))]


# parameters that name where a browser is sent back to, never a URL the server fetches: a
# loopback address there is a native app's OAuth redirect (RFC 8252), not SSRF
REDIRECT_PARAMS = frozenset({"redirect_uri", "redirect_url", "post_logout_redirect_uri", "return_to", "returnto",
                             "return_url", "returnurl", "callback_url", "callbackurl",
                             # an OAuth client's registration (RFC 7591) lists them
                             "redirect_uris", "post_logout_redirect_uris"})
# a URL as a query parameter of another URL: "http://site/redirect?url=http://127.0.0.1/"
# ("to=http:\\\\127.0.0.1/": backslashes, which clients read as the slashes of a special scheme)
# (or a bare host with a path or port, "/proxy?url=127.0.0.1.nip.io/admin", read by `_bare_internal`)
_NESTED_URL = re.compile(r"=([a-z][a-z0-9+.\-]{1,15}:[/\\]|//|[a-z0-9.\-]{3,64}[:/])")


def _nested_url(text: str, value: str, start: int, nesting: int) -> list[Hit]:
    """An internal URL inside a public one's query: an open redirect or a fetch-by-proxy on the
    public host forwards the request inside (the first few such parameters are read)."""
    for count, m in enumerate(_NESTED_URL.finditer(value, start)):
        if count >= 4:
            break
        inner = _scan(value[m.start(1) :], nesting)
        if inner and inner[0].rule == "ssrf.loopback" and browser_redirect(
                _param_name(value, m.start()), value[m.start(1) : m.start(1) + 200]):
            continue
        if inner:
            hit = inner[0]
            offset = max(0, text.find(value)) + m.start(1)
            return [Hit(Category.SSRF, min(hit.score, 0.85), "ssrf.nested-url", text, offset,
                        min(len(text), offset + hit.end))]
    return []


def _param_name(value: str, eq: int) -> str:
    """The name of the query parameter whose "=" is at ``eq``."""
    start = max(value.rfind("?", 0, eq), value.rfind("&", 0, eq), value.rfind(";", 0, eq)) + 1
    return value[start:eq]


def _host_hit(value: str, start: int, scheme: str = "") -> tuple[float, str, int] | None:
    hm = _HOST_CHARS.match(value, start)
    if hm is None:
        return None
    authority = hm.group(0)
    userinfo, _, hostport = authority.rpartition("@")
    if hostport.startswith("["):
        host = hostport[: hostport.find("]") + 1] if "]" in hostport else hostport
    elif hostport.count(":") >= 2 and _bare_ipv6(hostport) is not None:
        host = "[" + hostport + "]"  # "https://2001:db8::1/x.php": clients accept an IPv6 host unbracketed
    else:
        host = hostport.split(":", 1)[0]
    if not host:
        return None
    host = host.translate(_DOTS)
    if host.endswith(".") and len(host) > 1:
        host = host.rstrip(".")  # "metadata.google.internal.", "localhost.": the absolute name resolves the same
    if host in METADATA_HOSTS or host.endswith(".internal") and "metadata" in host:
        return (0.97, "ssrf.metadata", hm.end())
    if host == "unix" and ".sock" in value[hm.end() : hm.end() + 120]:
        # "http://unix:/var/run/docker.sock:/info": request's and curl-style clients' spelling of
        # a fetch over a local socket (the Docker engine's API)
        return (0.9, "ssrf.unix-socket", hm.end())
    if host == "localhost" or host.endswith(".localhost") or host in LOCAL_HOSTS:
        return (0.9, "ssrf.loopback", hm.end())
    if "." not in host and scheme in ("http", "https") and _SERVICE_NAME.fullmatch(host) is not None and (
            _PORT.fullmatch(hostport[len(host) :]) is not None or host in SERVICE_HOSTS
            or not SERVICE_HOSTS.isdisjoint(_NAME_PARTS.split(host))) and host not in PLACEHOLDERS:
        # "http://consul:8500/", "http://redis/", "http://internal-api/": a name without a domain
        # resolves only inside the server's own network (container, cluster or intranet)
        return (0.7, "ssrf.internal-name", hm.end())
    if host.endswith(PRIVATE_ZONES):
        # "http://billing.corp/", "https://nas.local:5000/": names in the zones set aside for private
        # networks (mDNS ".local", ".internal", ".home.arpa") resolve only inside the server's network
        return (0.7, "ssrf.internal-name", hm.end())
    if "." in host and host.endswith(OOB_ZONES) and _in_zone(host, OOB_ZONES):
        return (0.8, "ssrf.oob-callback", hm.end())
    if "." in host and host.endswith(WILDCARD_ZONES) and _in_zone(host, WILDCARD_ZONES):
        embedded = _embedded_address(host)
        judged = _internal(embedded) if embedded is not None else None
        if judged is not None:
            return (judged[0], judged[1], hm.end())
        return (0.6, "ssrf.wildcard-dns", hm.end())
    addr = parse_host(host)
    if addr is None and _OVERFLOW_OCTETS.fullmatch(host) is not None:
        # "425.510.425.510": dotted parts past 255, which a parser that keeps each part's low byte
        # reads as 169.254.169.254; no name or address is spelled so
        wrapped = ipaddress.IPv4Address(".".join(str(int(part) & 0xFF) for part in host.split(".")))
        judged = _internal(wrapped)
        if judged is not None:
            return (min(judged[0], 0.9), judged[1], hm.end())
    judged = _internal(addr) if addr is not None else None
    if judged is None and _METADATA_PATH.match(value, hm.end()) is not None:
        # "http://rebind-169-254-169-254.attacker.example/latest/meta-data/": a cloud metadata API's
        # path on a host that resolves (DNS rebinding) or redirects to the metadata address
        return (0.9, "ssrf.metadata-path", hm.end())
    if addr is None:
        if userinfo and ("@" in userinfo or _HOSTLIKE_USERINFO.search(userinfo) is not None):
            # "http://trusted.example@evil.example/": the name before "@" is only a user name; a
            # host-shaped one is there to mislead an allow-list or a reader, and so is a second
            # "@" ("http://a@evil.example@trusted.example/": parsers disagree on which one ends it)
            return (0.6, "rfi.userinfo-host", hm.end())
        return None
    if judged is None:
        tail = value[hm.end() : hm.end() + 200].split("#", 1)[0]
        if _SCRIPT_TAIL.search(tail) is not None:
            return (0.7, "ssrf.remote-include", hm.end())  # http://203.0.113.7/shell.php: code from a bare IP
        if scheme in ("ftp", "ftps", "tftp"):
            return (0.7, "rfi.ip-host", hm.end())  # ftp://198.51.100.7: a file fetched from a bare address
        if scheme in ("http", "https") and isinstance(addr, ipaddress.IPv4Address) and tail.strip("/"):
            # "http://45.33.32.156/x?cmd=id": a resource on a bare public address handed to the
            # application as data; sites link by name (none of the recorded traffic's values holds
            # one), payloads are served from a throwaway host's address
            return (0.6, "rfi.ip-host", hm.end())
        return None
    score, rule = judged
    return (score, rule, hm.end())


# the paths of the cloud metadata APIs (AWS, GCP, Azure, Oracle), which no other site serves
_METADATA_PATH = re.compile(
    r"(?::[0-9]{1,5})?/(?:latest/(?:meta-data|user-data|api/token|dynamic/instance-identity)|computemetadata/v1"
    r"|metadata/instance|metadata/identity/oauth2|opc/v[12]/instance)(?:$|[/?#])"
)
# the first segment of a bare host's path: a name ("/latest/meta-data", "/admin", "/_cat"), not a
# prefix length ("10.0.0.0/8") or a date
# (a port alone is no endpoint: "server_ip": "127.0.0.1:8888" is what browsers' network reports carry)
_BARE_PATH = re.compile(r"(?::[0-9]{1,5})?/[a-z_.?][a-z0-9_.\-]{0,40}(?:$|[/?#=&])")
_BARE_PORT = re.compile(r":[0-9]{1,5}/?$")
# the same port at a value's end or before a blank ("localhost:3000 not working": a sentence about it)
_PORT_ALONE = re.compile(r":([0-9]{1,5})/?(?:$|\s)")
# a DOI's prefix: the directory "10." and a registrant's code of four or more digits (a sub-code may follow)
_DOI_PREFIX = re.compile(r"10\.[0-9]{4,9}(?:\.[0-9]{1,9}){0,3}")
_DOTTED_QUAD = re.compile(r"(?:[1-9][0-9]{0,2}|0)(?:\.(?:[1-9][0-9]{0,2}|0)){3}")
# ports of the services an SSRF probe knocks on (web, mail, directory, databases, caches, container
# and cluster APIs); a local proxy's port ("127.0.0.1:8888", "127.0.0.1:8866" in browsers' network
# reports) is not among them
_SERVICE_PORTS = frozenset({"21", "22", "23", "25", "80", "110", "143", "389", "443", "445", "1433", "2375", "2376",
                            "2379", "3306", "5432", "5984", "6379", "8500", "9200", "10250", "11211", "27017"})


_LOOPBACK_PORT = re.compile(r"(?:127(?:\.[0-9]{1,3}){3}|localhost|\[::1\]):([0-9]{1,5})")


def browser_redirect(name: str, url: str) -> bool:
    """A loopback ``url`` in a parameter ``name`` that sends a browser back (`REDIRECT_PARAMS`):
    a native app's OAuth redirect listener (RFC 8252 picks a free ephemeral port), unless the
    port is one a service listens on (Redis' 6379, a database's, Docker's 2375), which is what an
    SSRF probe knocks on."""
    if name not in REDIRECT_PARAMS:
        return False
    m = _LOOPBACK_PORT.search(url)
    return m is None or m.group(1) not in _SERVICE_PORTS


def _bare_internal(host: str, rest: str) -> tuple[float, str] | None:
    """An internal address (or a metadata service's name) written without a scheme and followed
    by an endpoint's path: "169.254.169.254/latest/meta-data/", "0x7f000001:6379/info",
    "instance-data/latest": what a fetcher completes with "http://". A network with its prefix
    length ("10.0.0.0/8") or an address with its port (a device, a report's server) is data."""
    path = _BARE_PATH.match(rest) is not None
    port = _BARE_PORT.match(rest)
    if host in METADATA_HOSTS and ("." in host or "-" in host) and (path or port is not None):
        return (0.85, "ssrf.metadata")
    if not path and (port is None or rest.strip(":/") not in _SERVICE_PORTS):
        return None
    if _DOI_PREFIX.fullmatch(host) is not None:
        return None  # "10.4018/jdm.2024040107": a DOI (directory 10, a registrant's code), not 10.0.15.170
    addr = parse_host(host)
    if addr is None and "." in host and host.endswith(WILDCARD_ZONES) and _in_zone(host, WILDCARD_ZONES):
        addr = _embedded_address(host)
    judged = _internal(addr) if addr is not None else None
    if judged is None:
        return None
    if judged[1] == "ssrf.private" and (not path or _DOTTED_QUAD.fullmatch(host) is not None):
        # "192.168.1.1/admin" is what people type to reach their router (and search for); only an
        # address in a notation nobody types ("0xc0a80001/admin", "012.0.0.1/x") counts
        return None
    return (min(judged[0], 0.85), judged[1])


# a file's name at a path's end, or a query or NUL cut after it
_FILE_TAIL = re.compile(r"/[^/?#\s]{0,80}\.(?:php[0-9]?|phtml|txt|inc|asp|aspx|jsp|pl|cgi|sh|py|gif|jpe?g|png|html?)/?(?:$|[?&#%\x00])")


def _odd_slashes_include(value: str, start: int) -> int | None:
    """A remote file named by a URL whose slashes are spelled as no link is ("http:/host/x.txt",
    "http:\\\\host/x.php", "http:///host/x"): clients and include() still fetch it, a filter
    that looks for "://" does not see it. Returns where the file's name ends."""
    hm = _HOST_CHARS.match(value, start)
    if hm is None or "." not in hm.group(0) or hm.group(0)[:1].isdigit():
        return None  # (an address is judged as a host by `_host_hit`)
    tail = _FILE_TAIL.search(value, hm.end(), hm.end() + 300)
    if tail is None:
        return None
    if "\\" not in value[:start] and tail.group(0).split("?", 1)[0].endswith((".gif", ".jpg", ".jpeg", ".png", ".htm", ".html")):
        return None  # "/thumb/http:/cdn.example/a.png": a path that folded "//" holds an image proxy's source
    return tail.end()


def _in_zone(host: str, zones: tuple[str, ...]) -> bool:
    """A name under one of the zones (the zone's own site is an ordinary page)."""
    return any(host.endswith("." + zone) for zone in zones)


_EMBEDDED = re.compile(r"(?:^|[.\-])((?:[0-9]{1,3}[.\-]){3}[0-9]{1,3})\.|(?:^|[.\-])([0-9a-f]{8})\.")


def _embedded_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a wildcard-DNS name answers with: ``a.10.0.0.1.nip.io``, ``10-0-0-1.sslip.io``,
    ``7f000001.nip.io``."""
    for m in _EMBEDDED.finditer(host):
        if m.group(1):
            try:
                return ipaddress.IPv4Address(m.group(1).replace("-", "."))
            except ValueError:
                continue
        return ipaddress.IPv4Address(int(m.group(2), 16))
    if host.endswith(("localtest.me", "lvh.me", "vcap.me", "lacolhost.com")):
        return ipaddress.IPv4Address("127.0.0.1")  # every name under these answers 127.0.0.1
    return None


def _backslash_host(value: str, start: int) -> int | None:
    """A backslash inside a URL's host between two domain names ("http://evil.example\\.trusted.example/"):
    browsers and WHATWG parsers end the host there and fetch the first name, a validator that
    reads the host to the first "/" sees the trusted one. Returns the end of the authority."""
    end = start
    limit = min(len(value), start + 300)
    while end < limit and value[end] not in "/?#":
        end += 1
    before, _, after = value[start:end].partition("\\")
    if "." in before and "." in after and before[:1].isalnum():
        return end
    return None


def _confused_authority(value: str, start: int) -> int | None:
    """An internal address placed where one URL parser sees the host and another does not:
    ``http://127.0.0.1:80@evil.example``, ``http://evil.example#@127.0.0.1``,
    ``http://a@127.0.0.1@evil.example``. Returns the end of the authority when found."""
    end = start
    limit = min(len(value), start + 300)
    while end < limit and value[end] not in "/ \t":  # (a backslash ends the host for browsers only)
        end += 1
    if end < limit and value[end] == " ":
        # "http://evil.example%20@127.0.0.1/": a blank inside the user name, which parsers that
        # split on "@" step over; the authority runs on to the next slash
        slash = value.find("/", end, limit)
        tail = value[end + 1 : slash if slash >= 0 else limit]
        # (or blanks around pieces that open with "&", "@" or "#", "http://1.1.1.1 &@127.0.0.1# @3.3.3.3/":
        # urllib, requests and curl each take a different one for the host; prose has a word there)
        if "@" in tail and (" " not in tail or tail[:1] in "&@#"):
            end += 1 + len(tail)
    authority = value[start:end]
    if "@" not in authority:
        return None
    for piece in re.split(r"[@#?\\]", authority):
        if not piece:
            continue
        host = piece[1 : piece.find("]")] if piece.startswith("[") and "]" in piece else piece.split(":", 1)[0]
        host = host.strip("[]")
        if host == "localhost" or host in LOCAL_HOSTS or host in METADATA_HOSTS:
            return end
        addr = parse_host(host if ":" not in piece or not piece.startswith("[") else "[" + host + "]")
        if addr is not None and _internal(addr) is not None:
            return end
    return None


def features(text: str) -> dict[str, float]:
    return {"ssrf.evidence": max((h.score for h in scan(text)), default=0.0)}
