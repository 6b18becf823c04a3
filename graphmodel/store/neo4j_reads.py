"""Reading the Neo4j store: the read half of the store contract, over committed records only.

Every read statement keeps the records of committed runs (see
:mod:`graphmodel.store.cypher`); :func:`resolve` then picks a record's
pending properties once the run that wrote them is committed, so readers see
a committed run whole even before it has been applied. :class:`Neo4jReads`
sends its statements through the connection it is mixed into.
"""

from __future__ import annotations

import heapq
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from ..kinds import LinkKind
from ..models import Actor, Citation, Link, Source
from ..propertygraph import (actor_claims, actor_from_props, claimed_actor, link_claims, link_from_props,
                             link_kind_of_type, source_from_props)
from ..text import normalise_name
from .contract import Batch, Stats, cited_documents
from .cypher import (
    ACTORS_BY_ID,
    ACTORS_BY_KEY,
    ACTORS_PAGE,
    ACTORS_SEARCH,
    ACTOR_IDS_OF_ORIGIN,
    LINK_ANY_TYPE,
    LINK_IDS_OF_ORIGIN,
    LINKS_OF,
    META_ID,
    META_READ,
    SOURCES_ALL,
    STATS_ACTOR_ORIGINS,
    STATS_ACTORS,
    STATS_LINK_ORIGINS,
    STATS_LINKS,
    STATS_SOURCES,
    links_by_id,
    links_page,
)
from .neo4j_batches import batches
from .neo4j_connection import Neo4jConnection


def resolve(props: dict, committed: int) -> dict:
    """A record's visible properties: its pending ones once their run is committed.

    >>> resolve({"name": "old", "sm_next": '{"name": "new"}', "sm_next_seq": 3}, 3)
    {'name': 'new'}
    >>> resolve({"name": "old", "sm_next": '{"name": "new"}', "sm_next_seq": 3}, 2)["name"]
    'old'
    """
    nxt = props.get("sm_next_seq")
    if nxt is not None and nxt <= committed and props.get("sm_next"):
        return json.loads(props["sm_next"])
    return props


