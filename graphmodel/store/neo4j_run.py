"""One write to the Neo4j store, worked out in memory: what a run changes and the statements that say so.

A :class:`Run` holds every record the write touches, each as a :class:`Rec`:
its properties as last committed (``base``) and as they will be after the run
(``new``, None when the record goes). Staging a batch merges its records with
what other origins claim; :meth:`Run.flush_writes` then gives the statements
that write the run's changes invisibly (new records with the run's ``sm_seq``,
changes waiting in ``sm_next``, deletions marked with ``sm_del``), and
:meth:`Run.apply_writes` those that make the graph clean again after the
commit. The store reads what a run needs and sends these statements;
everything here is pure: no driver, no server.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..errors import StoreError
from ..kinds import ActorKind, LinkKind
from ..models import Actor, Link, Source
from ..propertygraph import (
    actor_claim,
    actor_claims,
    actor_from_props,
    actor_props,
    citation_rows,
    claimed_actor,
    link_claims,
    link_from_props,
    link_props,
    source_props,
)
from .claims import lead_key, merge_actor_claims
from .history import same_substance
from .cypher import (
    ACTOR,
    SOURCE,
    SOURCE_APPLY,
    SOURCE_CREATE,
    actor_apply,
    actor_create,
    link_apply,
    link_create,
    link_delete,
    link_purge,
    link_stage,
    node_delete,
    node_purge,
    node_stage,
)


def same(a: dict | None, b: dict | None) -> bool:
    """Whether two versions of a record's properties agree (the version markers aside)."""
    if a is None or b is None:
        return a is b
    strip = ("sm_next", "sm_next_seq", "sm_del")
    return {k: v for k, v in a.items() if k not in strip} == {k: v for k, v in b.items() if k not in strip}


def _in_order(claims: Iterable[dict]) -> list[dict]:
    """Actor claims in the order they were written: by run, then by batch within the run."""
    return sorted(claims, key=lambda c: (c["seq"], c.get("sub", 0)))


@dataclass
class Rec:
    """A record as this run sees it: ``base`` as committed, ``new`` after the run (None: gone)."""

    base: dict | None
    new: dict | None
    kind: str | None = None          # actor kind, or link kind, after the run
    base_kind: str | None = None
    ends: tuple[str, str] | None = None
    base_ends: tuple[str, str] | None = None
    origin: str | None = None        # the origin whose batch last touched it in this run

    @property
    def changed(self) -> bool:
        """Kept, with other properties after the run."""
        return bool(self.base and self.new and not same(self.base, self.new))

    @property
    def moved(self) -> bool:
        """A link kept under another kind or between other actors (written anew, the old one deleted)."""
        return bool(self.base and self.new and (self.kind != self.base_kind or self.ends != self.base_ends))


@dataclass(frozen=True)
class Write:
    """One statement over a list of rows (sent in batches): the rows go in parameter ``key``,
    with ``params`` besides; ``expect``: every row must be written, or the run fails."""

    statement: str
    rows: list
    key: str = "rows"
    expect: bool = False
    params: dict = field(default_factory=dict)


