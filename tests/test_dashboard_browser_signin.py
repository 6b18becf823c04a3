"""Sign-in through headless Chromium (checks in :mod:`tests.browser_signin`), run in a fresh process so that
nothing another test left in this one (settings, imported apps) shapes the served dashboard."""

from __future__ import annotations

from tests.fresh_process import run_module


def test_sign_in_through_a_browser_in_a_fresh_process():
    run_module("browser_signin.py", timeout=900)
