"""Server-rendered dashboard pages. Every value that reaches HTML goes through `esc` — events carry
attacker input (paths, evidence, user agents) and must render as text, never as markup."""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from apiward.core import Event, Finding


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def _cut(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def main_finding(event: Event) -> Finding | None:
    """The finding that explains the event: an explicit action first, then the highest score."""
    if not event.findings:
        return None
    return max(event.findings, key=lambda f: (f.action is not None, f.score))


def layout(title: str, body: str, base: str, logged_in: bool = True) -> str:
    logout = (
        f'<form method="post" action="{esc(base)}/logout"><button type="submit">Log out</button></form>'
        if logged_in
        else ""
    )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · apiward</title>"
        f'<link rel="stylesheet" href="{esc(base)}/static/dashboard.css">'
        "</head><body>"
        f'<header><h1><a href="{esc(base)}/">apiward</a></h1>{logout}</header>'
        f"<main>{body}</main></body></html>"
    )


def login_page(base: str, error: str = "") -> str:
    message = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    body = (
        '<div class="login"><h2>Sign in</h2>'
        '<p class="muted">Use the admin token (APIWARD_ADMIN_TOKEN or <code>admin.token</code>).</p>'
        f"{message}"
        f'<form method="post" action="{esc(base)}/login">'
        '<label for="token">Admin token</label>'
        '<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>'
        '<button type="submit">Sign in</button></form></div>'
    )
    return layout("Sign in", body, base, logged_in=False)


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts over one window, e.g. the last hour."""

    label: str
    by_action: Mapping[str, int]
    by_category: Mapping[str, int]


def _count_table(title: str, counts: Mapping[str, int], css_prefix: str = "") -> str:
    rows = "".join(
        f'<tr><td class="{esc(css_prefix + name) if css_prefix else ""}">{esc(name)}</td>'
        f'<td class="num">{int(n):,}</td></tr>'
        for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    if not rows:
        rows = '<tr><td colspan="2" class="muted">none</td></tr>'
    return f"<table><thead><tr><th>{esc(title)}</th><th>events</th></tr></thead><tbody>{rows}</tbody></table>"


def _summary_card(summary: Summary) -> str:
    return (
        f'<section class="card" aria-label="{esc(summary.label)}"><h3>{esc(summary.label)}</h3>'
        f"{_count_table('action', summary.by_action, 'action-')}"
        f"<br>{_count_table('category', summary.by_category)}</section>"
    )


def _event_row(event: Event, base: str) -> str:
    finding = main_finding(event)
    reason = f"{finding.category.value} ({finding.score:.2f})" if finding else ""
    location = finding.location if finding else ""
    evidence = finding.evidence if finding else ""
    link = f"{esc(base)}/events/{esc(quote(event.id, safe=''))}"
    return (
        "<tr>"
        f'<td class="mono"><a href="{link}">{esc(_when(event.timestamp))}</a></td>'
        f'<td class="mono">{esc(event.client_ip)}</td>'
        f"<td>{esc(event.method)}</td>"
        f'<td class="mono">{esc(_cut(event.path))}</td>'
        f'<td class="action-{esc(event.action)}">{esc(event.action)} {event.status}</td>'
        f"<td>{esc(reason)}</td>"
        f'<td class="mono">{esc(location)}</td>'
        f'<td class="mono evidence">{esc(_cut(evidence))}</td>'
        "</tr>"
    )


def overview_page(base: str, summaries: Iterable[Summary], events: Iterable[Event]) -> str:
    cards = "".join(_summary_card(s) for s in summaries)
    rows = "".join(_event_row(e, base) for e in events)
    if not rows:
        rows = '<tr><td colspan="8" class="muted">No blocked requests yet.</td></tr>'
    body = (
        f'<h2>Activity</h2><div class="cards">{cards}</div>'
        "<h2>Latest blocked and throttled requests</h2>"
        '<table id="events"><thead><tr><th>time</th><th>client</th><th>method</th><th>path</th>'
        "<th>action</th><th>reason</th><th>location</th><th>evidence</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    return layout("Overview", body, base)


def event_page(base: str, event: Event) -> str:
    fields = [
        ("event id", event.id),
        ("time", _when(event.timestamp)),
        ("action", f"{event.action} ({'enforced' if event.enforced else 'monitor mode: not enforced'})"),
        ("status", event.status),
        ("client", event.client_ip),
        ("request", f"{event.method} {event.path}"),
        ("route", event.route or ""),
        ("subject", event.subject or ""),
        ("user agent", event.user_agent),
        ("upstream status", "" if event.upstream_status is None else event.upstream_status),
        ("duration", f"{event.duration_ms:.2f} ms"),
    ]
    info = "".join(f"<dt>{esc(k)}</dt><dd class=\"mono\">{esc(v)}</dd>" for k, v in fields)
    findings = "".join(
        "<tr>"
        f"<td>{esc(f.stage)}</td><td>{esc(f.category.value)}</td><td class=\"mono\">{esc(f.location)}</td>"
        f'<td class="num">{f.score:.3f}</td><td>{esc(f.rule)}</td>'
        f"<td>{esc(f.action.value if f.action else '')}</td>"
        f'<td class="mono evidence">{esc(f.evidence)}</td>'
        "</tr>"
        for f in event.findings
    ) or '<tr><td colspan="7" class="muted">no findings</td></tr>'
    tags = "".join(f"<dt>{esc(k)}</dt><dd class=\"mono\">{esc(v)}</dd>" for k, v in sorted(event.tags.items()))
    body = (
        f"<h2>Event {esc(event.id)}</h2><dl>{info}{tags}</dl>"
        "<h2>Findings</h2>"
        "<table><thead><tr><th>stage</th><th>category</th><th>location</th><th>score</th><th>rule</th>"
        f"<th>action</th><th>evidence</th></tr></thead><tbody>{findings}</tbody></table>"
        f'<p><a href="{esc(base)}/">← back</a></p>'
    )
    return layout(f"Event {event.id}", body, base)


def not_found_page(base: str) -> str:
    return layout("Not found", '<h2>Not found</h2><p class="muted">No such event.</p>', base)
