"""``stakemap export`` on the command line."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from stakemap import cmd_export

from .test_export_data import sample_store


def _app() -> typer.Typer:
    app = typer.Typer()
    cmd_export.register(app)
    app.command("noop")(lambda: None)
    return app


def test_export_writes_file_and_manifest(tmp_path):
    sample_store(tmp_path / "s.db").close()
    out = tmp_path / "bwi.json"
    result = CliRunner().invoke(_app(), ["export", "--format", "json", "--around", "bwi", "--hops", "1",
                                         "--store", f"sqlite:///{tmp_path / 's.db'}", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["actors"] == len(json.loads(out.read_text())["nodes"])
    manifest = json.loads((tmp_path / "bwi.json.manifest.json").read_text())
    assert manifest["query"]["command"].startswith("stakemap export --format json --around bwi")
    assert manifest["redacted"]["links"] == 1 and manifest["files"][0]["name"] == "bwi.json"


def test_unknown_actor_fails_cleanly(tmp_path):
    sample_store(tmp_path / "s.db").close()
    result = CliRunner().invoke(_app(), ["export", "--format", "gexf", "--around", "nobody at all",
                                         "--store", f"sqlite:///{tmp_path / 's.db'}", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1 and not (tmp_path / "x").exists()
