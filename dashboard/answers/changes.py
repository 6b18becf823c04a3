"""What changed, as the viewer may see it: the versions, the changes between two of them, an actor's changes,
and the changes a neighbourhood is compared with.

The same functions answer ``stakemap diff`` (:mod:`graphmodel.changes`): the
changes between two versions, cut to what the viewer may see, then filtered.
Versions themselves are listed only when they changed something the viewer
may see (with the origins of those changes only): a write that touched only
withheld records is not listed, named or counted, and a version number or date
the viewer gives is read against the versions they may see, so that even an
error names none of the others. Counts per version are not shown (the store
counts every record of a write).
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from graphmodel.changes import Diff, changes_by_version, narrowed, seen_changes, version_diff
from graphmodel.errors import StakemapError
from graphmodel.export.redaction import Clearance
from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind
from graphmodel.models import Actor
from graphmodel.analysis import get_projection
from graphmodel.store.history import Change, HistoryRow, Version
from graphmodel.store.versioned import resolve_version

from ..access import Viewer
from ..free_text import mask, redact_fields
from ..graphview import Filters, GraphView
from ..mapdata import _memoised, fingerprint, hidden_names, projection, sources_index, store
from .search import resolve

#: Most rows the Changes table holds (the counts are always whole).
MAX_ROWS = 5000


def _rules(viewer: Viewer):
    seen = Clearance(viewer.clearance, viewer.include_people)
    return seen.sees_actor, (lambda lk: seen.link_reason(lk.sensitivity) is None)


def _visible_history(viewer: Viewer) -> dict[str, Any]:
    """Which records each version changed that the viewer may see, as ``(record, id, origin, ends)``, and
    the versions that did (cached per store state and viewer).

    The history is read once; records are judged as :func:`graphmodel.changes.seen_changes` judges them
    (a state the viewer may not see counts as absent; a record withheld now is left out), with the
    records' present state read from the viewer's map (:func:`~dashboard.mapdata.projection`) rather than
    from the store, so that a large history is listed in seconds.
    """
    def build():
        st = store()
        full, proj = get_projection(st), projection(viewer)
        sees_actor, sees_link = _rules(viewer)
        full_links = full.cached(("changes", "link-index"), lambda: {i: j for j, i in enumerate(full.link_ids.tolist())})
        seen_links = proj.cached(("changes", "link-ids"), lambda: set(proj.link_ids.tolist()))
        trail: dict[tuple[str, str], list[HistoryRow]] = {}
        last_state: dict[str, Actor] = {}
        for row in sorted(st.history_rows(st.history_from()), key=lambda r: r.version):
            trail.setdefault((row.record, row.id), []).append(row)
            if row.record == "actor" and row.before is not None:
                last_state[row.id] = row.before  # type: ignore[assignment]

        def now(record: str, ident: str) -> str:
            if record == "link":
                return "absent" if ident not in full_links else "seen" if ident in seen_links else "hidden"
            i = full.index.get(ident)
            if i is None or not full.active[i]:
                return "absent"
            j = proj.index.get(ident)
            return "seen" if j is not None and proj.active[j] else "hidden"

        ends_ok: dict[str, bool] = {}

        def end_seen(ident: str) -> bool:
            if ident not in ends_ok:
                state = now("actor", ident)
                ends_ok[ident] = state == "seen" if state != "absent" else (
                    (a := last_state.get(ident)) is not None and sees_actor(a))
            return ends_ok[ident]

        def shown(state) -> bool:
            if state is None:
                return False
            if isinstance(state, Actor):
                return sees_actor(state)
            return sees_link(state) and end_seen(state.source) and end_seen(state.target)

        marks: dict[int, list[tuple]] = {}
        for (record, ident), kept in trail.items():
            present = now(record, ident)
            if present == "hidden":
                continue
            for n, row in enumerate(kept):
                after = kept[n + 1].before if n + 1 < len(kept) else None
                after_seen = shown(after) if n + 1 < len(kept) else present == "seen"
                if not (shown(row.before) or after_seen):
                    continue
                state = row.before or after
                if record == "actor":
                    ends: tuple = (ident,)
                elif state is not None:
                    ends = (state.source, state.target)
                else:
                    j = full_links[ident]
                    ends = (full.actor_ids[full.src[j]], full.actor_ids[full.dst[j]])
                marks.setdefault(row.version, []).append((record, ident, row.origin, ends))
        known = {v.number: v for v in st.versions()}
        start = st.history_from()
        shown_versions = [known[n] for n in sorted(marks) if n in known]
        if start and start in known and start not in marks:  # the earliest state the store still knows
            shown_versions.insert(0, known[start])
        return {"versions": shown_versions, "marks": marks, "start": start, "any": bool(known)}
    return _memoised(("changes-history", fingerprint(), viewer.key), build)


class _Seen:
    """The versions a viewer may see, as :func:`~graphmodel.store.versioned.resolve_version` reads a store."""

    def __init__(self, versions: list[Version], start: int) -> None:
        self._versions, self._start = versions, start

    def versions(self) -> list[Version]:
        return self._versions

    def history_from(self) -> int:
        return self._start


def version_number(viewer: Viewer, text: str | int | None, *, end_of_day: bool = False) -> int | None:
    """The version the viewer named (a number or a date), among those they may see; None stays None (now).
    Raises the error :func:`~graphmodel.store.versioned.resolve_version` raises, naming the nearest."""
    hist = _visible_history(viewer)
    return resolve_version(_Seen(hist["versions"], hist["start"]), text, end_of_day=end_of_day)  # type: ignore[arg-type]


def versions(viewer: Viewer) -> dict[str, Any]:
    """The versions the viewer may see, newest first: number, when, what, the origins of what they changed."""
    hist = _visible_history(viewer)
    out = []
    for v in reversed(hist["versions"]):
        origins = sorted({m[2] for m in hist["marks"].get(v.number, []) if m[2]})
        out.append({"number": v.number, "at": v.at, "action": v.action, "origins": origins,
                    "who": v.who if viewer.include_people else None,
                    "label": f"{v.number} · {_when(v.at)} · {v.action}" + (f" · {', '.join(origins)}" if origins else "")})
    if hist["any"] and hist["start"] == 0:
        out.append({"number": 0, "at": None, "action": "start", "origins": [], "who": None,
                    "label": "0 · the empty store"})
    return {"versions": out, "any": hist["any"], "history_from": hist["start"]}


def version_options(viewer: Viewer) -> list[dict[str, str]]:
    """The versions as dropdown options (values are the numbers, as text)."""
    return [{"label": v["label"], "value": str(v["number"])} for v in versions(viewer)["versions"]]


def default_since(viewer: Viewer) -> str | None:
    """The version before the last the viewer may see: by default, a diff shows what the last write did."""
    listed = versions(viewer)["versions"]
    return str(listed[1]["number"]) if len(listed) > 1 else None


def _when(at: str | None) -> str:
    return (at or "")[:16].replace("T", " ")


# -- the changes between two versions ----------------------------------------------------------
def diff(viewer: Viewer, since: str | int | None, until: str | int | None = None) -> tuple[Diff, dict[str, Actor]]:
    """The changes between two versions the viewer names, as they may see them (raises StakemapError)."""
    if not _visible_history(viewer)["any"]:
        version_diff(store(), since, until)  # raises: the store has no versions yet
    start = version_number(viewer, since if since not in (None, "") else default_since(viewer) or 0)
    end = version_number(viewer, until, end_of_day=True)

    def build():
        found, _ = version_diff(store(), start, end)
        sees_actor, sees_link = _rules(viewer)
        found.changes, actors = seen_changes(store(), found.changes, sees_actor, sees_link,
                                             after_is_now=found.after_is_now)
        return found, actors
    return _memoised(("changes-diff", fingerprint(), viewer.key, start, end), build)


def changes(viewer: Viewer, since: str | int | None = None, until: str | int | None = None, *,
            origins: list[str] | None = None, kinds: list[str] | None = None, countries: list[str] | None = None,
            actor: str | None = None, limit: int = MAX_ROWS) -> dict[str, Any]:
    """The Changes page's answer: counts first, then the changes grouped by origin and kind, and the rows
    (each change with its fields old → new and its sources). ``{"error": ...}`` when it cannot be told."""
    try:
        found, actors = diff(viewer, since, until)
    except StakemapError as exc:
        return {"error": _said(exc)}
    around = None
    if actor:
        chosen = resolve(viewer, actor)
        around = {chosen} if chosen else set()
    kept = narrowed(found.changes, actors.get, origins=set(origins) if origins else None,
                    kinds=set(kinds) if kinds else None, countries=set(countries) if countries else None,
                    around=around)
    shown = Diff(found.since, found.until, found.basis, kept, list(found.notes))
    listed = {v["number"] for v in versions(viewer)["versions"]}
    hidden = hidden_names(viewer)
    grouped = shown.grouped()
    groups = [{"origin": origin, "record": what.split(" ", 1)[0], "kind": _kind_label(items[0]), **_count(items)}
              for origin, kinds_ in grouped.items() for what, items in kinds_.items()]
    ordered = ((origin, c) for origin, kinds_ in grouped.items() for items in kinds_.values() for c in items)
    rows = [_row(c, actors, listed, hidden, origin) for origin, c in islice(ordered, limit)]
    return {"since": found.since, "until": found.until, "counts": shown.counts(), "groups": groups,
            "rows": rows, "total": len(kept), "notes": found.notes}


def _said(exc: StakemapError) -> str:
    return str(exc)  # the message and its hint


def _count(items: list[Change]) -> dict[str, int]:
    return {s: sum(1 for c in items if c.status == s) for s in ("added", "removed", "changed")}


def _row(c: Change, actors: dict[str, Actor], listed: set[int], hidden, origin: str) -> dict[str, Any]:
    """One change for the table: what it is, in words, its fields old → new and its sources."""
    now = c.now
    index = sources_index()
    sources = sorted({cit.source for cit in now.citations})
    titles = [redact_fields({"title": index.get(s, {}).get("title") or s}, hidden, authors=False)["title"]
              for s in sources]
    fields = {k: (mask(_text(a), hidden), mask(_text(b), hidden)) for k, (a, b) in c.fields().items()}
    return {"id": f"{c.record}:{c.id}", "record": c.record, "status": c.status, "origin": origin,
            "kind": _kind_label(c), "what": describe(c, actors), "country": _countries(c, actors),
            "fields": "; ".join(f"{k}: {a} → {b}" for k, (a, b) in fields.items()),
            "field_list": [{"field": k, "old": a, "new": b} for k, (a, b) in fields.items()],
            "sources": "; ".join(titles), "versions": ", ".join(str(v) for v in c.versions if v in listed)}


def _text(value: Any) -> str:
    text = "—" if value in (None, [], {}, "") else ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _kind_label(c: Change) -> str:
    if c.record == "actor":
        return ACTOR_SPECS[ActorKind(c.kind)].label
    return LINK_SPECS[LinkKind(c.kind)].label


def describe(c: Change, actors: dict[str, Actor]) -> str:
    """A change's record in words: an actor's name, or a link's two ends."""
    now = c.now
    if isinstance(now, Actor):
        return now.name
    names = [getattr(actors.get(e), "name", e) for e in (now.source, now.target)]
    return f"{names[0]} {LINK_SPECS[now.kind].label} {names[1]}"


