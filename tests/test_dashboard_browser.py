"""The dashboard in a real browser: headless Chromium through selenium, against ``stakemap serve``.

Skipped when chromium, chromedriver or selenium is missing. With
``STAKEMAP_SCREENSHOTS=DIR`` set, :func:`test_screenshots` saves a PNG of every
page (on the bundled datasets) into DIR; the README's are in docs/screenshots.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.test_dashboard_fixtures import demo_store, hostile_store  # noqa: F401

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
try:
    import selenium  # noqa: F401
except ImportError:  # pragma: no cover - depends on the machine
    selenium = None

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER and selenium),
                                reason="needs chromium, chromedriver and selenium")
REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(store: Path, workdir: Path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (workdir / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "stakemap", "serve", "--store", f"sqlite:///{store}", "--port",
                             str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/_dash-layout", timeout=2)
            return proc, base
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("the dashboard did not start: " + (workdir / "server.log").read_text()[-2000:])
            time.sleep(0.3)


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server(hostile_store, tmp_path_factory):
    proc, base = _serve(hostile_store, tmp_path_factory.mktemp("serve"))
    yield base
    _stop(proc)


def _driver(width: int = 1440, height: int = 1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                f"--user-data-dir={tempfile.mkdtemp(prefix='stakemap-chromium-')}", f"--window-size={width},{height}"):
        options.add_argument(arg)
    # no password manager: after a successful sign-in it would offer to save or check the password (which
    # reaches for the network this machine does not have); a person's browser is not under test here
    options.add_argument("--disable-features=PasswordLeakDetection,PasswordManagerOnboarding,AutofillServerCommunication")
    options.add_experimental_option("prefs", {"credentials_enable_service": False,
                                              "profile.password_manager_enabled": False,
                                              "profile.password_manager_leak_detection": False})
    options.binary_location = CHROMIUM
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


@pytest.fixture(scope="module")
def browser():
    driver = _driver()
    yield driver
    driver.quit()


def wait_for(driver, script: str, *args, timeout: float = 30.0):
    """Wait until ``script`` (JavaScript returning a value, given ``args``) returns something truthy; return it."""
    end = time.time() + timeout
    while time.time() < end:
        value = driver.execute_script(script, *args)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {script}\n" + _what_the_browser_shows(driver))


def _what_the_browser_shows(driver) -> str:
    """Where the browser is, what the page says and what its console reported: for a failing wait."""
    try:
        text = driver.execute_script("return document.body ? document.body.innerText : '';") or ""
        console = [entry.get("message", "") for entry in driver.get_log("browser")][-10:]
        return f"at {driver.current_url}\npage: {text[:1500]}\nconsole: " + "\n".join(console)
    except Exception as exc:  # noqa: BLE001 - a diagnosis must never hide the failure
        return f"(could not read the page: {exc})"


def text_of(driver, selector: str) -> str:
    return driver.execute_script(f"var e = document.querySelector({selector!r}); return e ? e.innerText : '';")


def errors(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def query(driver) -> dict[str, list[str]]:
    return parse_qs(urlsplit(driver.current_url).query)


def pick(driver, picker: str, text: str, value: str) -> None:
    """Type ``text`` into an actor picker (a CSS selector) and choose the option ``value``."""
    wait_for(driver, "return document.querySelector(arguments[0])", picker).click()
    search = wait_for(driver, "return document.querySelector('input.dash-dropdown-search')")
    search.send_keys(text)
    option = wait_for(driver, "return document.querySelector('[role=option] input[value=\"' + arguments[0] + '\"]')", value)
    driver.execute_script("arguments[0].closest('[role=option]').click()", option)
    if driver.execute_script("return !!document.querySelector('input.dash-dropdown-search')"):  # multi: still open
        from selenium.webdriver.common.keys import Keys

        search.send_keys(Keys.ESCAPE)
    wait_for(driver, "return !document.querySelector('input.dash-dropdown-search')")


def picker(page: str, name: str) -> str:
    return f'[id=\'{{"name":"{name}","page":"{page}","type":"actor-picker"}}\']'


def tap(driver, graph: str, element: str) -> None:
    """Tap a node or an edge of a Cytoscape graph, as a click would."""
    driver.execute_script("""
        var root = document.getElementById(arguments[0]);
        var nodes = [root].concat(Array.from(root.querySelectorAll('div')));
        var holder = nodes.find(function (n) { return n._cyreg && n._cyreg.cy; });
        holder._cyreg.cy.getElementById(arguments[1]).emit('tap');
    """, graph, element)


READY = {
    "/": "return document.querySelectorAll('#overview-kinds .bar-row').length",
    "/explore?actor=bwi": "return (document.getElementById('explore-status') || {}).innerText",
    "/paths?from=fnv-mondiaal&to=ncwu": "return document.querySelectorAll('.path-card').length",
    "/leverage?target=lucky-gems&side=lac": "return document.querySelectorAll('#leverage-grid .ag-row').length",
    "/coverage?funder=solidarity-center": "return document.querySelectorAll('#coverage-map path.choroplethlocation').length",
    "/brokers": "return document.querySelectorAll('#brokers-grid .ag-row').length",
    "/export?around=bwi": "return (document.getElementById('export-preview') || {}).innerText",
}


@pytest.mark.parametrize("path", list(READY))
def test_every_page_loads_without_console_errors(server, browser, path):
    browser.get(server + path)
    wait_for(browser, READY[path], timeout=60)
    time.sleep(0.5)
    assert errors(browser) == []
    assert "Stakemap" in browser.title


def test_search_an_actor_then_click_it(server, browser):
    browser.get(server + "/explore")
    pick(browser, picker("explore", "actor"), "Lucky", "lucky-gems")
    status = wait_for(browser, "var s = document.getElementById('explore-status'); "
                               "return s && s.innerText.indexOf('Showing') >= 0 && s.innerText")
    assert "actors" in status
    assert query(browser)["actor"] == ["lucky-gems"]
    tap(browser, "explore-graph", "baselworld")
    panel = wait_for(browser, "var p = document.getElementById('explore-panel'); "
                              "return p && p.innerText.indexOf('Baselworld') >= 0 && p.innerText")
    assert "sources" in panel.lower() and "Hong Kong – China Solidarity" in panel
    assert query(browser)["sel"] == ["a:baselworld"]
    shared = browser.current_url
    browser.get(shared)  # a shared link opens the same view, panel included
    panel = wait_for(browser, "var p = document.getElementById('explore-panel'); "
                              "return p && p.innerText.indexOf('Baselworld') >= 0 && p.innerText")
    assert "sources" in panel.lower()
    assert errors(browser) == []


def test_open_a_node_in_place_and_a_group(server, browser):
    browser.get(server + "/explore?actor=lucky-gems&sel=a:baselworld")
    wait_for(browser, "return (document.getElementById('explore-status') || {}).innerText")
    wait_for(browser, "var b = document.getElementById('explore-expand'); return b && !b.disabled")
    before = text_of(browser, "#explore-status")
    browser.execute_script("document.getElementById('explore-expand').click()")
    wait_for(browser, "return document.getElementById('explore-status').innerText !== arguments[0]", before)
    assert query(browser)["expand"] == ["baselworld"]


def test_pick_a_path_and_share_it(server, browser):
    browser.get(server + "/paths")
    pick(browser, picker("paths", "from"), "FNV Mondiaal", "fnv-mondiaal")
    pick(browser, picker("paths", "to"), "Nepalese Construction", "ncwu")
    first = wait_for(browser, "var c = document.querySelector('.path-card'); return c && c.innerText")
    assert "Building and Wood Workers' International" in first
    assert "Where:" in first and "of the best" in first
    assert query(browser)["from"] == ["fnv-mondiaal"] and query(browser)["to"] == ["ncwu"]
    shared = browser.current_url
    other = _driver()
    try:
        other.get(shared)
        again = wait_for(other, "var c = document.querySelector('.path-card'); return c && c.innerText")
        assert again == first
    finally:
        other.quit()


def test_leverage_on_a_target_and_the_paths_behind_a_row(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server + "/leverage?target=lucky-gems&side=lac")
    wait_for(browser, READY["/leverage?target=lucky-gems&side=lac"])
    grid = text_of(browser, "#leverage-grid")
    assert "Baselworld" in grid and "Hong Kong Trade Development Council" in grid
    assert "Weights: default" in text_of(browser, "#leverage-status")
    row = browser.find_element(By.CSS_SELECTOR, "#leverage-grid .ag-row[row-id='hktdc'] .ag-cell[col-id='name']")
    row.click()
    wait_for(browser, "return document.getElementById('leverage-detail-title').innerText.indexOf('Hong Kong Trade') >= 0")
    assert query(browser)["row"] == ["hktdc"]
    browser.get(browser.current_url)
    wait_for(browser, "var t = document.getElementById('leverage-detail-title'); "
                      "return t && t.innerText.indexOf('Hong Kong Trade') >= 0")
    assert "pressure" in text_of(browser, "#leverage-detail").lower()


def test_coverage_of_a_funder_draws_the_map_without_the_network(server, browser):
    browser.get(server + "/coverage")
    pick(browser, picker("coverage", "funder"), "Solidarity Center", "solidarity-center")
    wait_for(browser, "return document.querySelectorAll('#coverage-map path.choroplethlocation').length")
    assert "Malaysian Trades Union Congress" in text_of(browser, "#coverage-grid")
    assert query(browser)["funder"] == ["solidarity-center"]
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(server) for r in resources), [r for r in resources if not r.startswith(server)]
    assert any(r.endswith("/assets/world_50m.json") for r in resources)


def test_hostile_names_render_as_text(server, browser):
    browser.get(server + "/explore?actor=xss-test&sel=a:xss-test")
    panel = wait_for(browser, "var p = document.getElementById('explore-panel'); "
                              "return p && p.innerText.indexOf('Verylongname') >= 0 && p.innerText")
    assert "<script>window.__xss=2</script>" in panel and '"double"' in panel
    assert browser.execute_script("return window.__xss === undefined")
    assert browser.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert not browser.execute_script("return Array.from(document.querySelectorAll('a')).some("
                                      "a => (a.getAttribute('href') || '').toLowerCase().startsWith('javascript'))")


def test_what_the_viewer_may_not_see_never_reaches_the_browser(server, browser):
    browser.get(server + "/explore")
    wait_for(browser, "return document.querySelector(arguments[0])", picker("explore", "actor")).click()
    search = wait_for(browser, "return document.querySelector('input.dash-dropdown-search')")
    search.send_keys("Secret Ally")
    time.sleep(1.5)
    assert "Secret" not in browser.execute_script("return document.body.innerText")
    for path in ("/leverage?target=lucky-gems&side=lac", "/explore?actor=lac&hops=2", "/"):
        browser.get(server + path)
        wait_for(browser, READY.get(path, "return document.getElementById('explore-status') && "
                                          "document.getElementById('explore-status').innerText"))
        time.sleep(0.5)
        assert "Secret Ally" not in browser.page_source and "Jane Organiser" not in browser.page_source


SHOTS = {
    "overview": ("/", READY["/"]),
    "explore": ("/explore?actor=bwi&hops=2&sel=a:bwi", READY["/explore?actor=bwi"]),
    "paths": ("/paths?from=fnv-mondiaal&to=ncwu", READY["/paths?from=fnv-mondiaal&to=ncwu"]),
    "leverage": ("/leverage?target=lucky-gems&side=lac", READY["/leverage?target=lucky-gems&side=lac"]),
    "coverage": ("/coverage?funder=solidarity-center", READY["/coverage?funder=solidarity-center"]),
    "brokers": ("/brokers", READY["/brokers"]),
    "export": ("/export?around=bwi&hops=1&format=gexf", READY["/export?around=bwi"]),
}


@pytest.mark.skipif(not os.environ.get("STAKEMAP_SCREENSHOTS"), reason="set STAKEMAP_SCREENSHOTS=DIR to save them")
def test_screenshots(demo_store, tmp_path):
    out = Path(os.environ["STAKEMAP_SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    workdir = tmp_path / "maps"
    workdir.mkdir()
    shutil.copy(demo_store, workdir / "stakemap.db")
    proc, base = _serve(Path("stakemap.db"), workdir)
    driver = _driver(1440, 1000)
    try:
        for name, (path, ready) in SHOTS.items():
            driver.set_window_size(1440, 1000)
            driver.get(base + path)
            wait_for(driver, ready, timeout=60)
            time.sleep(1.5)
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(1440, min(max(height, 900), 2600))
            time.sleep(1.0)
            driver.save_screenshot(str(out / f"{name}.png"))
            assert errors(driver) == []
    finally:
        driver.quit()
        _stop(proc)
