"""Reports: a coverage, leverage, paths or actor answer as a document for a board or a partner meeting.

A report is built from the analyses on the map as its maker may see it
(:mod:`.view`: the clearance is applied before anything is computed), into a
plain :class:`~.model.Report` (summary, figures, ranked tables whose every row
cites its sources with locators, numbered references, a methods note naming
the influence weights and the store's version, and what the clearance left
out), then written as one self-contained HTML file or as a PDF (:mod:`.render`).

* :func:`coverage_report`, :func:`leverage_report`, :func:`paths_report`, :func:`actor_report`
  build one (``view = ReportView.of(store, Clearance(...))``);
* :func:`render_html` writes the HTML (figures drawn to SVG on the server, :mod:`.charts`);
  :func:`pdf_bytes` lays it out as a PDF; :func:`write_report` writes either to a file;
* :func:`store_version_line` says which state of the store a report was made from.

Examples
--------
>>> from graphmodel.analysis import Projection
>>> from graphmodel.models import Actor, Citation, Link, Source
>>> from types import SimpleNamespace
>>> class Store:  # the few store methods a report reads
...     actors = {"fnv": Actor(id="fnv", kind="sso", name="FNV Mondiaal", country="NL"),
...               "mtuc": Actor(id="mtuc", kind="national_centre", name="MTUC", country="MY")}
...     link = Link(id="g1", kind="funds", source="fnv", target="mtuc", amount=100, currency="EUR",
...                 citations=[Citation(source="ar", locator="p. 4")])
...     def get_link(self, i): return self.link if i == "g1" else None
...     def sources(self): return [Source(id="ar", title="Annual report 2020", year=2020)]
...     def find_actors(self, text, limit=20): return [a for a in self.actors.values() if a.name == text]
...     def search_actors(self, text, limit=10): return []
...     def get_actors(self, ids): return {i: self.actors[i] for i in ids if i in self.actors}
...     def fingerprint(self): return "abc:1"
...     def stats(self): return SimpleNamespace(last_write="2026-01-01T00:00:00+00:00")
>>> store = Store()
>>> proj = Projection.from_records(store.actors.values(), [store.link])
>>> proj.bind(store)
>>> report = coverage_report(ReportView.of(store, Clearance(), proj), "FNV Mondiaal")
>>> report.summary.split(".")[0]
"FNV Mondiaal's money reaches 1 organisations and programmes in 1 countries within 6 steps"
>>> report.sections[1].tables[0].rows[0].markers, report.references[0]["title"]
([Marker(n=1, locator='p. 4', note=None)], 'Annual report 2020')
>>> "store version abc:1" in report.methods[-1]
True
"""

from .actor import actor_report
from .charts import ChartsUnavailable
from .common import store_version_line
from .coverage import coverage_report
from .influence import leverage_report, paths_report
from .model import Figure, Marker, Report, Row, Section, Table
from .render import PdfEngineMissing, draw_figures, pdf_bytes, render_html, write_report
from .view import Clearance, ReportView, withheld_sentence

#: The kinds of report, as the command line names them.
KINDS = ("coverage", "leverage", "actor", "paths")

__all__ = ["KINDS", "ChartsUnavailable", "Clearance", "Figure", "Marker", "PdfEngineMissing", "Report", "ReportView",
           "Row", "Section", "Table", "actor_report", "coverage_report", "draw_figures", "leverage_report",
           "paths_report", "pdf_bytes", "render_html", "store_version_line", "withheld_sentence", "write_report"]
