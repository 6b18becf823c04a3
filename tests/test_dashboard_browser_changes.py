"""The Changes page and the two-date explore view in headless Chromium, on the bundled datasets with the seed
map re-ingested after an edit (version 2; version 1 loaded both: grants changed, links removed and added, a description changed).

With ``STAKEMAP_SCREENSHOTS=DIR`` set, :func:`test_screenshots_of_changes` saves the README's pictures."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_dashboard_browser import (CHROMEDRIVER, CHROMIUM, REPO, _driver, _serve, _stop, errors,  # noqa: F401
                                          query, selenium, tap, wait_for)
from tests.test_dashboard_fixtures import SEED, demo_store  # noqa: F401

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER and selenium),
                                reason="needs chromium, chromedriver and selenium")

REMOVED = {"bwi-funds-kctu", "bwi-partners-teupm-2006"}
ADDED = "bwi-supports-gefont-2026"


def edit_seed(target: Path) -> Path:
    """A copy of the seed dataset as a curator might send it a year on: two of BWI's links gone, one new, a
    grant with its amount now known, BWI's description rewritten."""
    shutil.copytree(SEED, target)
    with (target / "links.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, [r for r in reader if r["id"] not in REMOVED]
    for r in rows:
        if r["id"] == "fnv-mondiaal-funds-bwi-collab":
            r.update(amount="250000", currency="EUR")
    new = dict(rows[-1])
    new.update({k: "" for k in new}, id=ADDED, **{"from": "bwi", "to": "gefont"}, kind="supports", start="2026",
               confidence="reported", source="ilm-2021-temporary-migrants-asia", locator="section 'The role of the SSOs'",
               note="BWI backs GEFONT's organising of construction workers bound for Malaysia.")
    rows.append(new)
    with (target / "links.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    with (target / "actors.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields, actors = reader.fieldnames, list(reader)
    for r in actors:
        if r["id"] == "bwi":
            r["description"] = "Global union federation of building and wood workers (description revised)."
    with (target / "actors.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(actors)
    return target


@pytest.fixture(scope="module")
def changed_store(demo_store, tmp_path_factory) -> Path:  # noqa: F811
    work = tmp_path_factory.mktemp("changed")
    db = work / "stakemap.db"
    shutil.copy(demo_store, db)
    from graphmodel.store.sqlite import SQLiteStore
    from ingest.run import run_ingest

    store = SQLiteStore(db)
    try:
        run_ingest(store, [edit_seed(work / "seed")])
        assert [v.number for v in store.versions()] == [1, 2]
    finally:
        store.close()
    return db


@pytest.fixture(scope="module")
def server(changed_store, tmp_path_factory):
    proc, base = _serve(changed_store, tmp_path_factory.mktemp("serve-changes"))
    yield base
    _stop(proc)


@pytest.fixture(scope="module")
def browser():
    driver = _driver()
    yield driver
    driver.quit()


def _cli_counts(db: Path, since: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "stakemap", "diff", "--store", f"sqlite:///{db}", "--since", since,
                          "--json"], capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(out.stdout)["counts"]


def _shown_counts(driver) -> dict:
    cells = driver.execute_script("""
        return Array.from(document.querySelectorAll('#changes-counts-table tbody tr')).map(function (tr) {
            return Array.from(tr.children).map(function (td) { return td.innerText.trim(); }); });""")
    return {row[0].lower(): {s: int(n.replace(",", "")) for s, n in zip(("added", "removed", "changed"), row[1:])}
            for row in cells}


def _choose(driver, dropdown: str, starts: str) -> None:
    """Open a dropdown and click the option whose text starts with ``starts``."""
    wait_for(driver, "return document.querySelector(arguments[0])", dropdown, timeout=60).click()
    option = wait_for(driver, """
        var want = arguments[0];
        return Array.from(document.querySelectorAll('[role=option]')).find(function (o) {
            return o.textContent.trim().indexOf(want) === 0; });""", starts, timeout=60)
    option.click()


COUNTS_READY = "return document.querySelectorAll('#changes-counts-table tbody tr').length"


def test_the_changes_page_counts_and_lists_what_changed(server, browser, changed_store):
    browser.get(server + "/changes")
    wait_for(browser, COUNTS_READY, timeout=60)
    # by default: what the last version (the edited seed) did, the same counts as 'stakemap diff'
    wait_for(browser, "return document.getElementById('changes-status').innerText.indexOf('From version 1') >= 0",
             timeout=60)
    assert _shown_counts(browser) == _cli_counts(changed_store, "1")
    assert _shown_counts(browser)["links"] == {"added": 1, "removed": 2, "changed": 1}
    # two links removed, one added, one grant changed, BWI's description (the grid draws its rows in turn)
    wait_for(browser, "return document.querySelectorAll('#changes-grid .ag-center-cols-container .ag-row')"
                      ".length === 5", timeout=60)
    grid = browser.execute_script("return document.getElementById('changes-grid').innerText")
    assert "amount: — → 250000.0" in grid and "description:" in grid and "seed" in grid
    groups = browser.execute_script("return document.getElementById('changes-groups-table').innerText")
    assert "seed" in groups and "funds" in groups
    # choose the empty store (version 0): everything the map holds comes in as added
    _choose(browser, "#changes-since", "0 ·")
    wait_for(browser, "return document.getElementById('changes-status').innerText.indexOf('the empty store') >= 0",
             timeout=60)
    wait_for(browser, "return document.querySelectorAll('#changes-grid .ag-row').length > 5", timeout=60)
    assert _shown_counts(browser) == _cli_counts(changed_store, "0")
    total = sum(n for record in _cli_counts(changed_store, "0").values() for n in record.values())
    assert f"{total:,} changes you may see" in browser.execute_script(
        "return document.getElementById('changes-status').innerText")
    assert _shown_counts(browser)["actors"]["added"] > 700
    assert query(browser)["since"] == ["0"]
    # a version that does not exist: the store's own words
    browser.get(server + "/changes?since=42")
    text = wait_for(browser, "var e = document.querySelector('#changes-status .notice'); return e && e.innerText",
                    timeout=60)
    assert text.startswith("version 42 does not exist; the nearest are 2 (")
    assert errors(browser) == []


def _cy(driver, script: str):
    return driver.execute_script("""
        var root = document.getElementById('explore-graph');
        var holder = [root].concat(Array.from(root.querySelectorAll('div'))).find(function (n) {
            return n._cyreg && n._cyreg.cy; });
        var cy = holder._cyreg.cy;
        """ + script)


def test_explore_compared_with_a_version_marks_added_removed_and_changed(server, browser):
    browser.get(server + "/explore?actor=bwi")
    wait_for(browser, "return (document.getElementById('explore-status') || {}).innerText", timeout=60)
    assert _cy(browser, "return cy.$('.added, .removed, .changed').length") == 0
    offered = wait_for(browser, "return Array.from(document.querySelectorAll('#explore-compare-versions option'))"
                                ".map(function (o) { return o.value; }).join(',')", timeout=60)
    assert offered == "2,1,0"  # the versions, newest first, and the empty store
    box = wait_for(browser, "return document.getElementById('explore-compare')", timeout=60)
    box.send_keys("1\n")
    wait_for(browser, "return document.getElementById('explore-compare-legend')", timeout=60)
    assert query(browser)["compare"] == ["1"]
    removed = _cy(browser, "return cy.$('edge.removed').map(function (e) { return e.data('link'); })")
    assert set(removed) == REMOVED
    assert _cy(browser, "return cy.$('edge.added').map(function (e) { return e.data('link'); })") == [ADDED]
    assert _cy(browser, "return cy.$('edge.changed').map(function (e) { return e.data('link'); })") == \
        ["fnv-mondiaal-funds-bwi-collab"]
    assert _cy(browser, "return cy.$('node.changed').map(function (n) { return n.id(); })") == ["bwi"]
    assert _cy(browser, "return cy.$('edge.removed')[0].style('line-style')") == "dashed"
    assert _cy(browser, "return cy.$('edge.added')[0].style('line-color')") == "rgb(21,128,61)"
    legend = browser.execute_script("return document.getElementById('explore-compare-legend').innerText")
    assert "removed since then (dashed): 2" in legend and "added since then: 1" in legend
    # the actor's panel lists its changes, newest first
    tap(browser, "explore-graph", "bwi")
    panel = wait_for(browser, "var e = document.getElementById('explore-actor-changes'); return e && e.innerText",
                     timeout=60)
    assert panel.index("v2") < panel.index("v1") and "description:" in panel
    assert errors(browser) == []


@pytest.mark.skipif(not os.environ.get("STAKEMAP_SCREENSHOTS"), reason="set STAKEMAP_SCREENSHOTS=DIR to save them")
def test_screenshots_of_changes(server):
    out = Path(os.environ["STAKEMAP_SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    driver = _driver(1440, 1000)
    try:
        driver.get(server + "/changes?since=1")
        wait_for(driver, "return document.querySelectorAll('#changes-grid .ag-row').length", timeout=60)
        time.sleep(1.5)
        driver.set_window_size(1440, min(max(driver.execute_script("return document.documentElement.scrollHeight"),
                                             900), 2600))
        time.sleep(1.0)
        driver.save_screenshot(str(out / "changes.png"))
        driver.set_window_size(1440, 1150)
        driver.get(server + "/explore?actor=bwi&compare=1&sel=a:bwi")
        wait_for(driver, "return document.getElementById('explore-compare-legend')", timeout=60)
        wait_for(driver, "return document.getElementById('explore-actor-changes')", timeout=60)
        driver.execute_script("var e = document.getElementById('explore-actor-changes'); "
                              "var side = e.closest('.side'); side.scrollTop = e.offsetTop - side.offsetTop - 8; "
                              "window.scrollTo(0, 0);")
        time.sleep(1.5)
        driver.save_screenshot(str(out / "explore-compare.png"))
        assert errors(driver) == []
    finally:
        driver.quit()
