"""Reports (``stakemap report``): what they hold, that they hold nothing their maker may not see, the
bad subjects, the PDF read back, a missing PDF engine, and the dashboard's "Download report"."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphmodel.analysis import clear_projections
from graphmodel.export import Clearance
from graphmodel.kinds import Sensitivity
from graphmodel.report import (ReportView, actor_report, coverage_report, leverage_report, paths_report,
                               render_html, store_version_line)
from graphmodel.store.sqlite import SQLiteStore
from ingest.run import run_ingest
from stakemap.cli import app as cli
from tests.fresh_process import run_module
from tests.trust_callbacks import PERSON_TOKENS, RESTRICTED_TOKENS, plant_canaries, set_canaries

REPO = Path(__file__).resolve().parents[1]
ASSETS = REPO / "dashboard" / "assets"
runner = CliRunner()
VIEWER = Clearance(Sensitivity.INTERNAL, False)
ADMIN = Clearance(Sensitivity.RESTRICTED, True)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The seed map with the canaries of the trust tests planted beside its busiest organisations."""
    db = tmp_path_factory.mktemp("report") / "seed.db"
    store = SQLiteStore(db)
    run_ingest(store, [REPO / "data" / "seed"])
    canaries = plant_canaries(store)
    store.close()
    clear_projections()
    return {**canaries, "db": db, "url": f"sqlite:///{db}"}


def _reports(db: Path, clearance: Clearance, hub: str) -> dict:
    store = SQLiteStore(db)
    try:
        view = ReportView.of(store, clearance)
        return {"coverage": coverage_report(view, "FNV Mondiaal"), "leverage": leverage_report(view, hub),
                "actor": actor_report(view, hub), "paths": paths_report(view, "FNV Mondiaal", hub)}
    finally:
        store.close()


def _content(report) -> str:
    """Everything a report says, but when it was made and from which store write."""
    data = {"summary": report.summary, "references": report.references, "withheld": report.withheld,
            "methods": [m for m in report.methods if "store version" not in m],
            "sections": [[s.title, s.paragraphs, [[t.title, t.columns, [[r.cells, [m.label for m in r.markers]]
                                                                        for r in t.rows]] for t in s.tables],
                          [f.plotly.to_plotly_json() if f.plotly is not None else f.svg for f in s.figures]]
                         for s in report.sections]}
    return json.dumps(data, sort_keys=True, default=str)


def leaks(text: str, canaries: dict, people: bool = False) -> list[str]:
    low = text.lower()
    tokens = RESTRICTED_TOKENS + (() if people else PERSON_TOKENS)
    ids = canaries["restricted_ids"] + ([] if people else canaries["person_ids"])
    return [t for t in tokens if t in low] + [i for i in ids if i in text]


def test_a_viewers_report_holds_no_restricted_record_and_says_what_a_report_without_them_says(seeded):
    set_canaries(seeded["db"], seeded, ("restricted", "people"))
    with_canaries = _reports(seeded["db"], VIEWER, seeded["hub"])
    admin = _reports(seeded["db"], ADMIN, seeded["hub"])
    set_canaries(seeded["db"], seeded, ())
    without = _reports(seeded["db"], VIEWER, seeded["hub"])
    set_canaries(seeded["db"], seeded, ("restricted", "people"))
    for kind, report in with_canaries.items():
        text = _content(report)
        assert leaks(text, seeded) == [], kind
        assert text == _content(without[kind]), f"the {kind} report differs when the withheld records do not exist"
        assert "does not say whether any were or how many" in report.withheld
    # the same questions asked by an administrator reach the canaries: the check above can fail
    assert leaks(_content(admin["actor"]), seeded, people=True)
    assert "nothing was withheld" in admin["actor"].withheld


def test_a_viewers_html_report_holds_no_restricted_record(seeded, tmp_path):
    out = tmp_path / "hub.html"
    result = runner.invoke(cli, ["report", "actor", seeded["hub"], "--out", str(out), "--store", seeded["url"]])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert leaks(text, seeded) == []
    assert "Made at clearance internal, without people" in text
    admin = tmp_path / "hub-admin.html"
    result = runner.invoke(cli, ["report", "actor", seeded["hub"], "--out", str(admin), "--store", seeded["url"],
                                 "--clearance", "restricted", "--include-people"])
    assert result.exit_code == 0, result.output
    assert "kwplm canary safehouse" in admin.read_text(encoding="utf-8").lower()


