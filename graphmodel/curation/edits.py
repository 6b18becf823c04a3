"""Edits with sources: what a person adds or corrects, written as the ``edits`` origin.

Every edit names its source (one already in the store, or a new document with a
title, a URL, a locator and a note) and becomes a claim of the ``edits``
origin, which leads every imported origin on the fields it edits
(:data:`~graphmodel.store.claims.EDITS`): re-ingesting a file never overwrites
a person's correction. Each edit is one version of the store and a document of
kind ``edit`` (what changed, old and new, who, why, from which source).

An edit carries the state of the record its maker saw (:func:`digest`): when
someone else changed the record meanwhile, the edit is refused with the values
now in the store, and nothing is lost or written. A record the maker may not
see is refused exactly as a missing one.

>>> SourceRef(source="amrc-2010-hk-china-solidarity", locator="para 6").citation().locator
'para 6'
>>> SourceRef(title="Annual report 2023", url="https://example.org/ar.pdf", locator="p. 4").new_source().id
'annual-report-2023'
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from ..errors import ConfigError, InvalidRecordError, NotFoundError, StakemapError, StoreChanged
from ..kinds import ActorKind, LinkKind
from ..models import Actor, Citation, Link, Source, check_link_kinds, merge_citations
from ..store.claims import EDITS
from ..store.contract import Batch
from ..text import slugify
from .fields import ACTOR_FIELDS, LINK_FIELDS

KIND = "edit"
ORIGIN = Source(id=EDITS, title="Edits made in Stakemap", kind="dataset",
                description="Records added and fields corrected by people using Stakemap, each citing its source.")
_LISTS = {"aliases", "sectors", "countries"}


class EditConflict(StakemapError):
    """Someone else changed the record since the editor read it; nothing was written."""


@dataclass(frozen=True)
class SourceRef:
    """Where an edit's fact comes from: a source in the store (``source``), or a new one (``title`` and a
    ``url``), with a locator and a note in our own words."""

    source: str | None = None
    title: str | None = None
    url: str | None = None
    locator: str | None = None
    note: str | None = None

    def new_source(self) -> Source | None:
        if self.source:
            return None
        return Source(id=slugify(self.title or "")[:60] or "source", title=self.title or "", kind="document",
                      url=self.url)

    def citation(self) -> Citation:
        source = self.source or self.new_source().id  # type: ignore[union-attr]
        return Citation(source=source, locator=self.locator, note=self.note)


def digest(record: Actor | Link | None) -> str:
    """A short fingerprint of a record's state, to tell whether it changed since it was read."""
    text = record.model_dump_json() if record is not None else ""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_source(store: Any, ref: SourceRef) -> None:
    if ref.source:
        if ref.source not in {s.id for s in store.sources()}:
            raise NotFoundError(f"no source {ref.source!r} in the store",
                                hint="name one 'stakemap stats' lists, or give a new one with a title and a URL")
    elif not (ref.title and ref.title.strip()) or not (ref.url or ref.locator):
        raise ConfigError("an edit needs a source: one in the store, or a new one with a title and a URL or document",
                          hint="e.g. --source amrc-2010-hk-china-solidarity --locator 'para 6', or --source-title "
                               "'Annual report 2023' --source-url https://... --locator 'p. 4'")


def _visible(record: Actor | Link | None, sees: Callable[[Any], bool] | None, what: str, ref: str) -> Any:
    if record is None or (sees is not None and not sees(record)):
        raise NotFoundError(f"no {what} {ref!r} in the store", hint="check the id; 'stakemap show NAME' finds actors")
    return record


@dataclass
class EditResult:
    """What an edit did: its document (kept in the store) and the version it made."""

    doc: dict[str, Any]
    version: int

    def as_dict(self) -> dict[str, Any]:
        return {**self.doc, "version": self.version}


