"""Overview: what the map holds, where it comes from, how fresh it is, and the three questions."""

from __future__ import annotations

from dash import dcc, html

from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind

from dashboard.access import current_viewer
from dashboard.answers.overview import examples, overview
from dashboard.components.bars import bar_list
from dashboard.components import format as fmt
from dashboard.components.panels import page_link

#: How Dash Pages lists this page (registered by :func:`dashboard.app.create_app`).
REGISTRATION = dict(path="/", name="Overview", title="Stakemap · Overview", order=0)


def layout(**_query) -> html.Div:
    viewer = current_viewer()
    ov = overview(viewer)
    ex = examples(viewer)
    return html.Div([
        html.Div(html.Div([html.H1("What the map holds"),
                           html.P(f"{ov['actors']:,} actors and {ov['links']:,} links, loaded from "
                                  f"{len(ov['origins'])} dataset{'s' if len(ov['origins']) != 1 else ''} citing "
                                  f"{len(ov['documents'])} sources, as you may see them (clearance "
                                  f"{viewer.clearance.value}{'' if viewer.include_people else ', people left out'}).",
                                  className="lede")]), className="page-head"),
        html.Div(kpis(ov), className="kpis", id="overview-kpis"),
        html.H2("Three questions, a few clicks each"),
        html.Div(guide(ex), className="guide", id="overview-guide"),
        html.Div([html.Div(kinds_bars(ov["actors_by_kind"]), className="card"),
                  html.Div(countries_bars(ov["actors_by_country"], ov["no_country"]), className="card"),
                  html.Div(links_bars(ov["links_by_kind"], ov["links_by_confidence"]), className="card")],
                 className="grid-3"),
        html.H2("Where it comes from"),
        html.Div([html.Div(origins_table(ov["origins"]), className="card"),
                  html.Div(documents_list(ov["documents"]), className="card")], className="grid-2"),
        html.Div(ledger_table(ov.get("ledgers", {})), className="card") if ov.get("ledgers") else None,
        html.P(freshness(ov), className="muted", id="overview-freshness"),
    ], className="page page-overview")


def kpis(ov: dict) -> list:
    items = [("Actors", f"{ov['actors']:,}"), ("Links", f"{ov['links']:,}"),
             ("Countries", f"{len(ov['actors_by_country']):,}"), ("Sources cited", f"{len(ov['documents']):,}"),
             ("Confirmed links", fmt.share(ov["links_by_confidence"].get("confirmed", 0) / ov["links"])
              if ov["links"] else "–")]
    return [html.Div([html.Div(v, className="kpi-value"), html.Div(k, className="kpi-label")], className="kpi")
            for k, v in items]


def guide(ex: dict) -> list:
    """Three cards: the question, what the page does, and a worked example from this map."""
    def card(title, question, text, href, example):
        return html.Div([html.Div(title, className="guide-kicker"), html.H3(question), html.P(text),
                         dcc.Link(example or f"Open {title}", href=href, className="button-link")],
                        className="guide-card")

    lev = ex.get("leverage")
    pth = ex.get("paths")
    cov = ex.get("coverage")
    return [
        card("Leverage", "Who can move this target?",
             "Pick a target (a brand, a supplier, a government, a trade fair) and your side: actors are ranked by "
             "how well you reach them times the pressure they can put on the target, grouped by where they act.",
             page_link("/leverage", target=lev["target"]["id"], side=[s["id"] for s in lev["side"]]) if lev
             else "/leverage", f"Who can move {lev['target']['name']}?" if lev else None),
        card("Paths", "Through whom can we reach them?",
             "Pick where you start and whom you want to reach: the strongest chains of influence, each hop with "
             "its link, dates, confidence and sources.",
             page_link("/paths", **{"from": pth["from"]["id"], "to": pth["to"]["id"]}) if pth else "/paths",
             f"From {pth['from']['name']} to {pth['to']['name']}" if pth else None),
        card("Coverage", "What does our money reach?",
             "Pick a funder: which organisations, countries and sectors its grants reach, directly and through "
             "re-granting, where the gaps are against the migrant workforce, and who else funds the same groups.",
             page_link("/coverage", funder=cov["funder"]["id"]) if cov else "/coverage",
             f"Where {cov['funder']['name']}'s money goes" if cov else None),
    ]


