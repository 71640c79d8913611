"""Path traversal and file inclusion.

Reads decoded views (so ``..%2f``, ``%252e%252e``, ``%c0%af`` and ``..\\`` are already plain
``../``). Evidence: a parent-directory step (``../`` or ``..\\``) that climbs, a sensitive file of
Linux or Windows named by an absolute or traversing path (``/etc/passwd``, ``c:\\windows\\win.ini``,
``/proc/self/environ``), PHP/Java stream wrappers (``php://filter``, ``file://``, ``expect://``,
``zip://``, ``phar://``), and a null byte that truncates a path (raw view: ``%00`` before an
extension). A single ``../`` inside a URL path (``https://a/b/../c``) or a relative link in a
``referer`` is ordinary; several climbing steps, or one that reaches a sensitive file, are not.
"""

from __future__ import annotations

import re

from apiward.core import Category
from apiward.detectors.glob import glob_match
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear
from apiward.detectors.sql import random_blob

_TRAVERSAL = re.compile(r"(?:^|[/\\=:;,\s'\"(.])\.{2,3}[/\\]")
_STEP = re.compile(r"\.{2,3}[/\\]")
SENSITIVE = (
    "etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/issue", "etc/motd", "etc/sudoers",
    "etc/crontab", "etc/fstab", "etc/profile", "etc/bashrc", "etc/resolv.conf", "etc/hostname",
    "etc/mysql/", "etc/httpd/", "etc/apache2/", "etc/nginx/", "etc/ssh/", "etc/security/",
    "etc/subuid", "etc/subgid", "etc/gshadow", "etc/master.passwd", "etc/pam.d", "etc/environment",
    "proc/self/", "proc/version", "proc/cmdline", "proc/mounts", "proc/net/", "proc/cpuinfo",
    "proc/meminfo", "proc/interrupts", "proc/[0-9]", "var/log/", "var/run/secrets", "var/lib/mysql",
    "root/.", "home/", ".ssh/id_", ".ssh/authorized_keys", ".ssh/known_hosts", ".ssh/config", ".bash_history", ".htpasswd",
    ".htaccess", ".git/config", ".git/head", ".env", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
    "boot.ini", "win.ini", "system.ini", "windows/system32", "windows/win.ini", "winnt/",
    "inetpub/", "system32/", "config/sam", "repair/sam", "system32/drivers/etc/hosts",
    "web.config", "wp-config.php", "config.php", "configuration.php", "settings.py",
    "application.properties", "web-inf/", "meta-inf/", "localsettings.php", "usr/local/",
    "apache2/conf", "httpd.conf", "php.ini", "my.cnf", "my.ini", "docker-compose", ".aws/credentials",
    "sys/class", "sys/kernel", "dev/null", "tmp/sess_", "usr/bin/", "bin/sh", "bin/bash",
    # CMS and shop configuration by their conventional paths (Drupal, Magento 1 and 2, CodeIgniter,
    # Yii, osCommerce / Zen Cart): named in support questions, read through a traversal
    "sites/default/settings.php", "app/etc/local.xml", "app/etc/env.php", "application/config/database.php",
    "protected/config/main.php", "includes/configure.php",
)
# Files whose very name in a path is an attack (nobody links to them); the rest of SENSITIVE
# counts only at the end of a traversal.
STRICT = (
    "etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/issue", "etc/sudoers", "etc/crontab",
    "etc/fstab", "etc/master.passwd", "etc/gshadow", "etc/subuid", "etc/subgid", "etc/pam.d",
    "etc/security/", "etc/ssh/", "etc/mysql/", "etc/apache2/", "etc/httpd/", "etc/nginx/",
    "proc/self/", "proc/version", "proc/cmdline", "proc/mounts", "proc/net/", "proc/cpuinfo",
    "proc/meminfo", "proc/interrupts", "var/run/secrets", ".ssh/id_", ".ssh/authorized_keys",
    ".bash_history", ".htpasswd", ".git/config", ".git/head", "boot.ini", "win.ini", "system.ini",
    "system32/config", "drivers/etc/hosts", "config/sam", "repair/sam", "web-inf/web.xml",
    ".aws/credentials", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "sys/class/", "sys/kernel/",
    # Google Cloud's client credentials in a home directory
    "gcloud/credentials.db", "gcloud/access_tokens.db", "gcloud/application_default_credentials.json",
    "tmp/sess_", "wp-config.php", "etc/environment", "etc/ssl/private", "tomcat-users.xml", "web-inf/classes",
    "web-inf/lib", "etc/nsswitch.conf", "etc/ld.so.preload", "etc/sysconfig/", "var/spool/cron",
    "etc/os-release", "etc/lsb-release", "etc/redhat-release", "etc/debian_version", "etc/machine-id",
    # version-control metadata left in a web root, and macOS system preferences
    ".svn/entries", ".svn/wc.db", ".hg/hgrc", "library/preferences/",
    # macOS' keychains and its local directory service (the users' password hashes), a zsh history
    "library/keychains/", "var/db/dslocal/", ".zsh_history",
    # framework secrets by their conventional paths (Symfony, Rails)
    "app/config/parameters.yml", "config/database.yml", "config/master.key", "config/secrets.yml",
    # Unix files whose only reader is the system: accounts, mounts, network and daemon configuration
    "etc/ftpusers", "etc/mtab", "etc/exports", "etc/rc.local", "etc/bash.bashrc", "etc/aliases", "etc/timezone",
    "etc/network/interfaces", "etc/netplan/", "etc/docker/", "etc/inetd.conf", "etc/xinetd", "etc/vsftpd",
    "etc/proftpd", "etc/samba/", "etc/snmp/", "etc/ldap/", "etc/openvpn/", "etc/postfix/", "etc/exim",
    "etc/logrotate", "etc/sysctl.conf", "etc/init.d/", "etc/rc.d/", "etc/kubernetes/", "etc/lighttpd/",
    "etc/named.conf", "etc/bind/", "etc/dovecot/", "etc/wpa_supplicant", "etc/knockd", "etc/updatedb.conf",
    "var/run/utmp", "var/log/wtmp", "var/log/btmp", "var/log/lastlog", "boot/grub/", "var/spool/mail/",
    # Windows: setup answer files (local passwords), repair hives, the network files beside "hosts",
    # the files an LFI reads to prove itself, and old NT's system tree
    "panther/unattend", "sysprep/sysprep.xml", "sysprep/unattend", "sysprep.inf", "windows/repair/", "drivers/etc/",
    "system32/eula.txt", "system32/license.rtf", "windows/debug/netsetup.log", "windowsupdate.log",
    "inetsrv/config/", "inetsrv/metabase.xml", "system32/logfiles/", "pagefile.sys", "hiberfil.sys", "ntuser.dat", "$recycle.bin",
    "winnt/system32/", "winnt/win.ini", "winnt/repair/", "winnt/php.ini", "windows/php.ini", "documents and settings/administrator",
    # Java archives' descriptors, which a container never serves (only a read through the
    # application reaches them)
    "meta-inf/manifest.mf", "meta-inf/context.xml", "meta-inf/persistence.xml", "meta-inf/maven/",
    # appliances' configuration (pfSense's, FortiOS's session table), the Active Directory database,
    # a remote-desktop manager's saved connections
    "cf/conf/config.xml", "/conf/config.xml", "dev/cmdb/", "windows/ntds/", "ntds.dit", "mremoteng/confcons.xml",
    # Windows' credential stores and a user's class hive, browsers' saved logins and keys, an SSH
    # server's host keys (ProgramData\ssh on Windows)
    "microsoft/credentials/", "microsoft/protect/", "microsoft/vault/", "usrclass.dat", "user data/local state",
    "user data/default/login data", "/key4.db", "ssh/ssh_host_",
    # BIG-IP's and NetScaler's configuration (with their accounts), a hosting panel's own database
    "config/bigip.conf", "config/bigip_user.conf", "nsconfig/ns.conf", "server/panel/data/default.db",
)
_SENSITIVE = linear("|".join(re.escape(s) for s in SENSITIVE))
_STRICT = linear(
    "|".join(re.escape(s) for s in STRICT) + r"|(?:^|/)\.env(?:$|[./?#])"
    # kernel and device trees, container secrets and client credentials, named to their end
    r"|(?:^|/)sys/(?:class|kernel|devices|firmware|module|block|bus|power)(?:$|/)"
    r"|(?:^|/)proc/(?:self|thread-self)(?:$|/)|(?:^|/)proc/[0-9]{1,7}/(?:environ|cmdline|maps|fd|root|cwd|status|mem|cgroup|mountinfo|mounts|limits|stat|task/|net/)"
    r"|(?:^|/)run/secrets(?:$|/)"
    # the process's own directory reached from its descriptors ("/dev/fd/../environ": /proc/self)
    r"|(?:^|/)dev/fd/\.\./(?:environ|cmdline|maps|status|mem|cwd|root|mountinfo|cgroup)"
    # a server's access-control file named by its absolute path ("/.htaccess"; the bare name is a word)
    r"|/\.htaccess$"
    r"|(?:^|/)\.docker/(?:secrets|config\.json)|(?:^|/)\.kube/config|(?:^|/)\.npmrc$|(?:^|/)\.pgpass$"
    # any descriptor in a Java web application's private directory (a container never serves it;
    # "web-inf./" is the same directory to Windows, which drops a name's trailing dots)
    r"|(?:^|/)web-inf\.{0,3}/[a-z]"
    # the system's logs and mail spools, and its network, PHP and MySQL files, wherever the path
    # names them (also after a directory the value starts with: "/page/var/log/syslog")
    # (a log file's name: "/var/log/nginx" alone is the directory a question names; a path after
    # a blank ends a sentence, "memory leak; see /var/log/app.log", and is left to the rules below)
    r"|(?:^|(?:^|[^\s])/)var/log/(?:[a-z0-9_\-]{1,30}(?:\.log(?:\.[0-9]{1,2})?|/[a-z0-9_.\-]{1,40})|messages|syslog|secure|dmesg|maillog|cron|wtmp|btmp|faillog)$"
    r"|(?:^|(?:^|[^\s])/)var/(?:spool/)?mail/[a-z0-9_.\-]{1,32}$"
    r"|(?:^|/)etc/(?:hostname|resolv\.conf|php[0-9.]{0,4}/)|(?:^|/)var/lib/(?:mysql|php/sess|php5?/sessions)/"
    r"|(?:^|/)(?:tomcat[0-9]{0,2}|catalina)/conf/[a-z_\-]{1,30}\.(?:xml|properties|policy)$"
    # a git directory's index, logs and refs, and client secrets, at a path's end
    r"|(?:^|/)\.git/(?:index$|logs/|refs/|objects/|packed-refs$|orig_head$|fetch_head$|commit_editmsg$)|(?:^|/)\.bzr/(?:branch|checkout|repository)/"
    # CVS' metadata, ASP.NET's private data folder
    r"|(?:^|/)cvs/(?:root|entries|repository)$|(?:^|[/~])app_data/"
    # macOS' version file (the first file a read on a Mac is tried with), PowerShell's command
    # history, CI runners' and sync tools' credentials in a home directory
    r"|/system/library/coreservices/systemversion\.plist|/psreadline/consolehost_history\.txt"
    r"|/\.gitlab-runner/config\.toml|/\.config/rclone/rclone\.conf"
    r"|/\.(?:htaccess|htpasswd)\.(?:bak|old|orig|save|txt|swp|backup)$"
    # root's own dot-files, certificates' private keys, the system's backups and login settings
    r"|(?:^|/)root/\.(?:ssh|bash|zsh|mysql_history|psql_history|viminfo|lesshst|netrc|docker|kube|aws|gnupg|python_history|rediscli)"
    r"|(?:^|/)etc/(?:letsencrypt/(?:live|archive|keys)/|login\.defs|inittab|motd$)|(?:^|/)var/backups/[a-z]"
    r"|/\.(?:gitconfig|git-credentials|s3cfg|boto|dockerenv|vscode/sftp\.json)$"
    # container engines' control sockets (a read or a fetch through one runs containers)
    r"|/(?:docker|containerd|podman|crio|dockershim)\.sock(?:$|[:/])"
    # Windows setup answer files in a drive's root, the deployment kit's variables, FileZilla's saved
    # sites, Jenkins' first admin password and master key
    r"|(?:^|/)unattend(?:ed)?\.xml$|smsosd/osdlogs/|filezilla/(?:sitemanager|recentservers|filezilla)\.xml|filezilla server\.xml"
    r"|(?:^|/)secrets/(?:initialadminpassword|master\.key|hudson\.util\.secret)"
    # macOS' local server stacks: their configuration and logs (the document root "htdocs" is a site)
    r"|(?:^|/)applications/(?:mamp|xampp/xamppfiles)/(?:conf|logs|etc|bin/php|db|tmp)/"
    r"|(?:^|/)proc/(?:(?:sched_debug|kallsyms|modules|partitions|swaps|loadavg|stat|uptime|devices|filesystems|config\.gz|kcore|kmsg)"
    r"(?:$|[^a-z0-9_.\-])|sys/)"  # (the whole name: "/ap/proc/status.aspx" is a city's procedures page)
    # the kernel's image, configuration and boot map
    r"|(?:^|[\s='\"(])/boot/(?:config-|vmlinuz|initrd|system\.map)"
    # a process's own descriptors and streams, and bash's network pseudo-files, by absolute path:
    # what an inclusion reads to reach its input, its log or a socket
    # DOS's start-up files in a drive's root, the first file a Windows read is tried with
    r"|(?:^|[\s='\"(])[a-z]:/(?:autoexec\.bat|config\.sys)"
    r"|(?:^|[\s='\"(])/dev/(?:fd/[0-9]|std(?:in|out|err)(?:$|[\s'\"])|tcp/|udp/|k?mem(?:$|[\s'\"]))"
)
_NTFS_STREAM = re.compile(r"[a-z0-9_\-]\.[a-z0-9]{1,8}::\$(?:data|index_allocation|bitmap)\b|[a-z0-9_\-]::\$index_allocation"
                          # a named stream of a script or configuration file ("web.config:.txt",
                          # "shell.php:.jpg"): Windows writes or reads the file, a filter sees another extension
                          r"|\.(?:php[0-9]?|phtml|aspx?|asax|ashx|asmx|config|jspx?|cer):\.[a-z0-9]{1,8}$"
                          r"|[a-z0-9_\-]:\$i30:\$index_allocation")  # IIS reads "web.config:$i30:$index_allocation" as the directory