def _write(store: Any, who: str | None, doc: dict[str, Any], change: Callable[[Batch], Batch],
           check: Callable[[], None], ref: SourceRef) -> EditResult:
    """Write one edit: re-read, check, rewrite the edits origin, retry when another writer came first."""
    for _ in range(5):
        token = store.fingerprint()
        check()
        batch = store.origin_batch(EDITS) or Batch(ORIGIN)
        batch = change(Batch(batch.origin, list(batch.actors), list(batch.iter_links()), list(batch.sources)))
        new = ref.new_source()
        if new is not None and new.id not in {s.id for s in batch.sources}:
            batch.sources.append(new)
        number = (store.versions() or [None])[-1]
        doc = {**doc, "version": (number.number if number else 0) + 1}
        try:
            store.write_all([batch], expect=token, who=who, note=doc["says"], docs={KIND: {doc["id"]: doc}},
                            action="edit")
            return EditResult(doc, doc["version"])
        except StoreChanged:
            continue
    raise EditConflict("the store kept changing while this edit was written", hint="try again")


def _doc(op: str, record: str, target: str, fields: dict[str, Any], ref: SourceRef, who: str | None,
         says: str) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex[:12], "op": op, "record": record, "target": target, "fields": fields,
            "source": ref.citation().source, "locator": ref.locator, "note": ref.note, "who": who,
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "says": says}


# -- adding ----------------------------------------------------------------------------------------
def add_actor(store: Any, actor: Actor, ref: SourceRef, *, who: str | None = None) -> EditResult:
    """Add an actor (its id made from its name when not given)."""
    _check_source(store, ref)
    if not actor.id:
        actor = actor.model_copy(update={"id": slugify(actor.name)[:60]})
    actor = actor.model_copy(update={"citations": merge_citations(actor.citations, [ref.citation()])})

    def check() -> None:
        if store.get_actor(actor.id) is not None:
            raise ConfigError(f"an actor {actor.id!r} is already in the store", hint="edit it, or give another id")

    doc = _doc("add", "actor", actor.id, {"record": actor.model_dump(mode="json", exclude_defaults=True)}, ref, who,
               f"added {actor.kind.value} {actor.name}")
    return _write(store, who, doc, lambda b: _with(b, actors=[*b.actors, actor]), check, ref)


def add_link(store: Any, link: Link, ref: SourceRef, *, who: str | None = None,
             sees: Callable[[Any], bool] | None = None) -> EditResult:
    """Add a link between two actors in the store; the kinds table must allow it."""
    _check_source(store, ref)
    ends = [_visible(store.get_actor(e), sees, "actor", e) for e in (link.source, link.target)]
    try:
        check_link_kinds(link, ends[0].kind, ends[1].kind)
    except InvalidRecordError as exc:
        raise ConfigError(exc.message, hint="'stakemap kinds' lists which link kinds go between which actors") from None
    link = link.model_copy(update={"citations": merge_citations(link.citations, [ref.citation()])})

    def check() -> None:
        if store.get_link(link.id) is not None:
            raise ConfigError(f"a link {link.id!r} is already in the store",
                              hint="edit it with 'stakemap edit set', or give another start date")

    doc = _doc("add", "link", link.id, {"record": link.model_dump(mode="json", exclude_defaults=True)}, ref, who,
               f"added {link.kind.value} {ends[0].name} → {ends[1].name}")
    return _write(store, who, doc, lambda b: _with(b, links=[*b.links, link]), check, ref)


# -- changing --------------------------------------------------------------------------------------
def _parse(record: str, field: str, value: Any) -> Any:
    allowed = ACTOR_FIELDS if record == "actor" else LINK_FIELDS
    if field not in allowed:
        raise ConfigError(f"an edit cannot change a {record}'s {field!r}", hint="fields: " + ", ".join(allowed))
    if value in ("", None):
        return [] if field in _LISTS else None
    if field in _LISTS:
        return [v.strip() for v in str(value).split("|") if v.strip()] if isinstance(value, str) else list(value)
    if field in ("amount", "share"):
        try:
            return float(value)
        except ValueError:
            raise ConfigError(f"{field} must be a number, not {value!r}") from None
    return value


