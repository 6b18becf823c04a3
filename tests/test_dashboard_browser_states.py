"""What a person sees while waiting and before choosing, and the picture download, in headless Chromium."""

from __future__ import annotations

import base64
import time

import pytest

from tests.test_dashboard_browser import (CHROMEDRIVER, CHROMIUM, _driver, browser, errors, selenium,  # noqa: F401
                                          server, text_of, wait_for)
from tests.test_dashboard_fixtures import hostile_store  # noqa: F401

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER and selenium),
                                reason="needs chromium, chromedriver and selenium")

EMPTY = {
    "/paths": ("#paths-list", "Pick where you start"),
    "/leverage": ("#leverage-status", "Pick the target"),
    "/coverage": ("#coverage-status", "Pick"),
}


@pytest.mark.parametrize("path", list(EMPTY))
def test_empty_pages_say_what_to_pick(server, browser, path):
    selector, words = EMPTY[path]
    browser.get(server + path)
    text = wait_for(browser, f"var e = document.querySelector({selector!r}); return e && e.innerText", timeout=60)
    assert words in text, text
    assert errors(browser) == []


def test_slow_answers_sit_in_loading_containers(server, browser):
    """The answer areas (leverage, paths) are rendered inside loading containers, which show an indicator while
    their question is computed."""
    browser.get(server + "/leverage?target=lucky-gems&side=lac")
    wait_for(browser, "return document.querySelectorAll('#leverage-grid .ag-row').length", timeout=60)
    assert browser.execute_script("return document.querySelectorAll('.answer-loading').length") >= 1
    browser.get(server + "/paths?from=fnv-mondiaal&to=ncwu")
    wait_for(browser, "return document.querySelectorAll('.path-card').length", timeout=60)
    assert browser.execute_script("return document.querySelectorAll('.answer-loading').length") >= 1
    assert errors(browser) == []


def test_a_slow_answer_shows_its_loading_indicator_until_it_arrives(server):
    """On a slow connection (every request held 1.5 s), the leverage answer's spinner shows while it is
    computed and is gone once the answer is there."""
    driver = _driver()
    try:
        driver.set_network_conditions(offline=False, latency=1500, download_throughput=2 * 1024 * 1024,
                                      upload_throughput=2 * 1024 * 1024)
        driver.get(server + "/leverage?target=lucky-gems&side=lac")
        spinning = "return !!document.querySelector('.answer-loading .dash-spinner')"
        wait_for(driver, spinning, timeout=90)
        wait_for(driver, "return document.querySelectorAll('#leverage-grid .ag-row').length", timeout=90)
        wait_for(driver, "return !document.querySelector('.answer-loading .dash-spinner')", timeout=30)
        assert errors(driver) == []
    finally:
        driver.quit()


def test_the_picture_download_works_or_is_not_offered(server, browser):
    """PNG is offered only where matplotlib is installed; offered, it downloads a PNG (no server error)."""
    browser.get(server + "/paths?from=fnv-mondiaal&to=ncwu")
    wait_for(browser, "return document.querySelectorAll('.path-card').length", timeout=60)
    browser.set_script_timeout(60)
    answer = browser.execute_async_script("""
        var done = arguments[arguments.length - 1];
        var sel = document.querySelector('[id="{\\\\"page\\\\":\\\\"paths\\\\",\\\\"type\\\\":\\\\"export-sel\\\\"}"]');
        fetch('/_dash-dependencies').then(function (r) { return r.json(); }).then(function (deps) {
            var dep = deps.find(function (d) { return d.output.indexOf('export-dl') >= 0; });
            return fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'},
                body: JSON.stringify({output: dep.output,
                    outputs: [{id: {page: 'paths', type: 'export-dl'}, property: 'data'},
                              {id: {page: 'paths', type: 'export-msg'}, property: 'children'}],
                    inputs: [{id: {page: 'paths', type: 'export-btn'}, property: 'n_clicks', value: 1}],
                    state: [{id: {page: 'paths', type: 'export-sel'}, property: 'data', value: 'around=bwi&hops=1'},
                            {id: {page: 'paths', type: 'export-fmt'}, property: 'value', value: 'png'}],
                    changedPropIds: ['{"page":"paths","type":"export-btn"}.n_clicks']})});
        }).then(function (r) { return r.text().then(function (t) { done([r.status, t]); }); });
    """)
    status, body = answer
    assert status == 200, body[:300]
    import json

    payload = json.loads(body)["response"]
    data = next(v["data"] for k, v in payload.items() if "export-dl" in k)
    assert base64.b64decode(data["content"])[:4] == b"\x89PNG"
    time.sleep(0.2)
