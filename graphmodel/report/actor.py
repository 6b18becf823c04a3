"""The actor report: who an actor is, and every link of it the maker may see, each cited.

The figure is the actor's neighbourhood drawn by the export's picture writer
(:func:`graphmodel.export.picture.write_svg`) from the records the maker may
see; the table lists the links (at most :data:`LISTED`, busiest neighbours
first), each with its dates, amount, confidence and sources.
"""

from __future__ import annotations

import io
from collections import Counter

import numpy as np

from ..analysis.projection import LINK_KINDS, adjacency
from ..export.picture import write_svg
from ..store.contract import Subgraph
from .common import country, kind_label, link_label, now, period, store_version_line
from .model import Figure, References, Report, Row, Section, Table
from .view import ReportView, withheld_sentence

#: Links listed, and neighbours drawn.
LISTED = 150
DRAWN = 40


def actor_report(view: ReportView, actor: str) -> Report:
    """A report on one actor (an id, name or alias the maker may see) and its links."""
    ref = view.resolve(actor)
    proj = view.proj
    i = proj.index[ref["id"]]
    indptr, nbr, via = adjacency(proj)
    mine = via[indptr[i]:indptr[i + 1]]
    others = nbr[indptr[i]:indptr[i + 1]]
    degree = np.diff(indptr)
    order = np.lexsort((proj.link_ids[mine].astype(str), -degree[others]))
    mine = mine[order][:LISTED]
    record = view.store.get_actor(ref["id"])
    links = view.store.get_links(proj.link_ids[mine].tolist())
    refs = References(view.sources(), view.text)
    about = view.text({"description": record.description}) if record is not None else {}
    own = refs.cite([c.model_dump(exclude_none=True) for c in record.citations]) if record is not None else []
    rows = []
    for j in mine.tolist():
        link = links.get(proj.link_ids[j])
        if link is None:
            continue
        out = link.source == ref["id"]
        other = proj.actor_ref(proj.index[link.target if out else link.source])
        says = (f"{ref['name']} {link_label(link.kind.value)} {other['name']}" if out
                else f"{other['name']} {link_label(link.kind.value)} {ref['name']}")
        amount = f"{link.currency or ''} {link.amount:,.0f}".strip() if link.amount is not None else ""
        rows.append(Row([says, kind_label(other["kind"]), period(link.start, link.end), amount, link.confidence.value],
                        refs.cite([c.model_dump(exclude_none=True) for c in link.citations])))
    total = int(indptr[i + 1] - indptr[i])
    kinds = Counter(proj.link_kind[via[indptr[i]:indptr[i + 1]]].tolist())
    by_kind = "; ".join(f"{link_label(LINK_KINDS[k].value)} {n}" for k, n in kinds.most_common())
    name = ref["name"]
    where = f" in {country(ref.get('country'))}" if ref.get("country") else ""
    summary = (f"{name} is a {kind_label(ref['kind']).lower()}{where}. On this map it has {total} link(s) its reader "
               f"may see" + (f": {by_kind}." if by_kind else ".") + (f" {about['description']}" if about.get("description")
                                                                     else ""))
    table = Table("Links", ["Link", "Other side", "When", "Amount", "Confidence"], rows,
                  note=f"The {len(rows)} links to its best connected neighbours, of {total}." if total > len(rows) else "")
    details = Table("About", ["Field", "Value"], [Row(["Kind", kind_label(ref["kind"])], own),
                                                  Row(["Country", country(ref.get("country"))])])
    sections = [Section("Neighbourhood", "figures", figures=[_picture(view, ref["id"], mine)]),
                Section("Links", "tables", tables=[details, table])]
    methods = ["An actor report lists the links of one actor as they are recorded, with their sources; it ranks "
               "nothing, so no influence weights are used.", "Made from " + store_version_line(view.store) + "."]
    return Report("actor", name, name, summary, sections, refs.entries(), methods, withheld_sentence(view.clearance),
                  now())


def _picture(view: ReportView, actor_id: str, links: np.ndarray) -> Figure:
    proj = view.proj
    chosen = links[:DRAWN]
    ids = list(dict.fromkeys([actor_id] + [proj.actor_ids[x] for j in chosen for x in (proj.src[j], proj.dst[j])]))
    actors = view.store.get_actors(ids)
    records = view.store.get_links(proj.link_ids[chosen].tolist())
    graph = Subgraph({a: actors[a] for a in ids if a in actors},
                     {k: lk for k, lk in records.items() if lk.source in actors and lk.target in actors})
    buf = io.BytesIO()
    write_svg(graph, buf, {"report": "actor"}, [])
    svg = buf.getvalue().decode("utf-8")
    svg = svg[svg.index("<svg"):]
    return Figure("Its neighbourhood", f"The actor and {len(graph.actors) - 1} neighbours (at most {DRAWN}), coloured "
                  "by kind.", svg=svg)


__all__ = ["actor_report"]
