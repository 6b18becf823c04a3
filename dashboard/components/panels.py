"""Side panels and explanations: sources, actor and link details, path hops, weights, notices.

Everything is built from Dash components holding plain strings, so names and
notes show as typed (no HTML, no Markdown). Only ``http`` and ``https``
addresses become links.

>>> safe_url("javascript:alert(1)"), safe_url("https://example.org/a")
(None, 'https://example.org/a')
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from dash import dcc, html

from . import format as fmt


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, else ``None``."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def notice(text: str, kind: str = "info") -> html.Div:
    return html.Div(text, className=f"notice notice-{kind}", role="status")


def unknown_in_link(given: list[str | None], resolved: list[str | None]) -> html.Div | None:
    """A notice when a shared link names actors this map (as the viewer sees it) does not hold, or ``None``.

    >>> unknown_in_link(["bwi", "no-such-union"], ["bwi", None]).children
    "This link names an actor that is not on the map you can see: 'no-such-union'. Pick one below."
    """
    missing = [g for g, r in zip(given, resolved) if g and not r]
    if not missing:
        return None
    names = ", ".join(repr(m[:60]) for m in missing[:5])
    word = "an actor" if len(missing) == 1 else f"{len(missing)} actors"
    return notice(f"This link names {word} that {'is' if len(missing) == 1 else 'are'} not on the map you can "
                  f"see: {names}. Pick one below.", "warn")


def weights_note(weights: dict[str, Any] | None) -> html.Div:
    """Which influence weights produced a score (shown beside every score)."""
    if not weights:
        return html.Div()
    changed = weights.get("changed") or {}
    text = f"Weights: {weights.get('source', 'default')} (digest {weights.get('digest', '?')})"
    text += f", {len(changed)} value(s) changed from the defaults" if changed else ", the defaults from the kinds table"
    items = [html.Li(f"{k}: {v[0]} → {v[1]}") for k, v in list(changed.items())[:12]]
    return html.Div([html.Span(text), html.Ul(items) if items else None], className="weights-note",
                    title="Influence weights are a model, not a fact: change them with 'stakemap serve --weights FILE'.")


def citation_list(citations: list[dict[str, Any]]) -> html.Ul | html.P:
    """Sources of a record: title, who and when, where in it, and our note."""
    if not citations:
        return html.P("No source cited.", className="muted")
    items = []
    for c in citations:
        head: list = []
        url = safe_url(c.get("url"))
        title = c.get("title") or c.get("source")
        head.append(html.A(title, href=url, target="_blank", rel="noopener noreferrer") if url else html.Strong(title))
        who = ", ".join(str(x) for x in (c.get("author"), c.get("publisher"), c.get("year")) if x)
        if who:
            head.append(html.Span(f" — {who}", className="muted"))
        body = [html.Div(head)]
        if c.get("locator"):
            body.append(html.Div(f"Where: {c['locator']}", className="cite-locator"))
        if c.get("note"):
            body.append(html.Div(c["note"], className="cite-note"))
        items.append(html.Li(body, className="cite"))
    return html.Ul(items, className="cite-list")


def _facts(rows: list[tuple[str, Any]]) -> html.Dl:
    parts: list = []
    for key, value in rows:
        if value not in (None, "", [], {}):
            parts += [html.Dt(key), html.Dd(value if not isinstance(value, list) else ", ".join(map(str, value)))]
    return html.Dl(parts, className="facts")


def actor_panel(d: dict[str, Any], explore_href: str | None = None) -> html.Div:
    """An actor: its facts, its links (each opens in the panel) and its sources."""
    links = []
    for lk in d.get("links", []):
        arrow = "→" if lk["outgoing"] else "←"
        text = f"{arrow} {fmt.link_label(lk['kind'])} {lk['other']['name']}"
        meta = f"{fmt.period(lk['start'], lk['end'])}; {lk['confidence']}"
        if lk.get("amount") is not None:
            meta += f"; {fmt.amount(lk['amount'], lk['currency'])}"
        links.append(html.Li([html.Span(text), html.Span(f" ({meta})", className="muted")], className="panel-link"))
    more = d.get("link_count", 0) - len(links)
    parts = [
        html.H3(d["name"], className="panel-title"),
        html.Div(fmt.kind_label(d["kind"]), className="panel-kind"),
        _facts([("Also known as", d.get("aliases")), ("Country", fmt.country(d.get("country")) if d.get("country") else None),
                ("Works in", [fmt.country(c) for c in d.get("countries", [])]), ("Sectors", d.get("sectors")),
                ("Identifiers", [f"{k}: {v}" for k, v in d.get("identifiers", {}).items()]), ("Id", d["id"])]),
    ]
    if d.get("description"):
        parts.append(html.P(d["description"], className="panel-description"))
    if explore_href:
        parts.append(dcc.Link("Explore from here", href=explore_href, className="button-link"))
    parts += [html.H4(f"Links ({d.get('link_count', 0)})"), html.Ul(links, className="panel-links")]
    if more > 0:
        parts.append(html.P(f"… and {more} more links.", className="muted"))
    parts += [html.H4("Sources"), citation_list(d.get("citations", []))]
    return html.Div(parts, className="panel-body")


def group_panel(d: dict[str, Any]) -> html.Div:
    """The neighbours behind a "+N" box as a table (best connected first), not a starburst of nodes."""
    rows = [html.Tr([html.Td(r["ref"]["name"], title=f"{r['degree']:,} links in the map"),
                     html.Td(fmt.country(r["ref"].get("country")) or "–"),
                     html.Td(", ".join(fmt.link_label(k) for k in r["links"]))])
            for r in d["rows"]]
    parts = [
        html.H3(f"{d['actor']['name']}: {fmt.kind_count(d['total'], d['kind'])}", className="panel-title"),
        html.P("The graph groups them to stay readable. 'Open its neighbours here' draws them all.",
               className="muted"),
        html.Table([html.Thead(html.Tr([html.Th("Name"), html.Th("Country"), html.Th("Tied by")])),
                    html.Tbody(rows)], className="group-table"),
    ]
    if d["total"] > len(rows):
        parts.append(html.P(f"… and {d['total'] - len(rows):,} more (the best connected are listed).", className="muted"))
    return html.Div(parts, className="panel-body")


def link_panel(d: dict[str, Any]) -> html.Div:
    """A link: what it says, when, how sure, how much, and its sources."""
    return html.Div([
        html.H3(d["says"], className="panel-title"),
        html.Div(fmt.link_label(d["kind"]), className="panel-kind"),
        _facts([("From", d["source_ref"]["name"]), ("To", d["target_ref"]["name"]),
                ("When", fmt.period(d.get("start"), d.get("end"))), ("Confidence", d.get("confidence")),
                ("Amount", fmt.amount(d.get("amount"), d.get("currency"))),
                ("Share", fmt.share(d["share"]) if d.get("share") is not None else None),
                ("Description", d.get("description")), ("Id", d["id"])]),
        html.H4("Sources"), citation_list(d.get("citations", [])),
    ], className="panel-body")


def hop_list(path: dict[str, Any], *, numbered: bool = True) -> html.Ol:
    """Each hop of an influence path in words, with its strength, direction, dates, confidence and sources."""
    items = []
    for hop in path["hops"]:
        against = " (influence runs against the link's direction)" if hop["direction"] == "backward" else ""
        items.append(html.Li([
            html.Div([html.Span(fmt.strength(hop["strength"]), className="hop-strength"),
                      html.Span(hop["says"] + against)], className="hop-says"),
            html.Div(f"{fmt.period(hop['start'], hop['end'])}; {hop['confidence']}", className="muted"),
            citation_list(hop.get("sources", [])),
        ], className="hop"))
    return html.Ol(items, className="hop-list")


def path_title(path: dict[str, Any]) -> str:
    return " → ".join(a["name"] for a in path["actors"])


def page_link(path: str, **query: Any) -> str:
    """A dashboard address with a query (lists comma-joined, empty values left out)."""
    clean = {k: (",".join(v) if isinstance(v, (list, tuple)) else v) for k, v in query.items()
             if v not in (None, "", [], ())}
    return path + ("?" + urlencode(clean) if clean else "")
