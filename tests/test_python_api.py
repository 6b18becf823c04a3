"""The Python API (``stakemap.open``): DataFrames and their filters, networkx graphs against ``stakemap stats``
and the GraphML export, answers against the commands' ``--json``, clearance (a withheld subject is unknown
exactly as a missing one), the Bolt backend, the worked example in docs/python-api.md and the docstrings."""

from __future__ import annotations

import doctest
import importlib
import json
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

import stakemap
from graphmodel.analysis import clear_projections
from graphmodel.errors import ConfigError, NotFoundError, StakemapError
from graphmodel.export import Selection, select_subgraph
from graphmodel.models import Source
from graphmodel.store import Batch
from graphmodel.store.sqlite import SQLiteStore
from stakemap.cli import app
from stakemap.frames import LINK_COLUMNS
from tests.bolt_server import bolt_server  # noqa: F401  (fixture)

REPO = Path(__file__).resolve().parents[1]
SEED, DEMO = REPO / "data" / "seed", REPO / "data" / "demo"
CONTEXT = REPO / "data" / "reference" / "migrant_workers.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def url(tmp_path_factory) -> str:
    clear_projections()
    url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'map.db'}"
    with stakemap.open(url, create=True) as m:
        report = m.ingest([SEED, DEMO])
        assert report.rejected == 0 and report.read == report.imported
    return url


@pytest.fixture
def m(url):
    with stakemap.open(url) as opened:
        yield opened


@pytest.fixture
def viewer(url):
    with stakemap.open(url, clearance="public") as opened:
        yield opened


def cli_json(*args: str) -> dict:
    done = runner.invoke(app, list(args))
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


# -- DataFrames --------------------------------------------------------------------------------------------
def test_actor_filters(m):
    every = m.actors()
    assert every["id"].is_unique and len(every) == m.stats().actors
    unions = m.actors(kind="union")
    assert set(unions["kind"]) == {"union"} and len(unions) == (every["kind"] == "union").sum()
    two = m.actors(kind=["guf", "sso"])
    assert set(two["kind"]) == {"guf", "sso"} and len(two) == m.actors(kind="guf,sso").shape[0]
    malaysia = m.actors(country="Malaysia")
    assert len(malaysia) > 0
    assert all(c == "MY" or "MY" in cs for c, cs in zip(malaysia["country"], malaysia["countries"]))
    assert len(m.actors(country="MY")) == len(malaysia)
    both = m.actors(kind="union", country="MY")
    assert set(both["id"]) == set(unions["id"]) & set(malaysia["id"])


def test_origin_filter(m):
    demo = m.actors(origin="demo")
    seed = m.actors(origin="seed")
    assert "origins" in demo.columns and "origins" not in m.actors().columns
    assert all("demo" in o for o in demo["origins"]) and all("seed" in o for o in seed["origins"])
    assert set(demo["id"]) | set(seed["id"]) == set(m.actors()["id"])
    links = m.links(origin="demo")
    assert len(links) > 0 and all("demo" in o for o in links["origins"])
    with pytest.raises(ConfigError, match="unknown origin 'deom'") as err:
        m.actors(origin="deom")
    assert "demo" in err.value.hint


def test_unknown_kinds_name_close_matches(m):
    with pytest.raises(ConfigError) as err:
        m.actors(kind="unoin")
    assert err.value.hint == "did you mean: union"
    with pytest.raises(ConfigError, match="unknown link kind 'fund'"):
        m.links(kind="fund")
    with pytest.raises(ConfigError, match="unknown country"):
        m.actors(country="Atlantis")


def test_link_filters(m):
    every = m.links()
    assert every["id"].is_unique and len(every) == m.stats().links
    assert list(every.columns) == list(LINK_COLUMNS)
    funds = m.links(kind="funds")
    assert set(funds["kind"]) == {"funds"} and funds["amount"].dtype.name == "float64"
    assert set(m.links(confidence="inferred")["confidence"]) == {"inferred"}
    in_2010 = m.links(as_of="2010")
    assert 0 < len(in_2010) < len(every)
    assert all((s is None or s != s or str(s)[:4] <= "2010") for s in in_2010["start"])


