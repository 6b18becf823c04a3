"""Nodes and edges of graph files (GraphML, GEXF, Kumu) as actors and links.

A graph file's node is a bag of attributes: one of them names it (``name``,
``label``...), one may give its type, others its acronym, country or
description; the rest are kept in ``Actor.attributes``. An edge's label or type
says its relationship. The kinds mapping (:mod:`ingest.mapping`) turns types
and labels into kinds; what it cannot map is kept under the fallback kinds
(``other`` / ``related_to``) with the original word in the attributes.

Node ids in graph files are local to the file: actor ids are made from the
file's origin and the node's id, so two people of the same name in two files
never share an id; organisations are then merged by entity resolution.
"""

from __future__ import annotations

import math
from typing import Any

from graphmodel.kinds import ActorKind, Confidence, LinkKind, Sensitivity
from graphmodel.models import IDENTIFIER_SCHEMES, Actor, Citation, check_identifiers
from graphmodel.text import normalise_name
from graphmodel.values import currency_code, partial_date, split_list

from .mapping import KindMapping, fit_link, mapping_key
from .records import Emitter, country_of, keyed_id, tidy

NAME_FIELDS = ("name", "label", "title", "full name", "organisation", "organization")
ALIAS_FIELDS = ("acronym", "abbreviation", "alias", "aliases", "short name", "other names")
COUNTRY_FIELDS = ("country", "country code", "countries")
DESCRIPTION_FIELDS = ("description", "summary")
TAG_FIELDS = ("tags", "tag")
START_FIELDS = ("start", "start date", "from date", "since", "startdate")
END_FIELDS = ("end", "end date", "until", "to date", "enddate")
WEIGHT_FIELDS = ("weight", "strength")
_ID_FIELDS = {mapping_key(s): s for s in IDENTIFIER_SCHEMES if s not in ("ftm", "kumu")}


def lacks_an_end(emit: Emitter, edge: Any, locator: str) -> bool:
    """Whether an XML ``edge`` has no ``source`` or no ``target`` (reported as a problem of its row)."""
    source, target = edge.get("source"), edge.get("target")
    if source is not None and target is not None:
        return False
    emit.begin()
    emit.problem(edge.sourceline, f"{locator}/@{'source' if source is None else 'target'}",
                 "the edge lacks an end", "an edge needs source and target")
    emit.end()
    return True


