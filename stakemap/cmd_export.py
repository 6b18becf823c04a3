"""``stakemap export``: a selection of the map, redacted, in a format other tools open, with a manifest."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from graphmodel.kinds import Sensitivity

from .console import JsonOption, StoreOption, console, err_console, handles_errors, print_json, store_at

#: The names of ``graphmodel.export.EXPORT_FORMATS``, in its order, so that ``--help`` need not load every
#: writer (tests/test_cli_startup.py checks the two agree).
FORMAT_NAMES = ("graphml", "gexf", "csv", "xlsx", "json", "cytoscape", "cypher", "ftm", "svg", "png")


def register(app: typer.Typer) -> None:
    app.command("export")(export)


@handles_errors
def export(
    fmt: str = typer.Option(..., "--format", "-f", help="One of: " + ", ".join(FORMAT_NAMES) + ".",
                            show_default=False),
    out: str = typer.Option(None, "--out", "-o", help="File to write ('-' for standard output). CSV writes a "
                            "folder, or a ZIP when the name ends in .zip. Default: stakemap-export.EXT here."),
    around: list[str] = typer.Option(None, "--around", help="Start from this actor (id, name or alias); repeat "
                                     "for several."),
    hops: int = typer.Option(1, "--hops", min=0, max=10, help="How many links away from --around to go."),
    paths: tuple[str, str] | None = typer.Option(None, "--paths", help="FROM TO: include the strongest "
                                          "influence paths from one actor to another.", show_default=False),
    k: int = typer.Option(5, "--k", min=1, max=100, help="Paths per pair."),
    max_hops: int = typer.Option(4, "--max-hops", min=1, max=10, help="Longest path, in links."),
    coverage: list[str] = typer.Option(None, "--coverage", help="Include what this funder's money reaches."),
    leverage: str = typer.Option(None, "--leverage", help="Include the leverage points over this target."),
    side: list[str] = typer.Option(None, "--side", help="With --leverage: the actors our side starts from."),
    top: int = typer.Option(10, "--top", min=1, max=1000, help="With --leverage: how many points."),
    weights: Path = typer.Option(None, "--weights", help="Influence weights (YAML) for --paths, --coverage "
                                 "and --leverage; the defaults when absent."),
    kinds: list[str] = typer.Option(None, "--kinds", help="Keep only actors of these kinds (comma-separated or "
                                    "repeated); actors named by the selection stay."),
    countries: list[str] = typer.Option(None, "--countries", help="Keep only actors in these countries."),
    link_kinds: list[str] = typer.Option(None, "--link-kinds", help="Follow and keep only these link kinds."),
    confidence: list[str] = typer.Option(None, "--confidence", help="Follow and keep only links of these "
                                         "confidences (confirmed, reported, inferred)."),
    as_of: str = typer.Option(None, "--as-of", help="Follow and keep only links valid at this date (2010, "
                              "2010-06 or 2010-06-30)."),
    clearance: Sensitivity = typer.Option(Sensitivity.INTERNAL, "--clearance", case_sensitive=False,
                                          help="Leave out actors and links above this sensitivity, and every "
                                          "link that would reveal them."),
    include_people: bool = typer.Option(False, "--include-people/--exclude-people",
                                        help="People are left out unless asked for."),
    store: str = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """Export a selection of the map (the whole store when nothing is selected).

    Selections combine: --around with --hops, --paths, --coverage and
    --leverage are united; --link-kinds, --confidence and --as-of decide which
    links are followed; --kinds and --countries then prune the actors.
    What your --clearance does not cover (and people, unless
    --include-people) is left out with every link that would reveal it, and
    only counted. Every export gets a manifest (OUT.manifest.json) saying
    what was selected, from which store and sources, and what was withheld.
    Spreadsheet cells (CSV, XLSX) that begin with = + - @ or a tab get a
    leading ' so they never run as formulas.

    Examples:

      stakemap export --format gexf --around "BWI" --hops 2 --out bwi.gexf

      stakemap export --format csv --kinds sso,guf,union --countries MY --out malaysia

      stakemap export --format cypher --paths "FNV Mondiaal" "Baselworld" --out paths.cypher

      stakemap export --format json --as-of 2010 --link-kinds funds --out funding-2010.json
    """
    from graphmodel.export import build_manifest, export_subgraph, get_format, select_subgraph
    from graphmodel.export.selection import LeverageQuery, PathQuery, Selection

    spec = get_format(fmt)
    selection = Selection(
        around=around or [], hops=hops, paths=[PathQuery(source=paths[0], target=paths[1])] if paths and paths[0] else [], k=k,
        max_hops=max_hops, coverage=coverage or [],
        leverage=LeverageQuery(target=leverage, side=side or [], top=top) if leverage else None,
        weights=str(weights) if weights else None, kinds=kinds or [], countries=countries or [],
        link_kinds=link_kinds or [], confidence=confidence or [], as_of=as_of, clearance=clearance,
        include_people=include_people)
    target = out or f"stakemap-export{'' if spec.name == 'csv' else spec.extension}"
    with store_at(store, create=False) as st:
        selected = select_subgraph(st, selection, **_projection_for(st, selection))
        manifest = build_manifest(selected, fmt=spec.name, store=st, out_name=None if target == "-" else target)
        if target == "-":
            export_subgraph(selected, spec.name, sys.stdout.buffer, manifest)
            sys.stdout.flush()
            written: list[Path] = []
        else:
            written = export_subgraph(selected, spec.name, Path(target), manifest)
    red = selected.redaction
    summary = {"format": spec.name, "files": [str(p) for p in written], "actors": len(selected.actors),
               "links": len(selected.links), "sources": len(selected.sources), "redacted": red.as_dict()}
    if as_json:
        print_json(summary)
        return
    stream = err_console if target == "-" else console
    where = f" to {written[0]}" if written else ""
    stream.print(f"exported {len(selected.actors)} actors, {len(selected.links)} links and "
                 f"{len(selected.sources)} sources as {spec.name}{where}", markup=False)
    if red.actors or red.links:
        stream.print(f"left out {red.actors} actors and {red.links} links at clearance {red.clearance.level.value}"
                     + ("" if red.clearance.include_people else ", people excluded")
                     + " (counted in the manifest)", markup=False)
    if written:
        stream.print(f"manifest: {written[-1]}", markup=False)


def _projection_for(st, selection) -> dict:
    """A neighbourhood is found on the store's projection (opened from its saved file, else built and saved),
    which reads only the records of the result, and what the clearance withholds is counted on it as a walk
    of the store counts it; other selections need no projection."""
    if not selection.around:
        return {}
    from graphmodel.analysis import get_projection

    return {"projection": get_projection(st), "whole": True}
