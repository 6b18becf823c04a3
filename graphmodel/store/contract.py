"""The store contract: what every backend (SQLite, Neo4j) provides.

A *batch* is everything one ingest run produced from one origin (a dataset or a
file): its records and the document sources they cite. Writing a batch is
all-or-nothing, and by default replaces what that origin wrote before, and
nothing else (replace-by-source). Records shared by several origins keep the
other origins' claims: a record disappears only when no origin claims it.

Fields of a record that two origins both wrote do not depend on the order they
were written in: an actor's come from its leading claim (the origin with the
greatest id among those stating its kind), a link's from the origin with the
greatest id; aliases, identifiers and citations are the union over all origins.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import json

from ..kinds import Confidence, LinkKind, Sensitivity
from ..models import Actor, Citation, Link, Source
from .history import HistoryRow, Version


#: Column order of a link row, the flat form of a :class:`Link` used for bulk loads.
LINK_COLUMNS = ("id", "kind", "source", "target", "start", "end", "amount", "currency", "share",
                "confidence", "sensitivity", "description", "attributes", "citations")


def link_to_row(link: Link) -> tuple:
    """A link as a row in :data:`LINK_COLUMNS` order (attributes and citations as JSON)."""
    return (link.id, link.kind.value, link.source, link.target, link.start, link.end, link.amount,
            link.currency, link.share, link.confidence.value, link.sensitivity.value, link.description,
            json.dumps(link.attributes, ensure_ascii=False) if link.attributes else None,
            citations_to_json(link.citations))


def link_from_row(row: tuple | list) -> Link:
    """The :class:`Link` of a row (trusted: rows are validated when they are made)."""
    (id_, kind, source, target, start, end, amount, currency, share, confidence, sensitivity,
     description, attributes, citations) = row
    return Link.model_construct(
        id=id_, kind=LinkKind(kind), source=source, target=target, start=start, end=end, amount=amount,
        currency=currency, share=share, confidence=Confidence(confidence), sensitivity=Sensitivity(sensitivity),
        description=description, attributes=json.loads(attributes) if attributes else {},
        citations=citations_from_json(citations))


def citations_to_json(citations: list[Citation]) -> str:
    return json.dumps([[c.source, c.locator, c.note] for c in citations], ensure_ascii=False)


def citations_from_json(text: str | None) -> list[Citation]:
    if not text:
        return []
    return [Citation.model_construct(source=s, locator=loc, note=n) for s, loc, n in json.loads(text)]


@dataclass
class Batch:
    """One ingest run's output, written atomically under ``origin``.

    Links come as models (``links``) or, for bulk loads, as already validated
    rows in :data:`LINK_COLUMNS` order (``link_rows``); backends read both
    through :meth:`iter_links` or :meth:`iter_link_rows`.
    """

    origin: Source
    actors: list[Actor] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    link_rows: list[tuple] = field(default_factory=list)

    @property
    def link_count(self) -> int:
        return len(self.links) + len(self.link_rows)

    def iter_links(self) -> Iterator[Link]:
        yield from self.links
        for row in self.link_rows:
            yield link_from_row(row)

    def iter_link_rows(self) -> Iterator[tuple]:
        for link in self.links:
            yield link_to_row(link)
        yield from self.link_rows


def cited_documents(view: "StoreView", actors: list[Actor], links: list[Link], origin_id: str) -> list[Source]:
    """The sources (other than the origin) that these records cite, as the store holds them."""
    cited = {c.source for r in [*actors, *links] for c in r.citations} - {origin_id}
    return [s for s in view.sources() if s.id in cited]


@dataclass(frozen=True)
class WriteResult:
    origin: str
    actors: int
    links: int
    actors_removed: int = 0
    links_removed: int = 0


@dataclass
class Subgraph:
    """A set of actors and the links among them."""

    actors: dict[str, Actor] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)

    def add(self, other: "Subgraph") -> None:
        self.actors.update(other.actors)
        self.links.update(other.links)


@dataclass
class Stats:
    actors: int
    links: int
    sources: int
    actors_by_kind: dict[str, int]
    links_by_kind: dict[str, int]
    actors_by_country: dict[str, int]
    records_by_origin: dict[str, dict[str, int]]
    last_write: str | None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class StoreView(ABC):
    """Reading a store."""

    url: str

    @abstractmethod
    def get_actor(self, actor_id: str) -> Actor | None: ...

    @abstractmethod
    def get_actors(self, actor_ids: Iterable[str]) -> dict[str, Actor]: ...

    @abstractmethod
    def get_link(self, link_id: str) -> Link | None: ...

    def get_links(self, link_ids: Iterable[str]) -> dict[str, Link]:
        """Links by id, in the order asked (unknown ids left out); backends may answer in one round trip."""
        found: dict[str, Link] = {}
        for link_id in dict.fromkeys(link_ids):
            link = self.get_link(link_id)
            if link is not None:
                found[link_id] = link
        return found

    def cited_sources(self, actor_ids: Iterable[str], link_ids: Iterable[str]) -> set[str]:
        """Ids of the sources cited by the given actors and links (without building more than needed
        where the backend can)."""
        cited = {c.source for actor in self.get_actors(actor_ids).values() for c in actor.citations}
        cited.update(c.source for link in self.get_links(link_ids).values() for c in link.citations)
        return cited

    def citing(self, source_ids: Iterable[str]) -> dict[str, tuple[set[str], set[str]]]:
        """For each of ``source_ids``, the ids of the actors and of the links that cite it."""
        found: dict[str, tuple[set[str], set[str]]] = {s: (set(), set()) for s in source_ids}
        for actor in self.iter_actors():
            for c in actor.citations:
                if c.source in found:
                    found[c.source][0].add(actor.id)
        for link in self.iter_links():
            for c in link.citations:
                if c.source in found:
                    found[c.source][1].add(link.id)
        return found

    @abstractmethod
    def find_actors(self, text: str, limit: int = 20) -> list[Actor]:
        """Actors whose id, name, alias or external identifier equals ``text``
        (case-, accent- and punctuation-insensitive for names)."""

    @abstractmethod
    def search_actors(self, text: str, limit: int = 10) -> list[Actor]:
        """Actors whose name or alias contains ``text`` (normalised), best first."""

    @abstractmethod
    def actor_by_identifier(self, scheme: str, value: str) -> Actor | None: ...

    @abstractmethod
    def links_of(self, actor_id: str) -> list[Link]:
        """Every link with ``actor_id`` at either end."""

    def links_at(self, actor_ids: list[str]) -> dict[str, list[Link]]:
        """Every link at each of ``actor_ids``; backends may answer in one round trip."""
        return {actor_id: self.links_of(actor_id) for actor_id in actor_ids}

    def neighbourhood(self, actor_ids: Iterable[str], hops: int = 1, limit: int | None = None) -> Subgraph:
        """Actors within ``hops`` links of ``actor_ids`` and the links among them.

        ``limit`` caps the number of actors (the seeds and nearest first).
        """
        frontier = list(dict.fromkeys(actor_ids))
        seen: dict[str, int] = {a: 0 for a in frontier}
        links: dict[str, Link] = {}
        for depth in range(1, hops + 1):
            at = self.links_at(frontier)
            nxt: list[str] = []
            for actor_id in frontier:
                for link in at[actor_id]:
                    for end in (link.source, link.target):
                        if end not in seen and (limit is None or len(seen) < limit):
                            seen[end] = depth
                            nxt.append(end)
                    if link.source in seen and link.target in seen:
                        links[link.id] = link
            frontier = nxt
        if frontier:
            at = self.links_at(frontier)
            for actor_id in frontier:
                for link in at[actor_id]:
                    if link.source in seen and link.target in seen:
                        links[link.id] = link
        return Subgraph(self.get_actors(seen), links)

    @abstractmethod
    def iter_actors(self) -> Iterator[Actor]: ...

    @abstractmethod
    def iter_links(self) -> Iterator[Link]: ...

    @abstractmethod
    def sources(self) -> list[Source]: ...

    @abstractmethod
    def origins_of(self, record_id: str) -> list[str]:
        """Origins (ingest sources) that claim a record."""

    @abstractmethod
    def origin_batch(self, origin_id: str) -> Batch | None:
        """What an origin claims, as a batch that would write it again: its own claim on each actor,
        each link it claims (with its fields as the store holds them and its own citations), and the
        documents they cite. None for an origin the store does not know."""

    @abstractmethod
    def stats(self) -> Stats: ...

    @abstractmethod
    def fingerprint(self) -> str:
        """A token that changes whenever the store's content changes (cheap)."""

    # -- transaction time: versions and what each replaced (see graphmodel.store.history) --------
    @abstractmethod
    def versions(self) -> list[Version]:
        """Every write to the store, oldest first."""

    @abstractmethod
    def history_from(self) -> int:
        """The earliest version whose state is known (0: from an empty store; later when the store
        was written before versions were kept, or its history was pruned)."""

    @abstractmethod
    def history_rows(self, since: int, ids: Iterable[tuple[str, str]] | None = None) -> list[HistoryRow]:
        """History rows of the versions after ``since`` (only of the ``(record, id)`` pairs given)."""

    @abstractmethod
    def history_size(self) -> dict[str, int]:
        """How much history the store keeps: ``rows`` and (approximate) ``bytes``."""

    # -- curation documents (judgements, the review queue: see graphmodel.store.curation) --------
    @abstractmethod
    def docs(self, kind: str) -> dict[str, dict]:
        """The documents of one kind, by key."""

    def content_hash(self) -> str:
        """A hash of the whole content, for checking that nothing changed."""
        import hashlib
        import json

        digest = hashlib.sha256()
        for rows in (
            sorted(a.model_dump_json() for a in self.iter_actors()),
            sorted(link.model_dump_json() for link in self.iter_links()),
            sorted(s.model_dump_json() for s in self.sources()),
        ):
            for row in rows:
                digest.update(row.encode())
            digest.update(b"\x1e")
        digest.update(json.dumps(self.stats().records_by_origin, sort_keys=True).encode())
        return digest.hexdigest()


