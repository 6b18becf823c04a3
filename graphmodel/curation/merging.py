"""Rewriting one origin's claims when two actors become one, or one becomes two again (pure).

A merge renames actor ``b`` to ``a`` in everything an origin claims: its claim
on ``b`` becomes a claim on ``a`` (combined with its own claim on ``a``, if it
had one), its links at ``b`` now end at ``a`` (an id made from the link's ends
is made again from the new ends; links that become the same link are one, with
both citations), and the origin remembers that its record ``b`` is ``a``, so
ingesting its file again merges them the same way. A split gives an origin's
claim on ``a`` back to the record it came from.

>>> from graphmodel.models import Actor, Link, Source
>>> from graphmodel.store.contract import Batch
>>> batch = Batch(Source(id="f2", title="f2", kind="file"),
...               [Actor(id="amrc-2", kind="ngo", name="Asia Monitor Resource Center")],
...               [Link(kind="supports", source="amrc-2", target="lac")])
>>> merged = remap(batch, {"amrc-2": "amrc"})
>>> [a.id for a in merged.actors], merged.links[0].source, merged.origin.merges
(['amrc'], 'amrc', '{"amrc-2": "amrc"}')
>>> back = split(merged, "amrc", "amrc-2")
>>> [a.id for a in back.actors], back.links[0].source, back.origin.merges, back.links[0].id == batch.links[0].id
(['amrc-2'], 'amrc-2', None, True)
"""

from __future__ import annotations

import json

from .. import ids
from ..models import Actor, Link, merge_citations
from ..store.claims import merge_actor_claims
from ..store.contract import Batch


def _derived(link: Link) -> bool:
    """Whether a link's id was made from its ends (so it is made again when an end changes)."""
    return link.id == ids.link_id(link.source, link.kind.value, link.target, link.start)


def _repoint(links: list[Link], mapping: dict[str, str]) -> list[Link]:
    out: dict[str, Link] = {}
    for link in links:
        source, target = mapping.get(link.source, link.source), mapping.get(link.target, link.target)
        if (source, target) != (link.source, link.target):
            new_id = ids.link_id(source, link.kind.value, target, link.start) if _derived(link) else link.id
            link = link.model_copy(update={"id": new_id, "source": source, "target": target})
        if link.id in out:  # two links became one: one link, both citations
            first = out[link.id]
            link = first.model_copy(update={"citations": merge_citations(first.citations, link.citations)})
        out[link.id] = link
    return list(out.values())


def _merges(batch: Batch) -> dict[str, str]:
    return json.loads(batch.origin.merges) if batch.origin.merges else {}


def _with_merges(batch: Batch, merges: dict[str, str], actors: list[Actor], links: list[Link]) -> Batch:
    origin = batch.origin.model_copy(update={"merges": json.dumps(merges, sort_keys=True) if merges else None})
    return Batch(origin, actors, links, list(batch.sources))


def remap(batch: Batch, mapping: dict[str, str]) -> Batch:
    """The origin's claims with each actor ``b`` of ``mapping`` renamed to its ``a``."""
    claims: dict[str, list[Actor]] = {}
    for actor in sorted(batch.actors, key=lambda a: a.id in mapping):  # the origin's own claim on a survivor first
        target = mapping.get(actor.id, actor.id)
        claims.setdefault(target, []).append(actor.model_copy(update={"id": target}))
    # where the origin held both records, its own claim on the survivor leads and the other adds its names
    actors = [group[0] if len(group) == 1 else merge_actor_claims([(f"{i:04d}", a) for i, a in enumerate(reversed(group))])
              for group in claims.values()]
    merges = {record: mapping.get(actor, actor) for record, actor in _merges(batch).items()}
    merges.update({b: a for b, a in mapping.items() if any(x.id == b for x in batch.actors)})
    return _with_merges(batch, merges, actors, _repoint(list(batch.iter_links()), mapping))


def split(batch: Batch, actor_id: str, record_id: str) -> Batch:
    """The origin's claim on ``actor_id`` given back to its record ``record_id``, with its links."""
    actors = [a.model_copy(update={"id": record_id}) if a.id == actor_id else a for a in batch.actors]
    merges = {r: a for r, a in _merges(batch).items() if r != record_id}
    return _with_merges(batch, merges, actors, _repoint(list(batch.iter_links()), {actor_id: record_id}))
