"""The dashboard's data layer: what it finds on the curated seed, and what it never lets out."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from dashboard.access import LOCAL_VIEWER, Viewer, current_viewer
from dashboard.graphview import Filters
from graphmodel.kinds import Sensitivity
from tests.test_dashboard_fixtures import (PERSON_NAME, SECRET_NAME, demo, demo_store,  # noqa: F401
                                           hostile, hostile_store)

V = LOCAL_VIEWER
HIDDEN = ("secret-ally", "jane", "restricted-grant", "secret-targets-lucky", "secret-supports-lac", "jane-member-lac",
          SECRET_NAME, PERSON_NAME, "987654")


def _text(value) -> str:
    return json.dumps(value, default=str)


def _leaks(value) -> list[str]:
    text = _text(value)
    return [h for h in HIDDEN if h in text]


def test_the_default_viewer_is_local_internal_without_people():
    viewer = current_viewer()
    assert viewer.clearance is Sensitivity.INTERNAL and not viewer.include_people and viewer.can_export


def test_search_finds_seed_actors_by_name_and_alias(hostile):
    assert "lucky-gems" in [r["id"] for r in hostile.search(V, "Lucky")]
    assert "bwi" in [r["id"] for r in hostile.search(V, "Building and Wood")]
    assert hostile.resolve(V, "Labour Action China") == "lac"
    assert hostile.resolve(V, "lac") == "lac"


def test_search_never_suggests_what_the_viewer_may_not_see(hostile):
    assert hostile.search(V, "Secret Ally") == []
    assert hostile.search(V, "Jane") == []
    assert hostile.resolve(V, "secret-ally") is None
    assert hostile.refs(V, ["secret-ally", "jane", "bwi"]) == [hostile.refs(V, ["bwi"])[0]]


def test_a_cleared_viewer_sees_more(hostile):
    admin = Viewer("admin", "admin", Sensitivity.RESTRICTED, include_people=True)
    assert [r["id"] for r in hostile.search(admin, "Secret Ally")] == ["secret-ally"]
    assert hostile.overview(admin)["actors"] >= hostile.overview(V)["actors"] + 2


def test_overview_counts_only_what_the_viewer_sees(hostile):
    ov = hostile.overview(V)
    origins = {o["origin"]: o for o in ov["origins"]}
    assert origins["hostile"]["actors"] == 1 and origins["hostile"]["links"] == 1
    assert ov["actors_by_kind"].get("person", 0) == 0
    assert not _leaks(ov)


def test_paths_from_fnv_to_the_nepalese_union_go_through_bwi_with_sources(hostile):
    result = hostile.paths(V, "fnv-mondiaal", "ncwu", k=5, max_hops=6)
    best = result["paths"][0]
    assert [a["id"] for a in best["actors"]][1] == "bwi"
    assert all(hop["sources"] and hop["sources"][0]["title"] for hop in best["hops"])
    assert result["weights"]["source"] == "default"
    assert not _leaks(result)


def test_leverage_on_lucky_gems_ranks_the_exhibition_bodies_and_hides_the_secret_ally(hostile):
    result = hostile.leverage(V, "lucky-gems", ["lac"], top=10)
    top = [e["actor"]["id"] for e in result["leverage"]]
    assert {"baselworld", "hktdc"} <= set(top[:3])
    assert not _leaks(result)


def test_coverage_of_the_solidarity_center_reaches_malaysia_and_hong_kong(hostile):
    result = hostile.coverage(V, "solidarity-center")
    countries = {c["country"] for c in result["countries"]}
    assert {"MY", "HK"} <= countries
    assert {c["alpha3"] for c in result["countries"] if c["country"] == "MY"} == {"MYS"}
    gaps = {g["country"]: g for g in result["gaps"]}
    assert not gaps["JP"]["reached"]
    assert "mtuc" in [r["actor"]["id"] for r in result["reached"]]
    assert not _leaks(result)


def test_coverage_of_fnv_does_not_follow_the_restricted_grant(hostile):
    result = hostile.coverage(V, "fnv-mondiaal")
    assert "lac" not in [r["actor"]["id"] for r in result["reached"]]


def test_brokers_explain_themselves_and_hide_what_they_must(hostile):
    result = hostile.brokers(V, by="kind", top=10)
    assert result["brokers"] and all(b["sentence"] for b in result["brokers"])
    assert result["points"] and all(0 <= p["interest"] <= 1 for p in result["points"])
    assert not _leaks(result)


def test_the_neighbourhood_leaves_out_hidden_actors_and_links(hostile):
    view = hostile.graph(V, ["lac"], hops=1)
    assert "lac" in view.nodes and "jane" not in view.nodes and "secret-ally" not in view.nodes
    assert "restricted-grant" not in {lk["id"] for lk in view.links}
    assert hostile.graph(V, ["secret-ally"], hops=1).nodes == {}


def test_the_neighbourhood_filters(hostile):
    only_funding = hostile.graph(V, ["bwi"], hops=1, filters=Filters(link_kinds=("funds",)))
    assert {lk["kind"] for lk in only_funding.links} == {"funds"}
    early = hostile.graph(V, ["bwi"], hops=1, filters=Filters(as_of=1995))
    assert len(early.nodes) < len(hostile.graph(V, ["bwi"], hops=1).nodes)
    unions = hostile.graph(V, ["bwi"], hops=1, filters=Filters(kinds=("union",)))
    assert {n["ref"]["kind"] for a, n in unions.nodes.items() if a != "bwi"} == {"union"}


def test_a_hub_is_capped_and_the_rest_grouped(demo):
    nike = demo.resolve(V, "Nike")
    assert nike
    view = demo.graph(V, [nike], hops=1)
    assert len(view.nodes) <= 41 and view.hidden > 400
    opened = demo.graph(V, [nike], hops=1, more=[nike])
    assert len(opened.nodes) > 400 and opened.hidden == 0


def test_details_of_hidden_records_are_none(hostile):
    assert hostile.actor_details(V, "secret-ally") is None
    assert hostile.actor_details(V, "jane") is None
    assert hostile.link_details(V, "restricted-grant") is None
    assert hostile.link_details(V, "secret-targets-lucky") is None
    lac = hostile.actor_details(V, "lac")
    assert lac["citations"] and lac["links"]
    assert not _leaks(lac)


def test_link_details_carry_titled_sources(hostile):
    d = hostile.link_details(V, "lac-implements-gemstone-campaign")
    assert d["says"].startswith("Labour Action China")
    assert d["citations"][0]["title"].startswith("Hong Kong")


def test_export_of_a_neighbourhood_holds_no_hidden_record(hostile):
    name, content = hostile.export_file(V, "around=lac&hops=1", "json")
    assert name.endswith(".json")
    text = content.decode("utf-8")
    assert "Labour Action China" in text
    assert not [h for h in HIDDEN if h in text]
    manifest = json.loads(text).get("manifest") or {}
    if manifest:
        assert set(manifest["redacted"]) == {"clearance", "include_people"}


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv", "xlsx", "json", "cytoscape", "cypher", "ftm", "svg"])
def test_every_export_format_downloads(hostile, fmt):
    name, content = hostile.export_file(V, "around=bwi&hops=1", fmt)
    assert content
    if fmt == "csv":
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        assert any(n.endswith("links.csv") for n in names)
        content = b"".join(zipfile.ZipFile(io.BytesIO(content)).read(n) for n in names)
    if fmt != "xlsx":
        assert b"secret-ally" not in content and SECRET_NAME.encode() not in content


def test_exports_of_paths_coverage_and_leverage(hostile):
    for query in ("path_from=fnv-mondiaal&path_to=ncwu", "coverage=solidarity-center",
                  "leverage=lucky-gems&leverage_side=lac"):
        preview = hostile.export_preview(V, query)
        assert preview["actors"] > 1, query
        name, content = hostile.export_file(V, query, "json")
        assert b"secret-ally" not in content


PREVIEWED = ["around=lac&hops=1", "around=lac&hops=2&kinds=union,ngo", "around=lac&hops=2&countries=HK",
             "around=bwi&hops=2&link_kinds=funds,affiliated_to&as_of=2015", "around=bwi,lac&hops=0",
             "path_from=fnv-mondiaal&path_to=ncwu", "around=lac&path_from=fnv-mondiaal&path_to=ncwu&kinds=union",
             "coverage=solidarity-center", "around=lac&hops=1&coverage=solidarity-center&kinds=union",
             "leverage=lucky-gems&leverage_side=lac", "around=bwi&hops=1&leverage=lucky-gems&confidence=confirmed,reported"]


@pytest.mark.parametrize("viewer", [V, Viewer("admin", "admin", Sensitivity.RESTRICTED, include_people=True),
                                    Viewer("reader", "viewer", Sensitivity.PUBLIC, can_export=False)])
def test_the_preview_counts_what_the_download_holds(hostile, viewer):
    """The preview counts on the projection; the download makes the records: they agree."""
    from collections import Counter

    for query in PREVIEWED:
        preview = hostile.export_preview(viewer, query)
        found = hostile.select(viewer, query)
        assert (preview["actors"], preview["links"], preview["sources"]) == \
            (len(found.actors), len(found.links), len(found.sources)), query
        assert preview["kinds"] == dict(Counter(a.kind.value for a in found.actors.values())), query
        assert preview["notes"] == found.notes, query


def test_around_and_coverage_keep_the_neighbourhood(hostile):
    around = hostile.select(V, "around=lac&hops=1")
    both = hostile.select(V, "around=lac&hops=1&coverage=solidarity-center")
    assert set(around.actors) < set(both.actors) and set(around.links) <= set(both.links)


def test_export_refuses_hidden_seeds_without_naming_them(hostile):
    with pytest.raises(hostile.DataError) as err:
        hostile.export_file(V, "around=secret-ally", "json")
    assert "Secret" not in str(err.value)
    with pytest.raises(hostile.DataError):
        hostile.export_file(V, "around=lac&clearance=restricted&include_people=true", "unknown")
    # a query cannot raise the clearance
    name, content = hostile.export_file(V, "around=lac&clearance=restricted&include_people=true", "json")
    assert b"secret-ally" not in content and b"jane" not in content


def test_export_needs_the_right_to_export(hostile):
    reader = Viewer("reader", "viewer", Sensitivity.PUBLIC, can_export=False)
    with pytest.raises(hostile.DataError):
        hostile.export_file(reader, "around=lac", "json")


def test_analyses_of_hidden_actors_say_nothing_about_them(hostile):
    for call in (lambda: hostile.paths(V, "secret-ally", "lac"), lambda: hostile.leverage(V, "jane"),
                 lambda: hostile.coverage(V, "secret-ally")):
        with pytest.raises(hostile.DataError) as err:
            call()
        assert not [h for h in HIDDEN if h in str(err.value)]


def test_examples_come_from_the_map(hostile):
    ex = hostile.examples(V)
    assert ex["leverage"]["target"]["id"] == "lucky-gems"
    assert ex["coverage"]["funder"]["id"]
    assert not _leaks(ex)


def test_the_projection_is_rebuilt_when_the_store_changes(tmp_path):
    from dashboard import data
    from tests.test_dashboard_fixtures import add_hostile, load_demo

    path = load_demo(tmp_path / "s.db")
    data.configure(f"sqlite:///{path}")
    before = data.overview(V)["actors"]
    add_hostile(path)  # another writer, while the dashboard's store stays open
    assert data.overview(V)["actors"] == before + 1  # only the hostile-named actor is visible
    data.configure(f"sqlite:///{path}")


@pytest.mark.parametrize("fmt", ["json", "csv", "graphml"])
def test_a_dashboard_export_does_not_say_where_the_store_lives(hostile, hostile_store, fmt):
    """The manifest names the map, never the server's file system."""
    _name, content = hostile.export_file(V, "around=lac&hops=1", fmt)
    texts = [content.decode("utf-8", "replace")]
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            texts = [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    joined = "\n".join(texts)
    assert "the dashboard's map" in joined
    assert str(hostile_store) not in joined and hostile_store.name not in joined


def test_png_is_offered_only_where_it_works_and_fails_in_words(hostile, monkeypatch):
    import importlib.util
    import sys

    from dashboard.components.exportbar import format_options

    name, content = hostile.export_file(V, "around=bwi&hops=1", "png")  # matplotlib is installed here
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "matplotlib" else real(n, *a))
    assert "png" not in [o["value"] for o in format_options()]
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    with pytest.raises(hostile.DataError, match="matplotlib"):
        hostile.export_file(V, "around=bwi&hops=1", "png")


