"""The column-by-column reading of a links CSV (ingest/columnar.py) gives what the row path gives:
the same store content, ledger, report and messages, on generated files with bad rows mixed in.
No timing is asserted here (bench/bench_ingest.py measures both)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

import ingest.columnar as columnar
from graphmodel.errors import ValidationFailed
from graphmodel.store.sqlite import SQLiteStore
from ingest.base import ReadContext, ReadResult
from ingest.resolution import Resolver
from ingest.run import run_ingest
from ingest.tabular import file_origin

from .test_ingest_tabular_quick import ACTORS, CELLS

#: Cells of plain, valid rows, drawn most of the time so that the fast path has work to do.
PLAIN = {"from": ["nike", "fnv", "bwi", "mtuc", "sup"], "to": ["fac", "sup", "bwi", "mtuc", "fnv"],
         "kind": ["funds", "supports", "sources_from", "affiliated_to", "partners_with"],
         "start": ["", "2006", "2007-05", "2008-05-31"], "end": ["", "2012", "2013-01"],
         "amount": ["", "1000", "250.75"], "currency": ["", "EUR", "usd"], "share": ["", "0.25"],
         "confidence": ["", "reported"], "sensitivity": ["", "internal"], "description": ["", "a grant", "x, y"]}


@pytest.fixture(autouse=True)
def small_files_too(monkeypatch):
    monkeypatch.setattr(columnar, "MIN_BYTES", 0)  # the fast path for files of any size


def _folder(tmp: Path, headings: list[str], rows: list[list[str]], name: str = "links.csv", raw: str | None = None) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    with (tmp / "actors.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "kind", "name"])
        writer.writerows([list(a) for a in ACTORS])
    if raw is not None:
        (tmp / name).write_text(raw, encoding="utf-8", newline="")
    else:
        with (tmp / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headings)
            writer.writerows(rows)
    (tmp / "dataset.yaml").write_text(f"id: gen\ntitle: Generated\nformat: tabular\nfiles:\n  actors: actors.csv\n"
                                      f"  links: {name}\n", encoding="utf-8")
    return tmp


def _rows(rng: random.Random, headings: list[str], count: int, bad_share: float) -> list[list[str]]:
    rows = []
    for _ in range(count):
        pool = CELLS if rng.random() < bad_share else {**CELLS, **PLAIN}
        row = [rng.choice(pool.get(h, [""])) for h in headings]
        rows.append(row if any(row) else ["nobody", *row[1:]])  # a row of empty cells: see the last test
    for _ in range(count // 10):  # the same link again: some with the same data, some with other data
        again = list(rng.choice(rows))
        if rng.random() < 0.5 and "description" in headings:
            again[headings.index("description")] = "changed"
        rows.insert(rng.randrange(len(rows)), again)
    return rows


def _ingest(folder: Path, db: Path, row_path: bool, skip_invalid: bool = True):
    store = SQLiteStore(db)
    try:
        try:
            report = run_ingest(store, [folder], skip_invalid=skip_invalid, options={"row_path": row_path})
        except ValidationFailed as exc:
            return None, [str(p) for p in exc.problems], store.content_hash()
        return report.as_dict(), [str(p) for p in report.problems], store.content_hash()
    finally:
        store.close()


def _takes_fast_path(folder: Path, name: str = "links.csv") -> bool:
    ctx = ReadContext(Resolver())
    result = ReadResult(folder / name, "tabular", file_origin(folder / name, ctx, "tabular"))
    return columnar.read_links_columnar(folder / name, ctx, result)


def _same(folder: Path, tmp: Path, skip_invalid: bool = True) -> tuple:
    careful = _ingest(folder, tmp / "careful.db", row_path=True, skip_invalid=skip_invalid)
    fast = _ingest(folder, tmp / "fast.db", row_path=False, skip_invalid=skip_invalid)
    assert fast[1] == careful[1]  # every message, in order
    assert fast[0] == careful[0]  # report: counts, ledgers (money stated, written, set aside, why), review
    assert fast[2] == careful[2]  # the store's content
    return careful


HEADINGS = [
    ["from", "to", "kind", "start", "end", "amount", "currency", "share", "confidence", "sensitivity", "description"],
    ["from", "to", "kind", "start", "amount", "currency"],
    ["id", "from", "to", "kind", "label", "start", "end", "amount", "currency", "description", "source", "locator",
     "note", "extra"],
]


@pytest.mark.parametrize("seed", range(6))
def test_columnar_equals_row_path_with_bad_rows_mixed_in(tmp_path, seed):
    rng = random.Random(seed)
    headings = HEADINGS[seed % len(HEADINGS)]
    folder = _folder(tmp_path / "in", headings, _rows(rng, headings, 400, bad_share=(0.0, 0.05, 0.4)[seed % 3]))
    assert _takes_fast_path(folder)
    report, problems, _ = _same(folder, tmp_path, skip_invalid=True)
    assert report["read"] == report["imported"] + report["rejected"]
    if seed % 3:
        assert problems  # bad rows were there, and reported the same way


def test_columnar_equals_row_path_when_the_ingest_is_refused(tmp_path):
    headings = HEADINGS[0]
    folder = _folder(tmp_path / "in", headings, _rows(random.Random(11), headings, 300, bad_share=0.1))
    report, problems, _ = _same(folder, tmp_path, skip_invalid=False)
    assert report is None and problems  # nothing written, the same problems listed


def test_columnar_equals_row_path_on_clean_rows(tmp_path):
    headings = HEADINGS[0]
    folder = _folder(tmp_path / "in", headings, _rows(random.Random(5), headings, 500, bad_share=0.0))
    report, problems, _ = _same(folder, tmp_path)
    assert report["imported"] > 0


@pytest.mark.parametrize("raw", [
    "from,to,kind\nfnv,bwi,funds\n\nnike,fac,sources_from\n",              # a blank line: rows renumbered
    'from,to,kind,description\nfnv,bwi,funds,"two\nlines"\nnike,fac,owns,\n',  # a line break inside quotes
    "from;to;kind\nfnv;bwi;funds\nnike;fac;sources_from\n",                 # semicolons
    "from,to,kind\nfnv,bwi,funds\nnike,fac\n",                              # a short row
    "from,to,kind\nfnv,bwi,funds\n,,\nnike,fac,owns\n",                     # a row of empty cells
    "from,to,kind\r\nfnv,bwi,funds\rnike,fac,owns\r\n",                     # a lone carriage return
])
def test_files_the_fast_path_refuses_are_read_by_the_row_path(tmp_path, raw):
    folder = _folder(tmp_path / "in", [], [], raw=raw)
    assert not _takes_fast_path(folder)
    _same(folder, tmp_path)


def test_a_cell_longer_than_the_csv_limit_is_left_to_the_row_path(tmp_path):
    folder = _folder(tmp_path / "in", [], [], raw="from,to,kind,description\nfnv,bwi,funds," + "x" * 300 + "\n")
    limit = csv.field_size_limit(200)
    try:
        assert not _takes_fast_path(folder)
        _, problems, _ = _same(folder, tmp_path)
        assert any("malformed CSV" in p for p in problems)
    finally:
        csv.field_size_limit(limit)
