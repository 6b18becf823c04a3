"""Curation from the dashboard: edits with sources, revert, and who may do them (checked here, on the server).

Every function takes the :class:`~dashboard.access.Viewer` first and calls the
same functions as ``stakemap edit`` and ``stakemap revert``
(:mod:`graphmodel.curation.edits`, :mod:`graphmodel.curation.changelog`),
never a copy of them. A viewer whose role may not curate is refused here,
whatever the page showed, and the refusal is in the audit log (``denied``);
every edit and revert is too (``edit``, ``revert``, with the user, the
version and the record). A record above the user's clearance is refused as
if it did not exist (``sees``). The answers return a sentence to show.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphmodel.curation import edits
from graphmodel.curation.changelog import revert
from graphmodel.errors import StakemapError
from graphmodel.kinds import LINK_SPECS, ActorKind, LinkKind
from graphmodel.models import Actor, Link

from ..access import Viewer
from ..mapdata import DataError, sources_index, store

#: Shown to a user whose role may not curate (the page shows them no controls; a hand-made request gets this).
REFUSAL = "Your role may look at the map but not change it. Ask an administrator for the analyst role."


def audit(event: str, viewer: Viewer, **fields: Any) -> None:
    """Write an audit event for this user (no-op outside a request, as in the pure tests)."""
    from flask import has_request_context, request

    if not has_request_context():
        return
    from ..auth import audit_log

    audit_log().record(event, user=viewer.name, role=viewer.role, ip=request.remote_addr, **fields)


def check_may_curate(viewer: Viewer, action: str) -> None:
    """Refuse (and log) a curation request from a role that may not curate."""
    if not viewer.can_curate:
        audit("denied", viewer, reason=f"{action} not allowed for this role")
        raise DataError(REFUSAL)


def sees_of(viewer: Viewer) -> Callable[[Any], bool]:
    """Whether the viewer may see a record: an actor by its sensitivity and kind, a link by its own
    sensitivity and both its ends'."""
    def sees(record: Any) -> bool:
        if isinstance(record, Link):
            if not viewer.sees(record.sensitivity):
                return False
            ends = store().get_actors([record.source, record.target])
            return all(e in ends and viewer.sees(ends[e].sensitivity, ends[e].kind)
                       for e in (record.source, record.target))
        return viewer.sees(record.sensitivity, getattr(record, "kind", None))
    return sees


_LINK_NAMED = re.compile(r"link (\S+) would break")


def said(exc: StakemapError, viewer: Viewer) -> str:
    """An error in words safe to show: a link the viewer may not see, named in a kinds-table refusal, is
    not named."""
    message = exc.message
    found = _LINK_NAMED.search(message)
    if found:
        link = store().get_link(found.group(1))
        if link is None or not sees_of(viewer)(link):
            message = message.replace(found.group(0), "a link would break")
    return message + (f" ({exc.hint})" if exc.hint else "")


def source_options(viewer: Viewer) -> list[dict[str, str]]:
    """The store's documents the viewer may see (cited by a record they may see), newest first."""
    from .overview import _documents_shown

    index = sources_index()
    docs = [s for s in index.values() if s.get("kind") == "document"]
    shown = _documents_shown(viewer, [s["id"] for s in docs])
    docs = sorted((s for s in docs if s["id"] in shown), key=lambda s: (-(s.get("year") or 0), s["id"]))
    return [{"label": f"{s.get('title') or s['id']}" + (f" ({s['year']})" if s.get("year") else ""),
             "value": s["id"]} for s in docs]


def source_ref(viewer: Viewer, form: dict[str, Any]) -> edits.SourceRef:
    """The edit's source from the form: one in the store the viewer may see, or a new one."""
    picked = (form.get("source") or "").strip() or None
    if picked and picked not in {o["value"] for o in source_options(viewer)}:
        raise DataError(f"no source {picked!r} in the store: pick one from the list, or give a new one")

    def text(key: str) -> str | None:
        return (form.get(key) or "").strip() or None
    return edits.SourceRef(source=picked, title=None if picked else text("title"), url=None if picked else text("url"),
                           locator=text("locator"), note=text("note"))


def allowed_link_kinds(viewer: Viewer, actor_id: str | None, other_id: str | None,
                       outgoing: bool = True) -> list[dict[str, str]]:
    """The link kinds the kinds table allows from ``actor_id`` to ``other_id`` (or back), both visible."""
    sees = sees_of(viewer)
    ends = store().get_actors([i for i in (actor_id, other_id) if i])
    if actor_id not in ends or other_id not in ends or not all(sees(a) for a in ends.values()):
        return []
    a, b = (ends[actor_id].kind, ends[other_id].kind) if outgoing else (ends[other_id].kind, ends[actor_id].kind)
    return [{"label": LINK_SPECS[k].label, "value": k.value} for k in LinkKind if LINK_SPECS[k].allows(a, b)]


def _done(viewer: Viewer, result: edits.EditResult) -> str:
    audit("edit", viewer, version=result.version, op=result.doc["op"], record=result.doc["record"],
          target=result.doc["target"], source=result.doc["source"])
    return f"Saved: {result.doc['says']} (version {result.version})."