def kinds_bars(counts: dict[str, int]) -> html.Div:
    kinds = sorted((k for k in ActorKind if k.value in counts), key=lambda k: -counts[k.value])
    return bar_list("Actors by kind", [(ACTOR_SPECS[k].label, counts[k.value], ACTOR_SPECS[k].colour) for k in kinds],
                    box_id="overview-kinds")


def countries_bars(counts: dict[str, int], no_country: int, top: int = 15) -> html.Div:
    items = [(fmt.country(c), n, "#2874a6") for c, n in list(counts.items())[:top]]
    note = f"{len(counts)} countries" + (f"; {no_country:,} actors without one" if no_country else "")
    return bar_list(f"Actors by country (top {len(items)})", items, note=note, box_id="overview-countries")


def links_bars(counts: dict[str, int], confidence: dict[str, int]) -> html.Div:
    kinds = sorted((k for k in LinkKind if k.value in counts), key=lambda k: -counts[k.value])
    note = "By confidence: " + ", ".join(f"{n:,} {c}" for c, n in confidence.items())
    return bar_list("Links by kind", [(LINK_SPECS[k].label, counts[k.value], LINK_SPECS[k].colour) for k in kinds],
                    note=note, box_id="overview-links")


def origins_table(origins: list[dict]) -> html.Div:
    rows = [html.Tr([html.Th("Dataset or file"), html.Th("Publisher"), html.Th("Licence"),
                     html.Th("Actors", className="num"), html.Th("Links", className="num")])]
    for o in origins:
        rows.append(html.Tr([html.Td(o["title"]), html.Td(o.get("publisher") or "–"), html.Td(o.get("licence") or "–"),
                             html.Td("–" if o["actors"] is None else f"{o['actors']:,}", className="num"),
                             html.Td("–" if o["links"] is None else f"{o['links']:,}", className="num")]))
    return html.Div([html.H3("Loaded datasets"), html.Table(rows, className="table")])


def ledger_table(ledgers: dict[str, dict]) -> html.Div | None:
    """What each ingested file stated, what was written and what was set aside (administrators only)."""
    if not ledgers:
        return None
    rows = [html.Tr([html.Th("Origin"), html.Th("File"), html.Th("Read", className="num"),
                     html.Th("Written", className="num"), html.Th("Rejected", className="num"),
                     html.Th("Merged", className="num"), html.Th("Money: stated = written + set aside"),
                     html.Th("Set aside, why")])]
    for origin, ledger in sorted(ledgers.items()):
        for f in ledger.get("files", []):
            r = f["records"]
            money = "; ".join(
                (f"{cur} {m['stated']:,.0f} = {m['written']:,.0f} + {m['set_aside']:,.0f}"
                 + ("" if m["reconciles"] else " (does not add up)")) if m["stated"] is not None
                else f"{cur} {m['written']:,.0f} written" for cur, m in f["money"].items()) or "–"
            why = "; ".join(f"{n} {reason}" for reason, n in f.get("set_aside_by_reason", {}).items()) or "–"
            rows.append(html.Tr([html.Td(origin), html.Td(f["path"]), html.Td(f"{r['read']:,}", className="num"),
                                 html.Td(f"{r['written']:,}", className="num"),
                                 html.Td(f"{r['rejected']:,}", className="num"),
                                 html.Td(f"{r['merged']:,}", className="num"), html.Td(money), html.Td(why)]))
    return html.Div([html.H3("What the files said (reconciliation)"), html.Table(rows, className="table",
                                                                                  id="overview-ledger")])


def documents_list(documents: list[dict]) -> html.Div:
    items = [html.Li([html.Strong(d["title"]),
                      html.Span(" — " + ", ".join(str(x) for x in (d.get("author"), d.get("publisher"), d.get("year"))
                                                 if x), className="muted")]) for d in documents[:30]]
    more = [html.P(f"… and {len(documents) - 30} more.", className="muted")] if len(documents) > 30 else []
    return html.Div([html.H3("Sources cited"), html.Ul(items, className="doc-list"), *more])


def freshness(ov: dict) -> str:
    years = ov.get("years")
    span = f"Links are dated from {years[0]} to {years[1]}. " if years else ""
    return f"{span}Last loaded {ov.get('last_write') or 'never'}; store {ov['store']}."
