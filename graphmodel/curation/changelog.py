"""An actor's history, and the revert of one change.

Every change to the store is a version (an ingest run, a judgement, an edit, a
revert) with who made it and when, and the history keeps every record as it was
before (see :mod:`graphmodel.store.history`). :func:`actor_history` lists the
versions that changed an actor or one of its links now in the map, newest first,
with the fields before and after. :func:`revert` undoes one edit or judgement,
unless a later change depends on it; an analyst may revert only their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import NotFoundError, StakemapError
from ..store.claims import EDITS
from ..store.contract import Batch
from ..changes import changes_by_version
from . import edits as edit_docs
from .decisions import split_batches
from .judgements import KIND as JUDGEMENT


class RevertRefused(StakemapError):
    """A revert that may not be done: another's change, an ingest, or one later changes depend on."""


def actor_history(view: Any, actor_id: str, *, sees: Callable[[Any], bool] | None = None) -> list[dict[str, Any]]:
    """The versions that changed an actor or one of its present links, newest first (``sees``: what the reader
    may see; a record it may not see is left out, and an actor it may not see is not found)."""
    actor = view.get_actor(actor_id)
    if actor is None or (sees is not None and not sees(actor)):
        raise NotFoundError(f"no actor {actor_id!r} in the store", hint="'stakemap show NAME' finds actors")
    wanted = [("actor", actor_id)] + [("link", lk.id) for lk in view.links_of(actor_id)]
    versions = {v.number: v for v in view.versions()}
    out = []
    for number, found in changes_by_version(view, wanted).items():
        v = versions.get(number)
        for change in found:
            if sees is None or all(sees(s) for s in (change.before, change.after) if s is not None):
                out.append({"version": number, "at": v.at if v else None, "who": v.who if v else None,
                            "action": v.action if v else None, "note": v.note if v else None, **change.as_dict()})
    return sorted(out, key=lambda c: c["version"], reverse=True)


def revert(store: Any, number: int, *, who: str | None, admin: bool = False) -> dict[str, Any]:
    """Undo version ``number`` (an edit or a judgement): a new version, and the reverted one marked."""
    version = next((v for v in store.versions() if v.number == number), None)
    if version is None:
        raise NotFoundError(f"version {number} does not exist", hint="'stakemap versions' lists them")
    if version.action not in ("edit", "judgement"):
        raise RevertRefused(f"version {number} is {'an' if version.action[0] in 'aeiou' else 'a'} {version.action}; "
                            "only edits and judgements are reverted",
                            hint="an ingest is undone by ingesting the earlier file again")
    if version.who != who and not admin:
        raise RevertRefused(f"version {number} was made by {version.who or 'someone else'}: an analyst reverts only "
                            "their own changes", hint="ask an admin")
    if version.action == "edit":
        return _revert_edit(store, number, who)
    return _revert_judgement(store, number, who)


def _later(docs: list[dict[str, Any]], number: int, touches: Callable[[dict[str, Any]], bool]) -> None:
    after = [d for d in docs if (d.get("version") or 0) > number and not d.get("reverted_by") and touches(d)]
    if after:
        listed = "; ".join(f"version {d['version']} by {d.get('who') or '?'} ({d.get('says') or d.get('verdict')})"
                           for d in after)
        raise RevertRefused(f"later changes depend on version {number}: {listed}", hint="revert those first")


def _revert_edit(store: Any, number: int, who: str | None) -> dict[str, Any]:
    every = edit_docs.edits(store)
    doc = next((d for d in every if d.get("version") == number), None)
    if doc is None or doc.get("reverted_by"):
        raise RevertRefused(f"version {number} has no edit left to revert", hint="it may have been reverted already")
    _later(every, number, lambda later: _depends(later, doc))
    batch = _undo(store.origin_batch(EDITS), doc)
    batches = [batch, *_restored_link(store, batch, doc)]
    marked = {**doc, "reverted_by": store.versions()[-1].number + 1}
    store.write_all(batches, who=who, note=f"revert version {number}: {doc['says']}",
                    docs={edit_docs.KIND: {doc["id"]: marked}}, action="revert")
    return {"reverted": number, "version": store.versions()[-1].number, "says": f"reverted: {doc['says']}"}


