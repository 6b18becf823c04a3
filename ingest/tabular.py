"""The tabular template: actors and links in CSV files or an XLSX workbook.

Columns are documented in README.md ("The tabular template"). Kumu's
``Label`` / ``From``, ``To`` and Gephi's ``Id``, ``Label`` / ``Source``,
``Target`` headings are accepted as aliases. Every row is checked; every
problem is reported with file, row and column.

Links are validated without building a model per row (bulk loads run at
hundreds of thousands of links a second) by the same value checks the models
use, and handed to the store as rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from graphmodel import ids
from graphmodel.kinds import LINK_SPECS, ActorKind, Confidence, LinkKind, Sensitivity
from graphmodel.models import IDENTIFIER_SCHEMES, Actor, Citation, Source, merge_identifiers
from graphmodel.text import clean_text, slugify
from graphmodel.values import currency_code, partial_date, split_list

from .base import ReadContext, ReadResult, validation_problems
from .ledger import Ledger
from .sheets import Sheet, read_csv_sheet, read_xlsx_sheets

ACTOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "name": ("name", "label"),
    "kind": ("kind", "type", "element type"),
    "aliases": ("aliases", "alias", "acronyms"),
    "country": ("country",),
    "countries": ("countries",),
    "sectors": ("sectors", "sector"),
    "description": ("description",),
    "sensitivity": ("sensitivity",),
    **{scheme: (scheme,) for scheme in IDENTIFIER_SCHEMES if scheme not in ("ftm", "kumu")},
    "source": ("source", "cites"),
    "locator": ("locator",),
    "note": ("note",),
}
LINK_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "from": ("from",),
    "to": ("to",),
    "kind": ("kind", "type", "relationship", "connection type"),
    "label": ("label",),
    "start": ("start", "start date"),
    "end": ("end", "end date"),
    "amount": ("amount",),
    "currency": ("currency",),
    "share": ("share",),
    "confidence": ("confidence",),
    "sensitivity": ("sensitivity",),
    "description": ("description",),
    "source": ("source", "cites"),
    "locator": ("locator",),
    "note": ("note",),
}
SOURCE_COLUMNS = ("id", "title", "kind", "author", "publisher", "year", "url", "licence", "format", "description")
#: File names that say what a table is but not whose: their folder names the origin.
TEMPLATE_STEMS = {"actors", "links", "sources", "elements", "connections", "nodes", "edges"}
_GEPHI_DIRECTIONS = {"directed", "undirected", "mutual"}
_LINK_KINDS = {k.value: k for k in LinkKind} | {k.value.replace("_", " "): k for k in LinkKind}
_CONFIDENCE = {c.value: c.value for c in Confidence}
_SENSITIVITY = {s.value: s.value for s in Sensitivity}


@dataclass
class Columns:
    """Which input heading feeds which field, and which headings are extra attributes."""

    fields: dict[str, int]
    headings: list[str]
    extra: list[int]

    @classmethod
    def map(cls, headings: list[str], spec: dict[str, tuple[str, ...]]) -> "Columns":
        lowered = [h.strip().lower() for h in headings]
        fields: dict[str, int] = {}
        for name, aliases in spec.items():
            for alias in aliases:
                if alias in lowered and lowered.index(alias) not in fields.values():
                    fields[name] = lowered.index(alias)
                    break
        extra = [i for i, h in enumerate(lowered) if i not in fields.values() and h]
        return cls(fields, headings, extra)

    def heading(self, name: str) -> str:
        return self.headings[self.fields[name]] if name in self.fields else name


def sheet_role(headings: list[str]) -> str:
    """``links``, ``sources`` or ``actors``, from a sheet's headings."""
    lowered = {h.strip().lower() for h in headings}
    if {"from", "to"} <= lowered or {"source", "target"} <= lowered:
        return "links"
    if "title" in lowered and "id" in lowered and not ({"name", "label"} & lowered):
        return "sources"
    return "actors"


