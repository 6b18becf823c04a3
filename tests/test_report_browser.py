"""A report opened in headless Chromium from a file, with no server and no network: its sections, its
figures drawn, its references reached from the tables, and nothing loaded from anywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphmodel.analysis import clear_projections
from graphmodel.store.sqlite import SQLiteStore
from ingest.run import run_ingest
from stakemap.cli import app as cli
from tests.test_dashboard_browser import CHROMEDRIVER, CHROMIUM, _driver

try:
    import selenium  # noqa: F401
except ImportError:  # pragma: no cover - the test extras install it
    selenium = None

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER and selenium),
                                reason="needs chromium, chromedriver and selenium (see .ci/run)")
REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    store = SQLiteStore(tmp / "seed.db")
    run_ingest(store, [REPO / "data" / "seed"])
    store.close()
    clear_projections()
    url = f"sqlite:///{tmp / 'seed.db'}"
    made = {}
    for kind, args in {"coverage": ["FNV Mondiaal", "--context", str(REPO / "data" / "reference" / "migrant_workers.csv"),
                                    "--context-column", "temporary_labour_migrants"],
                       "leverage": ["Lucky Gems"], "actor": ["BWI"],
                       "paths": ["FNV Mondiaal", "Nepalese Construction Workers Union"]}.items():
        out = tmp / f"{kind}.html"
        result = runner.invoke(cli, ["report", kind, *args, "--out", str(out), "--store", url])
        assert result.exit_code == 0, result.output
        made[kind] = out
    return made


@pytest.fixture(scope="module")
def browser():
    driver = _driver(1100, 900)
    yield driver
    driver.quit()


READ = """
const sections = [...document.querySelectorAll('body > section')].map(s => s.id);
const svg = [...document.querySelectorAll('figure.chart svg')].map(s => {
  const box = s.getBoundingClientRect(); return [box.width, box.height, s.querySelectorAll('path,rect,circle').length]; });
const rows = [...document.querySelectorAll('table.ranked tbody tr')].length;
const cites = [...document.querySelectorAll('a.cite')].map(a => a.getAttribute('href'));
const refs = new Set([...document.querySelectorAll('#references li')].map(li => '#' + li.id));
return {sections, svg, rows, cites: cites.length, dangling: cites.filter(h => !refs.has(h)),
        refs: refs.size, resources: performance.getEntriesByType('resource').map(r => r.name),
        summary: document.querySelector('#summary p').innerText,
        methods: document.querySelector('#methods').innerText, title: document.title,
        missing: [...document.querySelectorAll('.missing')].map(p => p.innerText),
        font: getComputedStyle(document.body).fontFamily,
        headed: [...document.querySelectorAll('table.ranked thead th')].every(th => getComputedStyle(th).fontWeight >= 600)};
"""


@pytest.mark.parametrize("kind", ["coverage", "leverage", "actor", "paths"])
def test_a_report_opens_from_its_file_with_every_section(browser, reports, kind):
    browser.get(reports[kind].as_uri())
    page = browser.execute_script(READ)
    assert page["sections"][0] == "summary" and page["sections"][-2:] == ["references", "methods"]
    assert "figures" in page["sections"] and "tables" in page["sections"]
    assert page["missing"] == []
    assert "DejaVu Sans" in page["font"] and page["headed"]  # the report's own style sheet applies
    assert page["svg"] and all(w > 200 and h > 150 and shapes > 3 for w, h, shapes in page["svg"]), page["svg"]
    assert page["rows"] > 0 and page["cites"] > 0 and page["refs"] > 0 and page["dangling"] == []
    assert page["resources"] == []  # nothing loaded: no script, style sheet, font or picture from anywhere
    assert len(page["summary"]) > 60 and "store version" in page["methods"]
    if kind in ("leverage", "paths"):
        assert "Influence weights: default (digest" in page["methods"]
    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert errors == [], errors


def test_the_coverage_report_draws_the_world_map_with_its_countries(browser, reports):
    browser.get(reports["coverage"].as_uri())
    countries = browser.execute_script(
        "return document.querySelectorAll('#figures svg .choroplethlocation').length")
    assert countries >= 3  # the countries the money reaches, filled on Natural Earth shapes
    text = browser.execute_script("return document.body.innerText")
    assert "Coverage of FNV Mondiaal" in text and "Gaps against" in text