class StoreWriter(ABC):
    """Writing a store."""

    def write(self, batch: Batch, *, replace: bool = True, who: str | None = None) -> WriteResult:
        """Write a batch atomically. With ``replace`` (the default), records the
        origin wrote before and does not write now lose that origin's claim."""
        return self.write_all([batch], replace=replace, who=who)[0]

    @abstractmethod
    def write_all(self, batches: list[Batch], *, replace: bool = True, expect: str | None = None,
                  who: str | None = None, note: str | None = None,
                  docs: dict[str, dict[str, dict | None]] | None = None, action: str = "ingest") -> list[WriteResult]:
        """Write several batches (one ingest run) as one all-or-nothing change: one new version,
        made by ``who``, whose history keeps every record it changed as it was before. ``docs``
        (kind -> key -> document, None to delete) are written with it.

        ``expect`` is the :meth:`~StoreView.fingerprint` the batches were computed
        against (entity resolution reads the store): when another writer changed
        the store since, nothing is written and :class:`~graphmodel.errors.StoreChanged`
        is raised, checked under the write lock, so the caller can compute again.
        """

    @abstractmethod
    def remove_origin(self, origin_id: str, *, who: str | None = None) -> WriteResult:
        """Remove every claim of an origin (records no one else claims go); a new version."""

    @abstractmethod
    def write_docs(self, docs: dict[str, dict[str, dict | None]], *, who: str | None = None, action: str = "note",
                   note: str | None = None) -> Version:
        """Write documents (kind -> key -> document, None to delete) as one new version."""

    @abstractmethod
    def prune_history(self, before: int) -> dict[str, int]:
        """Forget what versions up to ``before`` replaced (the current state and the states from
        ``before`` on stay known): ``rows`` dropped and ``bytes_freed``."""


class Store(StoreView, StoreWriter):
    """A backend: both halves of the contract, closable."""

    def close(self) -> None:  # pragma: no cover - overridden where needed
        pass

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
