"""Turning what a format reader found into validated, cited, resolved records.

The format readers (IATI, Open Supply Hub, supplier lists, FollowTheMoney,
Kumu, GraphML, GEXF) share this: every actor and link gets a citation of the
file's origin with a locator (element path, row, line), passes entity
resolution, is checked against the kinds table, and is merged with earlier
mentions of the same record in the file. Problems are recorded with file,
place and field; a record (a row, an element) with any problem counts as
rejected once.

>>> from ingest.base import ReadContext
>>> from ingest.resolution import Resolver
>>> from pathlib import Path
>>> from graphmodel.models import Source
>>> e = Emitter(Path("x.csv"), "demo", ReadContext(Resolver()), Source(id="x", title="x.csv", kind="file"))
>>> e.begin()
>>> a = e.actor(2, "name", "row 2", kind="union", name="KCTU", country="KR")
>>> b = e.actor(2, "name", "row 2", kind="union", name="Korea", country="Nowhere")
>>> e.end()
>>> result = e.finish()
>>> (result.read, result.rejected, len(result.actors), e.ctx.problems[0].place)
(1, 1, 1, 'x.csv:2:country')
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graphmodel import ids
from graphmodel.kinds import LINK_SPECS, ActorKind, Confidence, LinkKind, Sensitivity
from graphmodel.models import Actor, Citation, Source, merge_citations, merge_identifiers
from graphmodel.text import clean_text, normalise_name, slugify
from graphmodel.values import country_code, currency_code, partial_date

from .base import ReadContext, ReadResult, validation_problems
from .ledger import Ledger

#: Citations kept per record and file: a reporting organisation named in every
#: activity of a 50,000-activity file keeps the first places, not all of them.
MAX_CITATIONS = 10
#: Examples kept per kind of note.
NOTE_EXAMPLES = 5


def tidy(text: str) -> str:
    """:func:`graphmodel.text.clean_text`, quick for the usual printable text.

    >>> tidy("  Alif  Embroidery\tVillage ")
    'Alif Embroidery Village'
    """
    return " ".join(text.split()) if text.isprintable() else clean_text(text)


def keyed_id(label: str, *key: str) -> str:
    """A readable, deterministic id from a natural key (an IATI identifier, an FtM id); remembered for
    plain strings (an organisation is named in many activities).

    >>> keyed_id("Concern Universal", "iati", "GB-CHC-272465")
    'concern-universal-...'
    >>> keyed_id("X", "a") == keyed_id("X", "a") != keyed_id("X", "b")
    True
    """
    if type(label) is str and all(type(k) is str for k in key):
        return _keyed_id(label, *key)
    return _keyed_id.__wrapped__(label, *key)


@lru_cache(maxsize=1 << 16)
def _keyed_id(label: str, *key: str) -> str:
    digest = hashlib.sha1("\x1f".join(key).encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
    return f"{slugify(label, 40)}-{digest}"


def facility_id(name: str, country: str | None, address: str | None) -> str:
    """A facility's id: its name, country and address (one company often runs several sites).

    >>> facility_id("Nan Yang Garment", "TH", "27 Phetkasem Rd.") != facility_id("Nan Yang Garment", "TH", "99/1 Moo 4")
    True
    """
    return keyed_id(name, "facility", normalise_name(name), (country or "").upper(), normalise_name(address or ""))


def country_of(text: str) -> str:
    """An ISO country code from a code or a name, also in the forms spreadsheets use.

    >>> country_of("Korea (Republic of)"), country_of("Moldova, Republic of"), country_of("China Mainland")
    ('KR', 'MD', 'CN')
    """
    text = clean_text(str(text))
    try:
        return country_code(text)
    except ValueError:
        pass
    variants = []
    inner = re.match(r"^(.*?)\s*\((.*?)\)\s*$", text)
    if inner:
        variants += [f"{inner.group(2)} {inner.group(1)}", inner.group(1)]
    if "," in text:
        head, _, tail = text.partition(",")
        variants += [f"{tail.strip()} {head.strip()}", head.strip()]
    for variant in variants:
        try:
            return country_code(variant)
        except ValueError:
            continue
    return country_code(text)


def _states_kind(actor: Actor) -> bool:
    """Whether a record's kind is one its source states (not guessed, not ``other``)."""
    return not actor.attributes.get("kind_guessed") and actor.kind is not ActorKind.OTHER