# -- networkx ------------------------------------------------------------------------------------------
def test_to_networkx_counts_equal_stakemap_stats(m, url):
    stats = cli_json("stats", "--json", "--store", url)
    G = m.to_networkx()
    assert isinstance(G, nx.MultiDiGraph)
    assert (G.number_of_nodes(), G.number_of_edges()) == (stats["actors"], stats["links"])
    assert Counter(k for _, k in G.nodes(data="kind")) == Counter(stats["actors_by_kind"])
    assert Counter(k for *_, k in G.edges(data="kind")) == Counter(stats["links_by_kind"])
    assert m.stats().model_dump(mode="json") == stats
    assert set(G.edges(keys=True)) == {(r.source, r.target, r.id) for r in m.links().itertuples()}


def test_to_networkx_is_what_the_graphml_export_reads_back_as(m, url, tmp_path):
    out = tmp_path / "map.graphml"
    done = runner.invoke(app, ["export", "--format", "graphml", "--clearance", "restricted", "--include-people",
                               "--out", str(out), "--store", url])
    assert done.exit_code == 0, done.output
    read = nx.read_graphml(out, force_multigraph=True)
    G = m.to_networkx()
    assert dict(G.nodes(data=True)) == dict(read.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True), key=repr) == sorted(
        ((a, b, k, {x: y for x, y in d.items() if x != "id"}) for a, b, k, d in read.edges(keys=True, data=True)),
        key=repr)
    assert G.graph["sources_json"] == read.graph["sources_json"]


def test_subgraph_is_the_exports_selection(m, url, tmp_path):
    part = m.subgraph(around="Baselworld", hops=2, link_kinds="targets,sanctions,supports")
    exported = cli_json("export", "--format", "json", "--around", "baselworld", "--hops", "2", "--link-kinds",
                        "targets,sanctions,supports", "--clearance", "restricted", "--include-people",
                        "--out", str(tmp_path / "x.json"), "--json", "--store", url)
    assert (len(part.actors()), len(part.links())) == (exported["actors"], exported["links"])
    H = part.to_networkx()
    assert H.number_of_nodes() == len(part.actors()) and "baselworld" in H
    assert set(part.links()["kind"]) <= {"targets", "sanctions", "supports"}
    with pytest.raises(NotFoundError):
        m.subgraph(around="Baselwold")


