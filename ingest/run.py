"""One ingest run: read files, resolve entities, validate, write atomically, report.

Nothing is written when any row is invalid, unless ``skip_invalid`` is set;
then the valid rows are written and every rejection is reported. A run writes
all its files in one store transaction (replace-by-source per origin), so a
failure leaves the store as it was and a re-run changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from graphmodel.curation import review
from graphmodel.errors import InputError, Problem, StakemapError, StoreChanged, StoreError, ValidationFailed
from graphmodel.models import Actor, Source, merge_citations, merge_identifiers
from graphmodel.store.contract import Batch, Store, WriteResult
from graphmodel.text import slugify

from .base import ReadContext, ReadResult, collector_paused, load_yaml, withhold_uncited_people
from .formats import detect_format, get_format
from .ledger import Ledger, compact
from .resolution import Resolver, ReviewItem

DATASET_FILE = "dataset.yaml"
#: How often an ingest reads its files again when another writer changed the store meanwhile.
CONCURRENT_TRIES = 5


@dataclass
class FileReport:
    path: str
    format: str
    origin: str
    read: int
    imported: int
    rejected: int
    notes: list[str] = field(default_factory=list)
    merged: int = 0
    #: The file's reconciliation (see :mod:`ingest.ledger`), as a dict.
    ledger: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class IngestReport:
    files: list[FileReport]
    problems: list[Problem]
    written: list[WriteResult]
    merged: int
    review: list[ReviewItem]
    dry_run: bool

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    def as_dict(self) -> dict:
        return {
            "files": [f.as_dict() for f in self.files],
            "read": self.read, "imported": self.imported, "rejected": self.rejected, "merged": self.merged,
            "problems": [p.as_dict() for p in self.problems],
            "written": [w.__dict__ for w in self.written],
            "review": [r.as_dict() for r in self.review],
            "dry_run": self.dry_run,
        }


@dataclass(frozen=True)
class Job:
    """One file to read, with its format and (for dataset folders) the dataset's origin."""

    path: Path
    format: str
    origin: Source | None = None


def plan(paths: list[Path], fmt: str = "auto") -> list[Job]:
    """The files a run reads, in order: sources and actors before links."""
    jobs: list[Job] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder", hint="check the path")
        if path.is_dir():
            jobs.extend(dataset_jobs(path, fmt))
        else:
            jobs.append(Job(path, (detect_format(path) if fmt == "auto" else get_format(fmt)).name))
    return sorted(jobs, key=_job_order)


