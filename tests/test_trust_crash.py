"""Crash safety: ``kill -9`` of ``stakemap ingest`` (100,000 links, 20 kills) and of ``stakemap export``.

Every kill leaves the store exactly as it was before the run or exactly as a
complete run leaves it, never a partial origin; re-running gives exactly the
expected graph. A killed export leaves the previous export or the new one,
each complete and described by its manifest. (``bench/bench_crash.py`` does
the same with 1,000,000 links and records its figures.)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_crash.py"


def _bench():
    if "bench_crash" in sys.modules:
        return sys.modules["bench_crash"]
    spec = importlib.util.spec_from_file_location("bench_crash", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_crash"] = module
    spec.loader.exec_module(module)
    return module


def test_killed_ingests_leave_the_old_or_the_new_state(tmp_path):
    crash = _bench()
    figures = crash.ingest_kills(tmp_path, actors=10_000, links=100_000, kills=20, seed=11)
    assert figures.final_ok
    assert set(figures.outcomes) <= {"A", "B"}
    assert figures.killed_mid_run >= 8, "too few kills landed while ingest was running"


def test_killed_exports_leave_a_complete_file(tmp_path):
    crash = _bench()
    folder = crash.write_template(tmp_path / "map", 10_000, 100_000, seed=3)
    crash._run(crash._stakemap("ingest", str(folder), "--store", f"sqlite:///{tmp_path / 'crash.db'}"), tmp_path)
    export = crash.export_kills(tmp_path, tmp_path / "crash.db", kills=10, seed=11)
    assert set(export.outcomes) <= {"old", "new"}
    assert export.killed_mid_run >= 5
