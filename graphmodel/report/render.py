"""Writing a report: HTML (one self-contained file) and PDF (WeasyPrint).

The HTML holds everything it shows: its style, and every figure as inline SVG
drawn on the server (:mod:`.charts`); it loads nothing (its content security
policy forbids it), so it opens anywhere, with no network. Links to sources'
addresses are plain ``<a href>`` links in the references. Text from records is
escaped by the template engine (Jinja2, autoescaping on).

The PDF is the same HTML laid out by WeasyPrint, which needs Pango from the
system; :func:`write_pdf` raises :class:`PdfEngineMissing` naming what to
install when it cannot be loaded.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import __version__
from ..errors import StakemapError
from ..export.atomic import atomic_files
from .charts import ChartsUnavailable, draw
from .model import Report

TEMPLATES = Path(__file__).resolve().parent / "templates"
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                   trim_blocks=False, lstrip_blocks=False)


class PdfEngineMissing(StakemapError):
    """WeasyPrint (or the system libraries it loads) is not installed."""

    #: The HTML written in the PDF's place, when there is one.
    written: Path | None = None


def draw_figures(report: Report, topojson: Path | None) -> None:
    """Draw every plotly figure of ``report`` as SVG, in place; where one cannot be drawn, say why."""
    pending = [f for f in report.figures() if f.svg is None and f.plotly is not None]
    geo = [f for f in pending if any(t.type in ("choropleth", "scattergeo") for t in f.plotly.data)]
    if topojson is None:
        for f in geo:
            f.missing = "not drawn: the world map's country shapes (world_50m.json) were not found"
        pending = [f for f in pending if f not in geo]
    if not pending:
        return
    try:
        svgs = draw([f.plotly for f in pending], topojson)
    except ChartsUnavailable as exc:
        for f in pending:
            f.missing = f"not drawn: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")
        report.notes.append(f"Figures were not drawn: {exc.message}.")
        return
    for f, svg in zip(pending, svgs):
        f.svg = svg or None
        if not svg:
            f.missing = "not drawn"


def render_html(report: Report, topojson: Path | None = None) -> str:
    """The report as one HTML document (figures drawn first when they are not yet)."""
    draw_figures(report, topojson)
    return _env.get_template("report.html.j2").render(
        report=report, css=(TEMPLATES / "report.css").read_text(encoding="utf-8"), version=__version__,
        clearance=_clearance_words(report))


def _clearance_words(report: Report) -> str:
    """``internal, without people``: the clearance part of the withheld sentence."""
    words = report.withheld.split(":", 1)[0]
    return words.split("(", 1)[-1].rstrip(")") if "(" in words else words.replace("Made at clearance ", "")


def pdf_bytes(html: str) -> bytes:
    """The HTML laid out as a PDF by WeasyPrint."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PdfEngineMissing(
            f"cannot write a PDF: the PDF engine WeasyPrint could not be loaded ({exc.__class__.__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else 'not installed'})",
            hint="pip install weasyprint; it needs Pango (Debian/Ubuntu: apt install libpango-1.0-0 "
                 "libpangoft2-1.0-0; macOS: brew install pango)") from exc
    return weasyprint.HTML(string=html, base_url=None).write_pdf()


def write_report(report: Report, out: Path, topojson: Path | None = None) -> Path:
    """Write ``report`` to ``out``: a PDF when its name ends in ``.pdf``, else HTML; the file is
    readable by its owner only and appears whole or not at all. Returns the file written.

    When the PDF engine is missing, the HTML is written beside it (``out`` with ``.html``) and
    :class:`PdfEngineMissing` is raised with ``written`` set to that file."""
    out = Path(out)
    html = render_html(report, topojson)
    if out.suffix.lower() == ".pdf":
        try:
            data = pdf_bytes(html)
        except PdfEngineMissing as exc:
            exc.written = _write(out.with_suffix(".html"), html.encode("utf-8"))
            raise
        return _write(out, data)
    return _write(out, html.encode("utf-8"))


def _write(path: Path, data: bytes) -> Path:
    with atomic_files([path]) as (temp,):
        temp.write_bytes(data)
    return path


__all__ = ["PdfEngineMissing", "TEMPLATES", "draw_figures", "pdf_bytes", "render_html", "write_report"]
