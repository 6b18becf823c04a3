"""Start-up and the saved projection (issue 18), each row measured beside its peer in the same run.

    python bench/bench_start.py                                   # 100,000 actors, 1,000,000 links
    python bench/bench_start.py --large --actors 300000 --links 3000000

Rows (the synthetic map of :mod:`bench.synth`, SQLite store under ``--out``):

* one-shot ``stakemap paths A B`` (a whole process, names resolved through the store's index, the
  saved projection opened) beside a plain networkx script reading the links CSV and answering a
  shortest path (``bench/peer_networkx_paths.py``), and beside the same command with the saved
  projection turned off (``STAKEMAP_PROJECTION_CACHE=off``: it builds the projection, as before);
  wall time and peak RSS of each process;
* opening the projection in a fresh process: from its file, beside building it from the store;
* bringing the saved projection up to date after re-ingesting one origin of 1,000 links (500 changed,
  500 new, 500 gone), beside building and saving it again;
* the dashboard: seconds from ``stakemap serve`` until it answers ``/`` and ``/_dash-layout``, with the
  saved projection and without it;
* ``--large``: cold open, paths p50/p95 and peak RSS on a larger map (in a fresh process); then, each as
  a whole ``stakemap`` process with its peak RSS: ``paths``, ``leverage`` on a union, ``coverage`` of a
  funder, a JSON export of the one-hop neighbourhood of the actor whose links come closest to 10,000
  actors, and the dashboard's start (``--questions`` to include them);
* ``--ingest``: ``stakemap ingest`` of the map's dataset folder into a new store, a whole process.

It prints the figures as JSON and keeps them in ``--out``; ``bench/RESULTS.md`` ("## Performance
(issue 18): start-up and projection") reports them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synth import direct_store, write_template  # noqa: E402

PY = sys.executable


def _env(cache: bool = True) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not cache:
        env["STAKEMAP_PROJECTION_CACHE"] = "off"
    return env


def _timed_process(args: list[str], env: dict) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB, from ``/usr/bin/time``: a forked child's own ``ru_maxrss`` counts the
    parent's pages it had before ``exec``) and standard output of one process."""
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        t0 = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode})")
        peak = int(rss.read().strip().splitlines()[-1]) / 1024
    return wall, peak, proc.stdout.decode()


def _pairs(db: Path, n: int, seed: int) -> list[tuple[str, str, str, str]]:
    """``n`` (funder id, funder name, union id, union name) pairs, at random."""
    import sqlite3

    con = sqlite3.connect(db)
    ssos = con.execute("SELECT id, name FROM actors WHERE kind='sso' ORDER BY id").fetchall()
    unions = con.execute("SELECT id, name FROM actors WHERE kind='union' ORDER BY id").fetchall()
    con.close()
    rng = np.random.default_rng(seed)
    return [(*ssos[int(rng.integers(len(ssos)))], *unions[int(rng.integers(len(unions)))]) for _ in range(n)]


def _med(values: list[float]) -> float:
    return statistics.median(values)


# -- rows ----------------------------------------------------------------------------------------
def one_shot(db: Path, links_csv: Path, pairs: list, runs_off: int) -> dict:
    url = f"sqlite:///{db}"
    _timed_process([PY, "-m", "stakemap", "paths", pairs[0][1], pairs[0][3], "--store", url], _env())  # saves
    ours, peer, off = [], [], []
    for _sid, sname, _uid, uname in pairs:
        ours.append(_timed_process([PY, "-m", "stakemap", "paths", sname, uname, "--store", url], _env()))
    for sid, _sname, uid, _uname in pairs:
        peer.append(_timed_process([PY, str(ROOT / "bench" / "peer_networkx_paths.py"), str(links_csv), sid, uid],
                                   _env()))
    for _sid, sname, _uid, uname in pairs[:runs_off]:
        off.append(_timed_process([PY, "-m", "stakemap", "paths", sname, uname, "--store", url], _env(cache=False)))
    return {"runs": len(pairs),
            "ours_s": [r[0] for r in ours], "ours_rss_mb": max(r[1] for r in ours),
            "peer_s": [r[0] for r in peer], "peer_rss_mb": max(r[1] for r in peer),
            "off_s": [r[0] for r in off], "off_rss_mb": max(r[1] for r in off)}


