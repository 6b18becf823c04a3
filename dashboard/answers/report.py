"""Every page's "Download report": the question a page shows, as an HTML report made at the viewer's
clearance (:mod:`graphmodel.report`), with the dashboard's store, influence weights and context table.

The page's state is read from its address (the query its URL store holds), so the report answers exactly
the question on screen. An actor the viewer may not see is answered as one that does not exist.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

from graphmodel.analysis import get_projection
from graphmodel.errors import StakemapError
from graphmodel.export import Clearance
from graphmodel.report import ReportView, actor_report, coverage_report, leverage_report, paths_report, render_html

from .. import bundled
from ..access import Viewer
from ..mapdata import DataError, store, weights
from .coverage import context_table

#: The world map's country shapes, served by the dashboard and drawn from here in reports.
TOPOJSON = Path(__file__).resolve().parents[1] / "assets"
#: The pages that offer a report, and the kind of report each makes.
PAGES = {"coverage": "coverage", "leverage": "leverage", "paths": "paths", "explore": "actor"}


def _ints(q: dict, key: str, default: int, lo: int, hi: int) -> int:
    try:
        return min(hi, max(lo, int(q.get(key, [default])[0])))
    except ValueError:
        return default


def _list(q: dict, key: str) -> list[str]:
    return [v.strip() for value in q.get(key, []) for v in value.split(",") if v.strip()]


def _one(q: dict, key: str) -> str:
    found = _list(q, key)
    if not found:
        raise DataError(f"Pick {'an actor' if key == 'actor' else 'a ' + key} first: the report answers the question "
                        "on screen.")
    return found[0]


def build(viewer: Viewer, page: str, query: str | None):
    """The :class:`~graphmodel.report.Report` of a page's question (``query``: the page's URL state)."""
    if page not in PAGES:
        raise DataError("This page has no report.")
    q = parse_qs(query or "", keep_blank_values=False)
    view = ReportView.of(store(), Clearance(viewer.clearance, viewer.include_people), get_projection(store()))
    if page == "coverage":
        column = (q.get("column") or [bundled.CONTEXT_COLUMN])[0]
        return coverage_report(view, _one(q, "funder"), context=context_table(column),
                               max_hops=_ints(q, "hops", 6, 1, 8))
    if page == "leverage":
        return leverage_report(view, _one(q, "target"), side=_list(q, "side"), top=_ints(q, "top", 10, 3, 50),
                               max_hops=_ints(q, "hops", 4, 1, 6), weights=weights())
    if page == "paths":
        return paths_report(view, _one(q, "from"), _one(q, "to"), k=_ints(q, "k", 5, 1, 10),
                            max_hops=_ints(q, "hops", 6, 1, 8), kinds=_list(q, "links") or None, weights=weights())
    chosen = _list(q, "sel")
    actor = chosen[0] if chosen and view.sees(chosen[0]) else _one(q, "actor")
    return actor_report(view, actor)


def report_file(viewer: Viewer, page: str, query: str | None) -> tuple[str, bytes]:
    """``(file name, HTML)`` of the report of a page's question, at the viewer's clearance."""
    try:
        report = build(viewer, page, query)
    except DataError:
        raise
    except StakemapError as exc:
        raise DataError(str(exc)) from None
    slug = re.sub(r"[^a-z0-9]+", "-", report.subject.casefold()).strip("-")[:60] or "report"
    return f"stakemap-report-{report.kind}-{slug}.html", render_html(report, TOPOJSON).encode("utf-8")


__all__ = ["PAGES", "build", "report_file"]
