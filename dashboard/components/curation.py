"""The curation forms' parts: where an edit's fact comes from, the explore panel's edit block, and the
two records of a review entry side by side (pure functions returning components of plain strings)."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from graphmodel.curation.sides import ROWS, cell
from graphmodel.kinds import ACTOR_SPECS, ActorKind

from . import format as fmt
from .pickers import actor_picker

#: The source part's fields, in order (each form's ids are ``{prefix}-src-{field}``).
SOURCE_FIELDS = ("source", "title", "url", "locator", "note")


def source_part(prefix: str, options: list[dict[str, str]]) -> html.Fieldset:
    """Pick a source in the store, or describe a new one; with a locator and a note either way."""
    def box(name: str, placeholder: str) -> dcc.Input:
        return dcc.Input(id=f"{prefix}-src-{name}", type="text", value="", placeholder=placeholder,
                         className="text-input", debounce=False)
    return html.Fieldset([
        html.Legend("Source (every edit names one)"),
        dcc.Dropdown(id=f"{prefix}-src-source", options=options, value=None, placeholder="A source in the store…",
                     searchable=True, clearable=True),
        html.Div("or a new one:", className="muted"),
        box("title", "Title"), box("url", "URL or document"),
        box("locator", "Where in it (page, paragraph)"), box("note", "What it says, in your words"),
    ], className="source-part")


def source_states(prefix: str) -> list:
    from dash import State

    return [State(f"{prefix}-src-{name}", "value") for name in SOURCE_FIELDS]


def form_of(values: tuple) -> dict[str, Any]:
    """The source part's values (in :data:`SOURCE_FIELDS` order) as a dict."""
    return dict(zip(SOURCE_FIELDS, values))


def _field(label: str, widget) -> html.Div:
    return html.Div([html.Label(label), widget], className="control")


def _input(ident: str, placeholder: str = "") -> dcc.Input:
    return dcc.Input(id=ident, type="text", value="", placeholder=placeholder, className="text-input")


KIND_OPTIONS = [{"label": ACTOR_SPECS[k].label, "value": k.value} for k in ActorKind]


def edit_block(source_options: list[dict[str, str]], opened: dict[str, Any],
               links: list[dict[str, str]]) -> html.Div:
    """The explore panel's curation block (analysts and admins) for the actor ``opened`` (its values and
    digest, kept with the form): change fields, add a link, end a link, retire the actor; one source
    part for all."""
    values = opened["values"]

    def filled(name: str, placeholder: str = "") -> dcc.Input:
        return dcc.Input(id=f"cur-{name}", type="text", value=values.get(name, ""), placeholder=placeholder,
                         className="text-input")
    return html.Div([
        html.H4("Curate this actor"),
        source_part("cur", source_options),
        html.Details([html.Summary("Edit fields"),
                      _field("Name", filled("name")),
                      _field("Kind", dcc.Dropdown(id="cur-kind", options=KIND_OPTIONS, value=values.get("kind"),
                                                  clearable=False)),
                      _field("Country", filled("country", "ISO code, e.g. HK")),
                      _field("Description", filled("description")),
                      _field("Also known as", filled("aliases", "names separated by |")),
                      html.Button("Save changes", id="cur-save", className="button")], open=True),
        html.Details([html.Summary("Add a link"),
                      _field("To or from", actor_picker("curate", "link-to", None, placeholder="Another actor…")),
                      dcc.RadioItems(id="cur-link-dir", options=[{"label": "from this actor", "value": "out"},
                                                                 {"label": "to this actor", "value": "in"}],
                                     value="out", inline=True, className="inline-radio"),
                      _field("Kind (those the kinds table allows)", dcc.Dropdown(id="cur-link-kind", options=[],
                                                                                  value=None)),
                      _field("Start", _input("cur-link-start", "2019 or 2019-06")),
                      _field("End", _input("cur-link-end")),
                      _field("Amount", _input("cur-link-amount")), _field("Currency", _input("cur-link-currency", "EUR")),
                      html.Button("Add link", id="cur-link-add", className="button")]),
        html.Details([html.Summary("End a link or retire the actor"),
                      _field("Link", dcc.Dropdown(id="cur-end-link", options=links, value=None)),
                      _field("Ended / retired on", _input("cur-end-date", "2019, 2019-06 or 2019-06-30")),
                      html.Button("End link", id="cur-end-save", className="button"),
                      html.Button("Retire this actor", id="cur-retire", className="button secondary")]),
        dcc.Store(id="cur-opened", data=opened),
    ], id="cur-box", className="curate-box")


def link_options(details: dict[str, Any] | None) -> list[dict[str, str]]:
    """The actor's links (from its panel's details) to choose one to end."""
    out = []
    for lk in (details or {}).get("links", []):
        arrow = "→" if lk["outgoing"] else "←"
        out.append({"label": f"{arrow} {fmt.link_label(lk['kind'])} {lk['other']['name']} "
                             f"({fmt.period(lk['start'], lk['end'])})", "value": lk["id"]})
    return out


def side_by_side(entry: dict[str, Any]) -> html.Div:
    """A review entry: for a pair, a table of its two records (names, identifiers, countries, kinds,
    sources, links with amounts); for another entry, what it says."""
    head = html.Div([html.Strong(entry["type"]), html.Span(f" · {entry['reason']} · origin {entry.get('origin')}"),
                     html.Span(f" · decided: {entry['verdict']}" if entry.get("verdict") else "")],
                    className="review-head")
    if "sides" not in entry:
        rows = [html.Tr([html.Th(k), html.Td(str(v))]) for k, v in entry.get("details", {}).items()]
        return html.Div([head, html.Table(html.Tbody(rows), className="table review-details")], id="review-entry")
    a, b = entry["sides"]["a"], entry["sides"]["b"]
    rows = [html.Tr([html.Th(label), html.Td(cell(a, key)), html.Td(cell(b, key))],
                    className="differs" if cell(a, key) != cell(b, key) else None) for key, label in ROWS]
    rows.append(html.Tr([html.Th("its links"), html.Td(_links(a)), html.Td(_links(b))]))
    table = html.Table([html.Thead(html.Tr([html.Th(""), html.Th("known actor (kept on Same)"), html.Th("record")])),
                        html.Tbody(rows)], className="table review-sides", id="review-sides")
    return html.Div([head, table], id="review-entry")


def _links(side: dict[str, Any]) -> html.Ul:
    items = []
    for lk in side["links"]:
        arrow = "→" if lk["outgoing"] else "←"
        text = f"{arrow} {fmt.link_label(lk['kind'])} {lk['other']}"
        if lk.get("amount") is not None:
            text += f" ({fmt.amount(lk['amount'], lk['currency'])})"
        items.append(html.Li(text))
    if side["link_count"] > len(side["links"]):
        items.append(html.Li(f"… and {side['link_count'] - len(side['links'])} more", className="muted"))
    return html.Ul(items, className="review-links")


def revert_button(version: int) -> html.Button:
    return html.Button("Revert", id={"type": "cur-revert", "version": str(version)}, className="button small secondary",
                       title=f"Undo version {version} (a new version)")
