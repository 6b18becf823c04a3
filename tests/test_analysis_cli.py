"""The analysis commands: paths, leverage, coverage, brokers, weights."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from graphmodel.analysis import Weights, clear_projections
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store import Batch
from graphmodel.store.sqlite import SQLiteStore
from stakemap.cli import app

runner = CliRunner()


@pytest.fixture
def store_url(tmp_path) -> str:
    clear_projections()
    path = tmp_path / "map.db"
    store = SQLiteStore(path)
    actors = [
        Actor(id="fnv", kind="sso", name="FNV Mondiaal", country="NL", aliases=["FNV"]),
        Actor(id="bwi", kind="guf", name="Building and Wood Workers' International", aliases=["BWI"]),
        Actor(id="ncwu", kind="union", name="Nepalese Construction Workers Union", country="HK"),
        Actor(id="mtuc", kind="national_centre", name="Malaysian Trades Union Congress", country="MY"),
        Actor(id="lucky", kind="supplier", name="Lucky Gems", country="HK"),
        Actor(id="hktdc", kind="platform", name="Hong Kong Trade Development Council", country="HK"),
    ]
    links = [
        Link(kind="funds", source="fnv", target="bwi", amount=100, currency="EUR", start="2006",
             citations=[Citation(source="doc", locator="para 2")]),
        Link(kind="supports", source="bwi", target="ncwu", start="2007"),
        Link(kind="funds", source="fnv", target="mtuc", amount=100, currency="EUR"),
        Link(kind="sanctions", source="hktdc", target="lucky", start="2010"),
    ]
    store.write(Batch(origin=Source(id="test", title="Test"), actors=actors, links=links,
                      sources=[Source(id="doc", title="A document")]))
    store.close()
    return f"sqlite:///{path}"


def _json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_paths_by_name_and_alias(store_url):
    data = _json(["paths", "FNV", "Nepalese Construction Workers Union", "--store", store_url, "--json"])
    assert [a["id"] for a in data["paths"][0]["actors"]] == ["fnv", "bwi", "ncwu"]
    assert data["paths"][0]["hops"][0]["sources"] == [{"source": "doc", "locator": "para 2"}]
    assert data["weights"]["source"] == "default"
    human = runner.invoke(app, ["paths", "fnv", "ncwu", "--store", store_url])
    assert human.exit_code == 0 and "strong (100 of the best)" in human.stdout and "weights: default" in human.stdout
    assert "e-0" not in human.stdout and "0.000" not in human.stdout  # no raw products in the text


def test_unknown_actor_gets_suggestions(store_url):
    result = runner.invoke(app, ["paths", "FNV Mondial", "ncwu", "--store", store_url])
    assert result.exit_code == 1
    assert "fnv" in result.output.lower()


def test_paths_what_if(store_url):
    data = _json(["paths", "fnv", "ncwu", "--without", "BWI", "--store", store_url, "--json"])
    assert data["paths"] == []
    assert data["what_if"]["without"][0]["id"] == "bwi"
    assert data["what_if"]["changes"]["paths_lost"] == [["fnv", "bwi", "ncwu"]]
    human = runner.invoke(app, ["paths", "fnv", "ncwu", "--without", "bwi", "--store", store_url])
    assert "What if Building and Wood Workers' International were gone" in human.stdout


def test_paths_with_custom_weights_and_kinds(store_url, tmp_path):
    weights = tmp_path / "w.yaml"
    weights.write_text(Weights.from_mapping({"links": {"supports": {"forward": 0.9}}}).dump_yaml(), encoding="utf-8")
    data = _json(["paths", "fnv", "ncwu", "--weights", str(weights), "--store", store_url, "--json"])
    assert data["paths"][0]["strength"] == pytest.approx(0.6 * 0.9 * 1.0, rel=0.5)
    assert data["weights"]["changed"] == {"links.supports.forward": [0.5, 0.9]}
    assert _json(["paths", "fnv", "ncwu", "--kinds", "funds", "--store", store_url, "--json"])["paths"] == []
    bad = runner.invoke(app, ["paths", "fnv", "ncwu", "--kinds", "fundz", "--store", store_url])
    assert bad.exit_code == 1 and "unknown link kind" in bad.output


def test_leverage(store_url):
    data = _json(["leverage", "Lucky Gems", "--store", store_url, "--json"])
    assert data["leverage"][0]["actor"]["id"] == "hktdc"
    assert data["leverage"][0]["sphere"] == "regulation"
    assert set(data) >= {"target", "leverage", "chokepoints", "weights"}
    human = runner.invoke(app, ["leverage", "lucky", "--store", store_url])
    assert human.exit_code == 0 and "Hong Kong Trade" in human.stdout


def test_coverage_with_context(store_url, tmp_path):
    ctx = tmp_path / "ctx.csv"
    ctx.write_text("country,year,migrants\nMY,2019,1.7\nHK,2019,0.4\nJP,2019,0.2\n", encoding="utf-8")
    data = _json(["coverage", "FNV Mondiaal", "--context", str(ctx), "--store", store_url, "--json"])
    assert {r["actor"]["id"] for r in data["reached"]} == {"bwi", "ncwu", "mtuc"}
    assert {c["country"] for c in data["countries"]} == {None, "HK", "MY"}
    assert data["gaps"][0]["country"] in ("JP", "MY")
    assert set(data) >= {"funder", "reached", "countries", "gaps", "overlaps", "dependence"}
    human = runner.invoke(app, ["coverage", "fnv", "--context", str(ctx), "--store", store_url])
    assert human.exit_code == 0 and "Gaps against" in human.stdout


def test_brokers_and_weights(store_url):
    data = _json(["brokers", "--store", store_url, "--json"])
    assert data["brokers"][0]["actor"]["id"] == "bwi"
    assert "sentence" in data["brokers"][0]
    human = runner.invoke(app, ["brokers", "--by", "country", "--store", store_url])
    assert human.exit_code == 0
    dump = runner.invoke(app, ["weights", "--dump"])
    assert dump.exit_code == 0 and dump.stdout == Weights.default().dump_yaml()
    table = runner.invoke(app, ["weights"])
    assert table.exit_code == 0 and "sanctions" in table.stdout
    assert _json(["weights", "--json"])["describe"]["source"] == "default"
