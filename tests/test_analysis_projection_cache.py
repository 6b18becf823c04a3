"""The projection saved beside the store: the answers it gives equal a freshly built projection's, a
stale, truncated, foreign or half-written file is never used, and an incremental update equals a
rebuild. No timings here: bench/bench_start.py measures them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from graphmodel.analysis import Projection, coverage, influence_graph, influence_paths, leverage
from graphmodel.analysis import projection_cache as pc
from graphmodel.analysis.projection_update import Changes, apply_changes
from graphmodel.models import Actor, Link, Source
from graphmodel.store import Batch
from graphmodel.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "seed"
KINDS = [("sso", "union", "funds"), ("guf", "union", "supports"), ("union", "guf", "affiliated_to"),
         ("brand", "supplier", "sources_from"), ("supplier", "facility", "operates"), ("sso", "guf", "funds"),
         ("union", "facility", "represents_workers_at"), ("ngo", "union", "supports")]
ACTOR_KINDS = ["sso", "union", "guf", "brand", "supplier", "facility", "ngo"]


def _random_batch(seed: int, actors: int = 120, links: int = 500, origin: str = "random") -> Batch:
    """A random map (names with accents, partial dates, amounts, shares, mixed confidence and sensitivity)."""
    rng = np.random.default_rng(seed)
    by_kind: dict[str, list[str]] = {k: [] for k in ACTOR_KINDS}
    models = []
    for i in range(actors):
        kind = ACTOR_KINDS[i % len(ACTOR_KINDS)]
        aid = f"{kind}-{i:04d}"
        by_kind[kind].append(aid)
        models.append(Actor(id=aid, kind=kind, name=f"Organisación {i} «{kind}»",
                            country=["HK", "MY", "NL", None][i % 4], sectors=["garment"] if i % 3 == 0 else [],
                            countries=["TH", "JP"] if i % 7 == 0 else [],
                            sensitivity=["public", "public", "internal"][i % 3]))
    out: dict[str, Link] = {}
    while len(out) < links:
        src_kind, dst_kind, kind = KINDS[int(rng.integers(len(KINDS)))]
        s = by_kind[src_kind][int(rng.integers(len(by_kind[src_kind])))]
        t = by_kind[dst_kind][int(rng.integers(len(by_kind[dst_kind])))]
        year = int(rng.integers(1995, 2024))
        link = Link(kind=kind, source=s, target=t, start=str(year) if year % 2 else f"{year}-0{1 + year % 9}",
                    end=str(year + 2) if year % 5 == 0 else None,
                    amount=float(rng.integers(1000, 90000)) if kind == "funds" and year % 3 else None,
                    currency="EUR" if kind == "funds" and year % 3 else None,
                    share=round(float(rng.random()), 2) if kind == "sources_from" else None,
                    confidence=["confirmed", "reported", "inferred"][int(rng.integers(3))],
                    sensitivity="restricted" if rng.random() < 0.05 else "public")
        out[link.id] = link
    return Batch(origin=Source(id=origin, title="Random map", kind="dataset"), actors=models, links=list(out.values()))


@pytest.fixture
def random_store(tmp_path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "map.db")
    store.write(_random_batch(3))
    yield store
    store.close()


def _answers(proj: Projection, store_ids: list[str]) -> list[dict]:
    """Paths, leverage and coverage answers for a few questions (as JSON-ready dicts)."""
    funders = [i for i in store_ids if i.startswith("sso-")][:3]
    unions = [i for i in store_ids if i.startswith("uni")][:3]
    facilities = [i for i in store_ids if i.startswith("fac")][:2]
    out = []
    for f in funders:
        for u in unions:
            out.append(influence_paths(proj, f, u, k=3).as_dict())
        out.append(coverage(proj, f).as_dict())
    for t in facilities + unions[:1]:
        out.append(leverage(proj, t, from_ids=funders[:1], top=5).as_dict())
    return json.loads(json.dumps(out, default=str))


def _saved(store) -> Path:
    return pc.cache_dir(store) / "projection.bin"


# -- the saved projection answers as the built one -------------------------------------------------
def test_saved_projection_answers_equal_fresh_build_on_a_random_map(random_store):
    fresh = Projection.from_store(random_store)
    assert pc.open_projection(random_store).from_disk  # built and saved
    opened = pc.open_projection(random_store)
    assert opened.from_disk and opened.fingerprint == random_store.fingerprint()
    ids = fresh.actor_ids.tolist()
    assert opened.actor_ids.tolist() == ids and opened.link_ids.tolist() == fresh.link_ids.tolist()
    for col in pc.NUMERIC:
        assert np.array_equal(getattr(opened, col), getattr(fresh, col), equal_nan=True), col
    assert opened.start.tolist() == fresh.start.tolist() and opened.end.tolist() == fresh.end.tolist()
    assert dict(opened.actor_sectors) == fresh.actor_sectors
    assert dict(opened.actor_countries) == fresh.actor_countries
    assert all(opened.index[i] == fresh.index[i] for i in ids) and "nobody" not in opened.index
    assert _answers(opened, ids) == _answers(fresh, ids)
    # restricted copies and their influence graphs too
    public = fresh.restrict("public")
    seen = [i for i in ids if public.active[public.index[i]]]
    assert _answers(opened.restrict("public"), seen) == _answers(public, seen)


def test_saved_influence_graphs_equal_built_ones(random_store):
    pc.open_projection(random_store)
    first = pc.open_projection(random_store)
    built = influence_graph(first, inferred=False)  # built, then saved
    assert any(p.name.startswith("influence-") for p in pc.cache_dir(random_store).iterdir())
    opened = influence_graph(pc.open_projection(random_store), inferred=False)
    for name in pc.GRAPH:
        assert np.array_equal(getattr(opened, name), getattr(built, name)), name
    fresh = influence_graph(Projection.from_store(random_store), inferred=False)
    for name in pc.GRAPH:
        assert np.array_equal(getattr(opened, name), getattr(fresh, name)), name


def test_saved_projection_answers_equal_fresh_build_on_the_seed(tmp_path):
    if not (SEED / "actors.csv").exists():
        pytest.skip("data/seed is not available")
    from ingest.run import run_ingest

    store = SQLiteStore(tmp_path / "seed.db")
    run_ingest(store, [SEED])
    fresh = Projection.from_store(store)
    pc.open_projection(store)
    opened = pc.open_projection(store)
    assert opened.from_disk
    def find(words: str) -> str:
        hits = [i for i, name in zip(fresh.actor_ids, fresh.names) if words.lower() in name.lower()]
        assert hits, words
        return min(hits, key=len)

    questions = [("FNV Mondiaal", "Nepalese Construction Workers"), ("Solidarity Center", "Lucky Gems"),
                 ("Labour Action China", "Lucky Gems")]
    for a, b in ((find(x), find(y)) for x, y in questions):
        assert influence_paths(opened, a, b).as_dict() == influence_paths(fresh, a, b).as_dict()
        assert leverage(opened, b, from_ids=[a]).as_dict() == leverage(fresh, b, from_ids=[a]).as_dict()
        assert coverage(opened, a).as_dict() == coverage(fresh, a).as_dict()
    store.close()


# -- never used when stale, damaged or foreign ------------------------------------------------------
def test_a_write_makes_the_saved_projection_stale(random_store):
    pc.open_projection(random_store)
    random_store.write(Batch(origin=Source(id="more", title="More"),
                             actors=[Actor(id="new-union", kind="union", name="New union")]))
    assert pc.load_projection(pc.cache_dir(random_store), random_store.fingerprint()) is None
    proj = pc.open_projection(random_store)
    assert "new-union" in proj.index and proj.fingerprint == random_store.fingerprint()


@pytest.mark.parametrize("damage", ["truncated", "trailer", "header", "empty", "garbage"])
def test_a_damaged_file_is_rebuilt_not_used(random_store, damage):
    pc.open_projection(random_store)
    path = _saved(random_store)
    data = bytearray(path.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "trailer":
        data[-1] ^= 0xFF
    elif damage == "header":
        data[40] ^= 0xFF
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(os.urandom(4096))
    path.write_bytes(bytes(data))
    assert pc.load_projection(pc.cache_dir(random_store), random_store.fingerprint()) is None
    proj = pc.open_projection(random_store)
    assert proj.n_links == Projection.from_store(random_store).n_links
    assert pc.load_projection(pc.cache_dir(random_store), random_store.fingerprint()) is not None  # rewritten


def test_a_file_from_another_version_or_format_is_not_used(random_store, monkeypatch):
    pc.open_projection(random_store)
    folder, fp = pc.cache_dir(random_store), random_store.fingerprint()
    assert pc.load_projection(folder, fp) is not None
    monkeypatch.setattr(pc, "__version__", "0.0.0-other")
    assert pc.load_projection(folder, fp) is None
    monkeypatch.undo()
    monkeypatch.setattr(pc, "FORMAT", pc.FORMAT + 1)
    assert pc.load_projection(folder, fp) is None


def test_a_file_from_another_store_is_not_used(random_store, tmp_path):
    pc.open_projection(random_store)
    other = SQLiteStore(tmp_path / "other.db")
    other.write(_random_batch(5, actors=30, links=60))
    assert pc.open_projection(other).from_disk
    # the first store's file copied over the other's
    _saved(other).write_bytes(_saved(random_store).read_bytes())
    assert pc.load_projection(pc.cache_dir(other), other.fingerprint()) is None
    proj = pc.open_projection(other)
    assert proj.n_actors == 30
    other.close()


def test_saved_files_are_readable_by_their_owner_only(random_store):
    proj = pc.open_projection(random_store)
    influence_graph(pc.open_projection(random_store))
    folder = pc.cache_dir(random_store)
    assert proj.from_disk and oct(folder.stat().st_mode & 0o777) == "0o700"
    for path in folder.iterdir():
        assert oct(path.stat().st_mode & 0o777) == "0o600", path


def test_a_first_ingest_leaves_a_saved_projection_of_what_it_wrote(tmp_path, monkeypatch):
    """With nothing saved to bring up to date, ``stakemap ingest`` builds and saves the projection itself, so
    the next question opens it; turned off, it saves nothing."""
    from typer.testing import CliRunner

    from stakemap.cli import app

    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "actors.csv").write_text("id,kind,name\nfnv,sso,FNV\nbwi,guf,BWI\nncwu,union,NCWU\n", encoding="utf-8")
    (folder / "links.csv").write_text("from,to,kind\nfnv,bwi,funds\nbwi,ncwu,supports\n", encoding="utf-8")
    files = [str(folder / "actors.csv"), str(folder / "links.csv")]
    db = tmp_path / "map.db"
    result = CliRunner().invoke(app, ["ingest", *files, "--source", "mine", "--store", f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    store = SQLiteStore(db, create=False)
    saved = pc.load_projection(pc.cache_dir(store), store.fingerprint())
    assert saved is not None and _columns(saved) == _columns(Projection.from_store(store))
    counted = pc.read_file(pc.cache_dir(store) / "stats.json.bin", {"kind": "stats", "fingerprint": store.fingerprint()})
    assert counted is not None and pc.saved_stats(store) == store.stats()  # the statistics are saved too
    store.close()
    monkeypatch.setenv("STAKEMAP_PROJECTION_CACHE", "off")
    other = tmp_path / "other.db"
    result = CliRunner().invoke(app, ["ingest", *files, "--source", "mine", "--store", f"sqlite:///{other}"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "other.db.projection").exists()


def test_no_file_for_an_in_memory_store_or_when_turned_off(tmp_path, monkeypatch):
    memory = SQLiteStore(":memory:")
    assert pc.cache_dir(memory) is None and not pc.open_projection(memory).from_disk
    store = SQLiteStore(tmp_path / "map.db")
    monkeypatch.setenv("STAKEMAP_PROJECTION_CACHE", "off")
    assert pc.cache_dir(store) is None and not pc.open_projection(store).from_disk
    assert not (tmp_path / "map.db.projection").exists()
    store.close()


# -- processes: at once, and killed -----------------------------------------------------------------
_BUILD = textwrap.dedent("""
    import sys
    from graphmodel.store.sqlite import SQLiteStore
    from graphmodel.analysis.projection_cache import open_projection
    from graphmodel.analysis import influence_graph
    store = SQLiteStore(sys.argv[1], create=False)
    for _ in range(3):
        proj = open_projection(store)
        influence_graph(proj)
        for name in ("projection.bin",):
            (store.path.parent / (store.path.name + ".projection") / name).unlink(missing_ok=True)
    proj = open_projection(store)
    print(proj.n_actors, proj.n_links)