def dataset_jobs(folder: Path, fmt: str = "auto") -> list[Job]:
    """The files of a dataset folder, described by its ``dataset.yaml``."""
    meta_path = folder / DATASET_FILE
    if not meta_path.exists():
        raise InputError(f"{folder}: a folder needs a {DATASET_FILE} naming its files",
                         hint="see README, 'Dataset folders', or give the files themselves")
    try:
        meta = load_yaml(meta_path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problem = getattr(exc, "problem", None) or exc.__class__.__name__
        raise InputError(f"{meta_path}: not valid YAML ({problem})", hint="check its indentation") from None
    if not isinstance(meta, dict):
        raise InputError(f"{meta_path}: expected a mapping of keys", hint="see README, 'Dataset folders'")
    try:
        origin = Source(id=str(meta.get("id") or slugify(folder.name)), title=str(meta.get("title") or folder.name),
                        kind="dataset", publisher=meta.get("publisher"), licence=meta.get("licence"),
                        format=meta.get("format"), description=meta.get("description"), url=meta.get("url"),
                        year=meta.get("year"))
    except Exception as exc:  # pydantic's ValidationError: report it as the YAML's fault
        raise InputError(f"{meta_path}: {exc}", hint="id must be a short slug; title is required") from None
    files = meta.get("files") or {}
    names = list(files.values()) if isinstance(files, dict) else list(files)
    if not names:
        raise InputError(f"{meta_path}: lists no files", hint="add files: {actors: actors.csv, links: links.csv}")
    jobs = []
    inside = folder.resolve()
    for name in names:
        path = folder / str(name)
        if not path.resolve().is_relative_to(inside):
            raise InputError(f"{meta_path}: lists {name}, which is outside the dataset folder",
                             hint="a dataset names only files inside its own folder")
        if not path.exists():
            raise InputError(f"{meta_path}: lists {name}, which does not exist", hint="fix the files list")
        chosen = meta.get("format") if fmt == "auto" and meta.get("format") not in (None, "reference") else fmt
        jobs.append(Job(path, (detect_format(path) if chosen == "auto" else get_format(chosen)).name, origin))
    return jobs


def _job_order(job: Job) -> int:
    if job.format != "tabular" or job.path.suffix.lower() not in (".csv", ".tsv"):
        return 1
    from .tabular import sheet_role

    try:
        with job.path.open("r", encoding="utf-8-sig", errors="replace") as handle:
            header = handle.readline()
    except OSError:
        return 1
    return {"sources": 0, "actors": 1, "links": 2}[sheet_role(header.strip().split(","))] if header else 1


def run_ingest(store: Store, paths: list[Path], *, fmt: str = "auto", source: str | None = None,
               dry_run: bool = False, skip_invalid: bool = False, options: dict[str, Any] | None = None,
               on_file: Callable[[Path, int, int], None] | None = None, who: str | None = None) -> IngestReport:
    """Read ``paths`` and write them to ``store`` as one all-or-nothing change (one new version of the
    store, made by ``who``).

    Entity resolution reads the store, so the write checks, under the store's
    write lock, that nobody wrote since it began; if somebody did (two ingests
    at once), the files are read and resolved again against the new state. So
    concurrent ingests give the store the same ingests give one after the other.
    """
    with collector_paused():
        for attempt in range(1, CONCURRENT_TRIES + 1):
            expect = None if dry_run else store.fingerprint()
            try:
                return _run_ingest(store, paths, fmt, source, dry_run, skip_invalid, options, on_file, expect, who)
            except StoreChanged:
                if attempt == CONCURRENT_TRIES:
                    raise StoreError(f"the store kept changing while this ingest read its files ({attempt} tries)",
                                     hint="other ingests are running: run this one again when they are done") from None
        raise AssertionError("unreachable")  # pragma: no cover


def _run_ingest(store: Store, paths: list[Path], fmt: str, source: str | None, dry_run: bool, skip_invalid: bool,
                options: dict[str, Any] | None, on_file: Callable[[Path, int, int], None] | None,
                expect: str | None = None, who: str | None = None) -> IngestReport:
    jobs = plan(paths, fmt)
    ctx = ReadContext(Resolver(store), source_name=source, options=dict(options or {}))
    results: list[ReadResult] = []
    known_sources = {s.id for s in store.sources()}
    for number, job in enumerate(jobs, start=1):
        if on_file:
            on_file(job.path, number, len(jobs))
        ctx.options["known_sources"] = known_sources | {s.id for r in results for s in r.sources}
        reader = get_format(job.format).read
        merged_before, merges_before = ctx.resolver.merged, set(ctx.resolver.merges)
        try:
            result = reader(job.path, ctx, job.origin) if job.origin else reader(job.path, ctx)
            result.merged = ctx.resolver.merged - merged_before
            result.merges = {k: v for k, v in ctx.resolver.merges.items() if k not in merges_before}
        except StakemapError as exc:
            ctx.problems.append(Problem(str(job.path), None, None, exc.message, exc.hint))
            continue
        except (OSError, MemoryError, RecursionError) as exc:
            ctx.problems.append(Problem(str(job.path), None, None, f"cannot read: {exc.__class__.__name__}: {exc}"))
            continue
        withhold_uncited_people(result, ctx)
        results.append(result)
    ledgers = _ledgers(results, store)
    reports = [FileReport(str(r.path), r.format, r.origin.id, r.read, r.imported, r.rejected, r.notes, r.merged,
                          led.as_dict()) for r, led in zip(results, ledgers)]
    unreconciled = [p for led in ledgers for p in led.check()]
    if unreconciled:  # money that vanished without a reason is a bug, never a silent outcome
        raise StakemapError("the ingest's ledger does not add up, so nothing was written: " + "; ".join(unreconciled[:5]),
                            hint="this is a bug in Stakemap: please report it with the file")
    if ctx.problems and not skip_invalid:
        raise ValidationFailed(ctx.problems, hint="fix these rows, or use --skip-invalid to import the valid ones")
    batches = _batches(results, {r.origin.id: [] for r in results}, reports)
    docs = {review.KIND: _review_docs(store, reports, ctx, batches)} if batches else None
    written = [] if dry_run or not batches else store.write_all(batches, expect=expect, who=who, docs=docs)
    return IngestReport(reports, ctx.problems, written, ctx.resolver.merged, ctx.resolver.review, dry_run)


def _review_docs(store: Store, reports: list[FileReport], ctx: ReadContext,
                 batches: list[Batch]) -> dict[str, dict | None]:
    """The run's review queue entries (with the fields people edited that its files state otherwise),
    replacing its origins' earlier ones."""
    origins = {f.path: f.origin for f in reports}
    entries = review.run_entries(origins, (r.as_dict() for r in ctx.resolver.review),
                                 (p.as_dict() for p in ctx.problems), (f.ledger for f in reports))
    entries.update(review.disagreements(store.docs("edit").values(), batches))
    return review.replacing(store.docs(review.KIND), set(origins.values()), entries, store.docs("judgement"))


def _ledgers(results: list[ReadResult], store: Store) -> list[Ledger]:
    """Each file's ledger, with its counts, and the flows it states that an earlier file of the run or
    another origin in the map already holds (the same link: counted once)."""
    ledgers: list[Ledger] = []
    seen: dict[str, str] = {}
    money_rows = [(r, row) for r in results for row in r.link_rows if row[6] is not None]
    in_store = store.get_links([row[0] for _, row in money_rows]) if money_rows else {}
    for r in results:
        led = r.ledger if r.ledger is not None else Ledger(r.path.name, r.format, r.origin.id)
        if r.ledger is None:
            led.write_money(r.link_rows)
        led.read, led.written, led.rejected = r.read, r.imported, r.rejected
        for row in r.link_rows:
            if row[6] is None:
                continue
            where = seen.get(row[0])
            if where is None and row[0] in in_store:
                others = [o for o in store.origins_of(row[0]) if o != r.origin.id]
                where = f"origin {others[0]}" if others else None
            if where is not None:
                led.same_flows.append({"link": row[0], "amount": row[6], "currency": row[7], "also_in": where})
            seen.setdefault(row[0], r.path.name)
        ledgers.append(led)
    return ledgers


def _batches(results: list[ReadResult], ledgers: dict[str, list] | None = None,
             reports: list[FileReport] | None = None) -> list[Batch]:
    """One batch per origin; actors claimed twice are merged; each origin keeps its files' compact ledger
    and the merges of their records into actors of other ids."""
    batches: dict[str, Batch] = {}
    for r, report in zip(results, reports or [None] * len(results)):
        if ledgers is not None and report is not None:
            ledgers[r.origin.id].append(report.ledger)
    merges: dict[str, dict[str, str]] = {}
    for r in results:
        merges.setdefault(r.origin.id, {}).update(r.merges)
    for r in results:
        origin = r.origin
        if ledgers and ledgers.get(origin.id):
            origin = origin.model_copy(update={"ledger": json.dumps(compact(ledgers[origin.id]), sort_keys=True)})
        if merges[origin.id]:  # kept with the origin, so that ingesting it again merges them the same way
            origin = origin.model_copy(update={"merges": json.dumps(merges[origin.id], sort_keys=True)})
        batch = batches.setdefault(r.origin.id, Batch(origin))
        batch.sources.extend(r.sources)
        batch.actors.extend(r.actors)
        batch.links.extend(r.links)
        batch.link_rows.extend(r.link_rows)
    for batch in batches.values():
        merged: dict[str, Actor] = {}
        for actor in batch.actors:
            if actor.id in merged:
                first = merged[actor.id]
                if first.attributes.get("kind_guessed") and not actor.attributes.get("kind_guessed"):
                    first = first.model_copy(update={"kind": actor.kind,  # a kind the file states wins
                                                     "attributes": {**first.attributes, "kind_guessed": False}})
                actor = first.model_copy(update={
                    "aliases": [a for a in dict.fromkeys([*first.aliases, actor.name, *actor.aliases])
                                if a != first.name],
                    "identifiers": merge_identifiers(first.identifiers, actor.identifiers),
                    "citations": merge_citations(first.citations, actor.citations)})
            merged[actor.id] = actor
        batch.actors = list(merged.values())
        batch.sources = list({s.id: s for s in batch.sources}.values())
    return list(batches.values())


__all__ = ["FileReport", "IngestReport", "Job", "collector_paused", "plan", "run_ingest"]
