"""Commands that load and inspect the map: ingest, stats, show, kinds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, ActorKind

if TYPE_CHECKING:  # models and the ingest run load when a command runs, not for --help
    from graphmodel.models import Actor, Link
    from ingest.run import IngestReport

from .console import (JsonOption, current_user, StoreOption, actor_arg, console, err_console, escape, handles_errors, print_json,
                      progress, store_at)


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("stats")(stats)
    app.command("show")(show)
    app.command("kinds")(kinds)


@handles_errors
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or dataset folders (a folder holds a dataset.yaml).",
                                       show_default=False),
    fmt: str = typer.Option("auto", "--format", "-f", help="Input format; 'auto' detects it from the file."),
    source: str = typer.Option(None, "--source", help="Name the origin these records come from. Re-ingesting "
                               "the same origin replaces its records and nothing else. Default: the file or "
                               "dataset name."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check everything, write nothing."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the valid rows and report the rest."),
    brand: str = typer.Option(None, "--brand", help="The brand a supplier list belongs to."),
    mapping: Path = typer.Option(None, "--mapping", help="YAML mapping node types / edge labels to kinds."),
    review: Path = typer.Option(None, "--review", help="Write near-matches that were not merged to this CSV."),
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Load files into the store, all or nothing.

    Every row is checked first; if any is invalid, every problem is listed with
    file:row:column and nothing is written (unless --skip-invalid). Organisations
    that arrive from several files become one actor (by identifiers, or by name
    within one kind of thing: a factory and a company, or a programme and an
    organisation, are never merged on a name). Placeholder names ("Name
    withheld", "Other.", "TBD") never become actors.

    Each file's ledger is printed (all of it with --json) and kept with its
    origin: records read, written, merged into which actor by which rule, set
    aside and why; money per currency, stated = written + set aside. Two ingests
    at once give the store the same ingests give one after the other. After a
    write the map is prepared for questions (saved beside the store), so the
    first question and the dashboard's start do not build it.

    Examples:

      stakemap ingest data/seed

      stakemap ingest actors.csv links.csv --source my-map

      stakemap ingest grants.xml --dry-run
    """
    from ingest.run import run_ingest

    options = {k: v for k, v in {"brand": brand, "mapping": mapping}.items() if v is not None}
    with store_at(store) as st, progress() as bar:
        task = bar.add_task("reading", total=len(paths))

        def on_file(path: Path, number: int, total: int) -> None:
            bar.update(task, description=f"reading {path.name}", completed=number - 1, total=total)

        from graphmodel.analysis.projection_cache import WriteRecorder

        recorder = WriteRecorder(st)  # to leave the saved projection up to date after the write
        report = run_ingest(recorder, paths, fmt=fmt, source=source, dry_run=dry_run, skip_invalid=skip_invalid,
                            options=options, on_file=on_file, who=current_user())
        version = st.versions()[-1].number if report.written else None
        if report.written:
            bar.update(task, description="preparing the map for questions", completed=len(paths))
            recorder.prepare()
    if review:
        _write_review(review, report)
    if as_json:
        print_json({**report.as_dict(), "version": version})
    else:
        _print_report(report)
        if version is not None:
            console.print(f"This is version {version} of the store: 'stakemap diff --since {version - 1}' shows what it "
                          "changed.", style="dim")


def _print_report(report: IngestReport) -> None:
    from ingest.ledger import summary_lines

    table = Table(title="Ingest" + (" (dry run: nothing written)" if report.dry_run else ""))
    numbers = ("read", "imported", "rejected", "merged")
    for col in ("file", "format", "origin", *numbers):
        table.add_column(col, justify="right" if col in numbers else "left")
    for f in report.files:
        table.add_row(f.path, f.format, f.origin, str(f.read), str(f.imported), str(f.rejected), str(f.merged))
    console.print(table)
    for f in report.files:
        for note in f.notes:
            console.print(f"note {Path(f.path).name}: {note}", markup=False)
        for line in summary_lines(f.ledger) if f.ledger else []:
            console.print(f"ledger {Path(f.path).name}: {line}", markup=False)
    for problem in report.problems:
        err_console.print(f"rejected {problem}", markup=False, soft_wrap=True)
    merged = [m for f in report.files for m in f.ledger.get("merged", [])]
    targets = sorted({m["into"] for m in merged})
    into = ""
    if merged:
        into = f"; {len(merged)} records merged into {len(targets)} known actors (" + ", ".join(targets[:5]) \
            + (", ..." if len(targets) > 5 else "") + ")"
    console.print(f"read {report.read} = imported {report.imported} + rejected {report.rejected}{into}")
    for w in report.written:
        console.print(f"wrote {w.origin}: {w.actors} actors, {w.links} links"
                      + (f"; removed {w.actors_removed} actors, {w.links_removed} links no longer in it"
                         if w.actors_removed or w.links_removed else ""))
    if report.review:
        console.print(f"{len(report.review)} pairs left for review: 'stakemap review list' (or --review FILE)")


def _write_review(path: Path, report: IngestReport) -> None:
    import csv

    from graphmodel.export.atomic import atomic_files

    with atomic_files([path]) as (tmp,), tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["incoming", "incoming_name", "candidate", "candidate_name", "reason", "score"])
        for item in report.review:
            writer.writerow([item.incoming, item.incoming_name, item.candidate, item.candidate_name,
                             item.reason, item.score])