""")


def test_two_processes_building_at_once_leave_a_good_file(random_store):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _BUILD, str(random_store.path)], env=env, cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    fresh = Projection.from_store(random_store)
    assert {o[0].strip() for o in outs} == {f"{fresh.n_actors} {fresh.n_links}"}
    opened = pc.load_projection(pc.cache_dir(random_store), random_store.fingerprint())
    assert opened is not None and opened.link_ids.tolist() == fresh.link_ids.tolist()
    assert not list(pc.cache_dir(random_store).glob("*.tmp-*"))


_KILLED = textwrap.dedent("""
    import os, sys, time
    from graphmodel.store.sqlite import SQLiteStore
    from graphmodel.analysis import projection_cache as pc
    store = SQLiteStore(sys.argv[1], create=False)
    def stall(fd):
        print("writing", flush=True)
        time.sleep(60)
    pc.os.fsync = stall
    pc.open_projection(store)
""")


def test_a_process_killed_while_rebuilding_leaves_the_old_file_usable(random_store):
    pc.open_projection(random_store)
    old = _saved(random_store).read_bytes()
    old_fp = random_store.fingerprint()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # make the saved file stale for the killed process: it rebuilds for a new generation
    random_store.write(Batch(origin=Source(id="more", title="More"),
                             actors=[Actor(id="new-union", kind="union", name="New union")]))
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, str(random_store.path)], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "writing"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert _saved(random_store).read_bytes() == old  # the old file is whole
    assert pc.load_projection(pc.cache_dir(random_store), old_fp) is not None  # and opens for its own generation
    assert list(pc.cache_dir(random_store).glob("*.tmp-*"))  # what the killed writer left ...
    proj = pc.open_projection(random_store)  # ... is never read: the current generation is built
    assert "new-union" in proj.index and proj.from_disk
    later = time.time() - 3600
    for tmp in pc.cache_dir(random_store).glob("*.tmp-*"):
        os.utime(tmp, (later, later))
    influence_graph(proj)  # the next write clears old leftovers
    assert not list(pc.cache_dir(random_store).glob("*.tmp-*"))


# -- incremental update --------------------------------------------------------------------------------
def _columns(proj: Projection) -> dict:
    cols = {c: np.asarray(getattr(proj, c)).tolist() for c in pc.NUMERIC if c not in ("country", "currency")}
    cols["country"] = [proj.actor_country(i) for i in range(proj.n_actors)]
    cols["currency"] = [proj.link_ref(j)["currency"] for j in range(proj.n_links)]
    for c in pc.STRINGS:
        cols[c] = list(getattr(proj, c))
    cols["amount"] = [None if np.isnan(v) else v for v in cols["amount"]]
    for c in ("share", "influence_forward", "influence_backward"):
        cols[c] = [None if np.isnan(v) else v for v in cols[c]]
    cols["sectors"] = dict(proj.actor_sectors)
    cols["countries"] = dict(proj.actor_countries)
    return cols


def test_incremental_update_after_reingesting_one_origin_equals_a_rebuild(random_store):
    before = Projection.from_store(random_store)
    # a second origin, then re-ingest it changed: some links changed, some new, some gone, an actor new
    first = _random_batch(11, actors=0, links=0, origin="second")
    ids = before.actor_ids.tolist()
    links = [lk for i in range(len(ids) - 1)
             if _allowed(lk := Link(kind="supports", source=ids[i], target=ids[i + 1], start="2020"))]
    first.links = links
    random_store.write(first)
    fp = random_store.fingerprint()
    saved = pc.open_projection(random_store)
    assert saved.from_disk
    changed = [Link(**{**lk.model_dump(), "confidence": "reported", "end": "2023"}) for lk in links[:5]]
    new_actor = Actor(id="ngo-new", kind="ngo", name="Nueva ONG", country="TH", sectors=["garment"])
    added = [Link(kind="supports", source="ngo-new", target=ids[1], start="2021")]
    random_store.write(Batch(origin=first.origin, actors=[new_actor], links=[*changed, *links[10:], *added]))
    gone = [lk.id for lk in links[5:10]]
    changes = Changes.from_store(random_store, ["ngo-new"], [lk.id for lk in [*changed, *added]] + gone)
    assert sorted(changes.removed_links) == sorted(gone)
    assert pc.refresh_saved(random_store, fp, changes)
    refreshed = pc.load_projection(pc.cache_dir(random_store), random_store.fingerprint())
    rebuilt = Projection.from_store(random_store)
    assert refreshed is not None
    assert _columns(refreshed) == _columns(rebuilt)
    # the ids' orders kept in the file (for binary search) are those of the refreshed columns
    assert np.array_equal(refreshed.link_order, np.argsort(rebuilt.link_ids.astype(str), kind="stable"))
    assert np.array_equal(refreshed.index.order, np.argsort(rebuilt.actor_ids.astype(str), kind="stable"))
    every = rebuilt.actor_ids.tolist()
    assert _answers(refreshed, every) == _answers(rebuilt, every)


def test_incremental_update_removing_an_actor_drops_its_links():
    a, b, c = (Actor(id=i, kind="union", name=i) for i in "abc")
    links = [Link(kind="affiliated_to", source="a", target="b"), Link(kind="affiliated_to", source="c", target="b")]
    proj = Projection.from_records([a, b, c], links)
    new = apply_changes(proj, Changes(removed_actors=["c"]))
    after = Projection.from_records([a, b], links[:1])
    assert _columns(new) == _columns(after)
    assert new.index == {"a": 0, "b": 1}


def _allowed(link: Link) -> bool:
    from graphmodel.kinds import LINK_SPECS, ActorKind

    kinds = {"sso": "sso", "uni": "union", "guf": "guf", "bra": "brand", "sup": "supplier", "fac": "facility",
             "ngo": "ngo"}
    src, dst = (ActorKind(kinds[x.split("-")[0][:3]]) for x in (link.source, link.target))
    return LINK_SPECS[link.kind].allows(src, dst)


def test_shortcuts_of_the_saved_projection_equal_the_plain_computations(random_store):
    """Years read from the buffer, ids' order kept in the file, undecoded subsets: as computed on a
    freshly built projection."""
    from dashboard.graphview import link_years
    from graphmodel.analysis.coverage import id_rank

    fresh = Projection.from_store(random_store)
    pc.open_projection(random_store)
    opened = pc.open_projection(random_store)
    assert np.array_equal(link_years(opened)[0], link_years(fresh)[0])
    assert np.array_equal(id_rank(opened), id_rank(fresh))
    public, public_fresh = opened.restrict("public"), fresh.restrict("public")
    assert public.link_ids.tolist() == public_fresh.link_ids.tolist()
    assert list(public.start) == list(public_fresh.start)
    assert np.array_equal(link_years(public)[0], link_years(public_fresh)[0])


def test_the_ingest_command_brings_the_saved_projection_up_to_date(tmp_path):
    """``stakemap ingest`` refreshes the saved projection from what it wrote; the result equals a rebuild."""
    from typer.testing import CliRunner

    from stakemap.cli import app

    db = tmp_path / "map.db"
    store = SQLiteStore(db)
    store.write(_random_batch(4, actors=60, links=200))
    ids = Projection.from_store(store).actor_ids.tolist()
    pc.open_projection(store)  # saved for the current generation
    store.close()
    folder = tmp_path / "more"
    folder.mkdir()
    pairs = [(ids[i], ids[i + 1]) for i in range(0, 40, 2)]
    rows = [f"{a},{b},supports,2020," for a, b in pairs
            if _allowed(Link(kind="supports", source=a, target=b))]
    (folder / "links.csv").write_text("from,to,kind,start,end\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(folder / "links.csv"), "--source", "more", "--store",
                                      f"sqlite:///{db}"])
    assert result.exit_code == 0, result.output
    store = SQLiteStore(db, create=False)
    saved = pc.load_projection(pc.cache_dir(store), store.fingerprint())
    assert saved is not None  # refreshed by the command, not left for the next reader to rebuild
    rebuilt = Projection.from_store(store)
    assert _columns(saved) == _columns(rebuilt) and saved.n_links == 200 + len(rows)
    store.close()


def test_a_write_that_removed_records_is_brought_up_to_date_from_its_version(random_store):
    """The version a write made names the records it removed too: the refreshed projection equals a rebuild."""
    pc.open_projection(random_store)
    recorder = pc.WriteRecorder(random_store)
    batch = _random_batch(3)
    batch.links = batch.links[:-10]  # re-ingested without ten of its links: they are removed
    recorder.write(batch)
    assert recorder.removed and recorder.refresh()
    saved = pc.load_projection(pc.cache_dir(random_store), random_store.fingerprint())
    assert saved is not None and _columns(saved) == _columns(Projection.from_store(random_store))


def test_both_backends_save_and_open_the_same_projection(store, tmp_path, monkeypatch):
    """SQLite beside its file; Neo4j (the Bolt stand-in) under the user's cache folder, keyed by URL,
    database and store id; either way opened again only for the store's current fingerprint."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    store.write(_random_batch(8, actors=40, links=80))
    fresh = Projection.from_store(store)
    assert pc.open_projection(store).from_disk
    opened = pc.open_projection(store)
    assert opened.from_disk and opened.fingerprint == store.fingerprint()
    if getattr(store, "db", None) is None:
        assert str(pc.cache_dir(store)).startswith(str(tmp_path / "cache" / "stakemap" / "projections"))
    order = np.argsort(fresh.link_ids.astype(str))
    assert sorted(opened.link_ids.tolist()) == fresh.link_ids[order].tolist()
    ids = sorted(fresh.actor_ids.tolist())
    assert _answers(opened, ids) == _answers(pc.open_projection(store), ids)
    store.write(Batch(origin=Source(id="more", title="More"), actors=[Actor(id="late", kind="union", name="Late")]))
    assert pc.load_projection(pc.cache_dir(store), store.fingerprint()) is None
    assert "late" in pc.open_projection(store).index


def test_string_column_values_decode_as_value_does():
    from graphmodel.analysis.columns import StringColumn, pick

    texts = ["a", None, "Łódź", "", "x\u0301y", None, "zz"]
    column = StringColumn.from_values(texts)
    positions = np.array([6, 0, 2, 1, 2, 4, 3, 5])
    assert column.values(positions) == [column.value(int(i)) for i in positions] == [texts[i] for i in positions]
    rows = column.take(np.array([True, True, False, True, True, False, True]))
    assert rows.values(np.array([4, 0, 1])) == [rows.value(4), rows.value(0), rows.value(1)] == ["zz", "a", None]
    assert pick(column, positions) == pick(np.array(texts, dtype=object), positions)
    column.array()
    assert column.values(positions) == [texts[i] for i in positions]
    with pytest.raises(IndexError):
        StringColumn.from_values(texts).values(np.array([7]))
