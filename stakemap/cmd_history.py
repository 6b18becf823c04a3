"""Commands about change: versions (and pruning them), diff, and the watch list."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from graphmodel.errors import ConfigError, NotFoundError
from graphmodel.kinds import Sensitivity

from . import watchlist
from .console import JsonOption, StoreOption, console, handles_errors, print_json, store_at

if TYPE_CHECKING:
    from graphmodel.changes import Diff
    from graphmodel.export.redaction import Clearance
    from graphmodel.store import Store
    from graphmodel.store.history import Change
    from graphmodel.store.versioned import StoreAtVersion

watch_app = typer.Typer(help="What 'stakemap diff --watched' reports on: actors, countries and kinds.",
                        no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("versions")(versions_cmd)
    app.command("diff")(diff_cmd)
    app.add_typer(watch_app, name="watch")


# -- versions --------------------------------------------------------------------------------------
@handles_errors
def versions_cmd(
    origin: str = typer.Option(None, "--origin", help="Only the versions that wrote this origin."),
    prune: str = typer.Option(None, "--prune", metavar="BEFORE", help="Forget what versions up to BEFORE (a number "
                              "or a date) replaced; the current map and later history stay."),
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """List the store's versions: every ingest run and origin removal, with when, who and what it changed.

    Each version keeps the records it replaced, so 'stakemap diff' can say what
    changed and analyses can run on the map as it was ('--version N').
    History costs space: '--prune BEFORE' keeps the current state and drops the
    older replaced records, and says how much it freed.

    Examples:

      stakemap versions

      stakemap versions --origin iati-activities.xml --json

      stakemap versions --prune 2026-01-01
    """
    from graphmodel.store.versioned import resolve_version
    with store_at(store, create=False) as st:
        if prune is not None:
            number = resolve_version(st, prune, end_of_day=True)
            freed = st.prune_history(number or 0)
            if as_json:
                print_json({"pruned_before": number, **freed, "history": st.history_size()})
            else:
                console.print(f"Forgot what versions up to {number} replaced: {freed['rows']:,} history rows, "
                              f"{_size(freed['bytes_freed'])} freed. The map now and from version {number} on are kept.")
            return
        found = [v for v in st.versions() if origin is None or origin in v.origins]
        size, start = st.history_size(), st.history_from()
    if as_json:
        print_json({"versions": [v.as_dict() for v in found], "history_from": start, "history": size})
        return
    table = Table("version", "when (UTC)", "who", "what", "origins", "actors +/-/~", "links +/-/~", title="Versions")
    for v in found:
        c = v.counts
        table.add_row(str(v.number), v.at[:16].replace("T", " "), v.who or "", v.action, ", ".join(v.origins) or v.note or "",
                      _pm(c, "actors"), _pm(c, "links"))
    console.print(table)
    if start:
        console.print(f"History is kept from version {start} on.", style="dim")
    console.print(f"History holds {size['rows']:,} replaced records (about {_size(size['bytes'])}).", style="dim")


def _pm(counts, record: str) -> str:
    return "/".join(str(counts.get(f"{record}_{s}", 0)) for s in ("added", "removed", "changed"))


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


# -- diff ------------------------------------------------------------------------------------------
@handles_errors
def diff_cmd(
    since: str = typer.Option(None, "--since", help="From this version (number) or date/time; default: the "
                              "version before the last."),
    until: str = typer.Option(None, "--until", help="To this version or date/time; default: now."),
    valid_from: str = typer.Option(None, "--valid-from", help="Compare valid time instead: links that held at this "
                                   "date (2015, 2015-06) ..."),
    valid_to: str = typer.Option(None, "--valid-to", help="... and not at this one, or the other way round."),
    origin: list[str] = typer.Option(None, "--origin", help="Only changes made by this origin (repeat for several)."),
    kind: list[str] = typer.Option(None, "--kind", help="Only records of this actor or link kind."),
    country: list[str] = typer.Option(None, "--country", help="Only records in or linked to this country."),
    around: str = typer.Option(None, "--around", help="Only changes within --hops links of this actor."),
    hops: int = typer.Option(1, "--hops", min=0, max=6, help="With --around: how far."),
    watched: bool = typer.Option(False, "--watched", help="Only changes touching the watch list ('stakemap watch')."),
    limit: int = typer.Option(20, "--limit", min=1, help="Records listed per origin and kind (--json lists all)."),
    clearance: Sensitivity = typer.Option(Sensitivity.INTERNAL, "--clearance", case_sensitive=False,
                                          help="Leave out changes to records above this sensitivity."),
    include_people: bool = typer.Option(False, "--include-people/--exclude-people",
                                        help="Changes to people are left out unless asked for."),
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Show what changed: actors and links added, removed and changed, counts first.

    Between two versions of the store (transaction time: what ingests and
    removals did), or with --valid-from/--valid-to between two dates of valid
    time (what held in one year and not the other). Changed records list each
    field with its old and new value, and their sources. A change to a record
    above your clearance is never shown or counted.

    Examples:

      stakemap diff                                   # what the last ingest did

      stakemap diff --since 2026-09-30 --origin fnv-iati.xml

      stakemap diff --since 3 --around "Clean Clothes Campaign" --hops 2 --json

      stakemap diff --valid-from 2015 --valid-to 2022 --kind affiliated_to

      stakemap diff --since 2026-11-01 --watched      # for a scheduled job
    """
    from graphmodel.changes import diff_of, narrowed, seen_changes
    from graphmodel.export.redaction import Clearance
    seen = Clearance(clearance, include_people)
    with store_at(store, create=False) as st:
        diff, then = diff_of(st, since, until, valid_from, valid_to)
        diff.changes, actors = seen_changes(st, diff.changes, seen.sees_actor,
                                            lambda lk: seen.link_reason(lk.sensitivity) is None,
                                            after_is_now=diff.after_is_now)
        actor_of = actors.get
        near = _around(st, then, around, hops, seen) if around else None
        watch = watchlist.as_watch(watchlist.load(st)) if watched else None
        if watched and not watch:
            diff.notes.append("the watch list is empty: add to it with 'stakemap watch add'")
        diff.changes = narrowed(diff.changes, actor_of, origins=set(origin) if origin else None,
                                kinds={watchlist.classify(st, f"kind:{k}")[1] for k in kind} if kind else None,
                                countries={watchlist.classify(st, f"country:{c}")[1] for c in country} if country else None,
                                around=near, watch=watch)
    if as_json:
        print_json(diff.as_dict())
    else:
        _print_diff(diff, actor_of, limit)


