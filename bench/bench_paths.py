"""Influence paths on a large synthetic map: p50/p95/max wall and CPU time per question.

    python bench/bench_paths.py --actors 1000000 --links 10000000 --queries 30
    python bench/bench_paths.py --name analysis --actors 100000 --links 1000000 --dump answers.json

The store is the one :func:`bench.synth.direct_store` keeps under ``--out`` (built when missing, reused
otherwise; ``bench/bench_start.py --large`` builds the same ``big`` stores) and its saved projection is
opened (built and saved when missing). The questions are those of ``bench_start.py --large``: random
funder -> union pairs, ``influence_paths(proj, s, t)`` with its defaults, after one question to warm up.

To compare two versions of the code side by side, run this script once per version in turn with
``PYTHONPATH`` pointing at each tree; ``--dump`` writes every answer so the two can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT))

import graphmodel  # noqa: E402  (the tree PYTHONPATH names: imported before bench.synth puts this one first)
sys.path.insert(1, str(ROOT / "bench"))

from synth import direct_store  # noqa: E402


def _stats(values: list[float]) -> dict[str, float]:
    ms = sorted(v * 1000 for v in values)
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(float(np.percentile(ms, 95)), 1),
            "max_ms": round(ms[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=1_000_000)
    parser.add_argument("--links", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--name", default="big", help="Store name prefix: big (bench_start) or analysis.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--dump", type=Path, help="Write every answer here (JSON).")
    args = parser.parse_args()

    import sqlite3

    from graphmodel.analysis import influence_graph, influence_paths
    from graphmodel.analysis.projection_cache import open_projection
    from graphmodel.store.sqlite import SQLiteStore

    db = direct_store(args.actors, args.links, args.seed, args.out, args.name)
    con = sqlite3.connect(db)
    ssos = con.execute("SELECT id FROM actors WHERE kind='sso' ORDER BY id").fetchall()
    unions = con.execute("SELECT id FROM actors WHERE kind='union' ORDER BY id").fetchall()
    con.close()
    rng = np.random.default_rng(args.seed)
    pairs = [(ssos[int(rng.integers(len(ssos)))][0], unions[int(rng.integers(len(unions)))][0])
             for _ in range(args.queries)]
    proj = open_projection(SQLiteStore(db, create=False))
    influence_graph(proj, inferred=False)
    influence_graph(proj, inferred=True)
    influence_paths(proj, *pairs[0])  # warm-up
    walls, cpus, answers = [], [], []
    for s, t in pairs:
        wall, cpu = time.perf_counter(), time.process_time()
        result = influence_paths(proj, s, t)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        answers.append(result.as_dict())
    report = {"code": str(Path(graphmodel.__file__).parents[1]), "actors": proj.n_actors, "links": proj.n_links,
              "queries": len(pairs), "connected": sum(1 for a in answers if a["paths"]),
              "load": os.getloadavg()[0], "wall": _stats(walls), "cpu": _stats(cpus)}
    print(json.dumps(report))
    if args.dump:
        args.dump.write_text(json.dumps(answers, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