# Win32 device namespace ("\\\\?\\c:\\", "\\\\.\\pipe\\x", "\\\\?\\unc\\host\\share"), backslashes
# read as slashes: a path that skips Windows' own name checks, which no form or API value is
_DEVICE_PATH = re.compile(r"(?:^|[\s='\"(])//[?.]/(?:[a-z]:|unc/|globalroot|pipe/|physicaldrive|volume\{|harddisk|device/)")
# Files a server writes for its operator and never links: debug / error / access logs and
# database dumps, asked for by name at the end of a path (scanners' first requests).
_LEAK_FILE = linear(
    r"(?:^|/)(?:debug|error|errors|access|php_errors?|php-errors?|sql_errors?|install)\.log$"
    r"|(?:^|/)(?:error|access)_log$"
    r"|(?:^|/)(?:backup|dump|db|database|mysql|sql|site|www|wordpress|wp|localhost|data)[a-z0-9_\-.]{0,24}\.sql"
    r"(?:\.(?:zip|gz|bz2|tar|tgz|7z|rar|xz|tar\.gz))?$"
    r"|(?:^|/)[a-z0-9_\-.]{1,40}\.sql\.(?:zip|gz|bz2|tgz|7z|rar|xz|tar\.gz)$"
    # Laravel's application log (stack traces with the environment), ASP.NET's error and trace viewers
    r"|(?:^|/)storage/logs/[a-z0-9_\-]{1,40}\.log$|(?:^|/)laravel(?:-[0-9]{4}-[0-9]{2}-[0-9]{2})?\.log$"
    r"|(?:^|/)(?:elmah|trace)\.axd(?:$|/)"
)
_WRAPPER = linear(
    r"\b(?:file|zip|zlib|ogg|rar|ssh2\.[a-z]{1,6}|jar|netdoc|input)://"
    # (PHP's own wrappers also glued to the value a payload was appended to: "1expect://id",
    # "/pagephar://x"; no other scheme ends in these names)
    r"|(?:php|expect|phar|glob|data|compress\.zlib|compress\.bzip2)://"
    r"|php://(?:filter|input|stdin|memory|temp|fd)"
    # PHP's own wrapper with one slash ("php:/filter/resource=x"): its parser takes "php:" and any
    # slashes after it, and no URL or file name is spelled so
    r"|\bphp:/(?:filter|input|stdin|fd)\b"
)
# a data: URI whose base64 content starts "<?" (PHP's open tag; not "<?xml", an SVG's declaration):
# include() runs it as code the request carried ("data:;base64,PD9waHAg...")
_DATA_PHP = re.compile(r"\bdata:(?://)?(?:[a-z]{1,12}/[a-z0-9.+\-]{1,40})?(?:;[a-z0-9=.\-]{1,40}){0,3};base64,pd(?:9(?!4bwwg)|8)")
# control bytes other than NUL, tab and line breaks, raw or written as \xNN
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]|\\x(?:0[1-9a-f]|1[0-9a-f])")
_NULL_RAW = re.compile(r"(?:%00|%2500|\\0|\\x00|\\u0000|\x00)")
# An absolute file-system path given as a value (``file=/var/log/apache2/access.log``,
# ``c:\\inetpub\\wwwroot\\web.config``), at its start or after ``=`` or a quote (not inside
# prose: "my site lives in /var/www"): counted when it names a sensitive file, a configuration /
# key / log file, or lies under a directory no web page lives in.
_SYSTEM_PATH = linear(
    r"(?:^|[='\"(])(/(?:etc|var|usr|opt|srv|root|boot|inetpub|home|xampp|wamp64|wamp|lampp|programdata|appserv|u01|etc_ro|mnt/mtd)/[^\s'\"<>?#]{1,200}"
    # (Windows' two system folders whose names hold spaces: "c:/program files/mysql/my.ini")
    r"|[a-z]:/(?:program files(?: \(x86\))?/|documents and settings/)?[a-z][^\s'\"<>?#]{0,200}|~[a-z0-9_\-]{0,32}/[^\s'\"<>?#]{1,200})"
)
# A whole value that is a Windows path under a folder whose names hold spaces ("c:/program
# files/apache group/apache2/conf/httpd.conf"): `_SYSTEM_PATH` stops at the first space, so the
# value is read to its end, where the file's name is
_SPACED_WINDOWS_PATH = re.compile(r"([a-z]:/(?:program files(?: \(x86\))?|programdata|documents and settings|users)/[^'\"<>?#\n]{1,200})")
# A Windows path glued to the few characters of a value it was appended to ("1c:/xampp/php/php.ini",
# "/pagec:/windows/win.ini"), under a top folder of Windows or of a server stack
_GLUED_DRIVE = re.compile(
    r"[a-z0-9/_\-]{1,16}?([a-z]:/(?:windows|winnt|inetpub|xampp|wamp64|wamp|program files(?: \(x86\))?|programdata"
    r"|users|documents and settings|php[0-9]{0,2}|mysql|apache[0-9]{0,2}|boot\.ini)(?:/|$)[^\s'\"<>?#]{0,200})"
)
# a process's descriptors and streams and bash's sockets (not /dev/null, the empty file)
_DEV_FILES = ("/dev/fd/", "/dev/std", "/dev/tcp/", "/dev/udp/", "/dev/cmdb/")
_SYSTEM_DIRS = ("/inetpub/", "/var/log/", "/var/adm/", "/var/cpanel/", "/var/db/", "/var/lib/", "/var/mail/", "/var/spool/", "/var/www/", "/var/backups/",
                "/root/", "/usr/local/etc/", "/etc/ssl/", "/etc/php", "/etc/postgresql/", "/etc/redis",
                "/etc/systemd/", "/etc/sysconfig/", "/etc/init.d/", "/etc/cron", "/etc/ld.so", "/etc/nsswitch",
                "/etc/hosts.", "/var/run/", *_DEV_FILES, "/srv/www/", "/srv/http/", "/usr/local/mysql/")
