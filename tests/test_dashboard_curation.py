"""Curation in the dashboard: the pure answers, and every curation callback over HTTP as each role (in a
fresh process, see :mod:`tests.dashboard_curation_http`)."""

from __future__ import annotations

from graphmodel.curation.sides import sides
from graphmodel.models import Actor, Link
from graphmodel.store.contract import Batch
from graphmodel.models import Source
from graphmodel.store.sqlite import SQLiteStore
from tests.fresh_process import run_module


def test_sides_show_both_records_and_leave_out_what_the_reader_may_not_see(tmp_path):
    store = SQLiteStore(tmp_path / "s.db")
    store.write(Batch(Source(id="o", title="o", kind="dataset"), actors=[
        Actor(id="amrc", kind="ngo", name="Asia Monitor Resource Centre", country="HK", identifiers={"wikidata": "Q42"}),
        Actor(id="amrc-b", kind="ngo", name="Asia Monitor Resource Center", country="HK"),
        Actor(id="lac", kind="ngo", name="Labour Action China"),
        Actor(id="secret", kind="ngo", name="Secret Shelter", sensitivity="restricted")],
        links=[Link(id="g", kind="funds", source="amrc-b", target="lac", amount=5000, currency="USD"),
               Link(id="s", kind="supports", source="secret", target="amrc-b")]))
    doc = {"type": "pair", "a": "amrc", "a_name": "AMRC", "b": "amrc-b", "b_name": "AMRC b"}
    both = sides(store, doc)
    assert both["a"]["identifiers"] == ["wikidata:Q42"] and both["b"]["money"] == ["5,000 USD"]
    assert both["b"]["link_count"] == 2
    seen = sides(store, doc, sees=lambda r: getattr(r, "sensitivity").value != "restricted")
    assert seen["b"]["link_count"] == 1 and "Secret Shelter" not in str(seen)
    store.close()


def test_curation_callbacks_as_every_role_in_a_fresh_process():
    run_module("dashboard_curation_http.py")
