"""The readers' quick paths give exactly what the careful ones give.

The bulk readers run with the cyclic collector paused; kinds are parsed once per spelling. Each is
compared with the plain path on the fixtures: every actor (all fields), link row, problem, note,
review item and ledger.
"""

from __future__ import annotations

import gc

import pytest

from graphmodel.kinds import ActorKind, LinkKind, _kind_token, parse_actor_kind, parse_link_kind
from ingest.base import ReadContext, collector_paused
from ingest.formats import get_format
from ingest.resolution import Resolver
from tests.ingest_helpers import fixture

BULK = [("iati", ("iati", "union-grants-2.03.xml")), ("iati", ("iati", "placeholders-and-repeats.xml")),
        ("oshub", ("oshub", "facilities-download.csv")), ("oshub", ("oshub", "api-pages.cassette.yaml")),
        ("supplier-list", ("supplier_lists", "acme-supplier-list-2023-05.xlsx")),
        ("supplier-list", ("supplier_lists", "multibrand-suppliers-2024-01.csv")),
        ("ftm", ("ftm", "entities.ftm.json")), ("ftm", ("ftm", "same-name-companies.ftm.json"))]


def _everything(read, path):
    ctx = ReadContext(Resolver())
    result = read(path, ctx)
    return {"actors": [a.model_dump(mode="json") for a in result.actors],
            "links": [link.model_dump(mode="json") for link in result.links], "rows": result.link_rows,
            "sources": [s.model_dump(mode="json") for s in result.sources], "origin": result.origin.model_dump(),
            "counts": (result.read, result.rejected, result.merged), "notes": result.notes, "merges": result.merges,
            "ledger": result.ledger.as_dict() if result.ledger is not None else None,
            "problems": [p.as_dict() for p in ctx.problems], "review": [r.as_dict() for r in ctx.resolver.review]}


@pytest.mark.parametrize("fmt,where", BULK)
def test_paused_collector_reads_the_same(fmt, where):
    reader = get_format(fmt).read
    careful = reader.__wrapped__  # the reader itself, with the collector running
    assert gc.isenabled()
    quick = _everything(reader, fixture(*where))
    assert gc.isenabled()  # running again afterwards
    assert quick == _everything(careful, fixture(*where))


def test_collector_left_as_it_was():
    reader = get_format("ftm").read
    with collector_paused():
        reader(fixture("ftm", "entities.ftm.json"), ReadContext(Resolver()))
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    assert gc.isenabled()
    with pytest.raises(Exception):
        reader(fixture("ftm", "no-such-file.ftm.json"), ReadContext(Resolver()))
    assert gc.isenabled()


@pytest.mark.parametrize("text", ["Union", " national-centre ", "NGO", "National  Centre", "Facility", "other"])
def test_remembered_actor_kinds(text):
    assert parse_actor_kind(text) is ActorKind(_kind_token(text))
    assert parse_actor_kind(text) is parse_actor_kind(text)


@pytest.mark.parametrize("text", ["Sources from", "funds", "member-of"])
def test_remembered_link_kinds(text):
    assert parse_link_kind(text) is LinkKind(_kind_token(text))


def test_unknown_kinds_still_raise_every_time():
    for _ in range(2):
        with pytest.raises(ValueError):
            parse_actor_kind("not a kind")
        with pytest.raises(ValueError):
            parse_link_kind("not a link")


@pytest.mark.parametrize("key", [("Concern Universal", "iati-org", "GB-CHC-272465"), ("X", "ftm", "e1"),
                                 ("Ünïcode Name ", "facility", "unicode name", "VN", "")])
def test_remembered_keyed_ids(key):
    from ingest.records import _keyed_id, keyed_id

    assert keyed_id(*key) == keyed_id(*key) == _keyed_id.__wrapped__(*key)


def test_keyed_id_of_other_values_as_before():
    from ingest.records import keyed_id

    class Text(str):
        pass

    assert keyed_id(Text("Name"), "ftm", Text("e1")) == keyed_id("Name", "ftm", "e1")
    with pytest.raises(TypeError):
        keyed_id("Name", "ftm", ["not", "hashable"])  # join's own error, as before
