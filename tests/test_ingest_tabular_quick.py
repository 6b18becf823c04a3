"""The fast path for plain link rows agrees with the careful one on every row it takes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphmodel.models import Actor
from ingest.base import ReadContext, ReadResult
from ingest.resolution import Resolver
from ingest.tabular import LINK_FIELDS, Columns, _LinkChecker, _QuickLinks, file_origin

ACTORS = [("nike", "brand", "Nike"), ("fac", "facility", "Factory One"), ("sup", "supplier", "Supplier Co"),
          ("bwi", "guf", "BWI"), ("fnv", "sso", "FNV Mondiaal"), ("mtuc", "national_centre", "MTUC")]
CELLS = {
    "id": ["", "", "l-given-1", "bad id!"],
    "from": ["nike", "fac", "sup", "bwi", "fnv", " fnv ", "mtuc", "FNV Mondiaal", "", "nobody"],
    "to": ["nike", "fac", "sup", "bwi", "fnv", "mtuc", "BWI", "", "nobody"],
    "kind": ["funds", "supports", "sources_from", "Sources-From", "affiliated to", "owns", "", "directed", "hugs"],
    "label": ["", "funds", "nonsense"],
    "start": ["", "2006", "2006-05", "2006-05-31", "2006-02-30", "May 2006", " 2010 "],
    "end": ["", "2005", "2012-12", "2013-13"],
    "amount": ["", "1000", "1,500.5", "-3", "nan", "lots"],
    "currency": ["", "EUR", "usd", "XXQ"],
    "share": ["", "0.5", "1", "1.5"],
    "confidence": ["", "confirmed", "Inferred", "guess"],
    "sensitivity": ["", "public", "RESTRICTED", "secret"],
    "description": ["", "  a  note ", "line\x07bell"],
    "source": ["", "", "", "unknown-doc"],
    "locator": ["", "", "p. 3"],
    "note": ["", "", "why"],
    "extra": ["", "x"],
}


def _checkers(headings: list[str]) -> tuple[_QuickLinks, _LinkChecker, ReadContext]:
    ctx = ReadContext(Resolver())
    for actor_id, kind, name in ACTORS:
        ctx.local_ids[actor_id] = ctx.claim(Actor(id=actor_id, kind=kind, name=name)).id
    origin = file_origin(Path("links.csv"), ctx, "tabular")
    result = ReadResult(Path("links.csv"), "tabular", origin)
    spec = {**LINK_FIELDS}
    check = _LinkChecker(ctx, "links.csv", result, ctx.local_ids, {origin.id}, Columns.map(headings, spec))
    return _QuickLinks(check), check, ctx


@st.composite
def sheets(draw):
    optional = [c for c in CELLS if c not in ("from", "to", "kind")]
    headings = ["from", "to", "kind"] + draw(st.lists(st.sampled_from(optional), unique=True))
    rows = draw(st.lists(st.tuples(*(st.sampled_from(CELLS[h]) for h in headings)), min_size=1, max_size=30))
    return headings, [list(r) for r in rows]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_quick_rows_equal_careful_rows(sheet):
    headings, rows = sheet
    quick, careful, ctx = _checkers(headings)
    taken = 0
    for row_no, row in enumerate(rows, start=2):
        fast = quick.row(row_no, row)
        assert not ctx.problems  # the fast path never reports: it defers
        slow = careful.row(row_no, row)
        if fast is not None:
            taken += 1
            assert fast == slow
        ctx.problems.clear()
    assert taken <= len(rows)


def test_quick_path_takes_plain_rows_and_defers_the_rest():
    quick, careful, ctx = _checkers(["from", "to", "kind", "start", "amount", "currency", "source"])
    plain = ["fnv", "bwi", "funds", "2006", "1000", "EUR", ""]
    assert quick.row(2, plain) == careful.row(2, plain)
    assert quick.row(2, plain)[0].startswith("l-")
    for bad in (["fnv", "bwi", "funds", "2006-13", "1000", "EUR", ""],   # a bad date
                ["fnv", "bwi", "funds", "2006", "1000", "", ""],         # an amount without currency
                ["fnv", "fnv", "funds", "2006", "", "", ""],             # a loop
                ["fnv", "bwi", "funds", "2006", "", "", "doc-9"],        # a cited source: the careful path
                ["fnv", "bwi"]):                                        # a short row
        assert quick.row(3, bad) is None
    assert not ctx.problems
