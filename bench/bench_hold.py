"""Can one signed-in user hold the server? Sign-in and other users while attackers send the heaviest requests.

Starts ``stakemap serve --workers W`` on a loopback port, records the callbacks a browser makes (as
bench_load.py does), then:

1. sends every recorded request whose input is a bounded control with an absurd value (``hops=10**9``,
   ``top=10**7``, ``k=10**6``): each must be refused at once with 400;
2. times an anonymous ``GET /login`` and a signed-in user's ordinary requests with the server idle;
3. lets A attackers (each its own viewer session) send, back to back for S seconds, the heaviest
   requests the controls allow (every bounded control at its maximum), and times the same two things
   meanwhile.

    python bench/bench_hold.py                     # the seed map, 4 attackers, 30 s
    python bench/bench_hold.py --store synth       # 100,000 actors, 1,000,000 links

Loopback only; bounded in requests and time. Prints medians and p95s side by side, and writes
``bench/out/hold-<store>.json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_load import PASSWORD, Client, _store, record, serving  # noqa: E402

from dashboard.callback_limits import NUMBERS  # noqa: E402


def _with_values(body: dict, value) -> dict | None:
    """``body`` with every bounded control among its inputs set to ``value`` (a function of the bounds)."""
    changed = copy.deepcopy(body)
    hit = False
    for item in changed.get("inputs", []) + changed.get("state", []):
        for entry in item if isinstance(item, list) else [item]:
            if isinstance(entry.get("id"), str) and entry["id"] in NUMBERS and entry.get("property") == "value":
                entry["value"] = value(*NUMBERS[entry["id"]])
                hit = True
    return changed if hit else None


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1) if values else float("nan")


def _summary(values: list[float]) -> dict:
    return {"n": len(values), "median_ms": round(statistics.median(values) * 1000, 1) if values else None,
            "p95_ms": _pct(values, 0.95), "max_ms": round(max(values) * 1000, 1) if values else None}


def _probe(base: str, ordinary: list[dict], seconds: float, stop: threading.Event) -> tuple[list, list, list]:
    """Anonymous sign-in page loads and a signed-in user's ordinary requests, timed, until ``stop``."""
    logins, answers, failures = [], [], []
    other = Client(base, "bystander")
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end and not stop.is_set():
        started = time.perf_counter()
        status = requests.get(base + "/login", timeout=120).status_code
        logins.append(time.perf_counter() - started)
        body = ordinary[n % len(ordinary)]
        started = time.perf_counter()
        answer = other.session.post(base + "/_dash-update-component", json=body, timeout=120).status_code
        answers.append(time.perf_counter() - started)
        if status != 200 or answer not in (200, 204):
            failures.append((status, answer))
        n += 1
        time.sleep(0.25)
    return logins, answers, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=["seed", "synth"], default="seed")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="stakemap-hold-"))
    db = _store(args.store, work)
    users_file = work / "users.json"
    from dashboard.users import add_user

    for name in ["viewer", "bystander"] + [f"attacker{i}" for i in range(args.attackers)]:
        add_user(users_file, name, "viewer", PASSWORD)
    with serving(db, users_file, args.workers, work) as (base, _ready):
        bodies = record(base, db, "viewer")
        absurd = [b for b in (_with_values(b, lambda lo, hi: 10**9) for b in bodies) if b]
        heaviest = [b for b in (_with_values(b, lambda lo, hi: hi) for b in bodies) if b]
        ordinary = [b for b in bodies if not _with_values(b, lambda lo, hi: hi)][:60]
        attacker = Client(base, "attacker0")
        refused = []
        for body in absurd:
            began = time.perf_counter()
            status = attacker.session.post(base + "/_dash-update-component", json=body, timeout=120).status_code
            refused.append((status, time.perf_counter() - began))
        idle = _probe(base, ordinary, args.seconds / 2, threading.Event())
        stop = threading.Event()
        attack_statuses: list[int] = []
        lock = threading.Lock()

        def attack(n: int) -> None:
            client = Client(base, f"attacker{n}")
            k = n
            while not stop.is_set():
                try:
                    status = client.session.post(base + "/_dash-update-component", json=heaviest[k % len(heaviest)],
                                                 timeout=120).status_code
                except requests.RequestException:
                    status = 599
                with lock:
                    attack_statuses.append(status)
                k += 1

        threads = [threading.Thread(target=attack, args=(n,), daemon=True) for n in range(args.attackers)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        busy = _probe(base, ordinary, args.seconds, stop)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        result = {
            "store": args.store, "workers": args.workers, "attackers": args.attackers, "cpus": os.cpu_count(),
            "absurd_values": {"requests": len(refused), "statuses": sorted({s for s, _ in refused}),
                              **_summary([t for _, t in refused])},
            "idle": {"login": _summary(idle[0]), "other_user": _summary(idle[1]), "failures": len(idle[2])},
            "under_attack": {"login": _summary(busy[0]), "other_user": _summary(busy[1]), "failures": len(busy[2])},
            "attack_requests": {str(s): attack_statuses.count(s) for s in sorted(set(attack_statuses))},
        }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "out" / f"hold-{args.store}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