_CONFIG_FILE = re.compile(
    r"\.(?:conf|cnf|cfg|ini|config|key|pem|crt|p12|log|properties|myd|myi|sqlite3?|bak|old|swp|htpasswd)$"
    r"|tomcat-users\.xml$|/web\.xml$|/conf/[a-z0-9_\-]{1,40}\.xml$|/sam$|/credentials$|\.err$|/catalina\.out$|\.evtx$"
    r"|/log/errorlog(?:\.[0-9]{1,2})?$"  # SQL Server's error log
    # PEAR's and PECL's command-line installers, which an included copy runs with the request's
    # query as arguments ("config-create" writes a file the attacker names): inclusion to code
    r"|/(?:pearcmd|peclcmd)(?:\.php)?$"
    # YAML settings, PHP includes and encrypted credentials ("config/credentials.yml.enc"), a
    # server's log by its rotated name ("logs/localhost_access_log.2023-01-01.txt") and PHP's
    # session files ("/tmp/sess_<id>"), which a log or session inclusion runs as code
    r"|\.ya?ml$|\.inc(?:\.php)?$|\.yml\.enc$|\.secret$|\.(?:mdf|ldf)$|/logs?/[a-z0-9_.\-]{1,80}\.(?:txt|out)$|/sess_[a-z0-9,\-]{20,64}$"
)
# a user's shell, editor and client histories and settings, by their absolute path (under /home/
# only these count: a web page may live at "/home/...", never at "/home/x/.bashrc")
_HOME_SECRET = re.compile(
    r"/\.(?:profile|bashrc|bash_profile|bash_login|bash_logout|zshrc|zsh_history|viminfo|mysql_history"
    r"|psql_history|lesshst|netrc|gitconfig|git-credentials|python_history|rediscli_history)$"
)
# Windows folders of local web / database stacks and of the system's shared data
_WINDOWS_STACKS = ("xampp/", "wamp/", "wamp64/", "programdata/", "appserv/", "uwamp/")
_DOC_ROOTS = ("/var/www/", "/srv/www/", "/srv/http/")
# where packaged servers and appliances keep their trees (application servers, Oracle's /u01,
# routers' read-only /etc_ro and flash /mnt/mtd): a path three folders deep there is the
# server's own file, which no page names
_PRODUCT_ROOTS = ("/opt/", "/u01/", "/etc_ro/", "/mnt/mtd/", "/var/opt/", "/var/atlassian/", "/usr/local/", "/usr/share/")
# a script under an image's name in a site's tree ("images/cmd.php.jpg"): the upload an
# inclusion runs
_SCRIPT_AS_IMAGE = re.compile(r"\.(?:php[0-9]?|phtml|phar|asp|aspx|jsp)\.(?:jpe?g|png|gif|bmp|ico)$")
# a file inside a hidden directory of a home ("/home/u/.config/x", "/home/u/.mozilla/firefox/profiles.ini"),
# where programs keep their settings and tokens, never a page
_HOME_DOT_DIR = re.compile(r"/home/[a-z0-9_.\-]{1,32}/\.[a-z0-9_\-]{1,40}/[^/]")
_PUBLIC_HTML = re.compile(r"/home/[a-z0-9_.\-]{1,32}/(?:public_html|www|htdocs)/")
# a DOS 8.3 short name ("progra~1", "docume~1") as one folder of a drive path
_SHORT_NAME = re.compile(r"/[a-z0-9_\-]{1,6}~[1-9](?:/|$)")
# a short name that IIS resolves to the long one ("/web-in~1/web.xml", "/global~1.asa", "/aspnet~1/"):
# a folder, or a file with its three-letter extension, where a path starts or after a slash
_IIS_SHORT_NAME = re.compile(r"(?:^|/)[a-z][a-z0-9_\-]{1,5}~[1-9](?:/|\.[a-z0-9]{1,3}(?:$|[/?#;]))"
                             # the short-name scanner's globs ("/ab*~1*/.aspx", "/a*~1.*/.aspx")
                             r"|(?:^|/)[a-z0-9_\-]{0,6}\*~[1-9](?:\*|\.[a-z0-9*]{0,4})?(?:/|$)")
