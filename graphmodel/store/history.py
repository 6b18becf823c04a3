"""What changed: a store's numbered versions, and the records each one replaced.

Every write (an ingest run, removing an origin) makes a numbered *version* with
its time, who made it and the origins it wrote. Each record a version changed
keeps, in the store's history, its state from just before (nothing when the
version added it): transaction time, beside the valid time links carry. So the
state of a record at version ``v`` is the state kept by its first history row
after ``v``, or its current state when no later version changed it.

>>> from graphmodel.models import Link
>>> old = Link(id="l1", kind="funds", source="a", target="b", amount=10, currency="EUR")
>>> new = old.model_copy(update={"amount": 12.0})
>>> rows = [HistoryRow(3, "link", "l1", "grants.csv", None),      # version 3 added it
...         HistoryRow(5, "link", "l1", "grants.csv", old)]       # version 5 changed its amount
>>> [c.status for c in changes_between(rows, 0, None, {("link", "l1"): new})]
['added']
>>> change = changes_between(rows, 3, 5, {("link", "l1"): new})[0]
>>> change.status, change.fields()["amount"]
('changed', (10.0, 12.0))
>>> changes_between(rows, 5, None, {("link", "l1"): new})   # nothing after version 5
[]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Union

from ..models import Actor, Link

Record = Union[Actor, Link]
RecordType = Literal["actor", "link"]
#: Fields a change lists under their own names; citations are listed as the sources they name.
_SKIP = {"id"}


@dataclass(frozen=True)
class Version:
    """One write to the store: its number, when, by whom, what it did and to which origins."""

    number: int
    at: str
    who: str | None
    action: str
    origins: tuple[str, ...] = ()
    note: str | None = None
    counts: Mapping[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"number": self.number, "at": self.at, "who": self.who, "action": self.action,
                "origins": list(self.origins), "note": self.note, "counts": dict(self.counts)}


@dataclass(frozen=True)
class HistoryRow:
    """A record as it was just before ``version`` changed it (``before`` None: the version added it)."""

    version: int
    record: RecordType
    id: str
    origin: str | None
    before: Record | None


@dataclass
class Change:
    """A record's state at two versions (or dates), and what differs."""

    record: RecordType
    id: str
    before: Record | None
    after: Record | None
    origins: list[str] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"

    @property
    def now(self) -> Record:
        """The state to describe it by: after, or before when it went."""
        return self.after if self.after is not None else self.before  # type: ignore[return-value]

    @property
    def kind(self) -> str:
        return self.now.kind.value

    def fields(self) -> dict[str, tuple]:
        """The fields that differ, each as ``(old, new)``; ``sources`` for the sources cited."""
        if self.before is None or self.after is None:
            return {}
        old, new = _plain(self.before), _plain(self.after)
        return {k: (old.get(k), new.get(k)) for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}

    def as_dict(self) -> dict:
        now = self.now
        out = {"id": self.id, "kind": self.kind, "status": self.status, "origins": self.origins,
               "versions": self.versions, "sources": sorted({c.source for c in now.citations})}
        if isinstance(now, Actor):
            out.update(name=now.name, country=now.country)
        else:
            out.update(source=now.source, target=now.target)
        if self.status == "changed":
            out["fields"] = {k: {"old": a, "new": b} for k, (a, b) in self.fields().items()}
        else:
            out["record"] = now.model_dump(mode="json", exclude_defaults=True)
        return out


def same_substance(a: Record | None, b: Record | None) -> bool:
    """Whether two states of a record say the same: every field, and the sources and notes it cites; where in
    a file a citation points (a row number, an element's position) is not a change, or deleting one row of a
    file would change every row after it.

    >>> from graphmodel.models import Citation, Link
    >>> old = Link(id="l", kind="funds", source="a", target="b", citations=[Citation(source="f", locator="row 7")])
    >>> same_substance(old, old.model_copy(update={"citations": [Citation(source="f", locator="row 6")]}))
    True
    >>> same_substance(old, old.model_copy(update={"amount": 5.0})), same_substance(old, None)
    (False, False)
    """
    if a is None or b is None:
        return a is b
    return _substance(a) == _substance(b)


def _substance(record: Record) -> dict:
    data = record.model_dump(mode="json")
    data["citations"] = sorted({(c["source"], c.get("note") or "") for c in data.get("citations", [])})
    return data


def _plain(record: Record) -> dict:
    data = record.model_dump(mode="json")
    data["sources"] = sorted({c["source"] for c in data.pop("citations", [])})
    return {k: v for k, v in data.items() if k not in _SKIP}


def changes_between(rows: Iterable[HistoryRow], since: int, until: int | None,
                    current: Mapping[tuple[str, str], Record | None]) -> list[Change]:
    """The records whose state differs between version ``since`` and version ``until`` (None: now).

    ``rows`` are the history rows of versions after ``since`` (all of them, so that the state at
    ``until`` can be told); ``current`` gives the present state of each record they name (absent or
    None: gone). Records changed and changed back are left out.
    """
    by_record: dict[tuple[str, str], list[HistoryRow]] = {}
    for row in sorted(rows, key=lambda r: r.version):
        if row.version > since:
            by_record.setdefault((row.record, row.id), []).append(row)
    out: list[Change] = []
    for key, trail in by_record.items():
        within = [r for r in trail if until is None or r.version <= until]
        if not within:
            continue
        later = next((r for r in trail if until is not None and r.version > until), None)
        after = later.before if later is not None else current.get(key)
        before = within[0].before
        if same_substance(before, after):
            continue
        out.append(Change(key[0], key[1], before, after,  # type: ignore[arg-type]
                          origins=sorted({r.origin for r in within if r.origin}),
                          versions=[r.version for r in within]))
    return sorted(out, key=lambda c: (c.record, c.status, c.kind, c.id))


def state_overrides(rows: Iterable[HistoryRow], version: int) -> dict[tuple[str, str], Record | None]:
    """For every record a version after ``version`` changed, its state at ``version`` (None: absent)."""
    found: dict[tuple[str, str], Record | None] = {}
    for row in sorted(rows, key=lambda r: r.version, reverse=True):
        if row.version > version:
            found[(row.record, row.id)] = row.before
    return found