class _Resources(HTMLParser):
    """Every address an HTML document would load (``src``, stylesheets, ``url()``) and every link."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in ("src", "srcset", "poster", "data") or (tag == "link" and name == "href"):
                self.loads.append(value)
            elif name in ("href", "xlink:href"):
                self.links.append(value)


def test_a_coverage_report_is_one_self_contained_file_with_every_section(seeded, tmp_path):
    out = tmp_path / "fnv.html"
    result = runner.invoke(cli, ["report", "coverage", "FNV Mondiaal", "--out", str(out), "--store", seeded["url"],
                                 "--context", str(REPO / "data" / "reference" / "migrant_workers.csv"),
                                 "--context-column", "temporary_labour_migrants"])
    assert result.exit_code == 0, result.output
    assert "3 of 3 figures" in result.output
    text = out.read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(text)
    assert parser.loads == [] or all(v.startswith("data:") for v in parser.loads), parser.loads
    # links to sources' addresses are fine; nothing else leaves the file (anchors inside it start with #)
    outside = [h for h in parser.links if not h.startswith("#")]
    assert all(re.match(r"https?://", h) for h in outside), outside
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text) and "@import" not in text
    assert 'http-equiv="Content-Security-Policy"' in text
    for section in ('id="summary"', 'id="figures"', 'id="tables"', 'id="gaps"', 'id="references"', 'id="methods"'):
        assert section in text
    assert text.count("<svg") >= 3  # world map, flow diagram, gaps chart
    assert "Where the money ends up" in text and "How the money flows" in text
    assert re.search(r'href="#ref-1"', text) and 'id="ref-1"' in text
    assert "store version" in text and "No influence weights are used" in text


def test_every_row_of_a_ranked_table_cites_its_sources(seeded):
    store = SQLiteStore(seeded["db"])
    try:
        view = ReportView.of(store, VIEWER)
        report = coverage_report(view, "FNV Mondiaal")
        lev = leverage_report(view, seeded["hub"])
    finally:
        store.close()
    reached = report.sections[1].tables[0]
    assert reached.rows and all(r.markers for r in reached.rows)
    numbers = {r["n"] for r in report.references}
    assert {m.n for r in reached.rows for m in r.markers} == numbers
    assert any(m.locator for r in reached.rows for m in r.markers)
    assert lev.sections[1].tables[0].rows and all(r.markers for r in lev.sections[1].tables[0].rows)
    assert any(line.startswith("Influence weights: default (digest ") for line in lev.methods)


def test_the_methods_note_names_the_store_version(seeded):
    store = SQLiteStore(seeded["db"])
    try:
        line = store_version_line(store)
        last = store.versions()[-1]
        assert line == f"store version {last.number}, written {last.at}"
        assert "Made from " + line + "." in coverage_report(ReportView.of(store, VIEWER), "FNV Mondiaal").methods
    finally:
        store.close()


def test_an_unknown_subject_gets_close_matches(seeded, tmp_path):
    result = runner.invoke(cli, ["report", "coverage", "FNV Mondial", "--out", str(tmp_path / "x.html"),
                                 "--store", seeded["url"]])
    assert result.exit_code == 1
    assert "no actor matches 'FNV Mondial'" in result.output and "fnv-mondiaal (FNV Mondiaal)" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("name", ["Kwplm Canary Safehouse", "Qzxvk Canary Activist", "kwplm-canary-safehouse"])
def test_a_subject_above_the_clearance_is_refused_as_if_it_did_not_exist(seeded, tmp_path, name):
    def ask() -> str:
        clear_projections()
        result = runner.invoke(cli, ["report", "actor", name, "--out", str(tmp_path / "x.html"),
                                     "--store", seeded["url"]])
        assert result.exit_code == 1
        return result.output

    set_canaries(seeded["db"], seeded, ("restricted", "people"))
    hidden = ask()
    set_canaries(seeded["db"], seeded, ())
    missing = ask()
    set_canaries(seeded["db"], seeded, ("restricted", "people"))
    assert hidden == missing
    assert "no actor matches" in hidden and not any(t in hidden.lower() for t in ("canary",) if t not in name.lower())
    assert not (tmp_path / "x.html").exists()


def test_the_pdf_reads_back_with_its_pages_and_sections(seeded, tmp_path):
    from pypdf import PdfReader

    out = tmp_path / "fnv.pdf"
    result = runner.invoke(cli, ["report", "coverage", "FNV Mondiaal", "--out", str(out), "--store", seeded["url"]])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-"
    reader = PdfReader(str(out))
    assert len(reader.pages) >= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    for words in ("Coverage of FNV Mondiaal", "Summary", "Where the money goes", "Organisations reached",
                  "References", "Methods", "store version"):
        assert words in text, words
    assert oct(out.stat().st_mode & 0o777) == "0o600"


BLOCK_WEASYPRINT = """
import sys
class NoWeasyPrint:
    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise ImportError("No module named 'weasyprint' (blocked for this test)")
        return None
sys.meta_path.insert(0, NoWeasyPrint())
from stakemap.cli import main
sys.argv = ["stakemap", *sys.argv[1:]]
main()
"""


def test_a_missing_pdf_engine_says_what_to_install_and_writes_the_html(seeded, tmp_path):
    out = tmp_path / "fnv.pdf"
    proc = subprocess.run([sys.executable, "-c", BLOCK_WEASYPRINT, "report", "coverage", "FNV Mondiaal",
                           "--out", str(out), "--store", seeded["url"]], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "WeasyPrint" in proc.stderr and "pip install weasyprint" in proc.stderr
    assert str(tmp_path / "fnv.html") in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()
    assert "Coverage of FNV Mondiaal" in (tmp_path / "fnv.html").read_text(encoding="utf-8")


def test_the_html_escapes_what_records_say(tmp_path):
    from graphmodel.models import Actor, Citation, Link, Source
    from graphmodel.store import Batch

    store = SQLiteStore(tmp_path / "x.db")
    try:
        store.write(Batch(origin=Source(id="t", title="T"), sources=[Source(id="d", title="<b>Doc</b>",
                                                                            url="javascript:alert(1)")],
                          actors=[Actor(id="f", kind="sso", name="<script>alert(1)</script> Fund"),
                                  Actor(id="u", kind="union", name="U & Co")],
                          links=[Link(kind="funds", source="f", target="u", citations=[Citation(source="d")])]))
        html = render_html(coverage_report(ReportView.of(store, VIEWER), "f"), ASSETS)
    finally:
        store.close()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Fund" in html
    assert "&lt;b&gt;Doc&lt;/b&gt;" in html and "javascript:" not in html


def test_the_dashboard_downloads_reports_in_a_fresh_process():
    """The dashboard's "Download report" over HTTP (:mod:`tests.report_download`), in a process of its own:
    Dash gives the callbacks its pages register to the first app a process creates."""
    run_module("report_download.py")
