"""The same answers from both backends: the curated seed loaded into the embedded store
and into the Bolt server, then ``stats``, ``show``, ``export`` and the analysis commands
compared (outputs with the store's URL and write time taken out)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.bolt_server import bolt_server  # noqa: F401  (fixture)

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "data" / "seed"

COMMANDS = [
    ["stats", "--json"],
    ["show", "baselworld", "--json"],
    ["show", "Labour Action China", "--json"],
    ["export", "--format", "json", "--out", "-"],
    ["export", "--format", "json", "--out", "-", "--around", "baselworld", "--hops", "2"],
    ["export", "--format", "gexf", "--out", "-"],
    ["export", "--format", "graphml", "--out", "-"],
    ["paths", "lac", "baselworld", "--json"],
    ["leverage", "baselworld", "--json"],
    ["coverage", "fnv-mondiaal", "--json"],
    ["brokers", "--json"],
]


def _normalise(text: str, url: str) -> str:
    """Take out what differs by design: the store's URL and fingerprint (a per-store id), times,
    and the last digits of floats (sums taken in another order)."""
    text = text.replace(" --store " + url, "").replace(url, "<store>")
    text = re.sub(r"[0-9a-f]{32}:\d+", "<fingerprint>", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?", "<time>", text)
    return re.sub(r"(\d+\.\d{9})\d+", r"\1", text)


@pytest.fixture(scope="module")
def two_stores(bolt_server, tmp_path_factory):  # noqa: F811
    if not (SEED / "dataset.yaml").exists():
        pytest.skip("the curated seed (data/seed) is not there")
    from typer.testing import CliRunner

    from stakemap.cli import app

    store = bolt_server.store()
    store.clear()
    store.close()
    mp = pytest.MonkeyPatch()
    mp.setenv("STAKEMAP_NEO4J_PASSWORD", bolt_server.password)
    mp.setenv("STAKEMAP_NEO4J_BATCH_ROWS", str(bolt_server.limits.rows))
    mp.setenv("STAKEMAP_NEO4J_BATCH_BYTES", str(bolt_server.limits.bytes))
    graph = bolt_server.uri.replace("bolt://", f"bolt://{bolt_server.user}@")
    if bolt_server.database:
        graph += "/" + bolt_server.database
    embedded = f"sqlite:///{tmp_path_factory.mktemp('parity') / 'seed.db'}"
    runner = CliRunner()
    for url in (embedded, graph):
        done = runner.invoke(app, ["ingest", str(SEED), "--store", url])
        assert done.exit_code == 0, done.output
    yield runner, app, embedded, graph
    mp.undo()


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a[:2]) for a in COMMANDS])
def test_same_answers_on_both_backends(two_stores, args):
    runner, app, embedded, graph = two_stores
    outputs = []
    for url in (embedded, graph):
        done = runner.invoke(app, [*args, "--store", url])
        assert done.exit_code == 0, done.output
        outputs.append(_normalise(done.stdout, url))
    if args[-1] == "--json":
        assert json.loads(outputs[0]) == json.loads(outputs[1])
    assert outputs[0] == outputs[1]