def read_tabular(path: Path, ctx: ReadContext, origin: Source | None = None) -> ReadResult:
    """Read a CSV file (actors, links or sources) or an XLSX workbook of such sheets."""
    origin = origin or file_origin(path, ctx, "tabular")
    result = ReadResult(path, "tabular", origin)
    sheets = read_xlsx_sheets(path) if path.suffix.lower() in (".xlsx", ".xlsm") else [read_csv_sheet(path)]
    by_role: dict[str, list[Sheet]] = {"sources": [], "actors": [], "links": []}
    for sheet in sheets:
        if sheet.headings:
            by_role[sheet_role(sheet.headings)].append(sheet)
        elif not sheet.rows:
            ctx.problem(sheet.label, None, None, "the file is empty", "add a header row and at least one row")
    local = ctx.local_ids
    for sheet in by_role["sources"]:
        result.sources.extend(read_sources(sheet, ctx, result))
    known_sources = {origin.id, *(s.id for s in result.sources), *ctx.options.get("known_sources", ())}
    for sheet in by_role["actors"]:
        read_actors(sheet, ctx, result, local, known_sources)
    if by_role["links"]:
        result.ledger = Ledger(path.name, "tabular", origin.id)
    for sheet in by_role["links"]:
        read_links(sheet, ctx, result, local, known_sources)
    if result.ledger is not None:
        result.ledger.write_money(result.link_rows)
    return result


def _stated(cell_amount: str, cell_currency: str) -> tuple[float, str] | None:
    """The money a links row states, when its amount is a number and its currency an ISO 4217 code.

    >>> _stated("1,250.5", "eur"), _stated("a lot", "EUR"), _stated("100", "euros")
    ((1250.5, 'EUR'), None, None)
    """
    try:
        amount = float(cell_amount.replace(",", ""))
        currency = currency_code(cell_currency)
    except ValueError:
        return None
    return (amount, currency) if amount == amount and abs(amount) != float("inf") else None  # not NaN, finite


def file_origin(path: Path, ctx: ReadContext, fmt: str) -> Source:
    """The origin (replace-by-source unit) of a file: ``--source NAME`` or the file's name."""
    stem = path.stem.lower()
    generic = stem in TEMPLATE_STEMS and path.resolve().parent.name
    name = ctx.source_name or slugify(path.resolve().parent.name if generic else path.stem)
    return Source(id=name, title=ctx.source_name or path.name, kind="file", format=fmt)


def read_sources(sheet: Sheet, ctx: ReadContext, result: ReadResult) -> list[Source]:
    cols = Columns.map(sheet.headings, {c: (c,) for c in SOURCE_COLUMNS})
    out = []
    for row_no, row in sheet.rows:
        result.read += 1
        data = {name: _cell(row, i) for name, i in cols.fields.items() if _cell(row, i)}
        try:
            out.append(Source(**data))
        except ValidationError as exc:
            result.rejected += 1
            ctx.problems.extend(validation_problems(exc, sheet.label, row_no))
    return out


def read_actors(sheet: Sheet, ctx: ReadContext, result: ReadResult, local: dict[str, str],
                known_sources: set[str]) -> None:
    cols = Columns.map(sheet.headings, ACTOR_COLUMNS)
    if "name" not in cols.fields:
        ctx.problem(sheet.label, sheet.header_row, None,
                    f"no 'name' column among the headings {sheet.headings[:8]}",
                    "an actors sheet needs name and kind columns (Kumu's Label is accepted)")
        return
    if "kind" not in cols.fields:
        ctx.problem(sheet.label, sheet.header_row, None, "no 'kind' column", "add a kind column, e.g. union or brand")
        return
    seen: dict[str, tuple[Actor, int]] = {}
    columns_for = {k: cols.heading(k) for k in cols.fields}
    for row_no, row in sheet.rows:
        result.read += 1
        cell = {name: _cell(row, i) for name, i in cols.fields.items()}
        citation = _citation(cell, ctx, sheet.label, row_no, known_sources, result.origin)
        try:
            actor = Actor(
                id=cell.get("id", ""), kind=cell.get("kind") or "", name=cell.get("name") or "",
                aliases=split_list(cell.get("aliases")), country=cell.get("country") or None,
                countries=split_list(cell.get("countries")), sectors=split_list(cell.get("sectors")),
                identifiers=merge_identifiers(*({s: v} for s in IDENTIFIER_SCHEMES if cell.get(s)
                                                 for v in split_list(cell[s]))),
                description=cell.get("description") or None, sensitivity=cell.get("sensitivity") or None,
                citations=[citation] if citation else [], attributes=_extra(row, cols),
            )
        except ValidationError as exc:
            result.rejected += 1
            ctx.problems.extend(validation_problems(exc, sheet.label, row_no, columns_for))
            continue
        if citation is None and "source" in cell and cell["source"]:
            result.rejected += 1
            continue
        if actor.id in seen:
            first, first_row = seen[actor.id]
            if _same_record(first, actor):
                merged = first.model_copy(update={"citations": first.citations + actor.citations})
                seen[actor.id] = (merged, first_row)
                continue
            result.rejected += 1
            ctx.problem(sheet.label, row_no, columns_for.get("id", "name"),
                        f"duplicate id {actor.id!r} with different data than row {first_row}",
                        "give the two actors different ids, or make the rows agree")
            continue
        seen[actor.id] = (actor, row_no)
    for file_id, (actor, _) in seen.items():
        claimed = ctx.claim(actor)
        local[file_id] = claimed.id
        result.actors.append(claimed)


