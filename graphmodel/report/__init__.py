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
>>> from graphmodel.analysis import get_projection
>>> from graphmodel.models import Actor, Citation, Link, Source
>>> from graphmodel.store import Batch
>>> from graphmodel.store.sqlite import SQLiteStore
>>> store = SQLiteStore(":memory:")
>>> _ = store.write(Batch(Source(id="grants", title="Grants", kind="dataset"),
...     [Actor(id="fnv", kind="sso", name="FNV Mondiaal", country="NL"),
...      Actor(id="mtuc", kind="national_centre", name="MTUC", country="MY")],
...     [Link(id="g1", kind="funds", source="fnv", target="mtuc", amount=100, currency="EUR",
...           citations=[Citation(source="ar", locator="p. 4")])],
...     [Source(id="ar", title="Annual report 2020", year=2020)]))
>>> report = coverage_report(ReportView.of(store, Clearance(), get_projection(store)), "FNV Mondiaal")
>>> report.summary.split(".")[0]
"FNV Mondiaal's money reaches 1 organisations and programmes in 1 countries within 6 steps"
>>> report.sections[1].tables[0].rows[0].markers, report.references[0]["title"]
([Marker(n=1, locator='p. 4', note=None)], 'Annual report 2020')
>>> "store version 1, written" in report.methods[-1]
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