def test_the_overview_and_examples_read_as_saved_equal_those_computed(tmp_path):
    """A later start on the same store content reads the overview and examples saved beside the projection,
    one per clearance and people rule: equal to what is computed, and never another clearance's."""
    from dashboard import data
    from tests.test_dashboard_fixtures import add_hostile, load_demo

    path = load_demo(tmp_path / "s.db")
    viewers = [V, Viewer(name="p", role="viewer", clearance=Sensitivity.PUBLIC, include_people=False),
               Viewer(name="a", role="admin", clearance=Sensitivity.RESTRICTED, include_people=True)]
    data.configure(f"sqlite:///{path}")
    computed = [(data.overview(v), data.examples(v)) for v in viewers]
    saved = sorted(p.name for p in (tmp_path / "s.db.projection").glob("*-*.json.bin"))
    assert saved == sorted(f"{name}-{v.clearance.value}-{'people' if v.include_people else 'no-people'}.json.bin"
                           for v in viewers for name in ("examples", "overview-admin" if v.role == "admin"
                                                         or v is V else "overview-viewer"))
    data.configure(f"sqlite:///{path}")  # as a new process: nothing in memory
    assert [(data.overview(v), data.examples(v)) for v in viewers] == computed
    add_hostile(path)  # new content: counted again, not read
    data.configure(f"sqlite:///{path}")
    after = [(data.overview(v), data.examples(v)) for v in viewers]
    assert after[0][0]["actors"] == computed[0][0]["actors"] + 1  # only the hostile-named actor is visible
    assert after[1][0]["actors"] <= after[0][0]["actors"] < after[2][0]["actors"]
    assert not _leaks(after[1]) and not _leaks(after[0])
    data.configure(f"sqlite:///{path}")
    assert [(data.overview(v), data.examples(v)) for v in viewers] == after
    data.configure(f"sqlite:///{path}")