# a segment that is only a path parameter, on "." or on nothing ("/.;/admin", "/css/;/admin"),
# with a path on both sides (not symbol soup): the servlet container drops it
_EMPTY_PARAMETER_SEGMENT = re.compile(r"(?:^|[a-z0-9_\-.])/\.?;/[a-z0-9_]")
# a path parameter that gives a resource the suffix a filter exempts ("/app/rest/users;.jsp",
# "/admin;.css"): the servlet container drops ";..." and serves the resource, the filter saw a
# page or a static file
_SUFFIX_PARAMETER = re.compile(r"(?:^|/)[a-z0-9_\-.]{1,60};\.(?:jspx?|css|js|png|ico|gif|jpe?g|html?|wadl|do|action)(?:$|[/?#])")
# A file under /etc named by its absolute path ("/etc/ftpchroot", "/etc/wu-ftpd/ftpaccess"):
# /etc holds only the system's configuration, so any name there read as a value is a file read.
# A site's own "/img/etc/2024/..." or "/assets/etc/icon.png" never starts a value with "/etc/";
# a web asset's extension or a digit after "/etc/" is taken for such a path.
_ETC_FILE = re.compile(r"/etc/[a-z_][a-z0-9_.\-]{1,40}(?:/[a-z0-9_.\-]{1,40}){0,4}")
# the time zone file a container mounts from its host ("-v /etc/localtime:/etc/localtime:ro"):
# what a compose file or a pod spec sent to a deployment API names most; it holds nothing
_INERT_ETC = ("/etc/localtime",)
_WEB_ASSET = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|ico|css|js|html?|woff2?|ttf|mp[34]|pdf)$")
# A web application's own secret configuration by its conventional name, at the end of a path:
# database passwords and keys that the server never serves (PHP prints nothing, IIS and Spring
# refuse it), so asking for it names the file to a read or an inclusion
_APP_SECRET = re.compile(
    r"(?:^|/)(?:config\.inc\.php|configuration\.php|localsettings\.php|wp-config\.php[a-z0-9.~_\-]{0,8}"
    r"|web\.config|appsettings(?:\.[a-z]{1,16})?\.json|application(?:-[a-z]{1,16})?\.(?:properties|ya?ml)"
    r"|app/etc/(?:local\.xml|env\.php)|sites/default/settings\.php|config\.php(?:\.bak|\.old|\.orig|\.save|~|\.swp|\.txt))$"
)
# every SENSITIVE name but the executables' directory (crash reports carry "c:\\windows\\system32\\x.exe")
# and the directories that also name web pages ("home/")
_SENSITIVE_FILE = linear(
    "|".join(re.escape(s) for s in SENSITIVE if s not in ("windows/system32", "system32/", "home/", "usr/local/"))
)
_HEX_STEP = re.compile(r"(?:0x2e|\.)(?:0x2e|\.)0x(?:2f|5c)|0x2e(?:0x2e|\.)[/]|\.0x2e[/]")
# (RE2 on long text: the stdlib engine tries "[a-z]:/" at every letter)
_SYSTEM_HINT = linear(r"/(?:etc|var|usr|opt|srv|root|boot|inetpub|home|dev|xampp|wamp64|wamp|lampp|programdata|appserv|u01|etc_ro|mnt)/|[a-z]:/|~[a-z0-9_\-]{0,32}/")
# an absolute system path glued after a URL's own path by a doubled slash ("/files//usr/local/etc/php.ini"):
# a path parameter the application joins to its root (a scheme's "://" is not one)
_GLUED_SYSTEM_PATH = re.compile(r"[^:/]/{1,6}(/(?:etc|var|usr|opt|srv|root|boot|inetpub|dev|home)/[^\s'\"<>?#]{1,200})")
# "../v2/users": a link from one API version to the same resource in its sibling version
_VERSION_SIBLING = re.compile(r"v[0-9]{1,3}(?:\.[0-9]{1,3})?(?:$|[/?#])")
_SELF_STEP = re.compile(r"/(?:\./){1,16}|/{2,8}")
# the page and settings types IIS / ASP.NET serve through a handler, which a trailing dot gets past
_IIS_SOURCE_TYPES = r"(?:config|aspx?|asa|asax|ashx|asmx|axd|cshtml|vbhtml|inc|ini)"
_TRIGGER = linear(r"^msl:|appdata|ssh_host_|usrclass|user data/|key4\.db|\." + _IIS_SOURCE_TYPES + r"[ ]{0,2}\.[. ]{0,8}$|;\.|;/|keychains/|~[1-9]|panel/data/|\.key$|\.pypirc|\.sw[op]$|config\.(?:old|bak|orig|save)$|\.sqlite3$|\.(?:php[0-9]?|phtml|aspx?|asax|ashx|asmx|config|jspx?|cer):\.|^ephemeral:|systemversion\.plist|psreadline|cvs/|app_data/|^vid:msl:|\.sock|unattend|smsosd|filezilla|secrets/|::\$|:\$i30:|/conf/|\.git|\.bzr/|\.s3cfg|\.boto|\.dockerenv|\.idea/|\.vscode/|web\.config|mamp/|[\xe0\xe1][./]|"
                  "\ufffd[./]|" r"/repair/|\.bash|\.zsh|_history|\.netrc|panther|sysprep|pagefile|hiberfil|ntuser|recycle|winnt|meta-inf|drivers/etc|eula\.txt|license\.rtf|windowsupdate|inetsrv|/boot/|\.yml|master\.key|\.svn/|\.hg/|library/pref|0x2[ef]|0x5c|\.git/|-release|/opt/|/srv/|/etc/|/u01/|/etc_ro/|/mnt/mtd/|classpath|\.mdf$|ntds\.dit|confcons\.xml|[a-z]:[/\\]|~/|~[a-z0-9_\-]{1,32}/|\.aws|tomcat-users|\.\.;|\.log$|_log$|\.sql|\.axd|\.docker|\.kube|\.npmrc|\.pgpass|run/secrets|\.\.|etc/|proc/|win\.ini|boot\.ini|system32|://|%00|\x00|\\0|passwd|shadow|\.ssh|\.env|/var/|/root|/home/|web-inf|\.ht|config|/sys/|/tmp/|/usr/|/bin/|/dev/|/[a-z]{0,3}[?*][a-z?*]{0,3}/|(?:issue|hosts|group|\.ini)$|[/\\\\]{2}[?.][/\\\\]|settings\.php|appsettings|application[.\-]|wp-config|\.config$|base64,pd|/xampp/|/lampp/|/wamp")