def _run(viewer: Viewer, action: str, work: Callable[[], Any]) -> tuple[bool, str]:
    """``(ok, sentence)``: the role checked, the work done, its error said safely."""
    try:
        check_may_curate(viewer, action)
        return True, work()
    except StakemapError as exc:
        return False, said(exc, viewer) if not isinstance(exc, DataError) else exc.message
    except ValueError as exc:
        return False, f"This {action} cannot be made: {str(exc).splitlines()[-1]}"


def set_actor_fields(viewer: Viewer, actor_id: str, opened: dict[str, Any], typed: dict[str, Any],
                     form: dict[str, Any]) -> tuple[bool, str]:
    """Change the fields the user changed since the record was opened (``opened``: its values and digest)."""
    def work() -> str:
        changes = {f: v for f, v in typed.items() if f in edits.ACTOR_FIELDS and v != (opened.get("values") or {}).get(f)}
        if not changes:
            raise DataError("Nothing changed: edit a field first.")
        result = edits.set_fields(store(), actor_id, changes, source_ref(viewer, form), who=viewer.name,
                                  expect=opened.get("digest"), sees=sees_of(viewer))
        return _done(viewer, result)
    return _run(viewer, "edit", work)


def add_link(viewer: Viewer, actor_id: str, other_id: str | None, kind: str | None, outgoing: bool,
             fields: dict[str, Any], form: dict[str, Any]) -> tuple[bool, str]:
    """Add a link between the actor and another (the kinds table decides which kinds may go between them)."""
    def work() -> str:
        if not other_id or not kind:
            raise DataError("Choose the other actor and the kind of link.")
        ref = source_ref(viewer, form)
        a, b = (actor_id, other_id) if outgoing else (other_id, actor_id)
        values = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in fields.items()}
        link = Link(kind=kind, source=a, target=b, confidence="reported", **values)
        return _done(viewer, edits.add_link(store(), link, ref, who=viewer.name, sees=sees_of(viewer)))
    return _run(viewer, "edit", work)


def end_link(viewer: Viewer, link_id: str | None, end: str | None, form: dict[str, Any]) -> tuple[bool, str]:
    def work() -> str:
        if not link_id or not (end or "").strip():
            raise DataError("Choose the link and the date it ended (2019, 2019-06 or 2019-06-30).")
        found = store().get_link(link_id)
        result = edits.end_link(store(), link_id, end.strip(), source_ref(viewer, form), who=viewer.name,
                                expect=edits.digest(found) if found is not None else None, sees=sees_of(viewer))
        return _done(viewer, result)
    return _run(viewer, "edit", work)


def retire_actor(viewer: Viewer, actor_id: str, on: str | None, opened: dict[str, Any],
                 form: dict[str, Any]) -> tuple[bool, str]:
    def work() -> str:
        return _done(viewer, edits.retire(store(), actor_id, source_ref(viewer, form), on=(on or "").strip() or None,
                                          who=viewer.name, expect=opened.get("digest"), sees=sees_of(viewer)))
    return _run(viewer, "edit", work)


def add_actor(viewer: Viewer, name: str | None, kind: str | None, country: str | None, description: str | None,
              form: dict[str, Any]) -> tuple[bool, str]:
    """Add an actor, citing its source."""
    def work() -> str:
        if not (name or "").strip() or kind not in {k.value for k in ActorKind}:
            raise DataError("Give the actor's name and kind.")
        actor = Actor(name=name.strip(), kind=kind, country=(country or "").strip() or None,
                      description=(description or "").strip() or None)
        return _done(viewer, edits.add_actor(store(), actor, source_ref(viewer, form), who=viewer.name))
    return _run(viewer, "edit", work)


def revert_version(viewer: Viewer, version: Any) -> tuple[bool, str]:
    """Undo one edit or judgement: an administrator anyone's, an analyst only their own."""
    def work() -> str:
        try:
            number = int(version)
        except (TypeError, ValueError):
            raise DataError("Choose a change to revert.") from None
        out = revert(store(), number, who=viewer.name, admin=viewer.can_revert_any)
        audit("revert", viewer, version=out["version"], reverted=number)
        return f"{out['says']} (version {out['version']})."
    return _run(viewer, "revert", work)


def opened(viewer: Viewer, actor_id: str | None) -> dict[str, Any] | None:
    """An actor's editable values and digest as the user opens it (None: not one they may see)."""
    found = store().get_actor(actor_id) if actor_id else None
    if found is None or not sees_of(viewer)(found):
        return None
    values = {"name": found.name, "kind": found.kind.value, "country": found.country or "",
              "description": found.description or "", "aliases": "|".join(found.aliases)}
    return {"id": found.id, "digest": edits.digest(found), "values": values}


def revertible(viewer: Viewer, versions: list[int]) -> set[int]:
    """Which of these versions the viewer may revert: edits and judgements, their own unless an admin."""
    if not viewer.can_curate:
        return set()
    return {v.number for v in store().versions() if v.number in set(versions)
            and v.action in ("edit", "judgement") and (viewer.can_revert_any or v.who == viewer.name)}


__all__ = ["REFUSAL", "add_actor", "add_link", "allowed_link_kinds", "audit", "check_may_curate", "end_link",
           "opened", "retire_actor", "revert_version", "revertible", "said", "set_actor_fields", "sees_of",
           "source_options", "source_ref"]