# -- answers ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, args", [
    (lambda m: m.paths("lac", "baselworld", k=3), ["paths", "lac", "baselworld", "--k", "3"]),
    (lambda m: m.paths("Labour Action China", "Baselworld", without=["gemstone-silicosis-victims"]),
     ["paths", "Labour Action China", "Baselworld", "--without", "gemstone-silicosis-victims"]),
    (lambda m: m.leverage("baselworld"), ["leverage", "baselworld"]),
    (lambda m: m.leverage("Baselworld", side=["lac"], top=5), ["leverage", "Baselworld", "--from", "lac", "--top", "5"]),
    (lambda m: m.coverage("fnv-mondiaal", context=CONTEXT),
     ["coverage", "fnv-mondiaal", "--context", str(CONTEXT)]),
    (lambda m: m.coverage("FNV Mondiaal", without=["bwi"]), ["coverage", "FNV Mondiaal", "--without", "bwi"]),
    (lambda m: m.brokers(by="country", top=5), ["brokers", "--by", "country", "--top", "5"]),
], ids=["paths", "paths-what-if", "leverage", "leverage-from", "coverage-context", "coverage-what-if", "brokers"])
def test_answers_are_what_json_prints(m, url, call, args):
    answer = call(m)
    assert type(answer).__name__.endswith("Answer")
    printed = runner.invoke(app, [*args, "--json", "--store", url])
    assert printed.exit_code == 0, printed.output
    assert answer.model_dump(mode="json") == json.loads(printed.stdout)
    assert json.dumps(answer.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n" == printed.stdout


def test_answer_fields_are_typed(m):
    money = m.coverage("FNV Mondiaal")
    assert money.funder.id == "fnv-mondiaal" and abs(sum(c.share for c in money.countries) - 1) < 1e-6
    route = m.paths("lac", "baselworld").paths[0]
    assert route.hops[0].link and route.hops[0].sources[0].source


def test_unknown_funder_or_target_suggests_close_matches(m):
    with pytest.raises(NotFoundError) as err:
        m.coverage("FNV Mondail")
    assert err.value.suggestions[0] == "fnv-mondiaal (FNV Mondiaal)"
    with pytest.raises(NotFoundError):
        m.leverage("Baselwrold")


# -- clearance --------------------------------------------------------------------------------------------
HIDDEN_REFS = ["kevin-lin", "Kevin Lin", "Kevin", "suki-chung", "Suki Ming-lai Chung", "Suki",
               "south-china-worker-centres", "Two migrant worker centres in southern China (unnamed)",
               "worker centres", "Han Dongfang", "Robin", "nobody-at-all", "Baselwold"]


def _hidden(url: str) -> tuple[set[str], set[str]]:
    with stakemap.open(url) as full, stakemap.open(url, clearance="public") as pub:
        actors = set(full.actors()["id"]) - set(pub.actors()["id"])
        links = set(full.links()["id"]) - set(pub.links()["id"])
    return actors, links


def test_a_public_map_holds_nothing_above_it(viewer, url, tmp_path):
    hidden_actors, hidden_links = _hidden(url)
    assert "kevin-lin" in hidden_actors and "south-china-worker-centres" in hidden_actors and hidden_links
    actors, links = viewer.actors(), viewer.links()
    assert set(actors["sensitivity"]) == {"public"} and "person" not in set(actors["kind"])
    assert set(links["sensitivity"]) == {"public"}
    assert set(links["source"]) | set(links["target"]) <= set(actors["id"])
    G = viewer.to_networkx()
    exported = cli_json("export", "--format", "json", "--clearance", "public", "--out", str(tmp_path / "p.json"),
                        "--json", "--store", url)
    stats = viewer.stats()
    assert (G.number_of_nodes(), G.number_of_edges()) == (stats.actors, stats.links) == (
        exported["actors"], exported["links"])
    assert sum(stats.actors_by_kind.values()) == stats.actors and "person" not in stats.actors_by_kind
    assert stats.ledgers == {} and stats.records_by_origin["seed"]["actors"] < m_stats(url)["seed"]["actors"]
    text = json.dumps([viewer.leverage("baselworld", top=50).model_dump(mode="json"),
                       viewer.coverage("fnv-mondiaal").model_dump(mode="json"),
                       viewer.brokers(top=100).model_dump(mode="json"),
                       viewer.paths("lac", "baselworld", k=10).model_dump(mode="json")])
    leaked = {i for i in hidden_actors | hidden_links if re.search(rf'"{re.escape(i)}"', text)}
    assert not leaked


def m_stats(url: str) -> dict:
    return cli_json("stats", "--json", "--store", url)["records_by_origin"]


def test_a_withheld_subject_is_unknown_exactly_like_a_missing_one(url, tmp_path):
    """The public view of the map, and a store holding only that view, answer every reference alike."""
    with stakemap.open(url) as full:
        shown = select_subgraph(full.store, Selection(clearance="public"))
    only = SQLiteStore(tmp_path / "only-public.db")
    only.write(Batch(Source(id="seed", title="public records"), actors=list(shown.actors.values()),
                     links=list(shown.links.values()), sources=shown.sources))
    only.close()
    with stakemap.open(url, clearance="public") as viewer, stakemap.open(tmp_path / "only-public.db") as absent:
        for ref in HIDDEN_REFS:
            for ask in (lambda x: x.actor(ref), lambda x: x.paths("lac", ref), lambda x: x.leverage(ref),
                        lambda x: x.coverage(ref), lambda x: x.subgraph(around=ref),
                        lambda x: x.paths("lac", "baselworld", without=[ref])):
                errors = []
                for m in (viewer, absent):
                    with pytest.raises(StakemapError) as err:
                        ask(m)
                    errors.append((type(err.value), str(err.value), getattr(err.value, "suggestions", None)))
                assert errors[0] == errors[1], ref
                assert errors[0][0] is NotFoundError


def test_suggestions_never_name_withheld_records(viewer, url):
    hidden_actors, _ = _hidden(url)
    for ref in HIDDEN_REFS:
        with pytest.raises(NotFoundError) as err:
            viewer.actor(ref)
        assert not {s.split(" ")[0] for s in err.value.suggestions} & hidden_actors
        assert not any(h in str(err.value) for h in hidden_actors if h not in ref)


def test_open_takes_clearance_and_people(url):
    with stakemap.open(url, clearance="internal", include_people=True) as m:
        assert "person" in set(m.actors()["kind"]) and "restricted" not in set(m.actors()["sensitivity"])
    with pytest.raises(ConfigError, match="unknown clearance"):
        stakemap.open(url, clearance="top-secret")


def test_ingest_needs_full_clearance_and_is_the_commands(viewer, url, tmp_path):
    with pytest.raises(StakemapError, match="ingest needs the full clearance"):
        viewer.ingest([SEED])
    with stakemap.open(url) as m:
        before = m.store.content_hash()
        again = m.ingest(SEED, dry_run=True)
        assert again.dry_run and again.read == again.imported and m.store.content_hash() == before
    printed = cli_json("ingest", str(SEED), "--dry-run", "--json", "--store", url)
    assert printed["read"] == again.read and printed["imported"] == again.imported


def test_map_is_a_context_manager_that_closes_its_store(url):
    with stakemap.open(Path(url.removeprefix("sqlite:///"))) as m:
        assert len(m.actors()) > 0
    with pytest.raises(Exception):
        m.store.stats()
    with pytest.raises(StakemapError):
        stakemap.open("sqlite:///does/not/exist.db")


# -- Bolt ------------------------------------------------------------------------------------------------
def test_bolt_url(bolt_server, url, monkeypatch):  # noqa: F811
    monkeypatch.setenv("STAKEMAP_NEO4J_PASSWORD", bolt_server.password)
    monkeypatch.setenv("STAKEMAP_NEO4J_BATCH_ROWS", str(bolt_server.limits.rows))
    monkeypatch.setenv("STAKEMAP_NEO4J_BATCH_BYTES", str(bolt_server.limits.bytes))
    store = bolt_server.store()
    store.clear()
    store.close()
    bolt = bolt_server.uri.replace("bolt://", f"bolt://{bolt_server.user}@")
    if bolt_server.database:
        bolt += "/" + bolt_server.database
    with stakemap.open(bolt) as graph:
        assert graph.ingest([SEED]).rejected == 0
        G = graph.to_networkx()
        stats = graph.stats()
        assert (G.number_of_nodes(), G.number_of_edges()) == (stats.actors, stats.links)
        unions = graph.actors(kind="union")
        answer = graph.paths("lac", "baselworld").model_dump(mode="json")
    with stakemap.open(bolt, clearance="public") as viewer:
        with pytest.raises(NotFoundError, match="no actor matches 'kevin-lin'"):
            viewer.actor("kevin-lin")
        assert "person" not in set(viewer.actors()["kind"])
    with stakemap.open(url) as local:
        seed_unions = local.actors(kind="union", origin="seed")
        assert sorted(unions["id"]) == sorted(seed_unions["id"])
        assert answer["paths"][0]["actors"] == local.paths("lac", "baselworld").model_dump(mode="json")["paths"][0][
            "actors"]


# -- the worked example and the docstrings ------------------------------------------------------------------
def test_the_docs_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STAKEMAP_STORE", raising=False)
    clear_projections()
    text = (REPO / "docs" / "python-api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 5
    namespace: dict = {}
    for n, block in enumerate(blocks, 1):
        exec(compile(block, f"docs/python-api.md (block {n})", "exec"), namespace)  # noqa: S102
    assert (tmp_path / "stakemap.db").exists()


@pytest.mark.parametrize("name", ["stakemap.api", "stakemap.frames", "stakemap.counts", "stakemap.clearance",
                                  "stakemap.questions", "stakemap.submap"])
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_importing_stakemap_loads_no_api():
    import subprocess
    import sys

    code = "import sys, stakemap; print(sorted(m for m in ('pandas', 'stakemap.api', 'graphmodel') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.strip() == "[]"
