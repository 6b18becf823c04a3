"""Every callback, over HTTP, as every role: no restricted record reaches a user not cleared for it.

The checks are in :mod:`tests.trust_callbacks`; they run here in a fresh process, because Dash gives
the callbacks its pages register to the first app a process creates, and other tests create apps.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_every_callback_as_every_role_in_a_fresh_process():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE / "trust_callbacks.py"), "-q", "-p", "no:cacheprovider",
         "-o", "addopts=-ra"],
        cwd=HERE.parent, capture_output=True, text=True, timeout=1800,
        env={**os.environ, "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")})
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout.splitlines()[-1], done.stdout[-3000:]