# A parent step whose slash a loose decoder reads out of a malformed escape: a lone overlong
# lead byte (IIS read "%c0%2f", "%c1%1c", "%c0%qf" as '/' or '\\'; the decoded view holds the lead
# byte as "à"/"á" or still "%c0", or as U+FFFD where the query parser met the invalid byte, and a
# 5- or 6-byte form "%f8%80%80%80%af" is a run of U+FFFD), an escape that is no escape ("..%bg%qf", never valid hex), or a control byte
# or space between the dots and the slash that a filter or file API drops ("..%01/", "..%20/").
_LOOSE_STEP = re.compile(
    r"\.\.(?:(?:%c[01]|[\xe0\xe1\ufffd])(?:%[0-9a-z]{2}|[/\\\x01-\x1f])|\ufffd{1,6}(?=\.\.)|%(?:[g-z][0-9a-z]|[0-9a-f][g-z])%[0-9a-z]{2}(?=[a-z0-9._%]|$)|%[0-9a-f]{2}%(?:[g-z][0-9a-z]|[0-9a-f][g-z])|[\x01-\x20]{1,3}(?=[/\\]))"
)
# the lead byte of a malformed two-byte sequence ("%c0%2e", decoded to "à."), between the dots
# and slashes of a path: a loose decoder reads the pair as the ASCII character alone
_LONE_LEAD = re.compile(r"(?:(?<![^./])|(?<=0x2e))[\xe0\xe1\ufffd](?=[./])")  # (also after a dot spelled as hex)
# A parent step spelled to survive one pass of a filter that deletes "../" (or "./"): "....//",
# "..././", "...\\.\\" (backslashes are slashes here): nothing but an evasion writes it.
_NESTED_STEP = re.compile(r"\.\.\.\.//|\.\.\./\./|\.\.\.\./\./")
# how the names of `_DOTFILE_VALUE` that start with no dot end
SECRET_NAME_ENDS: tuple[str, ...] = (".ini", ".key", ".sqlite3", ".swp", ".swo", ".old", ".bak", ".orig", ".save")
# A whole value that names a secret dot-file of a web root or a home directory (".env",
# ".git/config") or a Windows ini file ("boot.ini"): what an inclusion parameter is probed with; not macOS' ".DS_Store", which
# folder uploads carry, nor ".htaccess", a word of every hosting help page.
_DOTFILE_VALUE = re.compile(
    r"/?\.(?:env(?:\.(?:local|production|prod|dev|backup|bak|save|old))?|htpasswd|bash_history|bashrc|zsh_history"
    r"|mysql_history|netrc|pgpass|npmrc|git/(?:config|head|index|logs/head)|svn/(?:entries|wc\.db)|hg/hgrc"
    r"|ssh/(?:id_[a-z0-9]{1,10}|authorized_keys|known_hosts|config)|aws/credentials|docker/config\.json|kube/config"
    # the rest of a git directory a dumper walks (refs, packed objects' index, last commit message),
    # bazaar's branch, cloud clients' keys (s3cmd, boto), an editor's deployment settings (sftp
    # passwords), git's user file, and the empty marker that tells a probe it is in a container
    r"|git/(?:refs/[a-z0-9_./\-]{1,80}|orig_head|fetch_head|commit_editmsg|packed-refs|description|info/exclude)"
    r"|bzr/[a-z0-9_./\-]{1,80}|s3cfg|boto|gitconfig|git-credentials|vscode/sftp\.json|idea/(?:workspace|datasources|dataSources)\.xml|dockerenv)"
    # a server's access file or configuration saved aside, which the server then serves as text
    r"|/?(?:\.htaccess|\.htpasswd|web\.config)(?:\.(?:bak|old|orig|save|txt|swp|backup|1)|~)"
    # and Windows' own ini files, the classic proof of a Windows file read
    r"|(?:[a-z]:/?)?(?:boot|win|system)\.ini"
    # PHP's per-directory settings, a server's private key, PyPI's upload credentials, Django's
    # default database, an editor's swap file of a script, a configuration saved aside: named alone,
    # each is what a file-read parameter is probed with (not "php.ini", "authorized_keys", "id_rsa",
    # "global.asax": what documentation is searched for)
    r"|/?(?:\.user\.ini|server\.key|\.pypirc|db\.sqlite3"
    r"|\.[a-z0-9_\-]{1,40}\.(?:php[0-9]?|aspx?|jspx?|inc)\.sw[op]|config\.(?:old|bak|orig|save))"
)


# what code of any kind needs and prose does not
_CODE_CHARS = re.compile(r"[;|&$`'\"<>(){}\[\]=\\%*]|\.\.")


# a path's first segment glued to a parent step: "/static../", "/assets../"
_STEPS_ONLY = re.compile(r"/?(?:\.{2,3}/+)+|/(?:\.{2,3}/+)*\.{2,3}|\.\.")
_PUA_SLASH = re.compile(r"\.\.[\x00-\x20]{0,2}[\uf025\uefc8]")
_WINDOWS_TRAILING = re.compile(r"(?:[. ]|/\.)+$")
# the URL schemes bundlers give source files in source maps and stack traces
_SOURCE_MAP_SCHEMES = ("webpack://", "webpack-internal://", "app:///", "turbopack://", "rsc://")
_ALIAS_STEP = re.compile(r"/[a-z0-9_\-]{1,30}\.\./")
_TRAILING_DOT_SOURCE = re.compile(r"[a-z0-9_\-]{1,60}\." + _IIS_SOURCE_TYPES + r"[ ]{0,2}\.[. ]{0,8}")