class Emitter:
    """Collects one file's records into a :class:`ReadResult`."""

    def __init__(self, path: Path, fmt: str, ctx: ReadContext, origin: Source) -> None:
        self.path = path
        self.label = path.name
        self.ctx = ctx
        self.result = ReadResult(path, fmt, origin)
        self.ledger = self.result.ledger = Ledger(path.name, fmt, origin.id)
        self._actor_at: dict[str, int] = {}
        self._memo: dict[str, int] = {}
        self._links: dict[str, list] = {}
        self._notes: dict[str, list[str]] = {}
        self._note_counts: Counter = Counter()
        self._in_record = False
        self._record_failed = False
        self.capped = 0

    # -- records ------------------------------------------------------------
    def begin(self) -> None:
        """Start one input record (a row, an element): it is read once, rejected at most once."""
        self._in_record = True
        self._record_failed = False
        self.result.read += 1

    def end(self) -> None:
        if self._in_record and self._record_failed:
            self.result.rejected += 1
        self._in_record = False

    def problem(self, row: int | None, column: str | None, message: str, hint: str | None = None) -> None:
        """Record a problem with the current record (it will count as rejected)."""
        self.ctx.problem(self.label, row, column, message, hint)
        self._record_failed = True

    def state(self, amount: float, currency: str) -> None:
        """Money the file states (see :mod:`ingest.ledger`): counted before anything is decided about it."""
        self.ledger.state(amount, currency)

    def set_aside(self, where: str, why: str, amount: float | None = None, currency: str | None = None) -> None:
        """Something stated that is not written as stated, with place and reason (and its money)."""
        self.ledger.set_aside(where, why, amount, currency)

    def cite(self, locator: str | None, note: str | None = None) -> Citation:
        return Citation(source=self.result.origin.id, locator=locator, note=note)

    def actor(self, row: int | None, column: str | None, locator: str | None, note: str | None = None,
              *, columns: dict[str, str] | None = None, **fields: Any) -> Actor | None:
        """Build, cite, resolve and keep an actor; ``None`` (and a problem) when it is invalid.

        A mention with exactly the fields of an earlier one (a funder named in every activity)
        only adds its citation: it is neither validated nor resolved again.
        """
        memo_key = repr(fields)
        at = self._memo.get(memo_key)
        if at is not None:
            kept = self.result.actors[at]
            if len(kept.citations) < MAX_CITATIONS:
                kept = kept.model_copy(update={"citations": merge_citations(kept.citations,
                                                                            [self.cite(locator, note)])})
                self.result.actors[at] = kept
            else:
                self.capped += 1
            return kept
        try:
            actor = Actor(citations=[self.cite(locator, note)], **fields)
        except ValidationError as exc:
            for p in validation_problems(exc, self.label, row, columns):
                where = column if p.column in (None, "name") and column else p.column
                self.problem(row, where, p.message, p.hint)
            return None
        kept = self.keep_actor(actor)
        self._memo[memo_key] = self._actor_at[kept.id]
        return kept

    def keep_actor(self, actor: Actor) -> Actor:
        """Resolve an already built actor and keep it (merged with this file's earlier mentions)."""
        claimed = self.ctx.claim(actor)
        if claimed.id != actor.id and actor.id not in self._actor_at:
            self.ledger.merge(actor.name, claimed.id, self.ctx.resolver.last_rule or "same actor")
        at = self._actor_at.get(claimed.id)
        if at is None:
            self._actor_at[claimed.id] = len(self.result.actors)
            self.result.actors.append(claimed)
            return claimed
        first = self.result.actors[at]
        attributes = {**claimed.attributes, **first.attributes}
        conflicts = {k: v for k, v in claimed.attributes.items()
                     if k in first.attributes and first.attributes[k] != v and k not in _MERGE_QUIET}
        if conflicts:  # two records of one actor disagree: keep the first figure, list the others, say so
            kept = dict(first.attributes.get("conflicting", {}))
            for key, value in conflicts.items():
                values = kept.setdefault(key, [first.attributes[key]])
                if value not in values:
                    values.append(value)
            attributes["conflicting"] = kept
            self.notice("records merged into one actor with different figures (first kept, all listed in "
                        "its 'conflicting' attribute)",
                        f"{claimed.name}: " + ", ".join(f"{k} {first.attributes[k]!r} / {v!r}"
                                                        for k, v in conflicts.items()))
        # the kind: the latest record's, unless only an earlier one states it (a stated kind beats a guessed one)
        lead = first if _states_kind(first) and not _states_kind(claimed) else claimed
        if "kind_guessed" in first.attributes or "kind_guessed" in claimed.attributes:
            attributes["kind_guessed"] = not _states_kind(lead)
        citations = first.citations
        if len(citations) < MAX_CITATIONS:
            citations = merge_citations(citations, claimed.citations)[:MAX_CITATIONS]
        else:
            self.capped += 1
        merged = first.model_copy(update={
            "aliases": [a for a in dict.fromkeys([*first.aliases, claimed.name, *claimed.aliases]) if a != first.name],
            "identifiers": merge_identifiers(first.identifiers, claimed.identifiers),
            "countries": list(dict.fromkeys([*first.countries, *claimed.countries])),
            "sectors": list(dict.fromkeys([*first.sectors, *claimed.sectors])),
            "country": first.country or claimed.country,
            "description": first.description or claimed.description,
            "attributes": attributes,
            "kind": lead.kind,
            "citations": citations,
        })
        self.result.actors[at] = merged
        return merged

    def link(self, kind: LinkKind | str, source: str, target: str, row: int | None, locator: str | None,
             note: str | None = None, *, column: str | None = None, start: str | None = None,
             end: str | None = None, amount: float | None = None, currency: str | None = None,
             share: float | None = None, confidence: str = "confirmed", sensitivity: str = "public",
             description: str | None = None, attributes: dict | None = None,
             cites: list[tuple[str, str | None, str | None]] | None = None, dated_id: bool = True) -> str | None:
        """Check, cite and keep a link between two resolved actors; its id, or ``None`` (and a problem).

        Links are checked by the same value rules as :class:`~graphmodel.models.Link` and kept as
        rows (bulk files hold hundreds of thousands of them). The id comes from the ends, the kind,
        the start date and ``attributes["ref"]``; with ``dated_id=False`` not from the date (a flow
        both sides publish, each with its own date).
        """
        if source == target:
            self.notice("self-links", f"{locator}: a link from an actor to itself was left out")
            if amount is not None and currency:
                self.set_aside(locator or self.label, "a flow from an actor to itself", amount, currency)
            return None
        attributes = attributes or {}
        try:
            kind = kind if isinstance(kind, LinkKind) else _member(_LINK_KINDS, kind) or LinkKind(kind)
            start = partial_date(start) if start else None
            end = partial_date(end) if end else None
            if start and end and end < start[: len(end)]:
                raise _Bad("end", f"end {end} is before start {start}")
            if amount is not None and (not math.isfinite(amount) or amount < 0):
                raise _Bad("amount", f"{amount!r} is not an amount (>= 0)")
            currency = currency_code(currency) if currency else None
            if amount is not None and currency is None:
                raise _Bad("currency", "an amount needs a currency (ISO 4217, e.g. EUR)")
            if share is not None and not (math.isfinite(share) and 0 <= share <= 1):
                raise _Bad("share", f"{share!r} is not a share (0..1)")
            confidence = (_member(_CONFIDENCES, confidence) or Confidence(confidence)).value
            sensitivity = (_member(_SENSITIVITIES, sensitivity) or Sensitivity(sensitivity)).value
        except _Bad as exc:
            self.problem(row, column or exc.field, exc.message)
            self._money_rejected(locator, exc.message, amount, currency)
            return None
        except ValueError as exc:
            self.problem(row, column, str(exc))
            self._money_rejected(locator, str(exc), amount, currency)
            return None
        kinds = (self.ctx.kind_of(source), self.ctx.kind_of(target))
        if None in kinds:
            self.problem(row, column, f"no actor {source if kinds[0] is None else target!r}")
            self._money_rejected(locator, "an end is not an actor", amount, currency)
            return None
        if not LINK_SPECS[kind].allows(*kinds):
            allowed = ", ".join(k.value for k in LINK_SPECS[kind].sources)
            self.problem(row, column or "kind", f"a {kind.value!r} link cannot go from a {kinds[0].value} to a "
                         f"{kinds[1].value} (allowed from: {allowed})", "choose a link kind that fits")
            self._money_rejected(locator, f"a {kind.value} link cannot join a {kinds[0].value} to a {kinds[1].value}",
                                 amount, currency)
            return None
        ref = attributes.get("ref")
        link_id = ids.link_id(source, kind.value, target, start if dated_id else None,
                              ref if isinstance(ref, str) else None)
        citation = (self.result.origin.id, locator, note)
        kept = self._links.get(link_id)
        if kept is None:
            self._links[link_id] = [kind.value, source, target, start, end, amount, currency, share, confidence,
                                    sensitivity, tidy(description) if description else None,
                                    dict(attributes), [citation, *(cites or [])]]
            return link_id
        if amount is not None and currency:
            self.set_aside(locator or self.label, "the same flow as an earlier record of this file (counted once)",
                           amount, currency)
        for extra in cites or []:
            if extra not in kept[12]:
                kept[12].append(extra)
        merged = kept[11]
        for key, value in attributes.items():
            if key not in merged:
                merged[key] = value
            elif isinstance(merged[key], list) and isinstance(value, list):
                merged[key] = list(dict.fromkeys([*merged[key], *value]))
        if len(kept[12]) < MAX_CITATIONS and citation not in kept[12]:
            kept[12].append(citation)
        return link_id

    # -- notes --------------------------------------------------------------
    def notice(self, topic: str, example: str) -> None:
        """Something tolerated or dropped on purpose, reported (with a few examples) in the notes."""
        self._note_counts[topic] += 1
        examples = self._notes.setdefault(topic, [])
        if len(examples) < NOTE_EXAMPLES and example not in examples:
            examples.append(example)

    def _money_rejected(self, locator: str | None, why: str, amount: Any, currency: Any) -> None:
        if isinstance(amount, (int, float)) and math.isfinite(amount) and isinstance(currency, str) and currency:
            self.set_aside(locator or self.label, f"rejected: {why}", float(amount), currency)

    def finish(self) -> ReadResult:
        rows = self.result.link_rows
        for link_id, (kind, source, target, start, end, amount, currency, share, confidence, sensitivity,
                      description, attributes, citations) in self._links.items():
            rows.append((link_id, kind, source, target, start, end, amount, currency, share, confidence,
                         sensitivity, description,
                         _attributes_json(attributes) if attributes else None,
                         _citations_json([list(c) for c in citations])))
        self._links.clear()
        self.ledger.write_money(rows)
        for topic, count in self._note_counts.items():
            examples = "; ".join(self._notes[topic])
            more = f" (first {len(self._notes[topic])} shown)" if count > len(self._notes[topic]) else ""
            self.result.notes.append(f"{topic}: {count}{more}: {examples}")
        if self.capped:
            self.result.notes.append(f"citations: {self.capped} further mentions of already cited records were not "
                                     f"added (at most {MAX_CITATIONS} citations per record and file)")
        return self.result


