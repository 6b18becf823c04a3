"""Page layouts and callbacks, called as plain functions (no browser)."""

from __future__ import annotations

import json
import re
import sys
import threading

import pytest
from dash import html, no_update

from dashboard.access import LOCAL_VIEWER as V
from dashboard.graphview import Filters
from tests.test_dashboard_fixtures import HOSTILE_NAME, SECRET_NAME, hostile, hostile_store  # noqa: F401


@pytest.fixture(scope="module")
def app(hostile_store):
    """One app per process: pages register themselves with Dash when it is created."""
    from dashboard.app import create_app

    return create_app(f"sqlite:///{hostile_store}")


@pytest.fixture()
def pages(app, hostile):
    from dashboard.pages import brokers, changes, coverage, explore, export, leverage, overview, paths

    return {"overview": overview, "explore": explore, "paths": paths, "leverage": leverage, "coverage": coverage,
            "brokers": brokers, "export": export, "changes": changes}


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for c in children:
            yield from _walk(c)
    elif children is not None and not isinstance(children, (str, int, float)):
        yield from _walk(children)


def _strings(component) -> str:
    return json.dumps(component, default=lambda o: o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o))


def _no_raw_html(component) -> None:
    for c in _walk(component):
        name = type(c).__name__
        assert name not in ("Markdown", "Iframe"), name
        assert not getattr(c, "dangerously_allow_html", False)


QUERIES = {
    "overview": {},
    "explore": {"actor": "bwi", "hops": "2", "kinds": "union,ngo,nonsense", "as_of": "2010", "sel": "a:bwi",
                "compare": "1"},
    "paths": {"from": "fnv-mondiaal", "to": "ncwu", "k": "3", "hops": "99"},
    "leverage": {"target": "lucky-gems", "side": "lac"},
    "coverage": {"funder": "solidarity-center", "column": "no-such-column"},
    "brokers": {"by": "country", "top": "x"},
    "export": {"around": ["bwi", "lac"], "hops": "2", "format": "csv"},
    "changes": {"since": "1", "until": "99", "kind": "funds,nonsense", "actor": "lac", "country": "HK"},
}


@pytest.mark.parametrize("name", list(QUERIES))
def test_every_page_lays_out_with_and_without_a_query(pages, name):
    for query in ({}, QUERIES[name], {"junk": "<script>", "hops": "-5"}):
        tree = pages[name].layout(**query)
        assert isinstance(tree, html.Div)
        _no_raw_html(tree)


def test_layouts_are_functions_not_data(pages):
    for module in pages.values():
        assert callable(module.layout)


def test_the_app_serves_every_page_and_the_world_map(app):
    client = app.server.test_client()
    for path in ("/", "/explore", "/paths?from=fnv-mondiaal&to=ncwu", "/leverage", "/coverage", "/brokers", "/export"):
        assert client.get(path).status_code == 200, path
    topo = client.get("/assets/world_50m.json")
    assert topo.status_code == 200 and json.loads(topo.data)["objects"]["countries"]
    assert client.get("/").headers["X-Content-Type-Options"] == "nosniff"


def test_explore_renders_a_neighbourhood(pages):
    els, legend, status, query = pages["explore"].render(V, ["bwi"], 1, Filters(), [], [])
    ids = {e["data"]["id"] for e in els}
    assert "bwi" in ids and "fnv-mondiaal" in ids and "secret-ally" not in ids
    assert all("position" in e for e in els if "source" not in e["data"])
    assert query.startswith("around=")
    assert "actors" in _strings(status)


def test_explore_opens_in_place(pages):
    render = pages["explore"].render
    before, *_ = render(V, ["bwi"], 1, Filters(), [], [])
    shown = [e["data"]["id"] for e in before if "source" not in e["data"] and e["data"]["id"] != "bwi"]
    after = next(els for a in shown if len(els := render(V, ["bwi"], 1, Filters(), [a], [])[0]) > len(before))
    pos = {e["data"]["id"]: e["position"] for e in before if "position" in e}
    moved = {e["data"]["id"] for e in after if e["data"]["id"] in pos and e.get("position") != pos[e["data"]["id"]]}
    assert not moved, "opening a node must not move what is already drawn"


