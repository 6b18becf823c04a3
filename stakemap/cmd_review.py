"""``stakemap review``: the queue of what ingests could not decide alone, and the decisions people make."""

from __future__ import annotations

import typer
from rich.table import Table

from graphmodel.curation import review as queue_of  # light: the queue's types and keys
from graphmodel.curation.sides import ROWS, cell
from graphmodel.curation.sides import sides as sides_of
from graphmodel.errors import ConfigError, NotFoundError

from .console import JsonOption, StoreOption, console, current_user, handles_errors, print_json, store_at

review_app = typer.Typer(help="The review queue: near matches, weak merges, placeholders and rejected rows, "
                              "most at stake first; decide pairs once and every later ingest applies it.",
                         no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")


def _entry(st, key: str) -> queue_of.QueueItem:
    for item in queue_of.queue(st, decided=True):
        if item.key == key or item.key.startswith(key) and len(key) >= 4:
            return item
    raise NotFoundError(f"no review entry {key!r}", hint="'stakemap review list --all' shows every entry and its id")


@review_app.command("list")
@handles_errors
def review_list(
    everything: bool = typer.Option(False, "--all", help="Also the entries already decided."),
    kind: str = typer.Option(None, "--type", help="Only entries of this type: " + ", ".join(queue_of.TYPES) + "."),
    limit: int = typer.Option(30, "--limit", min=1, help="How many to list (--json lists all)."),
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """List the review queue, most at stake first (the links and money that hang on each decision).

    Examples:

      stakemap review list

      stakemap review list --type pair --json
    """
    if kind is not None and kind not in queue_of.TYPES:
        raise ConfigError(f"unknown type {kind!r}", hint="one of: " + ", ".join(queue_of.TYPES))
    with store_at(store, create=False) as st:
        items = [i for i in queue_of.queue(st, decided=everything) if kind is None or i.doc["type"] == kind]
        done = queue_of.progress(st)
    if as_json:
        print_json({"progress": done, "entries": [i.as_dict() for i in items]})
        return
    table = Table("id", "type", "known actor", "record", "why", "links", "money", "decided",
                  title=f"Review queue: {done['decided']} of {done['total']} pairs decided")
    for i in items[:limit]:
        d = i.doc
        what = d.get("reason") or d.get("message") or ""
        score = f" ({d['score']:.2f})" if d.get("score") and d["score"] < 1 else ""
        money = ", ".join(f"{v:,.0f} {c}" for c, v in i.money.items())
        table.add_row(i.key[:8], d["type"], d.get("a_name") or d.get("where") or d.get("file") or "",
                      d.get("b_name") or (f"row {d['row']}" if d.get("row") else ""), what + score, str(i.links), money,
                      i.verdict or "")
    console.print(table)
    if len(items) > limit:
        console.print(f"... and {len(items) - limit} more (--limit, or --json for all)", style="dim")
    if items:
        console.print("Look closer with 'stakemap review show ID'; decide with 'stakemap review decide ID --same'.",
                      style="dim")


@review_app.command("show")
@handles_errors
def review_show(key: str = typer.Argument(..., help="The entry's id (its first 8 characters are enough)."),
                store: str = StoreOption, as_json: bool = JsonOption) -> None:
    """Show an entry: the two records side by side (names, identifiers, countries, sources, links, amounts)."""
    with store_at(store, create=False) as st:
        item = _entry(st, key)
        both = sides_of(st, item.doc) if item.doc["type"] in ("pair", "merged") else {}
    if as_json:
        print_json({**item.as_dict(), "sides": both})
        return
    d = item.doc
    console.print(f"{d['type']} · {d.get('reason') or d.get('message') or ''} · origin {d.get('origin')}"
                  + (f" · decided: {item.verdict}" if item.verdict else ""))
    if not both:
        for k, v in d.items():
            console.print(f"  {k}: {v}")
        return
    table = Table("", "known actor (kept)", "record")
    for row, label in ROWS:
        table.add_row(label, *(cell(both[s], row)[:120] for s in ("a", "b")))
    console.print(table)
    if d["type"] == "merged" and not both["b"]["present"]:
        console.print(f"The record {d['b']} is part of {d['a']} now: --different splits it off again.", style="dim")


@review_app.command("decide")
@handles_errors
def review_decide(
    key: str = typer.Argument(..., help="The entry's id."),
    same: bool = typer.Option(False, "--same", help="One actor: the record joins the known actor now."),
    different: bool = typer.Option(False, "--different", help="Two actors: kept apart (split if merged)."),
    unsure: bool = typer.Option(False, "--unsure", help="Cannot tell: kept, changes nothing."),
    dismiss: bool = typer.Option(False, "--dismiss", help="For a placeholder or a rejected row: seen, nothing to do."),
    note: str = typer.Option(None, "--note", help="Why (kept with the decision)."),
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Decide an entry; every later ingest applies the decision (a new version of the store).

    Examples:

      stakemap review decide 5bae10ee --same --note "one NGO: the spelling differs"

      stakemap review decide aaa94ee6 --different
    """
    from graphmodel.curation.decisions import decide
    chosen = [v for v, on in (("same", same), ("different", different), ("unsure", unsure), ("dismiss", dismiss))
              if on]
    if len(chosen) != 1:
        raise ConfigError("say one of --same, --different, --unsure (or --dismiss)", hint="see --help")
    with store_at(store, create=False) as st:
        item = _entry(st, key)
        pair = item.doc["type"] in ("pair", "merged")
        if pair == (chosen[0] == "dismiss"):
            raise ConfigError(f"--{chosen[0]} does not fit a {item.doc['type']} entry",
                              hint="pairs take --same, --different or --unsure; other entries --dismiss (fix the "
                                   "row in its file, or add the record with 'stakemap edit')")
        if pair:
            made = decide(st, item.doc["a"], item.doc["b"], chosen[0], who=current_user(), note=note)
            out = made.as_dict()
        else:
            version = st.write_docs({queue_of.KIND: {item.key: None}}, who=current_user(), action="review",
                                    note=note or f"dismissed: {item.doc.get('reason') or item.doc.get('message')}")
            out = {"dismissed": item.key, "version": version.number, "says": "dismissed"}
        done = queue_of.progress(st)
    if as_json:
        print_json({**out, "progress": done})
    else:
        console.print(f"{out['says']} (version {out['version']}). {done['decided']} of {done['total']} decided.")