def _restored_link(store: Any, edits_batch: Batch, doc: dict[str, Any]) -> list[Batch]:
    """A link keeps the fields of the origin that leads it; when the edits' claim on it goes, the other
    origins claiming it are written again with the values from before the edit, which they stated."""
    if doc["record"] != "link" or doc["op"] == "add" or any(lk.id == doc["target"] for lk in edits_batch.links):
        return []
    old = {f: v["old"] for f, v in doc["fields"].items()}
    out = []
    for origin in store.origins_of(doc["target"]):
        if origin == EDITS:
            continue
        batch = store.origin_batch(origin)
        links = [lk.model_validate({**lk.model_dump(), **old, "attributes": {
                     k: v for k, v in lk.attributes.items() if k not in ("edited", *doc["fields"])}})
                 if lk.id == doc["target"] else lk for lk in batch.iter_links()]
        out.append(Batch(batch.origin, list(batch.actors), links, list(batch.sources)))
    return out


def _depends(later: dict[str, Any], doc: dict[str, Any]) -> bool:
    """Whether a later edit builds on ``doc``: it changed the same record, or linked the actor ``doc`` added."""
    if later["target"] == doc["target"]:
        return True
    ends = {(later["fields"].get("record") or {}).get(e) for e in ("source", "target")}
    return doc["op"] == "add" and doc["record"] == "actor" and doc["target"] in ends


def _undo(batch: Batch, doc: dict[str, Any]) -> Batch:
    target, fields = doc["target"], doc["fields"]
    actors, links = list(batch.actors), list(batch.iter_links())
    if doc["op"] == "add":
        actors = [a for a in actors if a.id != target]
        links = [lk for lk in links if lk.id != target]
        return Batch(batch.origin, actors, links, list(batch.sources))
    records = actors if doc["record"] == "actor" else links
    claim = next((r for r in records if r.id == target), None)
    if claim is None:
        return batch
    edited = [f for f in claim.attributes.get("edited") or [] if f not in fields]
    old = {f: v["old"] for f, v in fields.items() if f in type(claim).model_fields}
    attrs = {k: v for k, v in claim.attributes.items() if k not in fields}
    added_here = claim.attributes.get("edited") is None
    restored = claim.model_validate({**claim.model_dump(), **old, "attributes": {**attrs, "edited": edited}})
    keep = added_here or edited or any(k != "edited" for k in attrs)
    kept = [r for r in records if r.id != target] + ([restored] if keep else [])
    if doc["record"] == "actor":
        return Batch(batch.origin, kept, links, list(batch.sources))  # type: ignore[arg-type]
    return Batch(batch.origin, actors, kept, list(batch.sources))  # type: ignore[arg-type]


def _revert_judgement(store: Any, number: int, who: str | None) -> dict[str, Any]:
    docs = store.docs(JUDGEMENT)
    key, doc = next(((k, d) for k, d in docs.items() if d.get("version") == number), (None, None))
    if doc is None:
        raise RevertRefused(f"version {number} has no judgement left to revert",
                            hint="a later judgement on the same pair replaced it: revert that one first")
    earlier = list(doc.get("earlier") or [])
    previous = earlier.pop() if earlier else None
    restored = {**previous, "earlier": earlier, "version": None} if previous else None
    batches: list[Batch] = []
    if doc["verdict"] == "same" and (previous is None or previous["verdict"] != "same"):
        batches, _ = split_batches(store, doc["a"], doc["b"])
    note = f"revert version {number}: {doc['verdict']} {doc['a']} / {doc['b']}"
    if batches:
        store.write_all(batches, who=who, note=note, docs={JUDGEMENT: {key: restored}}, action="revert")
    else:
        store.write_docs({JUDGEMENT: {key: restored}}, who=who, action="revert", note=note)
    if previous is None and doc["verdict"] == "different":
        note += " (records kept apart stay apart until the next ingest of their files)"
    return {"reverted": number, "version": store.versions()[-1].number, "says": note}


__all__ = ["RevertRefused", "actor_history", "revert"]
