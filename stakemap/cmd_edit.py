"""``stakemap edit``, ``history`` and ``revert``: correct the map by hand, with sources, and undo a change."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.table import Table

from graphmodel.curation.fields import ACTOR_FIELDS, LINK_FIELDS

if TYPE_CHECKING:
    from graphmodel.curation import edits

from graphmodel.errors import ConfigError
from graphmodel.kinds import ActorKind, LinkKind

from .console import JsonOption, StoreOption, actor_arg, console, current_user, handles_errors, print_json, store_at

edit_app = typer.Typer(help="Add or correct actors and links by hand. Every edit names its source (one in the store, "
                            "or a new one with a title and a URL), is a version of the store, and outlives every "
                            "re-ingest: where an import disagrees, the edit is shown and the disagreement listed "
                            "for review.", no_args_is_help=True)

SourceOpt = typer.Option(None, "--source", help="The id of a source in the store this fact comes from.")
TitleOpt = typer.Option(None, "--source-title", help="Or a new source: its title ...")
UrlOpt = typer.Option(None, "--source-url", help="... and its URL (or the document's name).")
LocatorOpt = typer.Option(None, "--locator", help="Where in the source: page, section, paragraph.")
NoteOpt = typer.Option(None, "--note", help="What the source says, in your own words.")
ExpectOpt = typer.Option(None, "--expect", help="The record's digest as you read it ('stakemap edit digest ID'): "
                                              "the edit is refused if someone changed it since.")


def register(app: typer.Typer) -> None:
    app.add_typer(edit_app, name="edit")
    app.command("history")(history_cmd)
    app.command("revert")(revert_cmd)


def _ref(source, title, url, locator, note) -> edits.SourceRef:
    from graphmodel.curation import edits
    return edits.SourceRef(source=source, title=title, url=url, locator=locator, note=note)


def _done(result: edits.EditResult, as_json: bool) -> None:
    if as_json:
        print_json(result.as_dict())
    else:
        console.print(f"{result.doc['says']} (version {result.version}; revert with 'stakemap revert {result.version}')")


@edit_app.command("add-actor")
@handles_errors
def add_actor(name: str = typer.Argument(..., help="The actor's name."),
              kind: str = typer.Option(..., "--kind", help="One of: " + ", ".join(k.value for k in ActorKind) + "."),
              country: str = typer.Option(None, "--country"), actor_id: str = typer.Option(None, "--id"),
              description: str = typer.Option(None, "--description"),
              source: str = SourceOpt, source_title: str = TitleOpt, source_url: str = UrlOpt,
              locator: str = LocatorOpt, note: str = NoteOpt, store: str = StoreOption, as_json: bool = JsonOption) -> None:
    """Add an actor, citing its source.

    Example:

      stakemap edit add-actor "Hong Kong Domestic Workers General Union" --kind union --country HK
      --source amrc-2010-hk-china-solidarity --locator "para 9" --note "Named as a member of the HKCTU."
    """
    from graphmodel.curation import edits
    from graphmodel.models import Actor
    try:
        actor = Actor(id=actor_id or "", name=name, kind=kind, country=country, description=description)
    except ValueError as exc:
        raise ConfigError(str(exc).splitlines()[-1], hint="'stakemap kinds' lists the actor kinds") from None
    with store_at(store, create=False) as st:
        result = edits.add_actor(st, actor, _ref(source, source_title, source_url, locator, note), who=current_user())
    _done(result, as_json)


@edit_app.command("add-link")
@handles_errors
def add_link(source_actor: str = typer.Argument(..., metavar="FROM", help="Id, name or alias."),
             kind: str = typer.Argument(..., help="One of: " + ", ".join(k.value for k in LinkKind) + "."),
             target_actor: str = typer.Argument(..., metavar="TO"),
             start: str = typer.Option(None, "--start"), end: str = typer.Option(None, "--end"),
             amount: float = typer.Option(None, "--amount"), currency: str = typer.Option(None, "--currency"),
             confidence: str = typer.Option("reported", "--confidence"),
             source: str = SourceOpt, source_title: str = TitleOpt, source_url: str = UrlOpt,
             locator: str = LocatorOpt, note: str = NoteOpt, store: str = StoreOption, as_json: bool = JsonOption) -> None:
    """Add a link between two actors, citing its source (the kinds table must allow it).

    Example:

      stakemap edit add-link hkctu affiliated_to ituc --start 1990 --source amrc-2010-hk-china-solidarity
      --locator "para 3"
    """
    from graphmodel.curation import edits
    from graphmodel.models import Link
    with store_at(store, create=False) as st:
        a, b = actor_arg(st, source_actor), actor_arg(st, target_actor)
        try:
            link = Link(kind=kind, source=a.id, target=b.id, start=start, end=end, amount=amount, currency=currency,
                        confidence=confidence)
        except ValueError as exc:
            raise ConfigError(str(exc).splitlines()[-1], hint="'stakemap kinds' lists the link kinds") from None
        result = edits.add_link(st, link, _ref(source, source_title, source_url, locator, note), who=current_user())
    _done(result, as_json)


@edit_app.command("set")
@handles_errors
def set_field(record: str = typer.Argument(..., help="An actor (id, name or alias) or a link id."),
              changes: list[str] = typer.Argument(..., metavar="FIELD=VALUE...",
                                                  help="Actor: " + ", ".join(ACTOR_FIELDS) + ". Link: "
                                                  + ", ".join(LINK_FIELDS) + ". Lists with |."),
              source: str = SourceOpt, source_title: str = TitleOpt, source_url: str = UrlOpt,
              locator: str = LocatorOpt, note: str = NoteOpt, expect: str = ExpectOpt, store: str = StoreOption,
              as_json: bool = JsonOption) -> None:
    """Change fields of an actor or a link, citing the source that says so.

    Example:

      stakemap edit set mtuc country=MY description="Malaysia's national centre" --source ilm-2021 --locator "p. 3"
    """
    from graphmodel.curation import edits
    pairs = {}
    for item in changes:
        field, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"{item!r} is not FIELD=VALUE", hint="e.g. country=MY")
        pairs[field.strip()] = value
    with store_at(store, create=False) as st:
        target = record if st.get_link(record) is not None else actor_arg(st, record).id
        result = edits.set_fields(st, target, pairs, _ref(source, source_title, source_url, locator, note),
                                  who=current_user(), expect=expect)
    _done(result, as_json)


@edit_app.command("end-link")
@handles_errors
def end_link(link: str = typer.Argument(..., help="The link's id."),
             end: str = typer.Argument(..., help="When it ended: 2019, 2019-06 or 2019-06-30."),
             source: str = SourceOpt, source_title: str = TitleOpt, source_url: str = UrlOpt,
             locator: str = LocatorOpt, note: str = NoteOpt, expect: str = ExpectOpt, store: str = StoreOption,
             as_json: bool = JsonOption) -> None:
    """End a link: it held until this date."""
    from graphmodel.curation import edits
    with store_at(store, create=False) as st:
        result = edits.end_link(st, link, end, _ref(source, source_title, source_url, locator, note),
                                who=current_user(), expect=expect)
    _done(result, as_json)


@edit_app.command("retire")
@handles_errors
def retire_cmd(record: str = typer.Argument(..., help="An actor (id, name or alias) or a link id."),
               on: str = typer.Option(None, "--on", help="When (default today)."),
               source: str = SourceOpt, source_title: str = TitleOpt, source_url: str = UrlOpt,
               locator: str = LocatorOpt, note: str = NoteOpt, store: str = StoreOption,
               as_json: bool = JsonOption) -> None:
    """Retire a record: an actor dissolved or gone is marked retired with the date; a link ends then."""
    from graphmodel.curation import edits
    with store_at(store, create=False) as st:
        target = record if st.get_link(record) is not None else actor_arg(st, record).id
        result = edits.retire(st, target, _ref(source, source_title, source_url, locator, note), on=on,
                              who=current_user())
    _done(result, as_json)


@edit_app.command("digest")
@handles_errors
def digest_cmd(record: str = typer.Argument(..., help="An actor or a link id."), store: str = StoreOption) -> None:
    """Print a record's digest, to pass as --expect when editing it later."""
    from graphmodel.curation import edits
    with store_at(store, create=False) as st:
        found = st.get_link(record) or actor_arg(st, record)
        console.print(edits.digest(found))


