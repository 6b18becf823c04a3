"""What the analyses must find on the curated seed (data/seed); skipped when it is absent.

The seed is loaded with the ingest run when it is available, else straight from
its CSV files into the store with a :class:`~graphmodel.store.Batch`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graphmodel.analysis import Projection, brokerage, coverage, influence_paths, leverage, read_context
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store import Batch
from graphmodel.store.sqlite import SQLiteStore
from graphmodel.values import split_list

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "seed"
MIGRANTS = REPO / "data" / "reference" / "migrant_workers.csv"


def _load_csv(store: SQLiteStore) -> None:
    def rows(name: str) -> list[dict[str, str]]:
        with (SEED / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    actors: dict[str, Actor] = {}
    for r in rows("actors.csv"):
        if r["id"] not in actors:
            actors[r["id"]] = Actor(id=r["id"], kind=r["kind"], name=r["name"], country=r.get("country") or None,
                                    aliases=split_list(r.get("aliases")), countries=split_list(r.get("countries")),
                                    sectors=split_list(r.get("sectors")), sensitivity=r.get("sensitivity") or None,
                                    citations=[Citation(source=r["source"], locator=r.get("locator") or None)])
    links: dict[str, Link] = {}
    for r in rows("links.csv"):
        cite = Citation(source=r["source"], locator=r.get("locator") or None)
        if r["id"] in links:
            links[r["id"]].citations.append(cite)
            continue
        links[r["id"]] = Link(
            id=r["id"], kind=r["kind"], source=r["from"], target=r["to"], start=r.get("start") or None,
            end=r.get("end") or None, amount=float(r["amount"]) if r.get("amount") else None,
            currency=r.get("currency") or None, share=float(r["share"]) if r.get("share") else None,
            confidence=r.get("confidence") or "confirmed", sensitivity=r.get("sensitivity") or "public",
            citations=[cite])
    sources = [Source(id=r["id"], title=r.get("title") or r["id"]) for r in rows("sources.csv")]
    store.write(Batch(origin=Source(id="seed", title="seed", kind="dataset"), actors=list(actors.values()),
                      links=list(links.values()), sources=sources))


@pytest.fixture(scope="module")
def seed(tmp_path_factory) -> Projection:
    if not (SEED / "actors.csv").exists() or not (SEED / "links.csv").exists():
        pytest.skip("data/seed is not available")
    store = SQLiteStore(tmp_path_factory.mktemp("seed") / "seed.db")
    try:
        from ingest.run import run_ingest
    except ImportError:
        _load_csv(store)
    else:
        run_ingest(store, [SEED])
    proj = Projection.from_store(store)
    yield proj
    store.close()


def _find(proj: Projection, *words: str) -> str:
    """The id of the one actor whose name or id contains all the words (case-insensitive)."""
    hits = [i for i, name in zip(proj.actor_ids, proj.names)
            if all(w.lower() in (name + " " + i).lower() for w in words)]
    assert hits, f"no seed actor matches {words}"
    return min(hits, key=len)


def test_dutch_agency_reaches_nepalese_union_in_hong_kong_through_bwi(seed):
    fnv = _find(seed, "FNV Mondiaal")
    ncwu = _find(seed, "Nepalese Construction Workers")
    bwi = _find(seed, "Building and Wood")
    result = influence_paths(seed, fnv, ncwu, k=5)
    assert result.paths, "no influence path from FNV Mondiaal to the NCWU"
    best = [a["id"] for a in result.paths[0].actors]
    assert best[0] == fnv and best[-1] == ncwu and bwi in best
    assert all(h.sources for h in result.paths[0].hops), "every hop cites its sources"


def test_solidarity_center_coverage_reaches_malaysia_and_hong_kong(seed):
    sc = _find(seed, "Solidarity Center")
    context = read_context(MIGRANTS, "temporary_labour_migrants") if MIGRANTS.exists() else None
    result = coverage(seed, sc, context=context)
    countries = {c["country"] for c in result.countries if c["share"] > 0}
    assert {"MY", "HK"} <= countries
    assert sum(c["share"] for c in result.countries) == pytest.approx(1.0)
    if context is not None:
        gaps = {g["country"]: g for g in result.gaps}
        assert not gaps["JP"]["reached"] and not gaps["TW"]["reached"]


def test_leverage_on_the_jewellery_company_ranks_the_exhibition_bodies_first(seed):
    lucky = _find(seed, "Lucky Gems")
    bodies = {_find(seed, "Baselworld"), _find(seed, "Hong Kong Trade Development")}
    result = leverage(seed, lucky, top=5)
    top = [e.actor["id"] for e in result.leverage]
    assert bodies <= set(top[:3]), top
    assert all(e.sphere == "regulation" for e in result.leverage if e.actor["id"] in bodies)
    lac = [i for i in seed.actor_ids if "labour action china" in seed.names[seed.index[i]].lower()]
    if lac:
        with_us = leverage(seed, lucky, from_ids=lac, top=5)
        assert bodies & {e.actor["id"] for e in with_us.leverage[:5]}


def test_brokerage_runs_on_the_seed(seed):
    result = brokerage(seed, by="kind", top=5)
    assert result.brokers and all(b.sentence for b in result.brokers)
    assert brokerage(seed, by="country", top=5).brokers