def scan(text: str) -> list[Hit]:
    """Traversal / file-inclusion evidence in one lower-case decoded view."""
    if _TRIGGER.search(text) is None:
        return []
    best: Hit | None = None

    def keep(score: float, rule: str, start: int, end: int) -> None:
        nonlocal best
        if best is None or score > best.score:
            best = Hit(Category.TRAVERSAL, score, rule, text, start, end)

    norm = text.replace("\\", "/") if "\\" in text else text
    if norm[-1:] in (".", " ") and _TRAILING_DOT_SOURCE.fullmatch(norm) is not None:
        # "web.config.", "default.aspx. . .": an IIS / ASP.NET page or settings file by a name Windows
        # reads without its trailing dots, which the server's handler for the type no longer claims
        # (an upload's "shell.php." is judged by the upload rules)
        keep(0.85, "traversal.trailing-dot-source", 0, len(norm))
    if norm[-1:] in (".", " ") and "/" in norm and (":/" in norm[:3] or "\\" in text):
        bare = _WINDOWS_TRAILING.sub("", norm)
        if bare != norm and "/" in bare and bare[-1:] not in ("", ".", "/"):
            # "C:\\unattend.xml...", "desktop.ini. . .", "security.evtx/.": Windows drops a name's
            # trailing dots and blanks (and a last "\\."), so the file read is the one named before them
            return scan(bare)
    if "\x00" in norm:
        norm = norm.replace("\x00", "")  # "..%00/..%00/etc": filters and file APIs that drop a NUL climb
    if "%00" in norm:
        norm = norm.replace("%00", "")  # the same NUL still percent-encoded (decoded once more downstream)
    if ("\uf025" in norm or "\uefc8" in norm) and _PUA_SLASH.search(norm) is not None:
        # "..%uF025..%uF025etc", "..%uEFC8", "..%20%uEFC8": private-use code points an IIS best-fit
        # mapping reads as "/" and "\\"; after a parent step (and a blank or a control byte the
        # loose steps below drop) they are its slash (icon fonts' glyphs never follow "..")
        norm = norm.replace("\uf025", "/").replace("\uefc8", "/")
    if "\xe0" in norm or "\xe1" in norm or "\ufffd" in norm:
        norm = _LONE_LEAD.sub("", norm)  # "à.à./": "%c0%2e%c0%2e%c0%af", a lone lead byte before '.' or '/'
    if ".." in norm:
        alias = _ALIAS_STEP.match(norm) if norm[:1] == "/" else None
        if alias is not None:
            # "/static../settings.py": a location without its trailing slash aliased to a directory
            # (nginx's "location /static { alias /app/static/; }") serves the directory's parent
            keep(0.85, "traversal.alias-step", 0, alias.end())
        loose = _LOOSE_STEP.search(norm)
        if loose is not None:
            norm = _LOOSE_STEP.sub("../", norm)
            if _TRAVERSAL.search(norm) is not None:  # a step where a path starts, not "wait.. /" in prose
                # a malformed or control-byte step is itself the evasion: one is enough
                keep(0.85 if len(_STEP.findall(norm)) == 1 else 0.9, "traversal.loose-step", loose.start(), loose.end())
        nested = _NESTED_STEP.search(norm)
        if nested is not None:
            keep(0.9, "traversal.nested-step", nested.start(), nested.end())
    if '""' in norm or "''" in norm:
        norm = norm.replace('""', "").replace("''", "")  # "/etc/pa""sswd": empty quotes a shell drops
    # (a step is "../" once backslashes are slashes; without one the search cannot match)
    first = _TRAVERSAL.search(norm) if "../" in norm else None
    if first is not None:
        steps = len(_STEP.findall(norm[first.start() : first.start() + 400]))
        target = _SENSITIVE.search(norm, first.end() - 1)
        end = first.end()
        if target is not None and target.start() - first.end() < 200 and not _past_the_path(norm, first.end(), target.start()):
            keep(0.97, "traversal.sensitive-file", first.start(), target.end())
        elif norm.startswith(_SOURCE_MAP_SCHEMES) and "%" not in text and steps <= 8:
            # "webpack://_N_E/../../packages/ui/src/List.tsx": a bundler's name for a source file in a
            # browser SDK's error report (Sentry's stack frames); no server opens it (a label only)
            keep(0.1, "traversal.source-map-path", first.start(), end + 12)
        elif (steps <= 2 and "%" not in text and "\\" not in text and _relative_asset(norm, first.end())
              and not _is_url_path(norm, first.start())):  # (a URL's own path is judged below, as before)
            # "../img/logo.png", "url('../../fonts/a.woff')": a relative link from a page or a
            # style sheet to an image, font or script beside it (what CMS content is full of)
            keep(0.3, "traversal.relative-asset", first.start(), end + 12)
        elif steps >= 3:
            keep(0.93, "traversal.climb", first.start(), end + 12)
        elif steps == 2:
            keep(0.8 if not _is_url_path(norm, first.start()) else 0.4, "traversal.climb", first.start(), end + 12)
        else:
            rest = norm[first.end() : first.end() + 40].lstrip("/")  # "..//app.config": a doubled slash
            two = norm[first.end() - 3 : first.end() - 1] == ".." and norm[first.end() - 4 : first.end() - 3] != "."
            if two and not _is_url_path(norm, first.start()) and (first.start() == 0 or norm[first.start()] in "=:;'\""):
                if rest[:1].isalnum() and _VERSION_SIBLING.match(rest) is None:
                    if _LINK_ATTRIBUTE.search(norm, max(0, first.start() - 12), first.start() + 1) is not None:
                        # '<a href="../archive/2023/">': a page's link to a sibling section (markup
                        # a CMS or a mail holds), not a file name an application opens
                        keep(0.3, "traversal.relative-link", first.start(), end + 12)
                    else:
                        keep(0.55, "traversal.step", first.start(), end + 12)
                elif rest[:1] == "." and rest[1:2].isalpha():
                    # "../.history", "../.env": one step up to a hidden file, where secrets live
                    keep(0.85, "traversal.step-hidden", first.start(), end + 12)
    if best is None and ".." in norm and _STEPS_ONLY.fullmatch(norm.strip()) is not None:
        # "../", "..%c0%af", "/..\\", "..": a value of parent steps alone, as fuzzers send them to
        # find which spelling the application resolves (and Cisco ASA's "platform=.." exploit); no
        # name, link or sentence is only steps (an ellipsis has three dots)
        keep(0.85, "traversal.steps-only", 0, len(norm))
    if "0x" in norm:
        hexed = _HEX_STEP.search(norm)
        if hexed is not None:
            # "..0x2f..0x2fetc", "0x2e0x2e/": a parent step with its dots or slash spelled as hex
            # literals, for a decoder that reads "0x.." (never a file name or a number)
            keep(0.85, "traversal.hex-step", hexed.start(), hexed.end())
    if ".." in norm:
        tomcat = norm.find("..;/")
        if tomcat >= 0:
            # "/..;/admin": a path parameter on a parent step; Tomcat and Spring drop ";..." and
            # climb, the proxy in front saw no "../"
            keep(0.85, "traversal.path-parameter", tomcat, tomcat + 4)
    if ";/" in norm:
        empty = _EMPTY_PARAMETER_SEGMENT.search(norm)
        if empty is not None:
            # "/.;/admin", "/;/admin/": a segment that is only a path parameter (on "." or on
            # nothing); Tomcat and Spring drop it, the proxy's rule for "/admin" saw another path
            keep(0.85, "traversal.path-parameter", empty.start(), empty.end())
    if ";." in norm:
        suffixed = _SUFFIX_PARAMETER.search(norm)
        if suffixed is not None:
            keep(0.85, "traversal.path-parameter", suffixed.start(), suffixed.end())
    coder = "vid:msl:" if norm.startswith("vid:msl:") else norm[: norm.find(":") + 1]
    if coder in ("msl:", "ephemeral:", "vid:msl:") and norm[len(coder) : len(coder) + 1] == "/":
        # ImageMagick's coders by their prefix: "msl:/tmp/x.msl" runs an uploaded script of image
        # operations (writes files), "ephemeral:/var/www/x" reads a file and deletes it
        keep(0.85, "traversal.image-coder", 0, len(coder))
    wrapper = _WRAPPER.search(norm) if "://" in norm or "php:/" in norm else None  # (all but PHP's spelled with "://")
    if wrapper is not None:
        name = wrapper.group(0)
        score = 0.95 if not name.startswith(("data:", "jar:", "file:")) else 0.85
        if name.startswith("data:") and not any(k in norm[wrapper.end() : wrapper.end() + 40] for k in ("text/", "base64", "<?")):
            score = 0.4
        if name.startswith("file://"):
            tail = norm[wrapper.end() : wrapper.end() + 200]
            score = 0.95 if _SENSITIVE.search(tail) or tail.startswith(("/", "localhost/", "c:")) else 0.85
            if tail[:1].isspace() and (wrapper.start() > 0 or " " in tail.strip()):
                score = 0.3  # "file:// protocol in chrome": the scheme named in a sentence, no path after it
        keep(score, "traversal.wrapper", wrapper.start(), wrapper.end())
    if norm.startswith(("classpath:", "classpath*:")):
        resource = norm.split(":", 1)[1].strip()
        if "../" in resource or resource.endswith((".properties", ".yml", ".yaml", ".xml", ".key", ".jks", ".p12")):
            # "classpath:/application-prod.properties", "classpath:/templates/../x": a Spring resource
            # location handed over as data, naming the application's own settings or climbing out
            keep(0.85, "traversal.classpath", 0, min(len(norm), 80))
    if "base64,pd" in norm:
        data = _DATA_PHP.search(norm)
        if data is not None:
            keep(0.9, "traversal.data-php", data.start(), data.end())
    if (best is None or best.score < 0.85) and "//" in norm and _SYSTEM_HINT.search(norm) is not None:
        glued = _GLUED_SYSTEM_PATH.search(norm)
        if glued is not None and glued.group(1).startswith("/dev/") and not glued.group(1).startswith(_DEV_FILES):
            glued = None  # "/files//dev/null": the empty file, not a read
        if glued is not None and _system_file(glued.group(1)) and not _is_url_path(norm, glued.start(1)):
            keep(0.85, "traversal.system-path", glued.start(1), glued.end(1))
    if "::$" in norm or ":$i30:" in norm or ":." in norm:
        stream = _NTFS_STREAM.search(norm)
        if stream is not None:
            # "web.config::$data", "index.php::$DATA": a file's NTFS default stream by name; IIS
            # maps the handler by the whole name and serves a script's source as a static file
            keep(0.85, "traversal.ntfs-stream", stream.start(), stream.end())
    if "~" in norm:
        short = _IIS_SHORT_NAME.search(norm)
        if short is not None:
            # the rules that guard the long name ("web-inf/", "global.asa") never see it
            keep(0.85, "traversal.short-name", short.start(), short.end())
    if "//?/" in norm or "//./" in norm:
        device = _DEVICE_PATH.search(norm)
        if device is not None:
            keep(0.85, "traversal.device-path", device.start(), device.end())
    if (best is None or best.score < 0.9) and "/" in norm:  # a file name alone is a word, not a path
        if "/./" in norm or norm.count("//") > norm.count("://"):
            norm = _SELF_STEP.sub("/", norm)  # "/etc/./passwd", "/etc//passwd"
            if "://" in text:
                norm = norm.replace(":/", "://", 1)
        target = _STRICT.search(norm)
        if target is None and "/../" in norm:
            # "/etc/default/../passwd", "/var/www/html/../../../etc/shadow": the file the steps
            # resolve to, once each climbs over the directory named before it
            resolved = _resolve(norm)
            if resolved != norm:
                norm = resolved
                target = _STRICT.search(norm)
        if target is not None and not _is_url_path(norm, target.start()):
            start = target.start()
            if _in_prose(norm, start, target.end()):
                keep(0.45, "traversal.sensitive-file-prose", max(0, start - 1), target.end())
            else:
                keep(0.9, "traversal.sensitive-file", max(0, start - 1), target.end())
    if (best is None or best.score < 0.85) and "/" in norm and _SYSTEM_HINT.search(norm) is not None:
        system = _SYSTEM_PATH.search(norm)
        if system is None and ":/" in norm:
            system = _GLUED_DRIVE.match(norm.strip())  # "1c:/xampp/php/php.ini": a drive glued to a value
        if system is not None and not _is_url_path(norm, system.start()) and "/fakepath/" not in norm:
            # (browsers send an uploaded file's name as "c:\\fakepath\\name")
            if _system_file(system.group(1)):
                if _in_prose(norm, system.start(1), system.end(1)):
                    keep(0.45, "traversal.sensitive-file-prose", system.start(1), system.end(1))
                else:
                    keep(0.85, "traversal.system-path", system.start(1), system.end(1))
            elif " " in norm and system.group(1)[1:3] == ":/":
                value = norm.strip()
                spaced = _SPACED_WINDOWS_PATH.fullmatch(value, value.find(system.group(1)))
                if spaced is not None and _system_file(spaced.group(1)):
                    keep(0.85, "traversal.system-path", 0, len(norm))
    if best is None and text.endswith(("passwd", "shadow", "issue", "group", "hosts", ".ini")):
        repeated = _repeated_step(text)
        if repeated is not None:
            keep(0.9, "traversal.repeated-step", repeated[0], repeated[1])
    if best is None and ("*" in text or "?" in text) and "/" in text:
        wild = _wildcard_file(text)  # (before "//" was folded: "/static//etc/pa*wd")
        if wild is not None:
            keep(0.85, "traversal.wildcard-file", wild[0], wild[1])
    if best is None and "." in norm:
        value = norm.strip()
        cut = min((i for i in (value.find("?"), value.find("#")) if i > 0), default=len(value))
        secret = _APP_SECRET.search(value, 0, cut) if " " not in value[:cut] else None
        if secret is not None and value[:1] != "/" and secret.group(0).lstrip("/").startswith("app"):
            # "application.yml", "src/main/resources/application.yml": a file of any Spring or .NET
            # project's tree, named relative to it; the server's own is asked for from its root
            secret = None
        if secret is not None and not _is_url_path(value, secret.start()):
            keep(0.75, "traversal.app-config", secret.start(), secret.end())
    if best is None and (norm[:1] == "." or norm[:2] == "/." or norm.endswith(SECRET_NAME_ENDS)
                         or norm.lstrip("/").startswith(("web.config", "config."))):
        dotfile = _DOTFILE_VALUE.fullmatch(norm.strip())
        if dotfile is not None:
            keep(0.75, "traversal.dotfile", 0, len(norm))
    if best is None and "/" in norm and ("log" in norm or ".sql" in norm or ".axd" in norm):
        leak = _LEAK_FILE.search(norm)
        if leak is not None and not _is_url_path(norm, leak.start()):
            keep(0.6, "traversal.leak-file", leak.start(), leak.end())
    if best is None and text[:1].isdigit():
        rest = text.lstrip("0123456789")
        if len(rest) >= 4 and (rest[:1] in "/\\~" or rest[:2] == ".." or rest.endswith(".ini")):
            # "1/etc/my.cnf", "1../../x", "1boot.ini": a path appended to a number (an id the
            # parameter held); whole-value rules read what follows the digits ("1.env" is a name)
            shift = len(text) - len(rest)
            return [Hit(h.category, h.score, h.rule, text, h.start + shift, h.end + shift) for h in scan(rest)]
    return [best] if best is not None else []