@handles_errors
def stats(store: str = StoreOption, as_json: bool = JsonOption) -> None:
    """What the store holds: counts by kind, country and origin."""
    from .counts import map_stats
    from graphmodel.values import country_name
    from ingest.ledger import summary_lines

    with store_at(store, create=False) as st:
        s = map_stats(st)
    if as_json:
        print_json(s.model_dump(mode="json"))
        return
    url, ledgers = s.store, s.ledgers
    console.print(f"[bold]{s.actors}[/bold] actors, [bold]{s.links}[/bold] links, {s.sources} sources "
                  f"in {escape(url)} (last write {s.last_write or 'never'})", markup=True)
    console.print(_count_table("Actors by kind", s.actors_by_kind))
    console.print(_count_table("Links by kind", s.links_by_kind))
    console.print(_count_table("Actors by country", {(f"{k} {country_name(k)}" if k else "(none)"): v
                                                     for k, v in list(s.actors_by_country.items())[:25]}))
    origins = Table(title="By origin")
    for col in ("origin", "actors", "links"):
        origins.add_column(col)
    for origin, counts in s.records_by_origin.items():
        origins.add_row(origin, str(counts.get("actors", 0)), str(counts.get("links", 0)))
    console.print(origins)
    for origin, ledger in sorted(ledgers.items()):
        for f in ledger.get("files", []):
            records = f["records"]
            console.print(f"ledger {origin} ({f['path']}): read {records['read']} = written {records['written']} + "
                          f"rejected {records['rejected']}; merged {records['merged']}", markup=False)
            for line in summary_lines(f):
                console.print(f"  {line}", markup=False)


def _count_table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column("")
    table.add_column("count", justify="right")
    for key, value in counts.items():
        table.add_row(str(key), str(value))
    return table


@handles_errors
def show(actor: str = typer.Argument(..., help="An id, name or alias."), store: str = StoreOption,
         as_json: bool = JsonOption) -> None:
    """An actor, its links and their sources.

    Unknown or ambiguous names get a list of close matches.
    """
    with store_at(store, create=False) as st:
        found = actor_arg(st, actor)
        links = st.links_of(found.id)
        others = st.get_actors({lk.source for lk in links} | {lk.target for lk in links})
        sources = {s.id: s for s in st.sources()}
    if as_json:
        print_json({"actor": found.model_dump(mode="json"),
                    "links": [lk.model_dump(mode="json") for lk in links],
                    "sources": [sources[c].model_dump(mode="json", exclude_none=True)
                                for c in sorted({c.source for r in [found, *links] for c in r.citations})
                                if c in sources]})
        return
    _print_actor(found, links, others, sources)


def _print_actor(actor: Actor, links: list[Link], others: dict[str, Actor], sources: dict) -> None:
    from graphmodel.values import country_name

    console.print(f"[bold]{escape(actor.name)}[/bold]  ({ACTOR_SPECS[actor.kind].label}; id {actor.id})", markup=True,
                  highlight=False)
    facts = [("aliases", ", ".join(actor.aliases)), ("country", actor.country and country_name(actor.country)),
             ("countries", ", ".join(actor.countries)), ("sectors", ", ".join(actor.sectors)),
             ("identifiers", ", ".join(f"{k}:{v}" for k, v in actor.identifiers.items())),
             ("sensitivity", actor.sensitivity.value), ("description", actor.description)]
    for key, value in facts:
        if value:
            console.print(f"  {key}: {value}", markup=False)
    table = Table(title=f"{len(links)} links")
    for col in ("direction", "kind", "other", "amount", "when", "confidence", "sources"):
        table.add_column(col, justify="right" if col == "amount" else "left")
    for lk in links:
        outgoing = lk.source == actor.id
        other = others.get(lk.target if outgoing else lk.source)
        when = "–".join(x for x in (lk.start, lk.end) if x)
        cites = "; ".join(f"{sources[c.source].title if c.source in sources else c.source}"
                          + (f" ({c.locator})" if c.locator else "") for c in lk.citations)
        amount = f"{lk.amount:,.2f} {lk.currency}" if lk.amount is not None else ""
        if lk.share is not None:
            amount = (amount + " " if amount else "") + f"({lk.share:.0%} share)"
        table.add_row("→" if outgoing else "←", LINK_SPECS[lk.kind].label,
                      other.name if other else (lk.target if outgoing else lk.source), amount, when,
                      lk.confidence.value, cites)
    console.print(table)


@handles_errors
def kinds(as_json: bool = JsonOption) -> None:
    """List the actor kinds and link kinds, and which kinds each link may join."""
    if as_json:
        print_json({"actor_kinds": {k.value: ACTOR_SPECS[k].label for k in ActorKind},
                    "link_kinds": {k.value: {"label": s.label, "from": sorted(x.value for x in s.sources),
                                             "to": sorted(x.value for x in s.targets), "directed": s.directed}
                                   for k, s in LINK_SPECS.items()}})
        return
    actors = Table(title="Actor kinds")
    actors.add_column("kind")
    actors.add_column("meaning")
    for k in ActorKind:
        actors.add_row(k.value, ACTOR_SPECS[k].label)
    console.print(actors)
    links = Table(title="Link kinds")
    for col in ("kind", "meaning", "from", "to"):
        links.add_column(col)
    everything = set(ActorKind)
    for k, s in LINK_SPECS.items():
        def show_set(kinds: frozenset) -> str:
            return "any" if set(kinds) == everything else ", ".join(x.value for x in ActorKind if x in kinds)
        links.add_row(k.value, s.label + ("" if s.directed else " (either way)"), show_set(s.sources),
                      show_set(s.targets))
    console.print(links)