def _countries(c: Change, actors: dict[str, Actor]) -> str:
    now = c.now
    ends = [now] if isinstance(now, Actor) else [actors.get(now.source), actors.get(now.target)]
    return ", ".join(sorted({a.country for a in ends if a is not None and a.country}))


def origins(viewer: Viewer) -> list[str]:
    """Every origin a version the viewer may see changed something of."""
    return sorted({o for v in versions(viewer)["versions"] for o in v["origins"]})


# -- an actor's changes, for its panel -----------------------------------------------------------
def actor_changes(viewer: Viewer, actor_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The versions that changed an actor or its links (as the viewer may see them), newest first: at most
    ``limit`` changes (one more tells the caller there are more)."""
    hist = _visible_history(viewer)
    mine = [(number, m[0], m[1]) for number in sorted(hist["marks"], reverse=True)
            for m in hist["marks"][number] if actor_id in m[3]][:limit + 1]
    if not mine:
        return []
    st = store()
    per = changes_by_version(st, {(record, ident) for _, record, ident in mine})
    wanted = {(number, record, ident) for number, record, ident in mine}
    found = [c for number, items in per.items() for c in items if (number, c.record, c.id) in wanted]
    sees_actor, sees_link = _rules(viewer)
    seen, actors = seen_changes(st, found, sees_actor, sees_link)
    at = {v.number: v.at for v in hist["versions"]}
    hidden = hidden_names(viewer)
    out = []
    for c in sorted(seen, key=lambda c: (-c.versions[0], c.record, c.status, c.kind, c.id)):
        fields = "; ".join(f"{k}: {mask(_text(a), hidden)} → {mask(_text(b), hidden)}" for k, (a, b) in c.fields().items())
        out.append({"version": c.versions[0], "at": _when(at.get(c.versions[0])), "status": c.status,
                    "record": c.record, "what": describe(c, actors), "fields": fields})
    return out


# -- the explore view compared with a version ----------------------------------------------------
def compare(viewer: Viewer, since: str | None) -> dict[str, Any] | None:
    """What changed since a version or date (None: no comparison): the ids added, removed and changed, and
    the removed links and actors as they were (to draw them). ``{"error": ...}`` when it cannot be told."""
    if not since:
        return None
    try:
        found, actors = diff(viewer, since, None)
    except StakemapError as exc:
        return {"error": _said(exc)}
    status: dict[str, dict[str, set[str]]] = {r: {s: set() for s in ("added", "removed", "changed")}
                                              for r in ("actor", "link")}
    for c in found.changes:
        status[c.record][c.status].add(c.id)
    removed_links = [c.before for c in found.changes if c.record == "link" and c.status == "removed"]
    ends = {e for lk in removed_links for e in (lk.source, lk.target)}  # type: ignore[union-attr]
    refs = {i: {"id": i, "name": a.name, "kind": a.kind.value, "country": a.country}
            for i, a in actors.items() if i in ends}
    return {"since": found.since, "actors": status["actor"], "links": status["link"],
            "removed_links": [{"id": lk.id, "source": lk.source, "target": lk.target, "kind": lk.kind.value,  # type: ignore[union-attr]
                               "confidence": lk.confidence.value} for lk in removed_links],  # type: ignore[union-attr]
            "refs": refs}


def union_view(view: GraphView, cmp: dict[str, Any], filters: Filters = Filters(), hops: int = 1) -> GraphView:
    """The neighbourhood now and as it was: ``view`` plus the links removed since then that touch an actor it
    shows, with their other ends, ``hops`` rounds out (within the filters and the view's cap).

    >>> view = GraphView(nodes={"a": {"ref": {"id": "a", "name": "A", "kind": "union", "country": None},
    ...                               "depth": 0, "parent": None, "seed": True}}, links=[], order=["a"])
    >>> cmp = {"removed_links": [{"id": "l", "source": "a", "target": "b", "kind": "funds",
    ...                           "confidence": "confirmed"}],
    ...        "refs": {"b": {"id": "b", "name": "B", "kind": "ngo", "country": "HK"}}}
    >>> both = union_view(view, cmp)
    >>> sorted(both.nodes), [lk["id"] for lk in both.links], both.nodes["b"]["parent"]
    (['a', 'b'], ['l'], 'a')
    >>> sorted(union_view(view, cmp, Filters(link_kinds=("supports",))).nodes)
    ['a']
    """
    def kept(lk: dict) -> bool:
        return ((not filters.link_kinds or lk["kind"] in filters.link_kinds)
                and (not filters.confidence or lk["confidence"] in filters.confidence))

    def allowed(ref: dict) -> bool:
        return ((not filters.kinds or ref["kind"] in filters.kinds)
                and (not filters.countries or ref.get("country") in filters.countries))

    removed = [lk for lk in cmp["removed_links"] if kept(lk)]
    nodes, order, links = dict(view.nodes), list(view.order), list(view.links)
    have = {lk["id"] for lk in links}
    for _ in range(max(hops, 1)):
        grew = False
        for lk in removed:
            inside = [e for e in (lk["source"], lk["target"]) if e in nodes]
            if lk["id"] in have or not inside:
                continue
            other = next((e for e in (lk["source"], lk["target"]) if e not in nodes), None)
            if other is not None:
                ref = cmp["refs"].get(other)
                if ref is None or not allowed(ref) or len(nodes) >= view.cap:
                    continue
                parent = nodes[inside[0]]
                nodes[other] = {"ref": ref, "depth": parent["depth"] + 1, "parent": inside[0], "seed": False,
                                "late": False}
                order.append(other)
                grew = True
            links.append(lk)
            have.add(lk["id"])
        if not grew:
            break
    return GraphView(nodes=nodes, links=links, groups=view.groups, order=order, expanded=view.expanded, cap=view.cap)
