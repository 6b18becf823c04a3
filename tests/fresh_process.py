"""Running a test module in a fresh Python process (Dash gives page callbacks to the first app a process makes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_module(name: str, timeout: int = 1800) -> None:
    """Run ``tests/<name>`` with pytest in a new process; fail with its output unless every test passed."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(HERE / name), "-q", "-p", "no:cacheprovider", "-o", "addopts=-ra"],
        cwd=HERE.parent, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")})
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in last and "failed" not in last, done.stdout[-3000:]
