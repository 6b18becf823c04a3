"""Deciding a pair: the judgement is kept and takes effect at once, in one new version of the store.

"Same" merges the second actor into the first: every origin that claims it, or
a link at it, is written again with the actor renamed (see
:mod:`.merging`), so its links and citations move to the survivor and a later
ingest of the same files merges the same way. "Different" splits actors a
"same" (or an automatic merge) joined: each origin that merged one record into
the other gets its record back, with its links and citations; every later
ingest keeps them apart. "Unsure" is kept and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ..errors import ConfigError, InvalidRecordError, NotFoundError
from ..models import check_link_kinds
from ..store.contract import Batch
from ..store.history import Version
from .judgements import KIND, VERDICTS, Judgement, load, pair_key
from .merging import remap, split


@dataclass
class Decision:
    """What deciding a pair did."""

    judgement: Judgement
    version: Version
    merged: list[str] = field(default_factory=list)   # origins written again with the pair as one actor
    split: list[str] = field(default_factory=list)    # origins whose record was given back

    def as_dict(self) -> dict[str, Any]:
        return {"judgement": self.judgement.as_doc(), "version": self.version.number,
                "merged_in": self.merged, "split_in": self.split, "says": self.says()}

    def says(self) -> str:
        j = self.judgement
        if self.merged:
            return f"{j.b} is now part of {j.a} (in {', '.join(self.merged)})"
        if self.split:
            return f"{j.a} and {j.b} are two actors again (in {', '.join(self.split)})"
        return f"kept: {j.a} and {j.b} are {'not the same' if j.verdict == 'different' else j.verdict}"


def _merged_records(store: Any) -> dict[str, dict[str, str]]:
    """For each origin, the records it merged into an actor of another id."""
    return {s.id: json.loads(s.merges) for s in store.sources() if s.merges}


def _known(store: Any, ref: str, merged: dict[str, dict[str, str]]) -> None:
    if store.get_actor(ref) is None and not any(ref in m for m in merged.values()):
        raise NotFoundError(f"no actor or merged record {ref!r} in the store",
                            hint="it may have been removed or merged since; 'stakemap review list' shows the queue now")


def _checked(batches: list[Batch], store: Any) -> list[Batch]:
    """Refuse a merge whose links the kinds table forbids between the merged actors' kinds."""
    kinds = {a.id: a.kind for b in batches for a in b.actors}
    for batch in batches:
        for link in batch.iter_links():
            ends = [kinds.get(e) or getattr(store.get_actor(e), "kind", None) for e in (link.source, link.target)]
            if None not in ends:
                try:
                    check_link_kinds(link, *ends)
                except InvalidRecordError as exc:
                    raise ConfigError(f"cannot merge: link {link.id} would break the kinds table: {exc.message}",
                                      hint="decide --different, or correct the kinds first") from None
    return batches


def split_batches(store: Any, a: str, b: str) -> tuple[list[Batch], list[str]]:
    """The origins that merged one of the pair into the other, each with its record given back."""
    batches, origins = [], []
    for origin, records in sorted(_merged_records(store).items()):
        for record, actor in ((b, a), (a, b)):
            if records.get(record) == actor:
                batches.append(split(store.origin_batch(origin), actor, record))
                origins.append(origin)
    return batches, origins


def decide(store: Any, a: str, b: str, verdict: str, *, who: str | None = None, note: str | None = None) -> Decision:
    """Keep a judgement on ``a`` and ``b`` and apply it (``same``: ``b`` merges into ``a``)."""
    if verdict not in VERDICTS:
        raise ConfigError(f"unknown verdict {verdict!r}", hint="one of: " + ", ".join(VERDICTS))
    if a == b:
        raise ConfigError("a record is always the same as itself", hint="name two different records")
    merged = _merged_records(store)
    for ref in (a, b):
        _known(store, ref, merged)
    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    judgement = Judgement(a, b, verdict, who, at, note).superseding(load(store).get(pair_key(a, b)))
    number = (store.versions() or [None])[-1]
    docs = {KIND: {judgement.key: {**judgement.as_doc(), "version": (number.number if number else 0) + 1}}}
    batches, joined, parted = [], [], []
    if verdict == "same" and store.get_actor(b) is not None and store.get_actor(a) is not None:
        origins = set(store.origins_of(b)) | {o for link in store.links_of(b) for o in store.origins_of(link.id)}
        joined = sorted(origins)
        batches = _checked([remap(store.origin_batch(o), {b: a}) for o in joined], store)
    elif verdict == "different":
        batches, parted = split_batches(store, a, b)
    text = note or f"{verdict}: {a} / {b}"
    if batches:
        store.write_all(batches, who=who, note=text, docs=docs, action="judgement")
        version = store.versions()[-1]
    else:
        version = store.write_docs(docs, who=who, action="judgement", note=text)
    return Decision(judgement, version, joined, parted)
