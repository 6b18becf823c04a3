"""Load: the dashboard under gunicorn, signed-in simulated users, callback latency.

Starts ``stakemap serve --workers W`` on a loopback port (sign-in configured,
one account of the chosen role), records the callbacks a browser makes on every page
(page layouts, graphs around the busiest actors, paths, leverage, coverage,
brokers, searches, selections: every callback of the app's callback map, the
same walk the callback tests make), then lets U simulated users, each with
its own session, replay random requests from that recording with a short
think time. Bounded: at most R requests per user and T seconds in all;
loopback only.

    python bench/bench_load.py --users 50                       # the seed map
    python bench/bench_load.py --users 10 --store synth         # 100,000 actors, 1,000,000 links
    python bench/bench_load.py --users 10 --store synth --role analyst   # who may also download exports

Prints p50/p95/p99 callback times, errors and the slowest callbacks, and
writes them to ``bench/out/load-<store>-<role>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "load test pass phrase"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Response:
    def __init__(self, response: requests.Response):
        self.status_code = response.status_code
        self._text = response.text

    def get_data(self, as_text: bool = True) -> str:
        return self._text


class Client:
    """A signed-in session on the server, shaped like Flask's test client for :class:`Browser`."""

    def __init__(self, base: str, user: str):
        self.base = base
        self.session = requests.Session()
        page = self.session.get(base + "/login", timeout=60).text
        token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        done = self.session.post(base + "/login", data={"username": user, "password": PASSWORD, "csrf": token},
                                 allow_redirects=False, timeout=60)
        if done.status_code != 302:
            raise RuntimeError(f"sign-in failed: {done.status_code}")
        self.recorded: list[dict] = []

    def get(self, path: str):
        return self.session.get(self.base + path, timeout=120)

    def post(self, path: str, json: dict):  # noqa: A002 - the test client's keyword
        self.recorded.append(json)
        return _Response(self.session.post(self.base + path, json=json, timeout=120))


def _targets(db: Path) -> dict:
    """The busiest public organisations (what users look at first) as the walk's targets."""
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT a.id, a.name FROM actors a JOIN (SELECT source AS id FROM links UNION ALL SELECT target FROM links)"
            " l ON l.id = a.id WHERE a.sensitivity = 'public' AND a.kind IN ('union','ngo','guf','sso','brand',"
            "'national_centre') GROUP BY a.id ORDER BY count(*) DESC LIMIT 3").fetchall()
        link = con.execute("SELECT id FROM links WHERE source = ? OR target = ? LIMIT 1",
                           (rows[0][0], rows[0][0])).fetchone()[0]
    finally:
        con.close()
    return {"hub": rows[0][0], "other": rows[1][0], "restricted_ids": [rows[2][0]], "person_ids": [],
            "names": [rows[0][1]], "restricted_link": link}


def record(base: str, db: Path, role: str) -> list[dict]:
    """The requests a browser makes walking every page (see tests/trust_callbacks.py)."""
    from tests.trust_callbacks import drive

    client = Client(base, role)
    deps = client.get("/_dash-dependencies").json()
    from dashboard.app import PAGES

    pages = ["/"] + [f"/{p}" for p in PAGES if p != "overview"]
    drive(client, deps, _targets(db), pages)
    return client.recorded


