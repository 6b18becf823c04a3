"""``stakemap serve`` and ``stakemap demo``, the URL state, and the dashboard modules' doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest
from typer.testing import CliRunner

from stakemap.cli import app
from stakemap.cmd_serve import check_debug, is_loopback

runner = CliRunner()


@pytest.mark.parametrize("module", ["dashboard.access", "dashboard.graphview", "dashboard.urlstate",
                                    "dashboard.components.format", "dashboard.components.graph",
                                    "dashboard.components.styles", "dashboard.components.legend",
                                    "dashboard.components.panels", "stakemap.cmd_serve"])
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_debug_is_refused_off_loopback(host):
    assert not is_loopback(host)
    result = runner.invoke(app, ["serve", "--host", host, "--debug", "--store", "sqlite:///nowhere.db"])
    assert result.exit_code == 1
    assert "--debug is refused" in result.output


def test_debug_is_allowed_on_loopback():
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.5"):
        check_debug(host, True)


def test_serve_and_demo_are_commands():
    result = runner.invoke(app, ["--help"])
    assert "serve" in result.output and "demo" in result.output
    help_text = runner.invoke(app, ["serve", "--help"]).output
    assert "--host" in help_text and "--port" in help_text and "--store" in help_text


def test_demo_loads_the_bundled_datasets_and_not_the_reference_tables(tmp_path):
    from dashboard.bundled import data_dir

    if data_dir() is None:
        pytest.skip("the bundled data is not available")
    store = tmp_path / "demo.db"
    result = runner.invoke(app, ["demo", "--no-serve", "--store", f"sqlite:///{store}"])
    assert result.exit_code == 0, result.output
    assert "loaded seed" in result.output and "loaded demo" in result.output
    assert "reference" not in result.output
    again = runner.invoke(app, ["demo", "--no-serve", "--store", f"sqlite:///{store}"])
    assert again.exit_code == 0
    stats = runner.invoke(app, ["stats", "--json", "--store", f"sqlite:///{store}"])
    assert '"reference"' not in stats.output and '"seed"' in stats.output


def test_the_bundled_data_is_found_from_an_environment_variable(tmp_path, monkeypatch):
    from dashboard import bundled

    (tmp_path / "seed").mkdir()
    (tmp_path / "seed" / "dataset.yaml").write_text("id: seed\n")
    monkeypatch.setenv(bundled.DATA_ENV, str(tmp_path))
    assert bundled.data_dir() == tmp_path
    assert bundled.demo_datasets() == [tmp_path / "seed"]
    assert bundled.context_table() is None


def test_url_state_round_trips():
    from dashboard.pages.explore import STATE as EXPLORE
    from dashboard.pages.paths import STATE as PATHS

    state = {"actor": ["bwi", "lac"], "hops": 2, "kinds": ["union"], "countries": ["MY"], "links": ["funds"],
             "confidence": ["confirmed"], "as_of": 2010, "expand": ["mtuc"], "more": [], "sel": "a:bwi", "compare": None}
    query = EXPLORE.encode(state)
    from urllib.parse import parse_qs

    back = EXPLORE.decode({k: v[0] for k, v in parse_qs(query).items()})
    assert back == state
    assert PATHS.encode(PATHS.decode({})) == ""
    assert PATHS.decode({"k": "0", "hops": "x", "links": "funds,bogus"}) == {
        "from": None, "to": None, "k": 1, "hops": 6, "links": ["funds"], "path": 0}