def read_links(sheet: Sheet, ctx: ReadContext, result: ReadResult, local: dict[str, str],
               known_sources: set[str]) -> None:
    headings = [h.strip().lower() for h in sheet.headings]
    spec = dict(LINK_FIELDS)
    if "from" not in headings:  # Gephi: Source/Target are the ends, not a citation
        spec["from"], spec["to"] = ("source",), ("target",)
        spec["source"] = ("cites",)
    cols = Columns.map(sheet.headings, spec)
    missing = [f for f in ("from", "to") if f not in cols.fields]
    if missing or ("kind" not in cols.fields and "label" not in cols.fields):
        ctx.problem(sheet.label, sheet.header_row, None, "a links sheet needs from, to and kind columns",
                    "Kumu's From/To/Type and Gephi's Source/Target/Label are accepted")
        return
    check = _LinkChecker(ctx, sheet.label, result, local, known_sources, cols)
    quick = _QuickLinks(check)
    first_row_of: dict[str, int] = {}
    rows_by_id: dict[str, int] = {}
    out = result.link_rows
    ledger = result.ledger
    i_amount, i_currency = cols.fields.get("amount"), cols.fields.get("currency")

    for row_no, row in sheet.rows:
        result.read += 1
        where = f"{sheet.label}:{row_no}"
        money = _stated(_cell(row, i_amount), _cell(row, i_currency)) if _cell(row, i_amount) else None
        if money:
            ledger.state(*money)
        made = quick.row(row_no, row) or check.row(row_no, row)
        if made is None:
            result.rejected += 1
            problem = ctx.problems[-1].message if ctx.problems else "the row is not valid"
            ledger.set_aside(where, f"rejected: {problem}", *(money or (None, None)))
            continue
        at = rows_by_id.get(made[0])
        if at is None:
            rows_by_id[made[0]] = len(out)
            first_row_of[made[0]] = row_no
            out.append(made)
            continue
        previous = out[at]
        if previous[:13] != made[:13]:
            result.rejected += 1
            ctx.problem(sheet.label, row_no, cols.heading("id") if "id" in cols.fields else "from",
                        f"duplicate link {made[0]!r} with different data than row {first_row_of[made[0]]}",
                        "give the links different ids or start dates, or make the rows agree")
            ledger.set_aside(where, "rejected: the same link as an earlier row, with different data",
                             *(money or (None, None)))
            continue
        ledger.set_aside(where, f"the same link as row {first_row_of[made[0]]} (its sources are added)",
                         *(money or (None, None)))
        merged = json.loads(previous[13]) + [c for c in json.loads(made[13]) if c not in json.loads(previous[13])]
        out[at] = (*previous[:13], json.dumps(merged, ensure_ascii=False))