@handles_errors
def history_cmd(actor: str = typer.Argument(..., help="An id, name or alias."), store: str = StoreOption,
                as_json: bool = JsonOption) -> None:
    """Every change to an actor and its links: which version, who, when, what, and the values before.

    Example:

      stakemap history "Asia Monitor Resource Centre"
    """
    from graphmodel.curation.changelog import actor_history
    with store_at(store, create=False) as st:
        found = actor_arg(st, actor)
        changes = actor_history(st, found.id)
    if as_json:
        print_json({"actor": found.id, "changes": changes})
        return
    table = Table("version", "when (UTC)", "who", "what", "record", "change", title=f"History of {found.name}")
    for c in changes:
        detail = "; ".join(f"{k}: {v['old']} → {v['new']}" for k, v in (c.get("fields") or {}).items()
                           if k != "attributes") or c["status"]
        table.add_row(str(c["version"]), (c["at"] or "")[:16].replace("T", " "), c["who"] or "",
                      c["note"] or c["action"] or "", f"{c['kind']} {c['id']}", detail)
    console.print(table)


@handles_errors
def revert_cmd(version: int = typer.Argument(..., help="The version to undo ('stakemap versions' lists them)."),
               store: str = StoreOption, as_json: bool = JsonOption) -> None:
    """Undo one edit or judgement (a new version), unless later changes depend on it."""
    from graphmodel.curation.changelog import revert
    with store_at(store, create=False) as st:
        out = revert(st, version, who=current_user(), admin=True)
    if as_json:
        print_json(out)
    else:
        console.print(f"{out['says']} (version {out['version']})")