def test_a_value_being_built_is_built_once_and_shared(hostile):
    import threading
    import time

    from dashboard.mapdata import _memoised

    calls, results = [], []

    def build():
        calls.append(1)
        time.sleep(0.2)
        return {"n": len(calls)}

    threads = [threading.Thread(target=lambda: results.append(_memoised(("test-once",), build))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and results == [{"n": 1}] * 3


def test_a_failed_build_is_tried_again(hostile):
    from dashboard.mapdata import _memoised

    def fail():
        raise ValueError("no")

    with pytest.raises(ValueError):
        _memoised(("test-fails",), fail)
    assert _memoised(("test-fails",), lambda: 7) == 7


def test_the_overview_prepared_at_start_is_what_each_viewer_would_get(hostile, hostile_store):
    admin = Viewer("admin", "admin", Sensitivity.RESTRICTED, include_people=True)
    expected = {v.key: (_text(hostile.overview(v)), _text(hostile.examples(v))) for v in (V, admin)}
    hostile.configure(f"sqlite:///{hostile_store}")  # forget everything prepared
    hostile.warm(admin).join()
    for v in (V, admin):
        assert (_text(hostile.overview(v)), _text(hostile.examples(v))) == expected[v.key]
    assert not _leaks(hostile.overview(V)) and not _leaks(hostile.examples(V))