class _LinkChecker:
    """Turns one links row into a validated row tuple, or records why it cannot."""

    def __init__(self, ctx: ReadContext, label: str, result: ReadResult, local: dict[str, str],
                 known_sources: set[str], cols: Columns) -> None:
        self.ctx, self.label, self.result, self.local, self.known_sources = ctx, label, result, local, known_sources
        self.cols = cols
        self.idx = cols.fields
        self.pairs = list(cols.fields.items())
        self.allowed: dict[tuple, bool] = {}
        self.ends: dict[str, tuple[str, ActorKind]] = {}
        origin = result.origin.id
        # The citation of rows that name no source: the file and row. Built by hand when the
        # strings need no JSON escaping (the common case), which saves a json.dumps per row.
        plain = json.dumps([[origin, label, None]]) == f'[["{origin}", "{label}", null]]'
        self.default_citation = (lambda n: f'[["{origin}", "{label}:{n}", null]]') if plain else None

    def _bad(self, row_no: int, field: str, message: str, hint: str | None = None) -> None:
        self.ctx.problem(self.label, row_no, self.cols.heading(field), message, hint)

    def _end(self, ref: str, row_no: int, field: str) -> tuple[str, ActorKind] | None:
        known = self.ends.get(ref)
        if known is not None:
            return known
        if not ref:
            self._bad(row_no, field, f"'{field}' is empty", "name the actor by id, name or alias")
            return None
        actor_id = self.local.get(ref) or self.ctx.lookup(ref)
        kind = self.ctx.kind_of(actor_id) if actor_id else None
        if kind is None:
            self._bad(row_no, field, f"no actor {ref!r}",
                      "add it to the actors sheet or the store first, or fix the spelling")
            return None
        self.ends[ref] = (actor_id, kind)
        return actor_id, kind

    def _allowed(self, kind: LinkKind, source: ActorKind, target: ActorKind) -> bool:
        key = (kind, source, target)
        allowed = self.allowed.get(key)
        if allowed is None:
            allowed = self.allowed[key] = LINK_SPECS[kind].allows(source, target)
        return allowed

    def row(self, row_no: int, row: list) -> tuple | None:
        width = len(row)
        cell = {name: row[i].strip() if i < width else "" for name, i in self.pairs}
        ok = True
        kind_text = cell.get("kind", "").lower()
        if (not kind_text or kind_text in _GEPHI_DIRECTIONS) and cell.get("label"):
            kind_text = cell["label"].lower()
        kind = _LINK_KINDS.get(kind_text) or _LINK_KINDS.get(kind_text.replace("-", " ").replace("_", " "))
        if kind is None:
            self._bad(row_no, "kind" if "kind" in self.idx else "label", f"unknown link kind {kind_text!r}"
                      if kind_text else "the link kind is empty", "run 'stakemap kinds' to list the link kinds")
            ok = False
        src = self._end(cell["from"], row_no, "from")
        tgt = self._end(cell["to"], row_no, "to")
        if not (src and tgt):
            return None
        if src[0] == tgt[0]:
            self._bad(row_no, "to", "a link cannot join an actor to itself")
            return None
        if kind is not None and not self._allowed(kind, src[1], tgt[1]):
            allowed = ", ".join(k.value for k in ActorKind if k in LINK_SPECS[kind].sources)
            self._bad(row_no, "kind", f"a {kind.value!r} link cannot go from a {src[1].value} to a {tgt[1].value}",
                      f"{kind.value} goes from: {allowed}")
            ok = False
        start = self._date(cell.get("start"), row_no, "start")
        end = self._date(cell.get("end"), row_no, "end")
        if start is False or end is False:
            ok = False
        elif start and end and end < start[: len(end)]:
            self._bad(row_no, "end", f"end {end} is before start {start}")
            ok = False
        amount = self._number(cell.get("amount"), row_no, "amount", 0, None)
        share = self._number(cell.get("share"), row_no, "share", 0, 1)
        currency = None
        if cell.get("currency"):
            try:
                currency = currency_code(cell["currency"])
            except ValueError as exc:
                self._bad(row_no, "currency", str(exc), "use an ISO 4217 code such as EUR")
                ok = False
        if amount is False or share is False:
            ok = False
        elif amount is not None and currency is None and ok:
            self._bad(row_no, "currency", "an amount needs a currency", "add a currency column, e.g. EUR")
            ok = False
        confidence = _CONFIDENCE.get((cell.get("confidence") or "confirmed").lower())
        if confidence is None:
            self._bad(row_no, "confidence", f"unknown confidence {cell['confidence']!r}",
                      "use confirmed, reported or inferred")
            ok = False
        sensitivity = _SENSITIVITY.get((cell.get("sensitivity") or "public").lower())
        if sensitivity is None:
            self._bad(row_no, "sensitivity", f"unknown sensitivity {cell['sensitivity']!r}",
                      "use public, internal or restricted")
            ok = False
        if not (cell.get("source") or cell.get("locator") or cell.get("note")) and self.default_citation:
            citations = self.default_citation(row_no)
        else:
            citation = _citation(cell, self.ctx, self.label, row_no, self.known_sources, self.result.origin)
            if citation is None:
                return None
            citations = json.dumps([[citation.source, citation.locator, citation.note]], ensure_ascii=False)
        if not ok:
            return None
        link_id = cell.get("id") or ids.link_id(src[0], kind.value, tgt[0], start or None)
        if cell.get("id") and not ids.is_valid_id(link_id):
            self._bad(row_no, "id", f"{link_id!r} is not a valid id", "ids use letters, digits, '-', '_', '.', ':'")
            return None
        attributes = _extra(row, self.cols) if self.cols.extra else None
        return (link_id, kind.value, src[0], tgt[0], start or None, end or None, amount, currency, share,
                confidence, sensitivity, clean_text(cell["description"]) if cell.get("description") else None,
                json.dumps(attributes, ensure_ascii=False) if attributes else None, citations)

    def _date(self, text: str | None, row_no: int, field: str):
        if not text:
            return None
        try:
            return partial_date(text)
        except ValueError as exc:
            self._bad(row_no, field, str(exc))
            return False

    def _number(self, text: str | None, row_no: int, field: str, low: float, high: float | None):
        if not text:
            return None
        try:
            value = float(text.replace(",", "")) if isinstance(text, str) else float(text)
        except ValueError:
            self._bad(row_no, field, f"{text!r} is not a number")
            return False
        if value != value or value < low or (high is not None and value > high) or value == float("inf"):
            self._bad(row_no, field, f"{text!r} is out of range" + (f" ({low}..{high})" if high else f" (>= {low})"))
            return False
        return value


