"""Benchmark: load the tabular template into the embedded store, beside the obvious way.

    python bench/bench_ingest.py --actors 100000 --links 1000000 --repeat 3

Each contender runs in its own process (so peak memory is its own) on the same
generated files, alternating, ``--repeat`` times; the table shows medians.

* ``stakemap``: ``run_ingest`` end to end: parse, validate every field and
  every link's endpoint kinds, resolve entities, write one SQLite transaction.
  A plain links CSV is read by pyarrow and checked column by column
  (``ingest/columnar.py``).
* ``stakemap-rows``: the same, with the links read row by row (the careful path
  the columnar one falls back to; ``options={"row_path": True}``).
* ``stakemap-cli``: the whole ``stakemap ingest FOLDER --store ...`` process
  (start-up, progress and report printing included), timed from outside.
* ``networkx``: ``csv.DictReader`` into a ``networkx.MultiDiGraph`` with every
  column as an attribute: no validation, nothing written to disk.
* ``pyarrow-read``: the reading floor: pyarrow's CSV reader parsing both files
  into text columns, nothing checked or written.
* ``sqlite-floor``: the least a SQLite load of these files can cost: ``csv.reader``
  rows written unchecked into tables shaped like Stakemap's (same columns, the
  same indexes built after the rows, one transaction, WAL), with a computed
  link id and no entity resolution: the write floor under any validation.
"""

from __future__ import annotations

import argparse
import csv as csv_module
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _stakemap(folder: str, db: str, row_path: bool = False) -> dict:
    from graphmodel.store.sqlite import SQLiteStore
    from ingest.run import run_ingest

    start = time.perf_counter()
    store = SQLiteStore(db)
    report = run_ingest(store, [Path(folder)], options={"row_path": True} if row_path else None)
    store.close()
    return {"seconds": time.perf_counter() - start, "links": sum(w.links for w in report.written)}


def _stakemap_rows(folder: str, db: str) -> dict:
    return _stakemap(folder, db, row_path=True)


def _stakemap_cli(folder: str, db: str) -> dict:
    """The whole command, in a process of its own: wall time and that process's peak memory."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "stakemap", "ingest", folder, "--store", f"sqlite:///{db}"],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    wrote = [line for line in done.stdout.splitlines() if line.startswith("wrote ")]
    links = int(wrote[-1].rsplit(", ", 1)[1].split()[0]) if wrote else 0
    return {"seconds": seconds, "links": links,
            "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _pyarrow_read(folder: str, db: str) -> dict:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    start = time.perf_counter()
    count = 0
    for name in ("actors.csv", "links.csv"):
        with open(Path(folder) / name, encoding="utf-8") as handle:
            columns = next(csv_module.reader(handle))
        table = pacsv.read_csv(Path(folder) / name, convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns}, strings_can_be_null=False))
        count = table.num_rows
    return {"seconds": time.perf_counter() - start, "links": count}


def _networkx(folder: str, db: str) -> dict:
    import csv

    import networkx as nx

    start = time.perf_counter()
    graph = nx.MultiDiGraph()
    with open(Path(folder) / "actors.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            graph.add_node(row["id"], **row)
    with open(Path(folder) / "links.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            graph.add_edge(row["from"], row["to"], **row)
    return {"seconds": time.perf_counter() - start, "links": graph.number_of_edges()}


def _sqlite_floor(folder: str, db: str) -> dict:
    import csv
    import gc
    import hashlib
    import sqlite3

    gc.disable()  # as Stakemap's load does
    start = time.perf_counter()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE actors(id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, country TEXT,"
                " sensitivity TEXT NOT NULL, doc TEXT NOT NULL) STRICT")
    con.execute("CREATE TABLE links(id TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,"
                ' start TEXT, "end" TEXT, amount REAL, currency TEXT, share REAL, confidence TEXT NOT NULL,'
                " sensitivity TEXT NOT NULL, description TEXT, attributes TEXT, origin TEXT, citations TEXT) STRICT")
    con.execute("BEGIN")
    with open(Path(folder) / "actors.csv", newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)
        con.executemany("INSERT INTO actors VALUES (?,?,?,?,'public',?)",
                        ((r[0], r[2], r[1], r[4], json.dumps(r)) for r in rows))
    count = 0
    with open(Path(folder) / "links.csv", newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)

        def link_rows():
            nonlocal count
            for number, (src, tgt, kind, begin, end, amount, currency, share, confidence) in enumerate(rows, 2):
                count += 1
                key = hashlib.sha1(f"{src}\x1f{kind}\x1f{tgt}\x1f{begin}\x1f".encode(), usedforsecurity=False)
                yield ("l-" + key.hexdigest()[:16], kind, src, tgt, begin or None, end or None,
                       float(amount) if amount else None, currency or None, float(share) if share else None,
                       confidence or "confirmed", "public", None, None, "synth", f'[["synth", "links.csv:{number}", null]]')

        con.executemany(f"INSERT INTO links VALUES ({','.join('?' * 15)})", link_rows())
    for index in ("UNIQUE INDEX links_id ON links(id)", "INDEX links_source ON links(source)",
                  "INDEX links_target ON links(target)"):
        con.execute(f"CREATE {index}")
    con.execute("COMMIT")
    con.close()
    return {"seconds": time.perf_counter() - start, "links": count}


CONTENDERS = {"stakemap": _stakemap, "stakemap-rows": _stakemap_rows, "stakemap-cli": _stakemap_cli,
              "networkx": _networkx, "pyarrow-read": _pyarrow_read, "sqlite-floor": _sqlite_floor}


def _child(name: str, folder: str, db: str) -> None:
    result = CONTENDERS[name](folder, db)
    result.setdefault("peak_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    result["cpu_s"] = sum(u.ru_utime + u.ru_stime for u in used)  # the machine is shared: CPU time beside wall time
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help="comma-separated: " + ", ".join(CONTENDERS))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return
    from synth import write_template

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_template(Path(tmp) / "template", args.actors, args.links)
        names = [n.strip() for n in args.contenders.split(",") if n.strip() in CONTENDERS]
        runs: dict[str, list[dict]] = {name: [] for name in names}
        for i in range(args.repeat):
            for name in names:
                db = Path(tmp) / f"run-{name}-{i}.db"
                out = subprocess.run([sys.executable, __file__, "--child", name, str(folder), str(db)],
                                     check=True, capture_output=True, text=True).stdout
                runs[name].append(json.loads(out.strip().splitlines()[-1]))
                for suffix in ("", "-wal", "-shm"):
                    Path(str(db) + suffix).unlink(missing_ok=True)
    print(f"{args.actors} actors, {args.links} links, {args.repeat} runs each (medians)")
    print(f"{'contender':<14} {'seconds':>8} {'links/s':>10} {'peak MB':>8} {'CPU s':>7}")
    base = None
    for name, results in runs.items():
        seconds = statistics.median(r["seconds"] for r in results)
        peak = statistics.median(r["peak_mb"] for r in results)
        cpu = statistics.median(r["cpu_s"] for r in results)
        links = results[0]["links"]
        base = base or seconds
        print(f"{name:<14} {seconds:8.2f} {links / seconds:10.0f} {peak:8.0f} {cpu:7.1f}   "
              f"({seconds / base:.2f}x {names[0]}'s time)", flush=True)


if __name__ == "__main__":
    main()