# The classic proof files at the very end of a value, their separators any short spelling (a slash
# a decoder made "o" of, "%c0%80%af", U+FFFD): a cheap test before `_REPEATED_STEP`
_PROOF_TAIL = re.compile(
    r"(?:etc.{1,12}(?:passwd|shadow|issue|group|hosts)|(?:windows|winnt).{1,12}(?:win|system)\.ini|boot\.ini)$", re.S
)
# One unit written two or more times, then a proof file: "à@®à@®/à@®à@®/etc/passwd" ("%e0%40%ae"),
# "..o..o..oetcopasswd" ("%c1%af"), "�.�./�.�./boot.ini": a parent step in a spelling no decoder
# here reads, known by its repetition. The unit holds something other than letters and digits.
# (a lazy unit of at most 40 characters and a bounded back-reference, tried at the value's start only)
_REPEATED_STEP = re.compile(r"(.{2,40}?)\1{1,15}(?=(?:etc|windows|winnt|boot))", re.S)


def _repeated_step(text: str) -> tuple[int, int] | None:
    """Where a repeated odd unit that leads to a proof file starts and ends."""
    value = text.strip()[:800]
    if _PROOF_TAIL.search(value) is None:
        return None
    m = _REPEATED_STEP.match(value)
    if m is None and value.find("..") > 0:
        # "images/..%c1%af..%c1%afetc": the odd steps appended to a directory the value names first
        m = _REPEATED_STEP.match(value, value.find(".."))
    unit = m.group(1) if m is not None else ""
    if not unit or unit.isalnum() and "0x" not in unit:
        return None  # "abab..." is a word; "0x2e0x2e%c1%af" spells dots as hex
    if unit.isascii() and not any(c in unit for c in "./\\%0"):
        return None
    return m.start(), m.end()


# a web asset's relative path after the parent steps, to the end of the link (a quote, a
# parenthesis, a blank, a query or the value's end)
_ASSET_AFTER_STEPS = re.compile(
    r"(?:\.\./){0,1}[a-z0-9_\-]{1,40}(?:/[a-z0-9_\-]{1,40}){0,6}(?:\.[a-z0-9_\-]{1,40}){0,3}\.(?:png|jpe?g|gif|svg|webp|avif|ico|css|js|mjs|woff2?|ttf|eot|otf"
    r"|mp4|webm|mp3|pdf|md|html?|docx?|xlsx?|pptx?|odt|ods|odp"
    # a project's sources and data files beside the one that names them ("../fixtures/sample.json")
    r"|json|scss|sass|less|tsx?|jsx|vue|csv)(?=$|[\s'\")?#,;])"
)


# a link attribute of markup whose quoted value starts where a parent step does
_LINK_ATTRIBUTE = re.compile(r"[\s\"'](?:href|src)[\s]{0,4}=[\s]{0,4}[\"']$")


def _past_the_path(norm: str, start: int, target: int) -> bool:
    """True when a blank ends the path the steps begin before ``target`` is named: "see
    ../docs/setup.md, it covers the .env stuff" is a sentence about two files, not a climb to one."""
    gap = norm[start:target]
    return " " in gap and _ASSET_AFTER_STEPS.match(norm, start) is not None