class Neo4jReads(Neo4jConnection):
    """The store contract's reads on Neo4j."""

    def _actors(self, records) -> list[Actor]:
        return [actor_from_props(resolve(dict(r["p"]), r["c"])) for r in records]

    @staticmethod
    def _link(r) -> Link:
        return link_from_props(resolve(dict(r["p"]), r["c"]), r["source"], r["target"])

    def get_actor(self, actor_id: str) -> Actor | None:
        return self.get_actors([actor_id]).get(actor_id)

    def get_actors(self, actor_ids: Iterable[str]) -> dict[str, Actor]:
        ids = list(dict.fromkeys(actor_ids))
        found: dict[str, Actor] = {}
        for chunk in batches(ids, ACTORS_BY_ID, self.limits):
            for actor in self._actors(self._read(ACTORS_BY_ID, meta=META_ID, ids=chunk)):
                found[actor.id] = actor
        return {i: found[i] for i in ids if i in found}

    def get_link(self, link_id: str) -> Link | None:
        rows = self._read(LINK_ANY_TYPE, meta=META_ID, id=link_id)
        return self._link(rows[0]) if rows else None

    def find_actors(self, text: str, limit: int = 20) -> list[Actor]:
        keys = ["i:" + text.strip().casefold(), "n:" + normalise_name(text)]
        if ":" in text:
            scheme, _, value = text.partition(":")
            keys.append(f"x:{scheme.strip().lower()}:{value.strip().casefold()}")
        needles = [f"\n{k}\n" for k in dict.fromkeys(keys)]
        return self._actors(self._read(ACTORS_BY_KEY, meta=META_ID, needles=needles, limit=limit))

    def search_actors(self, text: str, limit: int = 10) -> list[Actor]:
        norm = normalise_name(text)
        if not norm:
            return []
        return self._actors(self._read(ACTORS_SEARCH, meta=META_ID, text=norm, limit=limit))

    def actor_by_identifier(self, scheme: str, value: str) -> Actor | None:
        needle = f"\nx:{scheme.lower()}:{value.strip().casefold()}\n"
        found = self._actors(self._read(ACTORS_BY_KEY, meta=META_ID, needles=[needle], limit=1))
        return found[0] if found else None

    def links_at(self, actor_ids: list[str]) -> dict[str, list[Link]]:
        """One Cypher round trip per batch of actors (the contract's neighbourhood walks with it)."""
        out: dict[str, dict[str, Link]] = {a: {} for a in actor_ids}
        for chunk in batches(actor_ids, LINKS_OF, self.limits):
            for r in self._read(LINKS_OF, meta=META_ID, ids=chunk):
                link = self._link(r)
                out[r["at"]][link.id] = link
        return {a: [links[i] for i in sorted(links)] for a, links in out.items()}

    def links_of(self, actor_id: str) -> list[Link]:
        return self.links_at([actor_id])[actor_id]

    def get_links(self, link_ids: Iterable[str]) -> dict[str, Link]:
        ids = list(dict.fromkeys(link_ids))
        found = {link.id: link for link in map(self._link, self._link_rows(ids, list(LinkKind)))}
        return {i: found[i] for i in ids if i in found}

    def _link_rows(self, ids: list[str], kinds: list[LinkKind],
                   before_batch: Callable[[], None] | None = None) -> Iterator:
        """Rows of the committed links among ``ids``, looked up in each of ``kinds``' id index in turn
        until every id is found (an id alone does not say which relationship type holds it, and a lookup
        without the type would scan every relationship). ``before_batch`` runs before each lookup."""
        remaining = list(ids)
        for kind in kinds:
            if not remaining:
                return
            stmt = links_by_id(kind)
            found = set()
            for chunk in batches(remaining, stmt, self.limits):
                if before_batch is not None:
                    before_batch()
                for r in self._read(stmt, meta=META_ID, ids=chunk):
                    found.add(r["p"]["id"])
                    yield r
            remaining = [i for i in remaining if i not in found]

    def iter_actors(self) -> Iterator[Actor]:
        after = ""
        while True:
            rows = self._read(ACTORS_PAGE, meta=META_ID, after=after, limit=self.limits.read_page)
            if not rows:
                return
            yield from self._actors(rows)
            after = rows[-1]["p"]["id"]
            if len(rows) < self.limits.read_page:
                return

    def iter_actors_with_origins(self) -> Iterator[tuple[Actor, list[str]]]:
        """Every actor with the origins claiming it, in one pass (``stakemap sync``)."""
        after = ""
        while True:
            rows = self._read(ACTORS_PAGE, meta=META_ID, after=after, limit=self.limits.read_page)
            for r in rows:
                p = resolve(dict(r["p"]), r["c"])
                yield actor_from_props(p), list(p.get("origins", []))
            if len(rows) < self.limits.read_page:
                return
            after = rows[-1]["p"]["id"]

    def iter_links_with_origins(self) -> Iterator[tuple[Link, list[str]]]:
        for r in self._link_records():
            p = resolve(dict(r["p"]), r["c"])
            yield link_from_props(p, r["source"], r["target"]), list(p.get("origins", []))

    def _link_pages(self, kind: LinkKind) -> Iterator:
        after = ""
        statement = links_page(kind)
        while True:
            rows = self._read(statement, meta=META_ID, after=after, limit=self.limits.read_page)
            yield from rows
            if len(rows) < self.limits.read_page:
                return
            after = rows[-1]["p"]["id"]

    def _link_records(self) -> Iterator:
        return heapq.merge(*(self._link_pages(k) for k in LinkKind), key=lambda r: r["p"]["id"])

    def iter_links(self) -> Iterator[Link]:
        for r in self._link_records():
            yield self._link(r)

    def iter_link_rows(self) -> Iterator[tuple[str, str, str, str, str | None, str | None, str, str]]:
        """Links as plain tuples ``(id, kind, source, target, start, end, confidence, sensitivity)``."""
        for r in self._link_records():
            p = resolve(dict(r["p"]), r["c"])
            yield (p["id"], p["kind"], r["source"], r["target"], p.get("start"), p.get("end"),
                   p["confidence"], p["sensitivity"])

    def sources(self) -> list[Source]:
        return [source_from_props(resolve(dict(r["p"]), r["c"])) for r in self._read(SOURCES_ALL, meta=META_ID)]

    def origin_batch(self, origin_id: str) -> Batch | None:
        origin = next((s for s in self.sources() if s.id == origin_id), None)
        if origin is None:
            return None
        ids = [r["id"] for r in self._read(ACTOR_IDS_OF_ORIGIN, meta=META_ID, origin=origin_id)]
        actors = []
        for chunk in batches(ids, ACTORS_BY_ID, self.limits):
            for r in self._read(ACTORS_BY_ID, meta=META_ID, ids=chunk):
                claim = next(c for c in actor_claims(resolve(dict(r["p"]), r["c"])) if c["origin"] == origin_id)
                actors.append(claimed_actor(claim))
        rows = self._read(LINK_IDS_OF_ORIGIN, meta=META_ID, origin=origin_id)
        kinds = list(dict.fromkeys(link_kind_of_type(r["type"]) for r in rows))
        links = []
        for r in self._link_rows([r["id"] for r in rows], kinds):
            p = resolve(dict(r["p"]), r["c"])
            own = link_claims(p)[origin_id]
            link = link_from_props(p, r["source"], r["target"])
            links.append(link.model_copy(update={"citations": [
                Citation(source=s, locator=loc or None, note=n or None) for s, loc, n in own]}))
        actors.sort(key=lambda a: a.id)
        links.sort(key=lambda lk: lk.id)
        return Batch(origin, actors, links, cited_documents(self, actors, links, origin_id))

    def origins_of(self, record_id: str) -> list[str]:
        rows = self._read(ACTORS_BY_ID, meta=META_ID, ids=[record_id])
        origins: set[str] = set()
        for r in rows:
            origins.update(resolve(dict(r["p"]), r["c"]).get("origins", []))
        for r in self._read(LINK_ANY_TYPE, meta=META_ID, id=record_id):
            origins.update(resolve(dict(r["p"]), r["c"]).get("origins", []))
        return sorted(origins)

    def stats(self) -> Stats:
        by_kind: dict[str, int] = defaultdict(int)
        by_country: dict[str, int] = defaultdict(int)
        actors = 0
        for r in self._read(STATS_ACTORS, meta=META_ID):
            by_kind[r["kind"]] += r["n"]
            by_country[r["country"]] += r["n"]
            actors += r["n"]
        links_by_kind = {r["kind"]: r["n"] for r in self._read(STATS_LINKS, meta=META_ID)}
        by_origin: dict[str, dict[str, int]] = {}
        for statement, what in ((STATS_ACTOR_ORIGINS, "actors"), (STATS_LINK_ORIGINS, "links")):
            for r in self._read(statement, meta=META_ID):
                by_origin.setdefault(r["origin"], {"actors": 0, "links": 0})[what] = r["n"]
        sources = self._one(STATS_SOURCES, meta=META_ID)
        meta = self._one(META_READ, meta=META_ID)
        meta = (meta["meta"] if meta else None) or {}

        def ordered(d: dict[str, int]) -> dict[str, int]:
            return dict(sorted(d.items(), key=lambda kv: (-kv[1], kv[0])))

        return Stats(
            actors=actors, links=sum(links_by_kind.values()), sources=sources["n"] if sources else 0,
            actors_by_kind=ordered(by_kind), links_by_kind=ordered(links_by_kind),
            actors_by_country=ordered(by_country), records_by_origin=dict(sorted(by_origin.items())),
            last_write=meta.get("last_write"),
        )

    def fingerprint(self) -> str:
        row = self._one(META_READ, meta=META_ID)
        meta = (row["meta"] if row else None) or {}
        return f"{meta.get('store_id', '')}:{meta.get('committed', 0)}"