def simulate(base: str, bodies: list[dict], users: int, per_user: int, seconds: float, think: tuple[float, float],
             role: str, seed: int = 7) -> dict:
    """``users`` threads, each signed in, replaying random recorded requests."""
    latencies: list[float] = []
    by_callback: dict[str, list[float]] = defaultdict(list)
    errors: list[tuple[str, int]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    start_gate = threading.Barrier(users)

    # sign in one after another: parallel sign-ins of one account from one address are throttled like guesses
    clients = [Client(base, role) for _ in range(users)]

    def user(n: int) -> None:
        rng = random.Random(seed + n)
        client = clients[n]
        start_gate.wait()
        for _ in range(per_user):
            if time.monotonic() > deadline:
                return
            body = rng.choice(bodies)
            started = time.perf_counter()
            try:
                response = client.session.post(base + "/_dash-update-component", json=body, timeout=60)
                status = response.status_code
            except requests.RequestException:
                status = 599
            took = time.perf_counter() - started
            with lock:
                latencies.append(took)
                by_callback[body["output"][:70]].append(took)
                if status not in (200, 204):
                    errors.append((body["output"][:70], status))
            time.sleep(rng.uniform(*think))

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - began
    latencies.sort()

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else float("nan")

    slowest = sorted(((pct(sorted(v), 0.95), k, len(v)) for k, v in by_callback.items()), reverse=True)[:8]
    return {"users": users, "requests": len(latencies), "seconds": round(elapsed, 1),
            "throughput_rps": round(len(latencies) / elapsed, 1), "p50_ms": round(pct(latencies, 0.50), 1),
            "p95_ms": round(pct(latencies, 0.95), 1), "p99_ms": round(pct(latencies, 0.99), 1),
            "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
            "mean_ms": round(statistics.mean(latencies) * 1000, 1) if latencies else None,
            "errors": len(errors), "error_examples": errors[:5],
            "slowest_p95_ms": [{"callback": k, "p95_ms": round(p, 1), "n": n} for p, k, n in slowest]}


def _store(name: str, work: Path) -> Path:
    if name == "seed":
        db = work / "seed.db"
        if not db.exists():
            subprocess.run([sys.executable, "-m", "stakemap", "ingest", str(ROOT / "data" / "seed"), "--store",
                            f"sqlite:///{db}"], check=True, capture_output=True, env=_env())
        return db
    from synth import synthetic_store

    return synthetic_store(100_000, 1_000_000, 7)


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **extra}


@contextmanager
def serving(db: Path, users_file: Path, workers: int, work: Path) -> Iterator[tuple[str, float]]:
    """``stakemap serve --workers N`` on a free loopback port with sign-in; yields its URL and start-up time."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "stakemap", "serve", "--store", f"sqlite:///{db}", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers)],
        env=_env(STAKEMAP_USERS=str(users_file), STAKEMAP_AUDIT_LOG=str(work / "audit.jsonl")),
        stdout=subprocess.DEVNULL, stderr=open(work / "server.log", "w"), cwd=work, start_new_session=True)
    try:
        started = time.monotonic()
        while True:
            try:
                if requests.get(base + "/login", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if server.poll() is not None or time.monotonic() - started > 600:
                raise RuntimeError(f"the server did not start; see {work / 'server.log'}")
            time.sleep(0.5)
        yield base, time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["seed", "synth"], default="seed")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--role", choices=["viewer", "analyst", "admin"], default="viewer",
                        help="the simulated users' role (analysts and admins may download exports)")
    parser.add_argument("--requests-per-user", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=240)
    parser.add_argument("--think", type=float, nargs=2, default=(0.2, 1.0), metavar=("MIN", "MAX"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="stakemap-load-"))
    db = _store(args.store, work)
    users_file = work / "users.json"
    from dashboard.users import add_user

    add_user(users_file, args.role, args.role, PASSWORD)
    with serving(db, users_file, args.workers, work) as (base, ready):
        bodies = record(base, db, args.role)
        print(f"server ready in {ready:.1f} s; recorded {len(bodies)} requests over "
              f"{len({b['output'] for b in bodies})} callbacks", flush=True)
        simulate(base, bodies, min(args.users, 5), 3, 60, tuple(args.think), args.role)  # warm every worker
        result = simulate(base, bodies, args.users, args.requests_per_user, args.seconds, tuple(args.think),
                          args.role)
        result.update({"store": args.store, "role": args.role, "workers": args.workers, "server_ready_s": round(ready, 1),
                       "recorded_requests": len(bodies), "cpus": os.cpu_count()})
    print(json.dumps(result, indent=2))
    out = args.out or ROOT / "bench" / "out" / f"load-{args.store}-{args.role}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