_BAD = object()


class _Memo(dict):
    """Each distinct cell text checked once: ``memo[text]`` is its value, or ``_BAD``."""

    def __init__(self, check, strip: bool = True) -> None:
        super().__init__()
        self.check, self.strip = check, strip

    def __missing__(self, text):
        try:
            value = self.check(text.strip() if self.strip else text)
        except (ValueError, KeyError):
            value = _BAD
        self[text] = value
        return value


class _QuickLinks:
    """The common case of :class:`_LinkChecker`, fast: a row whose every value is valid, with no
    citation columns filled in, becomes the same tuple :meth:`_LinkChecker.row` makes. Each
    distinct text is checked once (a million links hold a few thousand distinct dates, kinds and
    actors). Any other row gives ``None`` and goes through :meth:`_LinkChecker.row`, which
    reports what is wrong with it."""

    FIELDS = ("id", "from", "to", "kind", "start", "end", "amount", "currency", "share", "confidence",
              "sensitivity", "description")

    def __init__(self, check: _LinkChecker) -> None:
        self.check = check
        self.at = [check.idx.get(name) for name in self.FIELDS]
        self.width = max(check.idx.values()) + 1
        self.cited = [check.idx[f] for f in ("source", "locator", "note") if f in check.idx]
        self.default_citation = check.default_citation
        self.kinds = _Memo(lambda text: _LINK_KINDS[text.lower().replace("-", " ").replace("_", " ")].value
                           if text.lower() not in _GEPHI_DIRECTIONS else _BAD)
        self.ends = _Memo(self._end)
        self.dates = _Memo(lambda text: partial_date(text) if text else None)
        self.amounts = _Memo(lambda text: _in_range(text, 0, None))
        self.shares = _Memo(lambda text: _in_range(text, 0, 1))
        self.currencies = _Memo(lambda text: currency_code(text) if text else None)
        self.confidences = _Memo(lambda text: _CONFIDENCE[(text or "confirmed").lower()])
        self.sensitivities = _Memo(lambda text: _SENSITIVITY[(text or "public").lower()])
        self.ids = _Memo(lambda text: text if not text or ids.is_valid_id(text) else _BAD)
        self.allowed = _Memo(lambda ends: LINK_SPECS[LinkKind(ends[0])].allows(ends[1], ends[2]), strip=False)

    def _end(self, ref: str) -> tuple[str, ActorKind]:
        actor_id = self.check.local.get(ref) or self.check.ctx.lookup(ref) if ref else None
        kind = self.check.ctx.kind_of(actor_id) if actor_id else None
        if kind is None:
            raise ValueError(ref)
        return actor_id, kind

    def row(self, row_no: int, row: list) -> tuple | None:
        if len(row) < self.width or self.default_citation is None or (
                self.cited and any(row[i].strip() for i in self.cited)):
            return None
        (i_id, i_from, i_to, i_kind, i_start, i_end, i_amount, i_currency, i_share, i_confidence,
         i_sensitivity, i_description) = self.at
        kind = self.kinds[row[i_kind]] if i_kind is not None else _BAD
        src, tgt = self.ends[row[i_from]], self.ends[row[i_to]]
        start = self.dates[row[i_start]] if i_start is not None else None
        end = self.dates[row[i_end]] if i_end is not None else None
        amount = self.amounts[row[i_amount]] if i_amount is not None else None
        share = self.shares[row[i_share]] if i_share is not None else None
        currency = self.currencies[row[i_currency]] if i_currency is not None else None
        link_id = self.ids[row[i_id]] if i_id is not None else None
        confidence = self.confidences[row[i_confidence]] if i_confidence is not None else "confirmed"
        sensitivity = self.sensitivities[row[i_sensitivity]] if i_sensitivity is not None else "public"
        if (kind is _BAD or src is _BAD or tgt is _BAD or start is _BAD or end is _BAD or amount is _BAD
                or share is _BAD or currency is _BAD or link_id is _BAD or confidence is _BAD or sensitivity is _BAD
                or src[0] == tgt[0] or not self.allowed[kind, src[1], tgt[1]]
                or (start and end and end < start[: len(end)]) or (amount is not None and currency is None)):
            return None
        description = row[i_description].strip() if i_description is not None else ""
        attributes = _extra(row, self.check.cols) if self.check.cols.extra else None
        return (link_id or ids.link_id(src[0], kind, tgt[0], start), kind, src[0], tgt[0], start, end,
                amount, currency, share, confidence, sensitivity, clean_text(description) if description else None,
                json.dumps(attributes, ensure_ascii=False) if attributes else None, self.default_citation(row_no))