def set_fields(store: Any, target: str, changes: dict[str, Any], ref: SourceRef, *, who: str | None = None,
               expect: str | None = None, sees: Callable[[Any], bool] | None = None, op: str = "set",
               attributes: dict[str, Any] | None = None) -> EditResult:
    """Change fields of an actor or a link (``expect``: the :func:`digest` the editor saw); ``attributes``
    are set besides (a retirement)."""
    _check_source(store, ref)
    actor = store.get_actor(target)
    record = "actor" if actor is not None else "link"
    current = _visible(actor if actor is not None else store.get_link(target), sees, "actor or link", target)
    values = {f: _parse(record, f, v) for f, v in changes.items()}
    try:
        edited = current.model_validate({**current.model_dump(), **values})
    except ValueError as exc:
        raise ConfigError(f"the edit breaks a rule of the {record}: {exc}".splitlines()[0]) from None
    if record == "actor" and "kind" in values:
        for link in store.links_of(target):
            other = store.get_actor(link.target if link.source == target else link.source)
            kinds = (edited.kind, other.kind) if link.source == target else (other.kind, edited.kind)
            try:
                check_link_kinds(link, *kinds)
            except InvalidRecordError as exc:
                raise ConfigError(f"cannot change the kind: link {link.id} would break the kinds table: {exc.message}",
                                  hint="end or change that link first") from None
    fields = {f: {"old": _plain(getattr(current, f)), "new": _plain(getattr(edited, f))} for f in values}
    fields.update({k: {"old": current.attributes.get(k), "new": v} for k, v in (attributes or {}).items()})
    extra = dict(attributes or {})

    def check() -> None:
        now = store.get_actor(target) if record == "actor" else store.get_link(target)
        if expect is not None and digest(now) != expect:
            shown = {f: _plain(getattr(now, f)) for f in values} if now is not None else "removed"
            raise EditConflict(f"{target} was changed by someone else since you opened it; nothing was written "
                               f"(it now holds {shown})", hint="look at it again, then make your edit again")

    def change(batch: Batch) -> Batch:
        if record == "actor":
            mine = next((a for a in batch.actors if a.id == target), None)
            base = mine or current
            fields_edited = sorted({*(base.attributes.get("edited") or []), *values}) if mine is None or \
                mine.attributes.get("edited") is not None else None
            attrs = {**base.attributes, **extra, **({"edited": fields_edited} if fields_edited is not None else {})}
            claim = base.model_copy(update={**values, "attributes": attrs,
                                            "citations": merge_citations(base.citations, [ref.citation()])})
            return _with(batch, actors=[a for a in batch.actors if a.id != target] + [claim])
        mine = next((lk for lk in batch.links if lk.id == target), None)
        base = mine or current
        attrs = {**base.attributes, **extra}
        if mine is None or mine.attributes.get("edited") is not None:  # a link an edit added carries no mark
            attrs["edited"] = sorted({*(base.attributes.get("edited") or []), *values})
        claim = base.model_copy(update={**values, "attributes": attrs,
                                        "citations": merge_citations(base.citations, [ref.citation()])})
        return _with(batch, links=[lk for lk in batch.links if lk.id != target] + [claim])

    says = f"{op} {record} {target}: " + "; ".join(f"{f} {v['old']} → {v['new']}" for f, v in fields.items())
    doc = _doc(op, record, target, fields, ref, who, says)
    return _write(store, who, doc, change, check, ref)


def end_link(store: Any, link_id: str, end: str, ref: SourceRef, **kw: Any) -> EditResult:
    """Set a link's end date (it held until then)."""
    return set_fields(store, link_id, {"end": end}, ref, op="end", **kw)


def retire(store: Any, target: str, ref: SourceRef, *, on: str | None = None, **kw: Any) -> EditResult:
    """Retire a record: an actor no longer active (dissolved, merged away) is marked ``retired`` with the
    date; a link ends on that date."""
    when = on or date.today().isoformat()
    if store.get_actor(target) is None:
        return set_fields(store, target, {"end": when}, ref, op="retire", **kw)
    return set_fields(store, target, {}, ref, op="retire", attributes={"retired": when}, **kw)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, (ActorKind, LinkKind)) or hasattr(value, "value") else value


def _with(batch: Batch, *, actors: list[Actor] | None = None, links: list[Link] | None = None) -> Batch:
    return Batch(batch.origin, actors if actors is not None else list(batch.actors),
                 links if links is not None else list(batch.links), list(batch.sources))


def edits(view: Any) -> list[dict[str, Any]]:
    """Every edit, oldest first."""
    return sorted(view.docs(KIND).values(), key=lambda d: (d.get("version") or 0, d["at"]))


__all__ = ["ACTOR_FIELDS", "KIND", "LINK_FIELDS", "ORIGIN", "EditConflict", "EditResult", "SourceRef", "add_actor",
           "add_link", "digest", "edits", "end_link", "retire", "set_fields"]
