"""Sign-in as a person does it: headless Chromium against ``stakemap serve --workers 2`` with users.

Chromium sends ``Origin: null`` with a form POST from a page whose referrer policy hides the referrer;
this test is what the Flask test client could never show. It signs in through the form, works on a
page, signs out with the button every page carries, and then finds the copied session cookie refused by
every worker.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from dashboard.users import Role, add_user
from tests.test_dashboard_browser import CHROMEDRIVER, CHROMIUM, REPO, _driver, _free_port, _stop, selenium, wait_for
from tests.test_dashboard_fixtures import demo_store  # noqa: F401

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER and selenium),
                                reason="needs chromium, chromedriver and selenium")
PASSWORD = "browser sign-in pass phrase"
SERVER_LOGS: dict[str, object] = {}  # base address -> the server's log file


@pytest.fixture(scope="module")
def team_server(demo_store, tmp_path_factory):
    work = tmp_path_factory.mktemp("team")
    users = work / "users.json"
    add_user(users, "vera", Role.VIEWER, PASSWORD)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (work / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "stakemap", "serve", "--store", f"sqlite:///{demo_store}",
                             "--port", str(port), "--workers", "2"], stdout=log, stderr=subprocess.STDOUT, cwd=work,
                            env={**os.environ, "PYTHONPATH": str(REPO), "STAKEMAP_USERS": str(users),
                                 "STAKEMAP_AUDIT_LOG": str(work / "audit.jsonl")})
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/login", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                raise RuntimeError("the dashboard did not start: " + (work / "server.log").read_text()[-2000:])
            time.sleep(0.3)
    SERVER_LOGS[base] = work / "server.log"
    yield base
    _stop(proc)


def _with_server_log(base: str, exc: AssertionError) -> AssertionError:
    log = SERVER_LOGS[base].read_text(errors="replace")[-3000:]
    return AssertionError(f"{exc}\nthe server's log ends:\n{log}")


def _status_with_cookie(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": f"stakemap_session={cookie}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # nosec B310 - a loopback test server
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_sign_in_work_sign_out_and_the_old_cookie_is_refused(team_server):
    driver = _driver()
    try:
        driver.get(team_server + "/explore")
        wait_for(driver, "return location.pathname === '/login' && document.getElementById('username');")
        driver.find_element("id", "username").send_keys("vera")
        driver.find_element("id", "password").send_keys(PASSWORD)
        driver.find_element("id", "sign-in").click()
        # back where the user was going, signed in: the frame names the user and offers sign-out
        wait_for(driver, "return location.pathname === '/explore' && document.getElementById('sign-out');", timeout=90)
        who = wait_for(driver, "var e = document.querySelector('.viewer'); return e && e.innerText;")
        assert "vera" in who and "viewer" in who
        # work: the page answers its callbacks, and tells a viewer why there is no download
        why = wait_for(driver, "var e = document.querySelector('.export-why'); return e && e.innerText;", timeout=90)
        assert "analyst" in why
        assert driver.find_element("css selector", ".export-bar-disabled button").get_attribute("disabled")
        wait_for(driver, "return document.querySelectorAll('#explore-graph canvas').length > 0;", timeout=90)
        # a viewer is offered no curation: no Review in the navigation, no edit block, and no callback fails
        assert driver.execute_script("return !document.getElementById('nav-review') && "
                                     "!document.getElementById('cur-box');")
        severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == [], [m[:600] for m in severe]
        cookie = driver.get_cookie("stakemap_session")["value"]
        for _ in range(4):  # both workers know the session
            assert _status_with_cookie(team_server + "/_dash-layout", cookie) == 200
        driver.find_element("id", "sign-out").click()
        wait_for(driver, "return location.pathname === '/login';")
        for _ in range(4):  # and neither worker takes the copied cookie any more
            assert _status_with_cookie(team_server + "/_dash-layout", cookie) == 401
        driver.add_cookie({"name": "stakemap_session", "value": cookie, "path": "/"})
        driver.get(team_server + "/explore")
        wait_for(driver, "return location.pathname === '/login';")
    except AssertionError as exc:
        raise _with_server_log(team_server, exc) from None
    finally:
        driver.quit()


def test_a_wrong_password_in_the_browser_says_so(team_server):
    driver = _driver()
    try:
        driver.get(team_server + "/login")
        driver.find_element("id", "username").send_keys("vera")
        driver.find_element("id", "password").send_keys("not the pass phrase")
        driver.find_element("id", "sign-in").click()
        message = wait_for(driver, "var e = document.querySelector('.error'); return e && e.innerText;")
        assert "Wrong name or password" in message
    except AssertionError as exc:
        raise _with_server_log(team_server, exc) from None
    finally:
        driver.quit()