def _in_range(text: str, low: float, high: float | None) -> float | None:
    """A number cell within ``low..high`` (``None`` when empty), as :meth:`_LinkChecker._number` reads it."""
    if not text:
        return None
    value = float(text.replace(",", ""))
    if value != value or value < low or (high is not None and value > high) or value == float("inf"):
        raise ValueError(text)
    return value


def _cell(row: list, i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _extra(row: list, cols: Columns) -> dict:
    out = {}
    for i in cols.extra:
        value = _cell(row, i)
        if value:
            out[cols.headings[i].strip()] = value
    return out


def _citation(cell: dict, ctx: ReadContext, label: str, row_no: int, known: set[str], origin: Source) -> Citation | None:
    """The citation of a row: its source, locator and note, or the file and row itself."""
    source = cell.get("source") or ""
    if source and source not in known:
        ctx.problem(label, row_no, "source", f"unknown source {source!r}",
                    "add it to the sources sheet (id, title, ...) or leave the cell empty")
        return None
    return Citation(source=source or origin.id, locator=cell.get("locator") or f"{label}:{row_no}",
                    note=cell.get("note") or None)


def _same_record(a: Actor, b: Actor) -> bool:
    return a.model_dump(exclude={"citations"}) == b.model_dump(exclude={"citations"})