_OPEN = """
import json, sys, time
t0 = time.perf_counter()
from graphmodel.store.sqlite import SQLiteStore
from graphmodel.analysis import influence_graph, influence_paths
from graphmodel.analysis.projection_cache import open_projection
store = SQLiteStore(sys.argv[1], create=False)
t1 = time.perf_counter()
proj = open_projection(store)
t2 = time.perf_counter()
influence_graph(proj, inferred=False); influence_graph(proj, inferred=True)
t3 = time.perf_counter()
pairs = json.loads(sys.argv[2])
times = []
for s, t in pairs:
    a = time.perf_counter(); influence_paths(proj, s, t); times.append(time.perf_counter() - a)
print(json.dumps({"imports_s": t1 - t0, "open_s": t2 - t1, "graphs_s": t3 - t2, "from_disk": proj.from_disk,
                  "paths_s": times}))
"""


def cold_open(db: Path, pairs: list, cache: bool) -> dict:
    ids = json.dumps([[p[0], p[2]] for p in pairs])
    wall, rss, out = _timed_process([PY, "-c", _OPEN, str(db), ids], _env(cache))
    report = json.loads(out.strip().splitlines()[-1])
    report["wall_s"] = wall
    report["rss_mb"] = rss
    return report


def incremental(db: Path, seed: int) -> dict:
    import sqlite3

    from graphmodel.analysis import Projection
    from graphmodel.analysis.projection_cache import cache_dir, load_projection, open_projection, refresh_saved
    from graphmodel.analysis.projection_cache import save_projection
    from graphmodel.analysis.projection_update import Changes
    from graphmodel.models import Link, Source
    from graphmodel.store import Batch
    from graphmodel.store.sqlite import SQLiteStore

    con = sqlite3.connect(db)
    ngos = [r[0] for r in con.execute("SELECT id FROM actors WHERE kind='ngo' ORDER BY id")]
    unions = [r[0] for r in con.execute("SELECT id FROM actors WHERE kind='union' ORDER BY id")]
    con.close()
    rng = np.random.default_rng(seed + 18)

    def links(n: int, year: int) -> list[Link]:
        out: dict[str, Link] = {}
        while len(out) < n:
            lk = Link(kind="supports", source=ngos[int(rng.integers(len(ngos)))],
                      target=unions[int(rng.integers(len(unions)))], start=str(year))
            out[lk.id] = lk
        return list(out.values())

    origin = Source(id="bench-one-origin", title="One origin re-ingested", kind="dataset")
    store = SQLiteStore(db, create=False)
    first = links(1000, 2019)
    store.write(Batch(origin, links=first))
    t0 = time.perf_counter()
    open_projection(store)  # stale: built and saved
    rebuild_s = time.perf_counter() - t0
    before = store.fingerprint()
    kept = [Link(**{**lk.model_dump(), "confidence": "reported"}) for lk in first[:500]]
    second = kept + links(500, 2021)
    store.write(Batch(origin, links=second))
    t0 = time.perf_counter()
    changes = Changes.from_store(store, [], [lk.id for lk in first] + [lk.id for lk in second])
    read_s = time.perf_counter() - t0
    assert refresh_saved(store, before, changes)
    refresh_s = time.perf_counter() - t0
    refreshed = load_projection(cache_dir(store), store.fingerprint())
    t0 = time.perf_counter()
    fresh = Projection.from_store(store)
    build_s = time.perf_counter() - t0
    save_projection(fresh, cache_dir(store), store.fingerprint())
    full_s = time.perf_counter() - t0
    same = (refreshed.link_ids.tolist() == fresh.link_ids.tolist()
            and np.array_equal(refreshed.src, fresh.src) and np.array_equal(refreshed.confidence, fresh.confidence))
    store.close()
    return {"changes": {"links": len(changes.links), "removed_links": len(changes.removed_links)},
            "read_changes_s": read_s, "refresh_s": refresh_s, "full_build_s": build_s, "full_build_save_s": full_s,
            "first_rebuild_s": rebuild_s, "equal_to_rebuild": same}


def dashboard(db: Path, cache: bool) -> dict:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    t0 = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", "stakemap", "serve", "--store", f"sqlite:///{db}", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(cache), cwd=ROOT)
    try:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30).read()
                break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > 300:
                    raise RuntimeError("the server did not start")
                time.sleep(0.05)
        first = time.perf_counter() - t0
        urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=30).read()
        layout = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"first_page_s": first, "layout_s": layout}


def _around(db: Path, size: int) -> tuple[str, int]:
    """The actor whose links (either way) come closest to ``size`` neighbours, and that count."""
    import sqlite3

    con = sqlite3.connect(db)
    degree: dict[str, int] = {}
    for column in ("source", "target"):
        for actor, n in con.execute(f"SELECT {column}, count(*) FROM links GROUP BY {column}"):  # noqa: S608
            degree[actor] = degree.get(actor, 0) + n
    con.close()
    return min(degree.items(), key=lambda item: (abs(item[1] - size), item[0]))


