"""Crash safety: kill -9 ``stakemap ingest`` and ``stakemap export`` at random moments.

Ingest: a store holds the seed data and version A of a synthetic map (one
origin). ``stakemap ingest`` of version B of the same origin (different links,
replace-by-source) is started and killed with SIGKILL after a random delay;
then the store must be exactly A or exactly B (compared by a digest of every
table: records, claims, sources), never a mix, never a partial origin. The
next run ingests the other version, and so on. At the end one run goes to
completion and the store must be exactly the expected graph.

Export: ``stakemap export --format json`` of the whole synthetic store over an
existing export is killed the same way; afterwards the file and its manifest
must each be complete (the JSON parses, the manifest's SHA-256 is the file's),
old or new.

    python bench/bench_crash.py --links 1000000 --kills 20

writes its figures to ``bench/out/crash.json`` (and prints them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synth import write_template  # noqa: E402

#: Tables and the columns that make a store's content (not bookkeeping such as sequence numbers).
_CONTENT = {
    "actors": "id, kind, name, country, sensitivity, doc",
    "actor_claims": "actor_id, origin, doc",
    "actor_keys": "key, actor_id",
    "links": 'id, kind, source, target, start, "end", amount, currency, share, confidence, sensitivity, description, attributes, origin, citations',
    "link_claims": "link_id, origin, citations",
    "sources": "id, kind, doc",
}


def store_digest(db: Path) -> str:
    """A digest of everything a SQLite store holds (read through a read-only connection)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=60)
    try:
        digest = hashlib.sha256()
        for table, columns in _CONTENT.items():
            digest.update(table.encode())
            for row in con.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2"):  # noqa: S608 - fixed names
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        con.close()