def _around(st: Store, then: StoreAtVersion | None, ref: str, hops: int, seen: Clearance) -> set[str]:
    from graphmodel.changes import around
    from graphmodel.resolve import resolve_actor
    try:
        actor = resolve_actor(st, ref)
    except NotFoundError:
        actor = None
    if actor is None or not seen.sees_actor(actor):  # a hidden actor gets the answer a missing one gets
        raise NotFoundError(f"no actor matches {ref!r}", hint="check the spelling; 'stakemap show NAME' finds actors")
    return around(st, actor.id, hops, seen.sees_actor, lambda lk: seen.link_reason(lk.sensitivity) is None, then)


def _print_diff(diff: Diff, actor_of, limit: int) -> None:
    counts = diff.counts()
    table = Table("", "added", "removed", "changed", title=f"Changes from {diff.since} to {diff.until} ({diff.basis})")
    for record in ("actors", "links"):
        table.add_row(record, *(f"{counts[record][s]:,}" for s in ("added", "removed", "changed")))
    console.print(table)
    for note in diff.notes:
        console.print(note, style="dim")
    for origin, kinds in diff.grouped().items():
        console.print(f"\n{origin}", style="bold")
        for kind, items in kinds.items():
            console.print(f"  {kind} ({len(items)})")
            for c in items[:limit]:
                console.print(f"    {_line(c, actor_of)}", soft_wrap=True)
            if len(items) > limit:
                console.print(f"    ... and {len(items) - limit:,} more (--limit, or --json for all)", style="dim")


def _line(c: Change, actor_of) -> str:
    from graphmodel.models import Actor
    mark = {"added": "+", "removed": "-", "changed": "~"}[c.status]
    now = c.now
    if isinstance(now, Actor):
        head = f"{now.name} ({now.id}{', ' + now.country if now.country else ''})"
    else:
        names = [getattr(actor_of(e), "name", e) for e in (now.source, now.target)]
        span = f" {now.start or '?'}–{now.end or ''}" if now.start or now.end else ""
        money = f" {now.amount:,.0f} {now.currency or ''}" if now.amount is not None else ""
        head = f"{names[0]} → {names[1]}{span}{money}"
    sources = sorted({cit.source for cit in now.citations})
    text = f"{mark} {head}" + (f"  [{', '.join(sources)}]" if sources else "")
    if c.status == "changed":
        text += "".join(f"\n        {field}: {_short(old)} → {_short(new)}" for field, (old, new) in c.fields().items())
    return text


def _short(value) -> str:
    text = "—" if value in (None, [], {}) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# -- watch list ------------------------------------------------------------------------------------
@watch_app.command("add")
@handles_errors
def watch_add(items: list[str] = typer.Argument(..., help="Actors (id, name or alias), countries (BD, Bangladesh) "
                                                "or kinds (brand, funds); prefix with actor:, country: or kind: "
                                                "to say which."),
              store: str = StoreOption) -> None:
    """Watch actors, countries or kinds: 'stakemap diff --watched' then prints only changes touching them.

    Examples:

      stakemap watch add "H&M" BD kind:sanctions
    """
    with store_at(store, create=False) as st:
        entries = watchlist.load(st)
        for item in items:
            which, value, label = watchlist.classify(st, item)
            entries[which] = sorted(set(entries[which]) | {value})
            console.print(f"watching {label}")
        path = watchlist.save(st, entries)
    console.print(f"watch list: {path}", style="dim")


@watch_app.command("remove")
@handles_errors
def watch_remove(items: list[str] = typer.Argument(..., help="What to stop watching (as given to 'add')."),
                 store: str = StoreOption) -> None:
    """Stop watching actors, countries or kinds."""
    with store_at(store, create=False) as st:
        entries = watchlist.load(st)
        for item in items:
            which, value, label = watchlist.classify(st, item)
            if value not in entries[which]:
                raise ConfigError(f"{label} is not on the watch list", hint="'stakemap watch list' shows it")
            entries[which].remove(value)
            console.print(f"no longer watching {label}")
        watchlist.save(st, entries)


@watch_app.command("list")
@handles_errors
def watch_list(store: str = StoreOption, as_json: bool = JsonOption) -> None:
    """Show the watch list."""
    with store_at(store, create=False) as st:
        entries = watchlist.load(st)
    if as_json:
        print_json(entries)
        return
    if not any(entries.values()):
        console.print("The watch list is empty: 'stakemap watch add NAME|COUNTRY|KIND'.")
    for which, values in entries.items():
        if values:
            console.print(f"{which}: {', '.join(values)}")