def questions(db: Path, pairs: list, out: Path) -> dict:
    """Whole ``stakemap`` processes on the (large) store: wall seconds and peak RSS of each."""
    url = f"sqlite:///{db}"
    sid, _sname, uid, _uname = pairs[0]
    around, degree = _around(db, 10_000)
    export = out / "bench-neighbourhood.json"
    runs = {"paths": ["paths", sid, uid], "leverage": ["leverage", uid], "coverage": ["coverage", sid],
            "export_neighbourhood": ["export", "--format", "json", "--around", around, "--hops", "1",
                                     "--out", str(export)]}
    report: dict = {"export_around": around, "export_links_of_actor": degree}
    for name, args in runs.items():
        wall, rss, _ = _timed_process([PY, "-m", "stakemap", *args, "--store", url], _env())
        report[name] = {"wall_s": wall, "rss_mb": rss}
    exported = json.loads(export.read_text(encoding="utf-8"))
    report["export_actors"], report["export_links"] = len(exported["nodes"]), len(exported["links"])
    report["dashboard"] = dashboard(db, True)
    return report


def ingest(args, out: Path) -> dict:
    """``stakemap ingest`` of the synthetic folder into a new store, as a whole process."""
    folder = out / f"synth-{args.actors}-{args.links}-{args.seed}"
    if not (folder / "links.csv").exists():
        write_template(folder, args.actors, args.links, args.seed)
    db = out / f"ingest-{args.actors}-{args.links}.db"
    for path in out.glob(db.name + "*"):
        path.unlink()
    wall, rss, _ = _timed_process([PY, "-m", "stakemap", "ingest", str(folder), "--store", f"sqlite:///{db}"],
                                  _env())
    return {"wall_s": wall, "rss_mb": rss, "store_mb": db.stat().st_size / 2**20}


def _byte_compile() -> None:
    """Compile the project's modules once, as ``pip install`` does: without it, a machine that sets
    ``PYTHONDONTWRITEBYTECODE`` compiles every module from source in every one-shot process."""
    import compileall

    for package in ("graphmodel", "ingest", "dashboard", "stakemap"):
        compileall.compile_dir(ROOT / package, quiet=1)


def run(args) -> dict:
    _byte_compile()
    out = args.out
    report: dict = {"actors": args.actors, "links": args.links, "seed": args.seed, "load_before": os.getloadavg()[0],
                    "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
                               f"numpy {np.__version__}"}
    if args.ingest:
        report["ingest"] = ingest(args, out)
        return report
    db = direct_store(args.actors, args.links, args.seed, out, "analysis" if not args.large else "big")
    pairs = _pairs(db, args.queries, args.seed)
    if args.large:
        cold_open(db, pairs[:1], True)  # builds and saves when there is no current file
        report["cold_open_cached"] = cold_open(db, pairs, True)
        report["cold_open_built"] = cold_open(db, pairs[:5], False)
        if args.questions:
            report["questions"] = questions(db, pairs, out)
        report["load_after"] = os.getloadavg()[0]
        return report
    folder = out / f"synth-{args.actors}-{args.links}-{args.seed}"
    if not (folder / "links.csv").exists():
        write_template(folder, args.actors, args.links, args.seed)
    report["one_shot"] = one_shot(db, folder / "links.csv", pairs[:args.runs], args.runs_off)
    report["open_cached"] = cold_open(db, pairs[:5], True)
    report["open_built"] = cold_open(db, pairs[:5], False)
    report["incremental"] = incremental(db, args.seed)
    dashboard(db, True)  # the write above made the saved projection current again: open it once
    report["dashboard_cached"] = [dashboard(db, True) for _ in range(args.runs_dash)]
    report["dashboard_built"] = [dashboard(db, False) for _ in range(max(1, args.runs_dash // 2))]
    report["load_after"] = os.getloadavg()[0]
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=60, help="Pairs for paths p95 (--large).")
    parser.add_argument("--runs", type=int, default=5, help="One-shot processes of each kind.")
    parser.add_argument("--runs-off", type=int, default=2, help="One-shot processes without the saved projection.")
    parser.add_argument("--runs-dash", type=int, default=3, help="Dashboard starts with the saved projection.")
    parser.add_argument("--large", action="store_true", help="Only cold open, paths p95 and peak RSS.")
    parser.add_argument("--questions", action="store_true",
                        help="With --large: paths, leverage, coverage, a 10k-actor export and the dashboard, "
                             "each a whole process.")
    parser.add_argument("--ingest", action="store_true",
                        help="Only 'stakemap ingest' of the synthetic folder into a new store (whole process).")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    report = run(args)
    print(json.dumps(report, indent=2, default=float))
    (args.out / f"bench_start-{args.actors}-{args.links}.json").write_text(json.dumps(report, indent=2, default=float))


if __name__ == "__main__":
    main()