def _relative_asset(norm: str, end: int) -> bool:
    """True when the parent steps that end at ``end`` lead to a web asset ("../img/x.png")."""
    return _ASSET_AFTER_STEPS.match(norm, end) is not None


def _resolve(text: str) -> str:
    """``text`` (its first 2048 characters) with each ``name/..`` pair removed, as a file API
    resolves it; a step with nothing left to climb over is kept."""
    out: list[str] = []
    for segment in text[:2048].split("/"):
        if segment == ".." and out and out[-1] not in ("", ".."):
            out.pop()
        else:
            out.append(segment)
    return "/".join(out)


# An absolute path with shell wildcards ("/etc/pa*wd", "/e?c/sh*"): a shell, glob() or an
# inclusion that expands them opens the file the pattern names
_WILD_PATH = re.compile(r"(?:^|[\s='\"(;|`+])(/[a-z0-9_.*?/\-]{4,60})")
_GLOB_TARGETS = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/hosts", "/etc/issue", "/etc/sudoers",
                 "/etc/hostname", "/proc/self/environ", "/proc/self/cmdline", "/proc/version",
                 "/root/.ssh/id_rsa", "/root/.bash_history")


def _wildcard_file(text: str) -> tuple[int, int] | None:
    """Where a wildcard path that matches a sensitive file starts and ends. The pattern needs
    three literal letters and a literal in its last segment: "/*" or "/etc/*" names a directory."""
    for count, m in enumerate(_WILD_PATH.finditer(text)):
        if count >= 4:
            break
        pattern = m.group(1).rstrip("/")
        if "//" in pattern:
            pattern = "/" + pattern.rsplit("//", 1)[1]  # "/static//etc/pa*wd": the path glued after the route
        last = pattern.rsplit("/", 1)[-1]
        if ("*" in pattern or "?" in pattern) and sum(c.isalpha() for c in pattern) >= 3 and last.strip("*?"):
            if any(glob_match(pattern, target) for target in _GLOB_TARGETS):
                return m.start(1), m.end(1)
    return None


def _in_prose(text: str, start: int, end: int) -> bool:
    """A system file named inside a sentence ("where does /etc/hosts live on macOS?", "edit
    /etc/hosts with any editor", "see /etc/hosts on your own machine"): two words before it and a
    word after it, or one word before it and three after, and nothing in the text a shell, a
    template, markup or a query would need. An inclusion reads a whole value as the path; a
    command that reads the file is the shell analyser's. (The words after are read past the rest
    of the path's own token: "my config is in /etc/nginx/sites-available/default, how do I...")"""
    head = text[:start].rstrip("/")
    if not head.endswith(" ") or _CODE_CHARS.search(text) is not None:
        return False
    before = head.split()
    blank = text.find(" ", end)
    after = text[blank:].split() if blank >= 0 else []
    words = [w.rstrip("?.,!") for w in after[:3]]
    if not before or not before[-1].isalpha() or not words or not words[0].isalpha():
        return False
    return (len(before) >= 2 and before[-2].isalpha()) or (len(words) == 3 and all(w.isalpha() for w in words))


def _system_file(found: str) -> bool:
    """An absolute path that lies under a directory no web page lives in, or names a
    configuration / key / log file or a sensitive file."""
    if _HOME_SECRET.search(found) is not None:
        return True
    if found.startswith("/home/"):
        if _HOME_DOT_DIR.match(found) is not None:
            return True  # "/home/app/.pm2/dump.pm2", "/home/u/.config/code/user/settings.json": a user's hidden settings
        if _PUBLIC_HTML.match(found) is not None and _CONFIG_FILE.search(found) is not None:
            return True  # "/home/user/public_html/includes/settings.inc.php": a shared host's site tree
        return _SENSITIVE_FILE.search(found) is not None
    if found[1:3] == ":/" and _SHORT_NAME.search(found) is not None:
        return True  # "c:/docume~1/admini~1/locals~1/temp/": Windows' 8.3 names, no page or upload has them
    if found.startswith(_DOC_ROOTS) and _SCRIPT_AS_IMAGE.search(found) is not None:
        return True
    if found.startswith(_PRODUCT_ROOTS) and found.count("/") >= 4 and not found.endswith("/") and ":" not in found and (
            "." in found.rsplit("/", 1)[-1] or not found.startswith("/usr/")):
        return True  # (not a PATH list, "/usr/local/bin:/usr/bin", nor a program's folder under /usr)
    if found.startswith("/var/lib/") and found.rstrip("/").count("/") == 3 and _SENSITIVE_FILE.search(found) is None:
        return False  # "/var/lib/postgresql", "/var/lib/docker/": a service's data directory, as a mount point names it
    if found.startswith(_DOC_ROOTS) and "." not in found.rsplit("/", 1)[-1] and _SENSITIVE_FILE.search(found) is None:
        return False  # "/var/www/html": a site's document root, what a hosting panel's form asks for
    if found.startswith(_DOC_ROOTS) and _WEB_ASSET.search(found) is not None and _SENSITIVE_FILE.search(found) is None:
        return False  # "/var/www/uploads/avatar.png": a page's picture or sheet, what a site serves anyway
    if found[1:3] == ":/" and found.endswith((".exe", ".dll")) and _CONFIG_FILE.search(found) is None:
        # "c:/program files/git/bin/bash.exe" (an editor's terminal setting): a program by its
        # path is no file read, and "bin/bash" inside it is not Unix's shell
        return False
    if found.startswith(_INERT_ETC):
        return False  # "/etc/localtime": the zone file every container mounts, no secret in it
    if found[1:3] == ":/" and found.startswith(_WINDOWS_STACKS, 3):
        return True  # "d:/xampp/htdocs/index.php": a local server stack's tree, named from its drive
    if found.startswith("/etc/") and _ETC_FILE.fullmatch(found) is not None and _WEB_ASSET.search(found) is None:
        return True
    return (found.startswith(_SYSTEM_DIRS) or _CONFIG_FILE.search(found) is not None
            or _SENSITIVE_FILE.search(found) is not None)


def _is_url_path(text: str, pos: int) -> bool:
    """True when ``pos`` sits in the path of an http(s) URL (links, referers). A position in the
    URL's query string is not: there a path is a parameter's value, data an application reads
    (``https://shop/list?file=/etc/passwd`` in a Referer reaches the page that logs or re-reads it)."""
    scheme = text.rfind("://", 0, pos)
    if scheme < 0:
        return False
    head = text[max(0, scheme - 5) : scheme]
    between = text[scheme:pos]
    return head.endswith(("http", "https")) and " " not in between and "?" not in between


def null_byte(raw: str) -> Hit | None:
    """A null byte that cuts a file name (raw view): ``../../etc/passwd%00.png``."""
    m = _NULL_RAW.search(raw)
    if m is None:
        return None
    if m.group(0) == "\\0" and (m.start() == 0 or not (raw[m.start() - 1].isalnum() or raw[m.start() - 1] in "./")):
        # ('lexer: handle "\\0"'): an escape named in text; the cut follows a file name's last character
        return None
    before = raw[max(0, m.start() - 64) : m.start()].lower()
    if random_blob(raw[:400]):
        return None
    if len(raw) >= 32 and len(_CONTROL.findall(raw, 0, 4096)) >= 3:
        return None  # a byte record ("\x0eEventInfo.Name\x08...", raw or escaped): binary telemetry, not a path
    if "/" in before or "\\" in before or "." in before:
        return Hit(Category.TRAVERSAL, 0.9, "traversal.null-byte", raw, max(0, m.start() - 20), m.end())
    return None


def features(text: str) -> dict[str, float]:
    return {
        "path.steps": float(len(_STEP.findall(text))),
        "path.sensitive": float(_SENSITIVE.search(text) is not None),
        "path.wrapper": float(_WRAPPER.search(text) is not None),
        "path.evidence": max((h.score for h in scan(text)), default=0.0),
    }
