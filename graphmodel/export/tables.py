"""The actors, links and sources tables shared by the CSV and XLSX exports.

Headings are those Stakemap's tabular reader, Gephi and Kumu read:

* actors: ``Id`` (Kumu: ``ID``), ``Label`` (the name), ``Type`` (the kind),
  then every field, identifier and extra attribute, then ``cites``,
  ``locator``, ``note`` (one citation);
* links, Gephi style (CSV): ``Id``, ``Source``, ``Target``, ``Type``
  (``Directed``/``Undirected``), ``Label`` (the kind), then the fields;
  Kumu style (XLSX): ``ID``, ``From``, ``To``, ``Type`` (the kind), then the
  fields;
* sources: ``id``, ``title``, ``kind``, ``author``, ``publisher``, ``year``,
  ``url``, ``licence``, ``format``, ``description``.

A record cited by several sources takes one row per citation, every other
cell repeated, so nothing is lost; Stakemap's reader merges such rows back
into one record, Gephi keeps the first row of each id. A record without
citations has one row with the citation cells empty. Extra attributes whose
names the reader would take for a field get an ``attr_`` prefix.

>>> from graphmodel.models import Actor, Citation
>>> from graphmodel.store.contract import Subgraph
>>> a = Actor(id="ktu", kind="union", name="KTU", citations=[Citation(source="s1", locator="p. 2"),
...                                                       Citation(source="s2")])
>>> t = actor_table(Subgraph({"ktu": a}), "gephi")
>>> t.headings[:3], [r[t.headings.index("cites")] for r in t.rows]
(['Id', 'Label', 'Type'], ['s1', 's2'])
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..kinds import LINK_SPECS
from ..models import IDENTIFIER_SCHEMES, Actor, Citation, Link, Source, identifier_scheme
from ..store.contract import Subgraph
from .flat import LIST_SEPARATOR, attribute_columns, scalar

#: Headings the tabular reader takes for actor fields (an attribute so named would be misread).
_ACTOR_READER_NAMES = ("id", "name", "label", "kind", "type", "element type", "aliases", "alias", "acronyms",
                       "country", "countries", "sectors", "sector", "description", "sensitivity", "source",
                       "cites", "locator", "note", *IDENTIFIER_SCHEMES)
_LINK_READER_NAMES = ("id", "from", "to", "source", "target", "kind", "type", "relationship", "connection type",
                      "label", "start", "start date", "end", "end date", "amount", "currency", "share",
                      "confidence", "sensitivity", "description", "cites", "locator", "note", "direction")
#: Identifier schemes the tabular reader reads as identifiers; others are written only when used.
_READ_SCHEMES = ("wikidata", "iati", "os_id", "lei")
SOURCE_HEADINGS = ("id", "title", "kind", "author", "publisher", "year", "url", "licence", "format", "description")


@dataclass
class Table:
    name: str
    headings: list[str]
    rows: Iterator[list[Any]] | list[list[Any]]


def _citation_cells(citations: list[Citation]) -> list[list[Any]]:
    return [[c.source, c.locator, c.note] for c in citations] or [[None, None, None]]


def actor_table(subgraph: Subgraph, style: str = "gephi") -> Table:
    """The actors table; ``style`` is ``gephi`` (``Id``) or ``kumu`` (``ID``)."""
    actors = list(subgraph.actors.values())
    attrs = attribute_columns(actors, _ACTOR_READER_NAMES)
    schemes = [s for s in IDENTIFIER_SCHEMES
               if s in _READ_SCHEMES or any(identifier_scheme(k) == s for a in actors for k in a.identifiers)]
    headings = ["ID" if style == "kumu" else "Id", "Label", "Type", "aliases", "country", "countries", "sectors",
                "description", "sensitivity", *schemes, *attrs.values(), "cites", "locator", "note"]
    return Table("actors", headings, _actor_rows(actors, schemes, attrs))


def _actor_rows(actors: list[Actor], schemes: list[str], attrs: dict[str, str]) -> Iterator[list[Any]]:
    for a in actors:
        head = [a.id, a.name, a.kind.value, LIST_SEPARATOR.join(a.aliases) or None, a.country,
                LIST_SEPARATOR.join(a.countries) or None, LIST_SEPARATOR.join(a.sectors) or None, a.description,
                a.sensitivity.value if a.sensitivity else None,
                *(LIST_SEPARATOR.join(v for k, v in a.identifiers.items() if identifier_scheme(k) == s) or None
                  for s in schemes), *(scalar(a.attributes.get(n)) for n in attrs)]
        for cite in _citation_cells(a.citations):
            yield head + cite


def link_table(subgraph: Subgraph, style: str = "gephi") -> Table:
    """The links table; ``gephi`` style has Source/Target/Type(direction)/Label(kind), ``kumu`` From/To/Type(kind)."""
    links = list(subgraph.links.values())
    attrs = attribute_columns(links, _LINK_READER_NAMES)
    if style == "kumu":
        ends = ["ID", "From", "To", "Type"]
    else:
        ends = ["Id", "Source", "Target", "Type", "Label"]
    headings = [*ends, "start", "end", "amount", "currency", "share", "confidence", "sensitivity", "description",
                *attrs.values(), "cites", "locator", "note"]
    return Table("links", headings, _link_rows(links, attrs, style))


def _link_rows(links: list[Link], attrs: dict[str, str], style: str) -> Iterator[list[Any]]:
    for lk in links:
        if style == "kumu":
            ends = [lk.id, lk.source, lk.target, lk.kind.value]
        else:
            direction = "Directed" if LINK_SPECS[lk.kind].directed else "Undirected"
            ends = [lk.id, lk.source, lk.target, direction, lk.kind.value]
        head = [*ends, lk.start, lk.end, lk.amount, lk.currency, lk.share, lk.confidence.value,
                lk.sensitivity.value, lk.description, *(scalar(lk.attributes.get(n)) for n in attrs)]
        for cite in _citation_cells(lk.citations):
            yield head + cite


def source_table(sources: list[Source]) -> Table:
    """The sources the exported records cite."""
    rows = [[getattr(s, h) for h in SOURCE_HEADINGS] for s in sources]
    return Table("sources", list(SOURCE_HEADINGS), rows)