def test_explore_clicks(pages):
    act = pages["explore"].act
    assert act("explore-expand", "a:mtuc", [], []) == (["mtuc"], no_update, no_update)
    assert act("explore-focus", "a:mtuc", ["x"], ["y"]) == ([], [], ["mtuc"])
    # a "+N" box is listed in the panel first; "Open its neighbours here" then draws its members
    assert act("explore-expand", "g:facility:nike", [], []) == (no_update, ["nike"], no_update)
    assert act("explore-expand", "g:facility:nike", [], ["nike"]) == (no_update,) * 3
    assert act("explore-reset", None, ["a"], ["b"]) == ([], [], no_update)
    sel = pages["explore"].selection_of
    assert sel({"id": "bwi"}, None) == "a:bwi"
    assert sel(None, {"id": "link:x", "link": "x"}) == "l:x"
    assert sel({"id": "more:a:facility", "more_of": "a", "group_kind": "facility"}, None) == "g:facility:a"


def test_a_crowd_of_neighbours_is_a_table_not_a_starburst(pages):
    from dashboard import data, graphview

    view = data.graph(V, ["nike"], hops=1)
    assert len(view.nodes) <= graphview.FAN + 1 and view.groups  # a few drawn, the rest in "+N" boxes
    box = max(view.groups, key=lambda g: g.count)
    panel, expand_off, focus_off = pages["explore"].panel(V, f"g:{box.kind}:nike")
    text = _strings(panel)
    assert "Tied by" in text and not expand_off and focus_off
    group = data.group_members(V, "nike", box.kind)
    assert group["total"] >= box.count and len(group["rows"]) == min(group["total"], 200)
    assert pages["explore"].panel(V, "g:not-a-kind:nike")[0] is not None  # a made-up box: a plain notice


def test_explore_panel_shows_sources_and_hides_secrets(pages):
    panel, expand_off, focus_off = pages["explore"].panel(V, "a:lac")
    text = _strings(panel)
    assert "Labour Action China" in text and "Sources" in text and not expand_off
    assert SECRET_NAME not in text
    panel, *_ = pages["explore"].panel(V, "a:secret-ally")
    assert SECRET_NAME not in _strings(panel)
    panel, *_ = pages["explore"].panel(V, "l:lac-implements-gemstone-campaign")
    assert "Where:" in _strings(panel)


def test_hostile_names_stay_text(pages):
    panel, *_ = pages["explore"].panel(V, "a:xss-test")
    _no_raw_html(panel)
    assert HOSTILE_NAME[:19] in _strings(panel) and "window.__xss=2</script>" in _strings(panel)
    hrefs = [getattr(c, "href", None) for c in _walk(panel)]
    assert not any(h and h.lower().startswith("javascript") for h in hrefs)
    els, *_ = pages["explore"].render(V, ["xss-test"], 1, Filters(), [], [])
    label = next(e["data"]["label"] for e in els if e["data"]["id"] == "xss-test")
    assert label.startswith("<img") and len(label) <= 42


def test_paths_compute_and_show(pages):
    result = pages["paths"].compute(V, "fnv-mondiaal", "ncwu", 3, 6, [])
    assert len(result["paths"]) == 3
    els, cards, status, legend, weights = pages["paths"].show(result, 1)
    assert "path #2 highlighted" in status
    assert "Weights: default" in _strings(weights)
    assert {e["data"]["id"] for e in els if "source" not in e["data"]} >= {"fnv-mondiaal", "bwi", "ncwu"}
    assert "path_from=fnv-mondiaal" in pages["paths"].export_query(result)
    assert "error" in pages["paths"].compute(V, None, "ncwu", 3, 6, [])
    assert "error" in pages["paths"].compute(V, "secret-ally", "ncwu", 3, 6, [])


def test_leverage_compute_table_and_detail(pages):
    result = pages["leverage"].compute(V, "lucky-gems", ["lac"], 10, 4)
    rows, chart, status, chokes, spheres = pages["leverage"].table(result)
    assert {"Baselworld", "Hong Kong Trade Development Council"} <= {r["name"] for r in rows[:3]}
    assert "Weights: default" in _strings(status)
    title, els, parts = pages["leverage"].detail(result, "hktdc")
    assert "Hong Kong Trade Development Council" in title
    assert "Reach" in _strings(parts) and "Pressure" in _strings(parts)
    assert "leverage=lucky-gems" in pages["leverage"].export_query(result)