def _stakemap(*args: str) -> list[str]:
    return [sys.executable, "-m", "stakemap", *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _run(args: list[str], cwd: Path) -> float:
    started = time.monotonic()
    done = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.monotonic() - started


def _killed_run(args: list[str], cwd: Path, delay: float, wal: Path | None = None) -> str:
    """Start ``args``, SIGKILL it after ``delay`` seconds: ``finished`` (it ended first), ``killed``, or
    ``killed writing`` (the store's write-ahead log was being written: inside the transaction)."""
    proc = subprocess.Popen(args, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
        return "finished"
    except subprocess.TimeoutExpired:
        writing = wal is not None and wal.exists() and wal.stat().st_size > 0
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return "killed writing" if writing else "killed"


@dataclass
class IngestFigures:
    actors: int
    links: int
    kills: int
    killed_mid_run: int = 0
    killed_writing: int = 0
    full_run_s: list[float] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    final_ok: bool = False
    check_s: list[float] = field(default_factory=list)


def ingest_kills(work: Path, *, actors: int, links: int, kills: int, seed: int = 7,
                 seed_data: Path | None = ROOT / "data" / "seed", check_order: bool = True,
                 progress=None) -> IngestFigures:
    """Kill ingests of one origin's two versions at random moments; see the module's text.

    ``check_order`` also checks that A reached again after B is the same A (one more full run);
    ``progress(figures)`` is called after every kill."""
    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    versions = {"A": write_template(work / "version-a", actors, links, seed=1),
                "B": write_template(work / "version-b", actors, links, seed=2)}
    figures = IngestFigures(actors, links, kills)
    db = work / "crash.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = f"sqlite:///{db}"
    if seed_data is not None:
        _run(_stakemap("ingest", str(seed_data), "--store", store), work)
    expected: dict[str, str] = {}
    for name in ("A", "B", "A") if check_order else ("B", "A"):  # both states (and that the path taken does not matter)
        figures.full_run_s.append(_run(_stakemap("ingest", str(versions[name]), "--store", store), work))
        digest = store_digest(db)
        assert expected.setdefault(name, digest) == digest, f"state {name} depends on the order of ingests"
    current = "A"
    # the kills interrupt runs that replace one state by the other: time them by those runs, not by the
    # first run into an empty store (slower, and on a cold machine far slower)
    longest = max(figures.full_run_s[1:] or figures.full_run_s)
    for _ in range(kills):
        target = "B" if current == "A" else "A"
        delay = rng.uniform(0.3, longest * 1.3)  # some kills after the end, to see the new state too
        how = _killed_run(_stakemap("ingest", str(versions[target]), "--store", store), work, delay,
                          Path(f"{db}-wal"))
        figures.killed_mid_run += how != "finished"
        figures.killed_writing += how == "killed writing"
        started = time.monotonic()
        digest = store_digest(db)
        figures.check_s.append(time.monotonic() - started)
        state = next((name for name, d in expected.items() if d == digest), None)
        figures.outcomes.append(state or "PARTIAL")
        if state is None:
            raise AssertionError(f"after a kill at {delay:.2f} s the store is neither A nor B")
        current = state
        if progress:
            progress(figures)
    _run(_stakemap("ingest", str(versions["B"]), "--store", store), work)
    figures.final_ok = store_digest(db) == expected["B"]
    assert figures.final_ok, "re-running after the kills did not give exactly the expected graph"
    return figures


@dataclass
class ExportFigures:
    links: int
    kills: int
    killed_mid_run: int = 0
    full_run_s: float = 0.0
    outcomes: list[str] = field(default_factory=list)


def _export_state(out: Path, first: str | None) -> str:
    """``old`` or ``new`` (complete, and its manifest names its exact bytes); raises otherwise."""
    data = out.read_bytes()
    json.loads(data)  # complete JSON
    manifest = json.loads(out.with_name(out.name + ".manifest.json").read_bytes())
    entry = next(f for f in manifest["files"] if f["name"] == out.name)
    digest = hashlib.sha256(data).hexdigest()
    assert entry["sha256"] == digest and entry["bytes"] == len(data), "the manifest does not describe the file"
    return "old" if digest == first else "new"


def export_kills(work: Path, db: Path, *, kills: int, seed: int = 7) -> ExportFigures:
    """Kill ``stakemap export`` over an existing export at random moments; see the module's text."""
    rng = random.Random(seed)
    out = work / "export.json"
    args = _stakemap("export", "--format", "json", "--clearance", "restricted", "--include-people",
                     "--store", f"sqlite:///{db}", "--out", str(out))
    figures = ExportFigures(links=0, kills=kills)
    figures.full_run_s = _run(args, work)
    first = hashlib.sha256(out.read_bytes()).hexdigest()
    figures.links = len(json.loads(out.read_bytes()).get("links", []))
    for _ in range(kills):
        figures.killed_mid_run += _killed_run(args, work, rng.uniform(0.2, figures.full_run_s * 1.05)) != "finished"
        figures.outcomes.append(_export_state(out, first))
        leftovers = [p.name for p in work.iterdir() if p.name.startswith(".export.json")]
        for name in leftovers:  # a killed writer cannot delete its temporary files; they are hidden and ignored
            (work / name).unlink()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--export-kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "crash")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "crash.json")
    args = parser.parse_args()
    started = time.monotonic()
    args.json.parent.mkdir(parents=True, exist_ok=True)

    def progress(figures: IngestFigures) -> None:  # figures so far, should the run be stopped
        args.json.write_text(json.dumps({"ingest (in progress)": asdict(figures)}, indent=2))

    ingest = ingest_kills(args.work, actors=args.actors, links=args.links, kills=args.kills, seed=args.seed,
                          check_order=False, progress=progress)
    print(f"ingest: {args.links} links, {ingest.kills} kills ({ingest.killed_mid_run} mid-run, "
          f"{ingest.killed_writing} while writing): "
          f"states {dict((s, ingest.outcomes.count(s)) for s in sorted(set(ingest.outcomes)))}, "
          f"full runs {', '.join(f'{s:.1f}' for s in ingest.full_run_s)} s, re-run exact: {ingest.final_ok}")
    export = export_kills(args.work, args.work / "crash.db", kills=args.export_kills, seed=args.seed)
    print(f"export: {export.links} links as JSON, {export.kills} kills ({export.killed_mid_run} mid-run): "
          f"files {dict((s, export.outcomes.count(s)) for s in sorted(set(export.outcomes)))}, "
          f"full run {export.full_run_s:.1f} s")
    args.json.write_text(json.dumps({"ingest": asdict(ingest), "export": asdict(export),
                                     "total_s": round(time.monotonic() - started, 1)}, indent=2))
    print(f"total {time.monotonic() - started:.0f} s; figures in {args.json}")


if __name__ == "__main__":
    main()
