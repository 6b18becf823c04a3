"""``stakemap sync``: copy a whole store from one backend to another.

Embedded -> Neo4j publishes a map for a team; Neo4j -> embedded takes a copy
offline. Every origin (ingest source) is copied as its own batch, so
re-ingesting one origin later replaces only its records in the copy too, and
the whole copy is one all-or-nothing write. A record claimed by several
origins is written, as it reads now, under each of them (which origin cited
which citation is not kept apart in the copy). At the end the counts of the
two stores are compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

import typer

from graphmodel.errors import StoreError

if TYPE_CHECKING:  # the models and stores load when the command runs, not for --help
    from graphmodel.models import Actor, Link
    from graphmodel.store import Batch, Store

from .console import console, err_console, handles_errors, print_json, progress, store_at

#: Origin under which records no origin claims any more (kept because links still use them) are copied.
UNCLAIMED_ORIGIN = "stakemap-sync-unclaimed"


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)


def _with_origins(store: Store, records: Iterable, kind: str):
    """Each record with the origins claiming it (in one pass where the backend can)."""
    fast = getattr(store, f"iter_{kind}_with_origins", None)
    if fast is not None:
        yield from fast()
        return
    for record in records:
        yield record, store.origins_of(record.id)


def build_batches(source: Store, on_record=None) -> tuple[list[Batch], dict[str, int]]:
    """One batch per origin of ``source``, holding every record that origin claims."""
    from graphmodel.models import Source
    from graphmodel.store import Batch

    sources = {s.id: s for s in source.sources()}
    actors: dict[str, list[Actor]] = defaultdict(list)
    links: dict[str, list[Link]] = defaultdict(list)
    counts = {"actors": 0, "links": 0}
    for what, bucket in (("actors", actors), ("links", links)):
        records = source.iter_actors() if what == "actors" else source.iter_links()
        for record, origins in _with_origins(source, records, what):
            counts[what] += 1
            for origin in origins or [UNCLAIMED_ORIGIN]:
                bucket[origin].append(record)
            if on_record:
                on_record(what)
    origins = sorted(set(actors) | set(links) | set(source.stats().records_by_origin))
    cited = [s for s in sources.values() if s.id not in origins]
    heads = [sources.get(o) or Source(id=o, kind="dataset", title="Records no origin claims (kept by stakemap sync)"
                                      if o == UNCLAIMED_ORIGIN else o) for o in origins]
    # Links may join actors that another origin claims, so every origin's actors go first,
    # then each origin again with its actors and links; all of it is one write.
    first = [Batch(h, actors.get(h.id, []), [], cited if n == 0 else []) for n, h in enumerate(heads)]
    second = [Batch(h, actors.get(h.id, []), links.get(h.id, []), cited if n == 0 else []) for n, h in enumerate(heads)]
    return (first + second if any(b.links for b in second) else first), counts


@handles_errors
def sync(
    source_url: str = typer.Option(..., "--from", help="The store to copy: sqlite:///file.db or bolt://user@host/db.",
                                   show_default=False),
    target_url: str = typer.Option(..., "--to", help="The store to copy into.", show_default=False),
    merge: bool = typer.Option(False, "--merge", help="Copy into a store that already holds records: origins "
                               "of the source replace the same origins there, others stay."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Copy a whole store from one backend to another, then check the counts.

    Examples:

      stakemap sync --from sqlite:///stakemap.db --to bolt://neo4j@localhost:7687/neo4j

      stakemap sync --from neo4j+s://me@graph.example.org/stakemap --to sqlite:///offline.db

    The Neo4j password comes from STAKEMAP_NEO4J_PASSWORD or a prompt.
    """
    with store_at(source_url, create=False) as src, store_at(target_url) as dst:
        before = dst.stats()
        if (before.actors or before.links) and not merge:
            raise StoreError(f"{dst.url} already holds {before.actors} actors and {before.links} links",
                             hint="copy into an empty store, or give --merge to replace only the origins the "
                                  "source has")
        expected = src.stats()
        with progress() as bar:
            read = bar.add_task("reading", total=expected.actors + expected.links)
            batches, counts = build_batches(src, on_record=lambda _what: bar.advance(read))
            bar.add_task(f"writing to {dst.url}", total=None)
            results = dst.write_all(batches, replace=True)[-len({b.origin.id for b in batches}):]
        after = dst.stats()
    copied = sorted({b.origin.id for b in batches})
    mismatches = []
    for origin in copied:
        want = expected.records_by_origin.get(origin)
        got = after.records_by_origin.get(origin)
        if want is not None and want != got:
            mismatches.append(f"{origin}: {want} in the source, {got} in the copy")
    if not (before.actors or before.links):
        for what in ("actors", "links"):
            if getattr(expected, what) != getattr(after, what):
                mismatches.append(f"{what}: {getattr(expected, what)} in the source, {getattr(after, what)} in the copy")
    summary = {"from": src.url, "to": dst.url, "origins": len(copied), "actors": after.actors,
               "links": after.links, "sources": after.sources, "checked": not mismatches,
               "written": [r.__dict__ for r in results]}
    if as_json:
        print_json(summary)
    else:
        console.print(f"copied {counts['actors']} actors and {counts['links']} links in {len(copied)} origin(s)"
                      f" from {src.url} to {dst.url}", markup=False)
    if mismatches:
        for line in mismatches:
            err_console.print(f"count mismatch: {line}", markup=False)
        raise StoreError("the copy's counts differ from the source's", hint="see the lines above")
    if not as_json:
        console.print(f"counts match: {after.actors} actors, {after.links} links, {after.sources} sources",
                      markup=False)
