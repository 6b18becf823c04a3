"""Every Cypher statement the Neo4j store can send passes Neo4j's own linter.

The linter is ``lintCypherQuery`` from the npm package
``@neo4j-cypher/language-support`` (Neo4j's parser and semantic analysis),
installed into ``.ci/cypher-lint`` with ``npm ci`` and run with Node.
Zero diagnostics are allowed: no errors, no deprecations, no other warnings.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from graphmodel.kinds import ActorKind, LinkKind
from graphmodel.store import cypher

LINT_DIR = Path(__file__).resolve().parents[1] / ".ci" / "cypher-lint"


def _lint(statements: list[cypher.Statement]) -> list[dict]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").exists():
        pytest.skip("run 'npm ci' in .ci/cypher-lint first")
    payload = {
        "labels": list(cypher.FIXED_LABELS) + cypher.kind_labels(),
        "relationshipTypes": cypher.rel_types(),
        "statements": [{"name": s.name, "query": s.query, "parameters": s.parameters} for s in statements],
    }
    done = subprocess.run([node, str(LINT_DIR / "lint.mjs")], input=json.dumps(payload), capture_output=True,
                          text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def test_every_statement_lints_clean():
    statements = cypher.all_statements()
    results = _lint(statements)
    assert len(results) == len(statements)
    dirty = {r["name"]: r["diagnostics"] for r in results if r["diagnostics"]}
    assert dirty == {}


def test_the_linter_catches_errors_and_deprecations():
    results = _lint([cypher.Statement("syntax", "MATCH (n RETURN n"),
                     cypher.Statement("deprecated", "MATCH (n) RETURN id(n) AS i")])
    assert results[0]["diagnostics"][0]["severity"] == 1
    assert "deprecated" in results[1]["diagnostics"][0]["message"]


def test_statements_cover_every_kind():
    names = {s.name for s in cypher.all_statements()}
    assert all(f"actor.create.{k.value}" in names for k in ActorKind)
    assert all(f"link.create.{k.value}" in names and f"link.page.{k.value}" in names for k in LinkKind)


def test_labels_and_types_come_from_the_kinds_table():
    allowed = set(cypher.FIXED_LABELS) | set(cypher.kind_labels()) | set(cypher.rel_types())
    import re

    for statement in cypher.all_statements():
        for name in re.findall(r"[(\[]\w*:(\w+)", statement.query):
            assert name in allowed, (statement.name, name)