#: Enum members by value: the lookup ``LinkKind(value)`` makes first, without the call (anything else
#: still goes through the call, which answers or raises as before).
_LINK_KINDS: dict[str, LinkKind] = {k.value: k for k in LinkKind}
_CONFIDENCES: dict[str, Confidence] = {c.value: c for c in Confidence}
_SENSITIVITIES: dict[str, Sensitivity] = {s.value: s for s in Sensitivity}
#: ``json.dumps(value, ensure_ascii=False[, default=str])``: what it builds for each call, built once.
_attributes_json = json.JSONEncoder(ensure_ascii=False, default=str).encode
_citations_json = json.JSONEncoder(ensure_ascii=False).encode


def _member(members: dict, value: Any) -> Any:
    """The member of value ``value`` when it is a plain ``str`` that names one, else ``None``.

    >>> _member(_CONFIDENCES, "reported"), _member(_CONFIDENCES, "Reported"), _member(_CONFIDENCES, ["x"])
    (<Confidence.REPORTED: 'reported'>, None, None)
    """
    return members.get(value) if type(value) is str else None


#: Attributes whose values differ between mentions by design (not a conflict between two sources' figures).
_MERGE_QUIET = frozenset({"kind_guessed", "conflicting", "lists", "contribution_date", "iati_version", "stated_name"})


class _Bad(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def origin_for(path: Path, ctx: ReadContext, fmt: str, origin: Source | None, **details: Any) -> Source:
    """The origin of a file: the dataset's when given, else one named after the file, with details
    (publisher, licence, description) filled in where the file says them."""
    from .tabular import file_origin

    if origin is not None:
        return origin
    base = file_origin(path, ctx, fmt)
    extra = {k: v for k, v in details.items() if v}
    return base.model_copy(update=extra) if extra else base