def test_coverage_compute_and_show(pages):
    result = pages["coverage"].compute(V, "solidarity-center", 6, "temporary_labour_migrants")
    status, world, sankey, rows, gaps, gap_table, overlaps, dependence = pages["coverage"].show(result)
    assert "Malaysian Trades Union Congress" in {r["name"] for r in rows}
    choropleth = world.data[0]
    assert choropleth.type == "choropleth" and "MYS" in choropleth.locations and choropleth.locationmode == "ISO-3"
    assert sankey.data[0].type == "sankey"
    assert "Japan (not reached)" in _strings(gap_table)


def test_coverage_map_is_drawn_from_this_app(pages):
    tree = pages["coverage"].layout(funder="solidarity-center")
    graph = next(c for c in _walk(tree) if getattr(c, "id", None) == "coverage-map")
    assert graph.config["topojsonURL"] == "/assets/"


def test_brokers_show(pages, hostile):
    quadrant, sentences, rows, note = pages["brokers"].show(hostile.brokers(V, by="kind", top=10))
    assert rows and rows[0]["brokerage"] >= rows[-1]["brokerage"]
    assert quadrant.layout.yaxis.type == "log"
    assert SECRET_NAME not in _strings(quadrant)


def test_export_preview_and_url(pages):
    controls = [["bwi"], 1, None, None, 5, 4, None, None, [], [], [], [], [], ""]
    preview, url = pages["export"].preview(V, controls, "csv")
    assert "actors" in _strings(preview) and "stakemap export --format csv --around bwi" in _strings(preview)
    assert url == "around=bwi&format=csv"
    preview, url = pages["export"].preview(V, [[], 1, None, None, 5, 4, None, None, [], [], [], [], [], ""], "gexf")
    assert "Choose where to start" in _strings(preview)


def test_download_callback(pages):
    from dashboard.components.exportbar import download

    sent, message = download("around=bwi&hops=1", "gexf")
    assert sent["filename"] == "stakemap-export.gexf" and sent["base64"]
    sent, message = download("around=secret-ally", "gexf")
    assert sent is no_update and SECRET_NAME not in _strings(message)


def test_picker_search_options(pages, hostile):
    from dashboard.components.pickers import search_options

    options = search_options("Lucky", None, [])
    assert options[0]["value"] == "lucky-gems"
    assert search_options("Secret", None, []) == []
    kept = search_options("Basel", "lucky-gems", [{"label": "Lucky Gems", "value": "lucky-gems"}])
    assert kept[0]["value"] == "lucky-gems" and "baselworld" in [o["value"] for o in kept]
    assert search_options("", ["bwi"], [])[0]["value"] == "bwi"


def test_a_shared_link_with_an_unknown_or_hidden_id_says_so(pages):
    """An id the viewer may not see gets exactly the words an id that does not exist gets."""
    import json

    for page, query in (("paths", {"from": "no-such-union", "to": "bwi"}), ("leverage", {"target": "no-such-union"}),
                        ("coverage", {"funder": "no-such-union"}), ("explore", {"actor": "no-such-union"})):
        text = json.dumps(pages[page].layout(**query).to_plotly_json(), default=str)
        assert "not on the map you can see" in text and "no-such-union" in text, page
        hidden = json.dumps(pages[page].layout(**{k: ("secret-ally" if v == "no-such-union" else v)
                                                  for k, v in query.items()}).to_plotly_json(), default=str)
        assert hidden.replace("secret-ally", "X") == text.replace("no-such-union", "X"), page


def test_scripts_asked_for_at_once_by_a_new_server_process_are_all_served(hostile_store):
    """A browser fetches a page's scripts over several connections at once; in a server process that has
    answered nothing yet (one of several workers), every one of them is served, none refused as unknown."""
    from concurrent.futures import ThreadPoolExecutor

    from dashboard.app import create_app

    server = create_app(f"sqlite:///{hostile_store}").server
    index = server.test_client().get("/").get_data(as_text=True)
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', index)
    assert len(scripts) >= 5
    for _ in range(3):
        fresh = create_app(f"sqlite:///{hostile_store}").server  # a worker that has served nothing
        start = threading.Barrier(len(scripts))

        def fetch(src: str) -> int:
            start.wait()
            return fresh.test_client().get(src).status_code

        switch = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # threads take turns as often as they can, as on a busy machine
        try:
            with ThreadPoolExecutor(len(scripts)) as pool:
                codes = list(pool.map(fetch, scripts))
        finally:
            sys.setswitchinterval(switch)
        assert codes == [200] * len(scripts), dict(zip(scripts, codes))
