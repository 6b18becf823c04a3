"""Benchmark of ``stakemap export`` (issue 6): selection and every format, on the synthetic map.

    python bench/bench_export.py                      # 100,000 actors, 1,000,000 links
    python bench/bench_export.py --actors 10000 --links 100000 --no-results

Times (seconds) and sizes (MB) for the 3-hop neighbourhood of the best
connected actor and for the whole map, in every format, are written to
``bench/RESULTS.md`` under "## Export (issue 6)" (that section only).
The store is built straight from :func:`synth.generate` (no ingest run) and
cached under ``bench/out/``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from graphmodel.export import EXPORT_FORMATS, Selection, build_manifest, export_subgraph, select_subgraph  # noqa: E402
from graphmodel.export.picture import MAX_ACTORS  # noqa: E402
from graphmodel.store.sqlite import SQLiteStore  # noqa: E402
from results import write_section  # noqa: E402
from synth import direct_store  # noqa: E402

SECTION = "## Export (issue 6)"





def hub(store: SQLiteStore) -> str:
    return store.db.execute(
        "SELECT a, count(*) FROM (SELECT source AS a FROM links UNION ALL SELECT target FROM links) "
        "GROUP BY a ORDER BY 2 DESC LIMIT 1").fetchone()[0]


def measure(store: SQLiteStore, selection: Selection, label: str, out: Path, formats: list[str]) -> list[dict]:
    t0 = time.perf_counter()
    selected = select_subgraph(store, selection)
    select_s = time.perf_counter() - t0
    print(f"{label}: selected {len(selected.actors)} actors, {len(selected.links)} links in {select_s:.1f} s",
          flush=True)
    rows = [{"case": label, "format": "(selection)", "seconds": select_s, "mb": None,
             "actors": len(selected.actors), "links": len(selected.links)}]
    for name in formats:
        spec = EXPORT_FORMATS[name]
        if name in ("svg", "png") and len(selected.actors) > MAX_ACTORS:
            rows.append({"case": label, "format": name, "seconds": None, "mb": None,
                         "note": f"refused: over {MAX_ACTORS} actors"})
            continue
        target = out / f"{label}{spec.extension}"
        t0 = time.perf_counter()
        try:
            manifest = build_manifest(selected, fmt=name, store=store)
            written = export_subgraph(selected, name, target, manifest)
        except Exception as exc:  # a format that cannot run here (e.g. png without matplotlib) is reported
            rows.append({"case": label, "format": name, "seconds": None, "mb": None,
                         "note": f"{type(exc).__name__}: {exc}"[:80]})
            continue
        seconds = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in written) / 1e6
        rows.append({"case": label, "format": name, "seconds": seconds, "mb": size})
        print(f"  {name:10s} {seconds:7.1f} s {size:9.1f} MB", flush=True)
        for p in written:
            p.unlink()
    return rows


def table(rows: list[dict], actors: int, links: int) -> str:
    lines = [SECTION, "",
             f"Synthetic map: {actors:,} actors, {links:,} links (bench/synth.py, seed 7), SQLite store; "
             f"Python {platform.python_version()}, {platform.machine()}. "
             "Default clearance (internal, people left out). Seconds include reading the records from the "
             "store for the selection row, and writing the file (temporary name, renamed) plus its manifest "
             "for the format rows; MB is the file and manifest.",
             "", "| case | format | actors | links | seconds | MB | note |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        sec = f"{r['seconds']:.1f}" if r.get("seconds") is not None else "-"
        mb = f"{r['mb']:.1f}" if r.get("mb") is not None else "-"
        lines.append(f"| {r['case']} | {r['format']} | {r.get('actors', '')} | {r.get('links', '')} | {sec} | {mb} "
                     f"| {r.get('note', '')} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hops", type=int, default=3)
    parser.add_argument("--formats", default=",".join(EXPORT_FORMATS))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--no-results", action="store_true", help="Print only; do not touch RESULTS.md.")
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    t0 = time.perf_counter()
    db = direct_store(args.actors, args.links, args.seed, args.out, "export")
    print(f"store {db} ready in {time.perf_counter() - t0:.1f} s", flush=True)
    store = SQLiteStore(db, create=False)
    work = args.out / "export"
    work.mkdir(parents=True, exist_ok=True)
    centre = hub(store)
    rows = measure(store, Selection(around=[centre], hops=args.hops), f"{args.hops}-hop of hub", work, formats)
    rows += measure(store, Selection(), "whole map", work, formats)
    store.close()
    text = table(rows, args.actors, args.links)
    print(text)
    if not args.no_results:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
