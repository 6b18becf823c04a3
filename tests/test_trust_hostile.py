"""Hostile input: every file of the generated corpus gives a clear error in under 5 s, or imports safely.

The corpus (:mod:`tests.hostile`, over 150 files across every ingest format) holds
truncated files, wrong encodings, XML bombs and external entities, zip and YAML
bombs, deep nesting, huge fields, formula payloads, Cypher, SQL and HTML in
names, control characters, duplicate ids and cycles. Each is ingested into a
store that already holds the seed data:

* an error is a :class:`StakemapError` whose message names the file, and the
  store's content hash is unchanged;
* an import stores the hostile names exactly, and importing again changes nothing;
* either way it takes under 5 seconds.

A sample also runs through ``stakemap ingest`` as a subprocess: no traceback
ever reaches the user.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphmodel.errors import StakemapError
from graphmodel.store.sqlite import SQLiteStore
from ingest.placeholders import is_placeholder
from ingest.run import run_ingest
from tests.hostile import Case, cases, hostile_names

#: Readers of published files, which set aside names that name no one (see ingest/placeholders.py).
SET_ASIDE_PLACEHOLDERS = ("iati", "oshub", "supplier-list")

REPO = Path(__file__).resolve().parents[1]
LIMIT_S = 5.0
CASES = cases()
#: Known failures, with why (each is a bug to fix, not a behaviour to keep).
KNOWN: dict[str, str] = {}


def _params():
    return [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(reason=KNOWN[c.name], strict=True)]
                         if c.name in KNOWN else []) for c in CASES]


def test_corpus_is_large_and_covers_every_format():
    from ingest.formats import format_names

    assert len(CASES) >= 150
    assert {c.fmt for c in CASES} == set(format_names())
    assert len({c.name for c in CASES}) == len(CASES)
    assert len(set(hostile_names())) == 200


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Path, str]:
    """A store holding the seed data, and its content hash."""
    db = tmp_path_factory.mktemp("seeded") / "seed.db"
    store = SQLiteStore(db)
    run_ingest(store, [REPO / "data" / "seed"])
    digest = store.content_hash()
    store.close()
    return db, digest


class _Hung(Exception):
    pass


def _alarm(signum, frame):
    raise _Hung()


def _target(case: Case, folder: Path) -> tuple[Path, str]:
    path = case.write(folder)
    return (folder, "auto") if case.extra else (path, case.fmt)


@pytest.mark.parametrize("case", _params())
def test_hostile_file(case: Case, seeded, tmp_path):
    base, base_hash = seeded
    db = tmp_path / "store.db"
    shutil.copy(base, db)
    target, fmt = _target(case, tmp_path / "in")
    store = SQLiteStore(db)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(60)  # a hang fails this test instead of the whole run
    started = time.monotonic()
    try:
        try:
            report = run_ingest(store, [target], fmt=fmt, options=dict(case.options))
            outcome, message = "ok", ""
        except StakemapError as exc:
            outcome, message = "error", str(exc)
        elapsed = time.monotonic() - started
    except _Hung:
        pytest.fail(f"{case.name}: still reading after 60 s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    try:
        assert elapsed < LIMIT_S, f"{case.name}: {outcome} after {elapsed:.1f} s"
        assert case.expect in ("any", outcome), f"{case.name}: expected {case.expect}, got {outcome}: {message}"
        if outcome == "error":
            assert message.strip() and "Traceback" not in message
            assert target.name in message or case.filename in message, message
            assert store.content_hash() == base_hash, "a failed ingest changed the store"
            return
        # Names that normalise alike are one actor (the others become its aliases).
        stored = {n for a in store.iter_actors() for n in (a.name, *a.aliases)}
        # a "name" that names no one (a dash, a sign, a number) is set aside by the readers of published files
        missing = [n for n in case.names if n not in stored
                   and not (case.fmt in SET_ASIDE_PLACEHOLDERS and is_placeholder(n))]
        assert not missing, f"names not stored exactly: {missing[:5]}"
        assert report.imported >= 0
        after = store.content_hash()
        run_ingest(store, [target], fmt=fmt, options=dict(case.options))
        assert store.content_hash() == after, "importing the same file again changed the store"
    finally:
        store.close()


#: A sample that goes through the command line: one or more per format, errors and imports.
SUBPROCESS_SAMPLE = [
    "csv-hostile-names", "csv-huge-field", "csv-latin1", "xlsx-zip-bomb-no-dimension", "xlsx-malformed-sheet",
    "xlsx-bad-zip-member-crc", "iati-billion-laughs", "iati-xxe-file", "graphml-deep-nesting", "gexf-truncated",
    "ftm-deep-nesting", "kumu-truncated", "oshub-cassette-alias-bomb", "oshub-geojson-deep",
    "supplier-xls-garbage", "dataset-yaml-path-traversal",
]


@pytest.mark.parametrize("name", SUBPROCESS_SAMPLE)
def test_command_line_never_shows_a_traceback(name, seeded, tmp_path):
    case = next(c for c in CASES if c.name == name)
    base, base_hash = seeded
    db = tmp_path / "store.db"
    shutil.copy(base, db)
    target, fmt = _target(case, tmp_path / "in")
    args = [sys.executable, "-m", "stakemap", "ingest", str(target), "--store", f"sqlite:///{db}"]
    if fmt != "auto":
        args += ["--format", fmt]
    if "brand" in case.options:
        args += ["--brand", case.options["brand"]]
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(REPO)}
    done = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr[-2000:]
    assert done.returncode in (0, 1), done.stderr[-2000:]
    if done.returncode == 1:
        assert "error" in done.stderr.lower() and (target.name in done.stderr or case.filename in done.stderr)
        store = SQLiteStore(db, create=False)
        try:
            assert store.content_hash() == base_hash
        finally:
            store.close()
