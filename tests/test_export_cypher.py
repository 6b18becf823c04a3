"""The Cypher export: linted by Neo4j's own parser, then run on a real Bolt server and read back."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from graphmodel.export import export_subgraph
from graphmodel.export.cypher import cypher_literal, parse_script
from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS
from graphmodel.store import cypher as q

from .test_export_data import sample_export, sample_store

LINTER = Path(__file__).resolve().parents[1] / ".ci" / "cypher-lint"


@pytest.fixture
def script(tmp_path):
    store = sample_store(tmp_path / "s.db")
    selected, manifest = sample_export(store)
    out = tmp_path / "out.cypher"
    export_subgraph(selected, "cypher", out, manifest)
    store.close()
    return selected, out.read_text(encoding="utf-8")


def _lint(statements: list[dict]) -> list[dict]:
    if shutil.which("node") is None or not (LINTER / "node_modules").exists():
        pytest.skip("the Cypher linter (.ci/cypher-lint, node) is not installed")
    payload = {"labels": [*q.FIXED_LABELS, *q.kind_labels()], "relationshipTypes": q.rel_types(),
               "statements": statements}
    done = subprocess.run(["node", str(LINTER / "lint.mjs")], input=json.dumps(payload), capture_output=True,
                          text=True, timeout=120, cwd=LINTER)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_script_lints_clean_with_neo4j_parser(script):
    selected, text = script
    schema, steps = parse_script(text)
    assert schema and len(steps) >= len({a.kind for a in selected.actors.values()})
    statements = [{"name": f"schema.{i}", "query": s} for i, s in enumerate(schema)]
    for i, (rows, query) in enumerate(steps):
        # the :param value is itself Cypher: lint it as an expression, and the statement with it as a parameter
        statements.append({"name": f"param.{i}", "query": f"RETURN {rows} AS rows"})
        statements.append({"name": f"step.{i}", "query": query, "parameters": {"rows": []}})
    problems = [(r["name"], d) for r in _lint(statements) for d in r["diagnostics"]]
    assert not problems, problems[:5]


def test_labels_and_types_come_from_the_kinds_table(script):
    selected, text = script
    _, steps = parse_script(text)
    labels = {ACTOR_SPECS[a.kind].neo4j_label for a in selected.actors.values()}
    types = {LINK_SPECS[lk.kind].neo4j_type for lk in selected.links.values()}
    queries = "\n".join(query for _, query in steps)
    assert all(f":{label}" in queries for label in labels)
    assert all(f":{t} " in queries for t in types)
    assert "'" not in queries  # values travel only as parameters


def test_literals_escape_quotes_and_control_characters():
    assert cypher_literal("a'b\\c\n\x01") == "'a\\'b\\\\c\\n\\u0001'"
    assert cypher_literal({"odd key": 1}) == "{`odd key`: 1}"


def test_script_runs_on_bolt_server_and_recreates_the_subgraph(tmp_path, request):
    bolt = pytest.importorskip("tests.bolt_server")
    server = bolt.shared_server(request.config)
    store = sample_store(tmp_path / "s.db")
    selected, manifest = sample_export(store)
    if not server.is_neo4j:
        # The stand-in garbles string parameters holding quotes, backslashes or new lines (it splices them
        # into query text), so against it the test keeps the records without such characters.
        def plain(record) -> bool:
            text = record.model_dump_json()
            return not any(ch in text for ch in ("'", "\\n", "\\\\", '\\"'))

        selected.actors = {i: a for i, a in selected.actors.items() if plain(a)}
        selected.links = {i: lk for i, lk in selected.links.items()
                          if plain(lk) and lk.source in selected.actors and lk.target in selected.actors}
    out = tmp_path / "small.cypher"
    from graphmodel.export.cypher import write_cypher

    with out.open("wb") as handle:  # small batches: the stand-in server refuses large Bolt messages
        write_cypher(selected, handle, manifest, selected.sources, batch_rows=1)
    schema, steps = parse_script(out.read_text(encoding="utf-8"))
    fresh = server.fresh_store()
    fresh.close()
    import neo4j

    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        def run(query: str, **params):
            return driver.execute_query(query, params, database_=server.database).records

        for statement in schema:
            if server.is_neo4j:
                run(statement)
        for _ in range(2):  # running the script twice changes nothing
            for rows, query in steps:
                value = run(f"RETURN {rows} AS rows")[0]["rows"]
                run(query, rows=value)
        actors = {r["id"]: r for r in run(f"MATCH (a:{q.ACTOR}) RETURN a.id AS id, a.name AS name, "
                                          "labels(a) AS labels, a.citation_sources AS cites")}
        links = {r["id"]: r for r in run(f"MATCH (a:{q.ACTOR})-[l]->(b:{q.ACTOR}) RETURN l.id AS id, type(l) AS type,"
                                         " a.id AS source, b.id AS target, l.start AS start, l.amount AS amount")}
        sources = {r["id"] for r in run(f"MATCH (s:{q.SOURCE}) RETURN s.id AS id")}
    store.close()
    assert set(actors) == set(selected.actors)
    for actor in selected.actors.values():
        got = actors[actor.id]
        assert got["name"] == actor.name
        assert set(got["labels"]) == {q.ACTOR, ACTOR_SPECS[actor.kind].neo4j_label}
        assert list(got["cites"] or []) == [c.source for c in actor.citations]
    assert set(links) == set(selected.links)
    for link in selected.links.values():
        got = links[link.id]
        assert (got["type"], got["source"], got["target"], got["start"], got["amount"]) == (
            LINK_SPECS[link.kind].neo4j_type, link.source, link.target, link.start, link.amount)
    assert sources == {s.id for s in selected.sources}
