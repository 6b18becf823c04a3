"""``stakemap --help`` loads only the command line itself: models, stores, readers and analyses load
when a command runs. Timings are not asserted; what is loaded is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Modules a help text never needs (each costs tens to hundreds of milliseconds to import). Not pydantic:
#: typer itself loads it to convert some option values.
HEAVY = ("graphmodel.models", "graphmodel.store", "graphmodel.analysis", "graphmodel.export", "ingest.run",
         "ingest.tabular", "networkx", "scipy", "numpy", "pandas", "dash", "plotly", "neo4j",
         "followthemoney", "lxml", "openpyxl", "pyarrow")


def _loaded_after(args: list[str]) -> tuple[int, set[str], str]:
    code = ("import sys, json\nsys.argv = ['stakemap', *json.loads(sys.argv[1])]\n"
            "from stakemap.cli import app\n"
            "try:\n    app()\nexcept SystemExit as e:\n    code = e.code or 0\nelse:\n    code = 0\n"
            "sys.stderr.write('\\nMODULES ' + json.dumps([code, sorted(sys.modules)]))\n")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COLUMNS": "100"})
    status, modules = json.loads(done.stderr.rsplit("MODULES ", 1)[1])
    return status, set(modules), done.stdout


@pytest.mark.parametrize("args", [["--help"], ["ingest", "--help"], ["export", "--help"], ["paths", "--help"],
                                  ["sync", "--help"]])
def test_help_loads_no_heavy_module(args):
    status, modules, out = _loaded_after(args)
    assert status == 0 and "Usage" in out
    heavy = sorted(m for m in modules if m in HEAVY or m.split(".")[0] in HEAVY and m.split(".")[0] != "graphmodel")
    assert not heavy, heavy


def test_export_help_names_every_export_format_in_order():
    from graphmodel.export import EXPORT_FORMATS
    from stakemap.cmd_export import FORMAT_NAMES

    assert list(FORMAT_NAMES) == list(EXPORT_FORMATS)
