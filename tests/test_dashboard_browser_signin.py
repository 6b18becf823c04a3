"""Sign-in through headless Chromium (checks in :mod:`tests.browser_signin`), run in a fresh process so that
nothing another test left in this one (settings, imported apps) shapes the served dashboard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_sign_in_through_a_browser_in_a_fresh_process():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE / "browser_signin.py"), "-q", "-p", "no:cacheprovider",
         "-o", "addopts=-ra"],
        cwd=HERE.parent, capture_output=True, text=True, timeout=900,
        env={**os.environ, "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")})
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in last and "failed" not in last, done.stdout[-3000:]