class GraphBuilder:
    """Makes actors of nodes and links of edges, for one file.

    ``sources`` are the source ids a row may cite in a ``cites`` column (with ``locator`` and
    ``note``), as Stakemap's own exports write them: such a row keeps that citation too.
    """

    def __init__(self, emit: Emitter, mapping: KindMapping, scheme: str, sources: set[str] | None = None) -> None:
        self.emit = emit
        self.ctx = emit.ctx
        self.mapping = mapping
        self.scheme = scheme
        self.sources = set(sources or ()) | set(emit.ctx.options.get("known_sources", ()))
        self.local: dict[str, str] = {}
        self.by_label: dict[str, list[str]] = {}
        self.kinds: dict[str, ActorKind] = {}

    def _cites(self, data: dict[str, Any], used: set[str], loose: dict[str, str]) -> list[tuple]:
        source = _take(data, ("cites",), set(), loose)
        if not source or source not in self.sources:
            return []
        used.add(loose[mapping_key("cites")])
        locator = _take(data, ("locator",), used, loose)
        note = _take(data, ("note",), used, loose)
        return [(source, locator or None, note or None)]

    # -- nodes --------------------------------------------------------------
    def node(self, local_id: str, data: dict[str, Any], row: int | None, locator: str, *,
             identifiers: dict[str, str] | None = None, column: str | None = None) -> Actor | None:
        """An actor for a node; ``data`` holds its attributes by name."""
        emit = self.emit
        emit.begin()
        used: set[str] = set()
        loose = {mapping_key(str(k)): k for k in data}
        name = _take(data, NAME_FIELDS, used, loose)
        if not name:
            name = str(local_id).strip()
            if not name:
                emit.problem(row, column or "label", "the node has neither a name nor an id")
                emit.end()
                return None
            emit.notice("nodes without a name (named by their id, which is local to the file: never matched by it)",
                        f"{locator}: {name!r}")
            nameless = True
        else:
            nameless = False
        type_word, type_key = self.mapping.pick(data, self.mapping.actor_type_fields, loose)
        if type_key:
            used.add(type_key)
        rule = self.mapping.actor(type_word)
        attributes: dict[str, Any] = {"name_from_id": True} if nameless else {}
        if type_word:
            attributes["type"] = type_word
        if not rule.mapped:
            emit.notice("node types no mapping names (kept as other)", repr(type_word or "(no type)"))
        if rule.guessed or not rule.mapped:
            attributes["kind_guessed"] = True
        aliases = []
        for field in ALIAS_FIELDS:
            value = _take(data, (field,), used, loose)
            if value:
                aliases += split_list(value, "|;")
        country = None
        countries: list[str] = []
        country_text = _take(data, COUNTRY_FIELDS, used, loose)
        for part in split_list(country_text, "|;"):
            try:
                countries.append(country_of(part))
            except ValueError:
                emit.notice("countries that are not countries (kept as text)", f"{locator}: {part!r}")
                attributes["country_text"] = country_text
        if len(countries) == 1:
            country = countries[0]
        description = _take(data, DESCRIPTION_FIELDS, used, loose)
        tags = _take(data, TAG_FIELDS, used, loose, raw=True)
        if tags:
            attributes["tags"] = tags if isinstance(tags, list) else split_list(str(tags), "|")
        sensitivity = _take(data, ("sensitivity",), used, loose)
        if sensitivity and sensitivity.lower() not in _SENSITIVITIES:
            emit.notice("sensitivities that are not public, internal or restricted (left out)",
                        f"{locator}: {sensitivity!r}")
            sensitivity = None
        cites = self._cites(data, used, loose)
        ids: dict[str, str] = {}
        candidates = dict(identifiers or {})
        for key, value in data.items():
            scheme = _ID_FIELDS.get(mapping_key(key))
            if scheme and value not in (None, ""):
                used.add(key)
                candidates[scheme] = str(value).strip()
        for scheme, value in candidates.items():
            try:
                ids.update(check_identifiers({scheme: value}))
            except ValueError:
                emit.notice("identifiers that do not fit their scheme (left out)", f"{locator}: {scheme} {value!r}")
        for key, value in data.items():
            if key not in used and value not in (None, "", []):
                attributes[str(key).strip()] = _plain(value)
        actor = emit.actor(row, column or "label", locator, f"node of the {self.scheme} file",
                           id=keyed_id(name, self.scheme, emit.result.origin.id, str(local_id)),
                           kind=rule.kind, name=name[:500], aliases=aliases, country=country,
                           countries=countries if len(countries) > 1 else [], description=description or None,
                           identifiers=ids, attributes=attributes,
                           **({"sensitivity": sensitivity.lower()} if sensitivity else {}))
        if actor is not None and cites:
            source, cited_at, note = cites[0]
            actor = emit.keep_actor(actor.model_copy(update={
                "citations": [Citation(source=source, locator=cited_at, note=note)]}))
        if actor is not None:
            self.local[str(local_id)] = actor.id
            same = self.by_label.setdefault(normalise_name(name), [])
            if actor.id not in same:
                same.append(actor.id)
            self.kinds[actor.id] = rule.kind  # the file's own kind: its edges are judged by it, in any order
        emit.end()
        return actor

    def resolve(self, ref: str, locator: str, *, create: bool = False) -> str | None:
        """The actor a node reference names: a local id, a label in this file, or a known actor."""
        text = str(ref).strip()
        if text in self.local:
            return self.local[text]
        same = self.by_label.get(normalise_name(text), [])
        if len(same) == 1:
            return same[0]
        if len(same) > 1:
            return None
        found = self.ctx.lookup(text)
        own = keyed_id(text, self.scheme, self.emit.result.origin.id, text)
        if found and found != own:
            return found
        if create and text:  # made by this file (again on every run: re-ingesting it changes nothing)
            self.emit.notice("connections to elements not listed (created as other)", f"{locator}: {text!r}")
            actor = self.emit.actor(None, None, locator, f"element named in a connection of the {self.scheme} file",
                                    id=own, kind="other", name=text[:500], attributes={"kind_guessed": True})
            if actor is not None:
                self.local[text] = actor.id
                self.by_label.setdefault(normalise_name(text), []).append(actor.id)
                return actor.id
        return None

    # -- edges --------------------------------------------------------------
    def edge(self, source: str, target: str, data: dict[str, Any], row: int | None, locator: str, *,
             directed: bool = True, column: str | None = None, create: bool = False,
             label: str | None = None) -> None:
        """A link for an edge between two node references."""
        emit = self.emit
        emit.begin()
        ends = []
        for side, ref in (("source", source), ("target", target)):
            actor_id = self.resolve(ref, locator, create=create)
            if actor_id is None:
                same = self.by_label.get(normalise_name(str(ref)), [])
                message = (f"{side} {ref!r} names {len(same)} nodes of this file" if len(same) > 1
                           else f"no node {ref!r} in this file, and no known actor of that name")
                emit.problem(row, f"{column or 'edge'}/@{side}" if column else side, message,
                             "give the node's id, or a name only one node has")
                emit.end()
                return
            ends.append(actor_id)
        used: set[str] = set()
        loose = {mapping_key(str(k)): k for k in data}
        word = label
        if word is None:
            word, key = self.mapping.pick(data, self.mapping.link_type_fields, loose)
            if key:
                used.add(key)
        rule = self.mapping.link(word)
        if not rule.mapped:
            emit.notice("edge labels no mapping names (kept as related_to)", repr(word or "(no label)"))
        src, tgt = (ends[1], ends[0]) if rule.reverse else (ends[0], ends[1])
        kinds = [self.kinds.get(src) or self.ctx.kind_of(src), self.kinds.get(tgt) or self.ctx.kind_of(tgt)]
        kind, reason = fit_link(rule, kinds[0] or ActorKind.OTHER, kinds[1] or ActorKind.OTHER)
        attributes: dict[str, Any] = {}
        if word:
            attributes["label"] = word
        if reason:
            attributes["unmapped_reason"] = reason
            emit.notice("links kept as related_to because the kinds table forbids the mapped kind",
                        f"{locator}: {reason}")
        if rule.reverse:
            attributes["reversed"] = True
        if not directed:
            attributes["directed"] = False
        dates = {}
        for field, names in (("start", START_FIELDS), ("end", END_FIELDS)):
            text = _take(data, names, used, loose)
            if text:
                try:
                    dates[field] = partial_date(str(text)[:10])
                except ValueError:
                    emit.notice("dates that are not dates (left out)", f"{locator}: {text!r}")
        if dates.get("start") and dates.get("end") and dates["end"] < dates["start"][: len(dates["end"])]:
            emit.notice("end dates before start dates (end left out)", locator)
            dates.pop("end")
        description = _take(data, DESCRIPTION_FIELDS, used, loose)
        tags = _take(data, TAG_FIELDS, used, loose, raw=True)
        if tags:
            attributes["tags"] = tags if isinstance(tags, list) else split_list(str(tags), "|")
        values = self._link_values(data, used, loose, locator)
        cites = self._cites(data, used, loose)
        for key, value in data.items():
            if key not in used and value not in (None, "", []):
                attributes[str(key).strip()] = _plain(value)
        emit.link(kind if isinstance(kind, LinkKind) else LinkKind(kind), src, tgt, row, locator,
                  f"edge of the {self.scheme} file", column=column, description=description or None,
                  attributes=attributes, cites=cites, **dates, **values)
        emit.end()

    def _link_values(self, data: dict[str, Any], used: set[str], loose: dict[str, str], locator: str) -> dict:
        """Amount, currency, share, confidence and sensitivity, when an edge gives them and they are valid."""
        out: dict[str, Any] = {}
        for field in ("amount", "share"):
            text = _take(data, (field,), set(), loose)
            if text:
                try:
                    value = float(str(text).replace(",", ""))
                except ValueError:
                    continue
                if math.isfinite(value) and value >= 0 and (field != "share" or value <= 1):
                    out[field] = value
                    used.add(loose[mapping_key(field)])
        currency = _take(data, ("currency",), set(), loose)
        if currency:
            try:
                out["currency"] = currency_code(currency)
                used.add(loose[mapping_key("currency")])
            except ValueError:
                pass
        if "amount" in out and "currency" not in out:
            emit_note = f"{locator}: amount {out.pop('amount')} without a currency"
            used.discard(loose[mapping_key("amount")])
            self.emit.notice("amounts without a currency (kept as attributes)", emit_note)
        for field, allowed in (("confidence", _CONFIDENCES), ("sensitivity", _SENSITIVITIES)):
            text = _take(data, (field,), set(), loose)
            if text and text.lower() in allowed:
                out[field] = text.lower()
                used.add(loose[mapping_key(field)])
        return out


_CONFIDENCES = {c.value for c in Confidence}
_SENSITIVITIES = {s.value for s in Sensitivity}


def _take(data: dict[str, Any], names: tuple[str, ...], used: set[str], loose: dict[str, str],
          raw: bool = False):
    """The first non-empty value among ``names`` (matched loosely), marking its key used."""
    for name in names:
        key = loose.get(mapping_key(name))
        if key is not None and data[key] not in (None, "", []):
            used.add(key)
            value = data[key]
            if raw:
                return value
            if isinstance(value, list):
                return "|".join(str(v) for v in value)
            return tidy(str(value)) if isinstance(value, str) else str(value)
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, (int, float, bool)):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    text = str(value).strip()
    return text if len(text) <= 2000 else text[:2000] + "…"