@dataclass
class Run:
    """One all-or-nothing write: run number ``seq`` under the write lock ``token``."""

    seq: int
    token: str
    committed: int
    renewed: float = field(default_factory=time.monotonic)
    actors: dict[str, Rec] = field(default_factory=dict)
    links: dict[str, Rec] = field(default_factory=dict)
    sources: dict[str, Rec] | None = None
    batch_no: int = 0

    def _seq_of(self, rec: Rec) -> int:
        """A record keeps the run that created it."""
        return rec.base["sm_seq"] if rec.base else self.seq

    # staging: every record it touches must have been read into the run first
    def stage_sources(self, sources: list[Source]) -> None:
        recs = self.sources if self.sources is not None else {}
        for s in sources:
            rec = recs.setdefault(s.id, Rec(base=None, new=None))
            rec.new = source_props(s, self._seq_of(rec))
        self.sources = recs

    def stage_actor(self, origin: str, actor: Actor) -> None:
        """``origin`` claims ``actor``: merge it with the other origins' claims."""
        rec = self.actors[actor.id]
        others = _in_order(c for c in actor_claims(rec.new or {}) if c["origin"] != origin)
        merged = merge_actor_claims([(c["origin"], claimed_actor(c)) for c in others] + [(origin, actor)])
        mine = actor_claim(origin, self.seq, self.batch_no, actor)
        rec.new = actor_props(merged, [*others, mine], self._seq_of(rec))
        rec.kind = merged.kind.value
        rec.origin = origin

    def stage_link(self, origin: str, link: Link) -> None:
        """``origin`` claims ``link``: its citations join the other origins'; its fields win unless another
        claimant's origin id is greater (so the fields do not depend on the order origins came in)."""
        for end in (link.source, link.target):
            if self.actors[end].new is None:
                raise StoreError(f"link {link.id} refers to actor {end!r}, which is neither in the store nor in"
                                 f" the batch from {origin}", hint="nothing was written")
        rec = self.links[link.id]
        claims = link_claims(rec.new) if rec.new else {}
        led = rec.new is not None and any(lead_key(other) > lead_key(origin) for other in claims if other != origin)
        claims[origin] = citation_rows(link.citations)
        if led:
            link = link_from_props(rec.new, *rec.ends)
        rec.new = link_props(link, claims, self._seq_of(rec))
        rec.kind = link.kind.value
        rec.ends = (link.source, link.target)
        rec.origin = origin

    def drop_link_claims(self, link_ids: list[str], origin: str) -> int:
        """Take ``origin``'s claim off these links; those no origin claims any more go. Returns how many went."""
        removed = 0
        for link_id in link_ids:
            rec = self.links[link_id]
            rec.origin = origin
            claims = link_claims(rec.new)
            claims.pop(origin, None)
            if not claims:
                rec.new = None
                removed += 1
            else:
                link = link_from_props(rec.new, *rec.ends)
                rec.new = link_props(link, claims, rec.new["sm_seq"])
        return removed

    def release_claims(self, actor_ids: list[str], origin: str) -> list[str]:
        """Take ``origin``'s claim off these actors; returns those no origin claims any more."""
        orphans: list[str] = []
        for actor_id in actor_ids:
            rec = self.actors[actor_id]
            rec.origin = origin
            rest = _in_order(c for c in actor_claims(rec.new) if c["origin"] != origin)
            if rest:
                merged = merge_actor_claims([(c["origin"], claimed_actor(c)) for c in rest])
                rec.new = actor_props(merged, rest, rec.new["sm_seq"])
                rec.kind = merged.kind.value
            else:
                orphans.append(actor_id)
        return orphans

    def linked(self, actor_ids: list[str], committed: dict[str, list[str]]) -> set[str]:
        """Which of these actors have a link after this run, given the ids of their committed links."""
        wanted = set(actor_ids)
        linked = {a for a, ids in committed.items() if any(i not in self.links for i in ids)}
        for rec in self.links.values():
            if rec.new is not None and rec.ends:
                linked.update(e for e in rec.ends if e in wanted)
        return linked

    def drop_orphans(self, orphans: list[str], linked: set[str]) -> int:
        """Unclaimed actors go unless linked (those stay, claimed by no origin). Returns how many went."""
        removed = 0
        for actor_id in orphans:
            rec = self.actors[actor_id]
            if actor_id in linked:
                rec.new = {**rec.new, "origins": [], "sm_claims": []}
            else:
                rec.new = None
                removed += 1
        return removed

    def history(self) -> tuple[list[list], dict[str, int]]:
        """Every record this run changes, as ``[record, id, origin, state before as JSON or None]``
        (records compared as the store shows them, not by their version markers), with counts."""
        rows: list[list] = []
        counts = {f"{r}s_{s}": 0 for r in ("actor", "link") for s in ("added", "removed", "changed")}
        for record, recs in (("actor", self.actors), ("link", self.links)):
            for i, r in recs.items():
                before = _as_record(record, r.base, r.base_ends)
                after = _as_record(record, r.new, r.ends)
                if not same_substance(before, after):
                    rows.append([record, i, r.origin, before.model_dump_json() if before is not None else None])
                    status = "added" if before is None else "removed" if after is None else "changed"
                    counts[f"{record}s_{status}"] += 1
        return rows, counts

    # flushing: invisible until the commit
    def flush_writes(self) -> Iterator[Write]:
        """The statements that write this run's changes, none of them visible before the commit."""
        seq = self.seq
        sources = self.sources or {}
        yield Write(SOURCE_CREATE, [{"id": i, "props": r.new} for i, r in sources.items()
                                    if r.base is None and r.new], expect=True)
        yield Write(node_stage(SOURCE), [{"id": i, "next": json.dumps(r.new)} for i, r in sources.items()
                                         if r.changed], params={"seq": seq})
        yield Write(node_delete(SOURCE), [i for i, r in sources.items() if r.base and r.new is None],
                    key="ids", params={"seq": seq})

        creates: dict[str, list] = defaultdict(list)
        for i, r in self.actors.items():
            if r.base is None and r.new:
                creates[r.kind].append({"id": i, "props": r.new})
        for kind, rows in creates.items():
            yield Write(actor_create(ActorKind(kind)), rows, expect=True)
        yield Write(node_stage(ACTOR), [{"id": i, "next": json.dumps(r.new, ensure_ascii=False)}
                                        for i, r in self.actors.items() if r.changed], params={"seq": seq})

        link_creates: dict[str, list] = defaultdict(list)
        link_stages: dict[str, list] = defaultdict(list)
        link_deletes: dict[str, list] = defaultdict(list)
        for i, r in self.links.items():
            moved = r.moved
            if r.base and (r.new is None or moved):
                link_deletes[r.base_kind].append(i)
            if r.new and (r.base is None or moved):
                props = {**r.new, "sm_seq": seq} if moved else r.new
                link_creates[r.kind].append({"source": r.ends[0], "target": r.ends[1], "props": props})
            elif r.new and not same(r.base, r.new):
                link_stages[r.kind].append({"id": i, "next": json.dumps(r.new, ensure_ascii=False)})
        for kind, ids in link_deletes.items():
            yield Write(link_delete(LinkKind(kind)), ids, key="ids", params={"seq": seq})
        for kind, rows in link_creates.items():
            yield Write(link_create(LinkKind(kind)), rows, expect=True)
        for kind, rows in link_stages.items():
            yield Write(link_stage(LinkKind(kind)), rows, params={"seq": seq})
        yield Write(node_delete(ACTOR), [i for i, r in self.actors.items() if r.base and r.new is None],
                    key="ids", params={"seq": seq})

    # applying: after the commit, make the graph clean again
    def apply_writes(self) -> Iterator[Write]:
        """The statements that, once the run is committed, put changes in place and purge deleted records."""
        c = self.committed
        sources = self.sources or {}
        yield Write(SOURCE_APPLY, [{"id": i, "props": r.new} for i, r in sources.items() if r.changed])
        changed: dict[str, list] = defaultdict(list)
        for i, r in self.actors.items():
            if r.changed:
                changed[r.kind].append({"id": i, "props": r.new})
        for kind, rows in changed.items():
            yield Write(actor_apply(ActorKind(kind)), rows)
        purge: dict[str, list] = defaultdict(list)
        applied: dict[str, list] = defaultdict(list)
        for i, r in self.links.items():
            if r.base and (r.new is None or r.moved):
                purge[r.base_kind].append(i)
            elif r.changed:
                applied[r.kind].append({"id": i, "seq": self.seq, "props": r.new})
        for kind, rows in applied.items():
            yield Write(link_apply(LinkKind(kind)), rows)
        for kind, ids in purge.items():
            yield Write(link_purge(LinkKind(kind)), ids, key="ids", params={"committed": c})
        yield Write(node_purge(ACTOR), [i for i, r in self.actors.items() if r.base and r.new is None],
                    key="ids", params={"committed": c})
        yield Write(node_purge(SOURCE), [i for i, r in sources.items() if r.base and r.new is None],
                    key="ids", params={"committed": c})


def _as_record(record: str, props: dict | None, ends: tuple[str, str] | None) -> Actor | Link | None:
    if props is None:
        return None
    return actor_from_props(props) if record == "actor" else link_from_props(props, *ends)  # type: ignore[misc]
