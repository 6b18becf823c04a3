"""What a report holds, before it is written as HTML or PDF: plain data the templates read.

A :class:`Report` has a title, a one-paragraph summary, sections (each with
paragraphs, figures and tables), a numbered list of references, a methods
note and the sentence saying at which clearance it was made. A table row's
claims carry :class:`Marker` s, the ``[n]`` that point into the references
with the locator (page, section, paragraph) where the source says so.

>>> refs = References({"s1": {"title": "Annual report", "year": 2020, "url": "https://example.org/r"}},
...                   lambda c: c)
>>> refs.cite([{"source": "s1", "locator": "p. 4"}, {"source": "s1", "locator": "p. 4"}])
[Marker(n=1, locator='p. 4', note=None)]
>>> refs.cite([{"source": "gone"}]), [r["n"] for r in refs.entries()]
([Marker(n=2, locator=None, note=None)], [1, 2])
>>> refs.entries()[1]["title"]
'gone'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Marker:
    """A citation in the text: reference number ``n``, where in the source, and our note on it."""

    n: int
    locator: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        return f"{self.n}" + (f", {self.locator}" if self.locator else "")


@dataclass
class Figure:
    """A chart: a plotly figure (rendered to SVG when written) or SVG already drawn."""

    title: str
    caption: str = ""
    plotly: Any = None
    svg: str | None = None
    #: Why there is no picture (no geometry, no browser to draw it): said in its place.
    missing: str | None = None


@dataclass
class Row:
    cells: list[str]
    markers: list[Marker] = field(default_factory=list)


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    #: Columns holding numbers (aligned right).
    numeric: tuple[int, ...] = ()

    @property
    def cited(self) -> bool:
        return any(r.markers for r in self.rows)


@dataclass
class Section:
    title: str
    key: str
    paragraphs: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    kind: str
    title: str
    subject: str
    summary: str
    sections: list[Section]
    references: list[dict[str, Any]]
    methods: list[str]
    withheld: str
    made_at: str
    notes: list[str] = field(default_factory=list)

    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]


class References:
    """Numbers sources in the order a report first cites them, and lists them at the end."""

    def __init__(self, sources: dict[str, dict[str, Any]], text: Callable[[dict], dict]) -> None:
        self._sources = sources
        self._text = text
        self._order: dict[str, int] = {}
        self._locators: dict[str, list[str]] = {}

    def cite(self, citations: list[dict[str, Any]]) -> list[Marker]:
        """Markers for a claim's citations (``{"source", "locator", "note"}``), each source numbered once."""
        out: list[Marker] = []
        for c in citations:
            c = self._text(dict(c))
            source = c.get("source")
            if not source:
                continue
            n = self._order.setdefault(source, len(self._order) + 1)
            locator = c.get("locator") or None
            if locator and locator not in self._locators.setdefault(source, []):
                self._locators[source].append(locator)
            marker = Marker(n, locator, c.get("note") or None)
            if marker not in out:
                out.append(marker)
        return out

    def entries(self) -> list[dict[str, Any]]:
        """The numbered reference list: title, author (when the reader may see it), publisher, year,
        address (http and https only) and the places cited."""
        out = []
        for source, n in sorted(self._order.items(), key=lambda kv: kv[1]):
            s = self._sources.get(source, {})
            url = s.get("url") or ""
            out.append({"n": n, "id": source, "title": s.get("title") or source, "author": s.get("author"),
                        "publisher": s.get("publisher"), "year": s.get("year"), "kind": s.get("kind"),
                        "url": url if url.lower().startswith(("https://", "http://")) else None,
                        "locators": self._locators.get(source, [])})
        return out


__all__ = ["Figure", "Marker", "References", "Report", "Row", "Section", "Table"]
