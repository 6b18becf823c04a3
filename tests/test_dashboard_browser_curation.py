"""Curating in headless Chromium, against ``stakemap serve`` on the bundled datasets (the local user, an
analyst): decide a pair by a click and one by a key on the Review page, add a link with a new source, end
it and revert the end on the explore panel; each checked in the store afterwards.

With ``STAKEMAP_SCREENSHOTS=DIR`` set, the Review page and the explore panel's curation are saved
(``review.png``, ``edit.png``) for the README."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.test_dashboard_browser import (CHROMEDRIVER, CHROMIUM, _driver, _serve, _stop, errors, pick,  # noqa: F401
                                          picker, selenium, wait_for)
from tests.test_dashboard_fixtures import demo_store  # noqa: F401

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER and selenium),
                                reason="needs chromium, chromedriver and selenium")

DUP = "bwi-copy"


@pytest.fixture(scope="module")
def curated_store(demo_store, tmp_path_factory) -> Path:  # noqa: F811
    """The bundled datasets, with a second record of BWI (from another file) queued as a near match."""
    from graphmodel.curation.review import pair_entry
    from graphmodel.models import Actor, Source
    from graphmodel.store.contract import Batch
    from graphmodel.store.sqlite import SQLiteStore

    db = tmp_path_factory.mktemp("curate") / "stakemap.db"
    shutil.copy(demo_store, db)
    store = SQLiteStore(db)
    try:
        store.write(Batch(Source(id="other-list", title="Another list", kind="dataset"),
                          actors=[Actor(id=DUP, kind="guf", name="Building and Wood Workers International")]))
        key, doc = pair_entry("other-list", {"incoming": DUP, "incoming_name": "Building and Wood Workers International",
                                             "candidate": "bwi", "candidate_name": "Building and Wood Workers' "
                                             "International", "reason": "similar name", "score": 0.97})
        store.write_docs({"review": {key: doc}}, who="test", action="review")
    finally:
        store.close()
    return db


@pytest.fixture(scope="module")
def server(curated_store, tmp_path_factory):
    proc, base = _serve(curated_store, tmp_path_factory.mktemp("serve-curate"))
    yield base
    _stop(proc)


@pytest.fixture(scope="module")
def browser():
    driver = _driver()
    yield driver
    driver.quit()


def _open(db: Path):
    from graphmodel.store.sqlite import SQLiteStore

    return SQLiteStore(db)


def _judgement(db: Path, a: str, b: str):
    from graphmodel.curation.judgements import load, pair_key

    store = _open(db)
    try:
        return load(store).get(pair_key(a, b))
    finally:
        store.close()


def _count(driver) -> tuple[int, int]:
    text = driver.execute_script("return document.getElementById('review-count').innerText")
    done, _, rest = text.partition(" of ")
    return int(done), int(rest.split()[0])


SHOWN = "var e = document.getElementById('review-sides'); return e && e.innerText"


def test_decide_a_pair_by_click_and_one_by_key(server, browser, curated_store):
    browser.get(server + "/review")
    wait_for(browser, "return (document.getElementById('review-count') || {}).innerText", timeout=60)
    done, total = _count(browser)
    assert done == 0 and total >= 2
    # the first entry shown is the one with most at stake; choose the HKCTU / KCTU pair and say Different
    entry = wait_for(browser, """return Array.from(document.querySelectorAll('#review-queue label')).find(
        function (l) { return l.innerText.indexOf('Korean Confederation') >= 0; });""", timeout=60)
    entry.click()
    wait_for(browser, SHOWN + " && e.innerText.indexOf('kctu') >= 0", timeout=60)
    sides = browser.execute_script(SHOWN)
    assert "Hong Kong Confederation of Trade Unions" in sides and "KR" in sides and "HK" in sides
    browser.find_element("id", "review-note").send_keys("two national centres")
    browser.find_element("id", "review-different").click()
    wait_for(browser, "return document.getElementById('review-count').innerText.indexOf('1 of ') === 0", timeout=60)
    found = _judgement(curated_store, "hkctu", "kctu")
    assert found.verdict == "different" and found.who == "local" and found.note == "two national centres"
    # the next entry shows at once: BWI and its copy; the key s says Same
    wait_for(browser, SHOWN + " && e.innerText.indexOf('" + DUP + "') >= 0", timeout=60)
    browser.find_element("tag name", "body").send_keys("s")
    wait_for(browser, "return document.getElementById('review-count').innerText.indexOf('2 of ') === 0", timeout=60)
    assert _judgement(curated_store, "bwi", DUP).verdict == "same"
    store = _open(curated_store)
    try:
        assert store.get_actor(DUP) is None and store.get_actor("bwi") is not None
    finally:
        store.close()
    assert _count(browser) == (2, total)
    assert errors(browser) == []


def _type(driver, ident: str, text: str) -> None:
    box = driver.find_element("id", ident)
    box.clear()
    box.send_keys(text)


def _choose(driver, dropdown: str, starts: str) -> None:
    wait_for(driver, "return document.querySelector(arguments[0])", dropdown, timeout=60).click()
    option = wait_for(driver, """
        var want = arguments[0];
        return Array.from(document.querySelectorAll('[role=option]')).find(function (o) {
            return o.textContent.trim().indexOf(want) === 0; });""", starts, timeout=60)
    option.click()


def _open_details(driver, title: str) -> None:
    driver.execute_script("var want = arguments[0]; Array.from(document.querySelectorAll('#cur-box summary'))"
                          ".find(function (s) { return s.innerText === want; }).click()", title)


def _last_version(db: Path) -> int:
    store = _open(db)
    try:
        return store.versions()[-1].number
    finally:
        store.close()


def _await_panel(driver, version: int) -> None:
    wait_for(driver, "var e = document.getElementById('explore-actor-changes'); return e && document.getElementById("
                     "'cur-box') && e.innerText.indexOf('v' + arguments[0] + ' ') >= 0", str(version), timeout=60)


MESSAGE = "var e = document.getElementById('cur-message'); return e && e.innerText"


def test_add_a_link_with_a_new_source_end_it_and_revert_the_end(server, browser, curated_store):
    browser.get(server + "/explore?actor=bwi&sel=a:bwi")
    wait_for(browser, "var b = document.getElementById('cur-name'); return b && b.value", timeout=60)
    _open_details(browser, "Add a link")
    # submitting without a source: the edit function's own message
    pick(browser, picker("curate", "link-to"), "GEFONT", "gefont")
    _choose(browser, "#cur-link-kind", "lobbies")
    _type(browser, "cur-link-start", "2026")
    browser.find_element("id", "cur-link-add").click()
    assert "an edit needs a source" in wait_for(browser, MESSAGE, timeout=60)
    _type(browser, "cur-src-title", "BWI campaign report 2026")
    _type(browser, "cur-src-url", "https://example.org/bwi-2026.pdf")
    _type(browser, "cur-src-locator", "p. 7")
    _type(browser, "cur-src-note", "BWI lobbies GEFONT on the recruitment fees.")
    browser.find_element("id", "cur-link-add").click()
    wait_for(browser, MESSAGE + " && e.innerText.indexOf('Saved: added lobbies') >= 0", timeout=60)
    store = _open(curated_store)
    try:
        link = next(lk for lk in store.links_of("bwi") if lk.kind.value == "lobbies" and lk.target == "gefont")
        assert {c.source for c in link.citations} == {"bwi-campaign-report-2026"}
        assert any(s.id == "bwi-campaign-report-2026" and s.url == "https://example.org/bwi-2026.pdf"
                   for s in store.sources())
    finally:
        store.close()
    # the panel is read again after the edit: its history lists the new version, its forms the new state
    added = _last_version(curated_store)
    _await_panel(browser, added)
    _open_details(browser, "End a link or retire the actor")
    _choose(browser, "#cur-src-source", "BWI campaign report 2026")  # the new source is in the store now
    _choose(browser, "#cur-end-link", "→ lobbies General Federation")
    _type(browser, "cur-end-date", "2026-11")
    browser.find_element("id", "cur-end-save").click()
    wait_for(browser, MESSAGE + " && e.innerText.indexOf('Saved: end link') >= 0", timeout=60)
    store = _open(curated_store)
    try:
        assert store.get_link(link.id).end == "2026-11"
        ended = store.versions()[-1].number
    finally:
        store.close()
    # revert the end from the actor's history
    _await_panel(browser, ended)
    button = wait_for(browser, "return document.getElementById(JSON.stringify({type: 'cur-revert', version: "
                               "arguments[0]}))", str(ended), timeout=60)
    button.click()
    wait_for(browser, MESSAGE + " && e.innerText.indexOf('reverted:') >= 0", timeout=60)
    store = _open(curated_store)
    try:
        assert store.get_link(link.id) is not None and store.get_link(link.id).end is None
        assert store.versions()[-1].action == "revert"
    finally:
        store.close()
    assert errors(browser) == []


@pytest.mark.skipif(not os.environ.get("STAKEMAP_SCREENSHOTS"), reason="set STAKEMAP_SCREENSHOTS=DIR to save them")
def test_screenshots_of_curation(server, curated_store):
    out = Path(os.environ["STAKEMAP_SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    driver = _driver(1440, 1000)
    try:
        driver.get(server + "/review")
        wait_for(driver, "return (document.getElementById('review-count') || {}).innerText", timeout=60)
        time.sleep(1.5)
        driver.save_screenshot(str(out / "review.png"))
        driver.set_window_size(1440, 1400)
        driver.get(server + "/explore?actor=bwi&sel=a:bwi")
        wait_for(driver, "return document.getElementById('cur-box')", timeout=60)
        driver.execute_script("var b = document.getElementById('cur-box'); var side = b.closest('.side');"
                              " if (side) { side.scrollTop = b.offsetTop - side.offsetTop - 8; } window.scrollTo(0, 0);")
        time.sleep(1.5)
        driver.save_screenshot(str(out / "edit.png"))
        assert errors(driver) == []
    finally:
        driver.quit()
