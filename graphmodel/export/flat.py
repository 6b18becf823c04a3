"""Records as flat rows of scalars, for the tabular and XML formats.

Lists (aliases, countries, sectors) are joined with ``|`` (as the tabular
template reads them); each external identifier gets its own column named by
its scheme; each extra attribute gets its own column (named ``attr_<name>``
when the name is taken by a field), its value written as text unless it is a
number or a truth value; citations become a list of source ids and, where the
format has no room for a list, JSON.

>>> from graphmodel.models import Actor, Citation
>>> a = Actor(id="ktu", kind="union", name="KTU", aliases=["Kesatuan"], countries=["MY", "SG"],
...           identifiers={"wikidata": "Q1"}, attributes={"members": 1200, "kind": "x"},
...           citations=[Citation(source="seed-004", locator="p. 3")])
>>> row = actor_row(a, attribute_columns([a], ACTOR_FIELDS))
>>> row["aliases"], row["countries"], row["wikidata"], row["members"], row["attr_kind"], row["sources"]
('Kesatuan', 'MY|SG', 'Q1', 1200, 'x', 'seed-004')
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ..models import IDENTIFIER_SCHEMES, Actor, Citation, Link

LIST_SEPARATOR = "|"
ACTOR_FIELDS = ("id", "name", "kind", "aliases", "country", "countries", "sectors", "description", "sensitivity",
                *IDENTIFIER_SCHEMES)
LINK_FIELDS = ("id", "kind", "source", "target", "directed", "start", "end", "amount", "currency", "share",
               "confidence", "sensitivity", "description")
CITATION_FIELDS = ("sources", "citations")


def scalar(value: Any) -> str | int | float | bool | None:
    """A value fit for one cell or XML attribute: numbers and truth values kept, others as text (JSON)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def attribute_columns(records: Iterable[Actor | Link], reserved: Iterable[str]) -> dict[str, str]:
    """Attribute name -> column name, for every attribute any record has, in first-seen order."""
    taken = {r.lower() for r in reserved} | {c.lower() for c in CITATION_FIELDS}
    out: dict[str, str] = {}
    for record in records:
        for name in record.attributes:
            if name not in out:
                out[name] = f"attr_{name}" if name.lower() in taken else name
    return out


def citations_json(citations: list[Citation]) -> str | None:
    """Citations as a JSON list of ``{"source", "locator", "note"}`` (``None`` when there are none)."""
    if not citations:
        return None
    return json.dumps([c.model_dump(exclude_none=True) for c in citations], ensure_ascii=False)


def source_ids(citations: list[Citation]) -> str | None:
    return LIST_SEPARATOR.join(dict.fromkeys(c.source for c in citations)) or None


def actor_row(actor: Actor, attributes: dict[str, str]) -> dict[str, Any]:
    """An actor as ``column -> scalar`` (``None`` for empty), citations as ``sources`` and ``citations``."""
    row: dict[str, Any] = {
        "id": actor.id, "name": actor.name, "kind": actor.kind.value,
        "aliases": LIST_SEPARATOR.join(actor.aliases) or None, "country": actor.country,
        "countries": LIST_SEPARATOR.join(actor.countries) or None,
        "sectors": LIST_SEPARATOR.join(actor.sectors) or None, "description": actor.description,
        "sensitivity": actor.sensitivity.value if actor.sensitivity else None,
    }
    for scheme in IDENTIFIER_SCHEMES:
        row[scheme] = actor.identifiers.get(scheme)
    for name, column in attributes.items():
        row[column] = scalar(actor.attributes.get(name))
    row["sources"] = source_ids(actor.citations)
    row["citations"] = citations_json(actor.citations)
    return row


def link_row(link: Link, attributes: dict[str, str]) -> dict[str, Any]:
    """A link as ``column -> scalar``, with whether its kind is directed."""
    from ..kinds import LINK_SPECS

    row: dict[str, Any] = {
        "id": link.id, "kind": link.kind.value, "source": link.source, "target": link.target,
        "directed": LINK_SPECS[link.kind].directed, "start": link.start, "end": link.end,
        "amount": link.amount, "currency": link.currency, "share": link.share,
        "confidence": link.confidence.value, "sensitivity": link.sensitivity.value,
        "description": link.description,
    }
    for name, column in attributes.items():
        row[column] = scalar(link.attributes.get(name))
    row["sources"] = source_ids(link.citations)
    row["citations"] = citations_json(link.citations)
    return row


def attribute_types(records: Iterable[Actor | Link], attributes: dict[str, str]) -> dict[str, str]:
    """Column -> the one type all values of that attribute share: ``boolean``, ``long``, ``double`` or ``string``.

    >>> from graphmodel.models import Actor
    >>> attribute_types([Actor(kind="ngo", name="A", attributes={"n": 1, "x": "a"}),
    ...                  Actor(kind="ngo", name="B", attributes={"n": 2.5, "x": 3})], {"n": "n", "x": "x"})
    {'n': 'double', 'x': 'string'}
    """
    seen: dict[str, set[str]] = {name: set() for name in attributes}
    for record in records:
        for name, value in record.attributes.items():
            if value is not None and name in seen:
                seen[name].add(value_type(scalar(value)))
    out = {}
    for name, kinds in seen.items():
        if kinds == {"long", "double"}:
            kind = "double"
        elif len(kinds) == 1:
            kind = next(iter(kinds))
        else:
            kind = "string"
        out[attributes[name]] = kind
    return out


def value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


#: Types of the fixed columns (everything not listed is text).
FIELD_TYPES = {"directed": "boolean", "amount": "double", "share": "double"}
