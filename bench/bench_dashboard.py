"""Dashboard benchmark: server time of the paths, leverage and coverage callbacks, and pages in a real browser.

    python bench/bench_dashboard.py                       # 100,000 actors, 1,000,000 links
    python bench/bench_dashboard.py --actors 10000 --links 100000 --no-results

On the synthetic map (:func:`bench.synth.synthetic_store`):

* **server time**: the three callbacks are posted to ``/_dash-update-component``
  exactly as the browser posts them (Flask's test client, in process: routing,
  Dash's dispatch, the analysis and the JSON answer), one query after another,
  for ``--queries`` random questions each;
* **in a real browser** (Debian's chromium, headless, through selenium): the
  app is served by ``stakemap serve``; "usable" is the time from navigation
  start until the page shows its answer (the overview's charts, the explore
  graph's status line, the first ranked path, the leverage grid's rows, the
  coverage map's countries), with a fresh browser profile (cold) and again with
  its cache (warm).

Results go to ``bench/RESULTS.md`` under "## Dashboard (issue 5)" (that section only).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from results import write_section  # noqa: E402
from synth import synthetic_store  # noqa: E402

SECTION = "## Dashboard (issue 5)"
TARGET_FIRST_PAGE = 2.0
TARGET_P95 = 0.300


# -- server time -----------------------------------------------------------------------------
def _callback_key(app, output: str) -> str:
    return next(k for k in app.callback_map if output in k)


def _payload(app, key: str, values: dict) -> dict:
    spec = app.callback_map[key]
    inputs = []
    for item in spec["inputs"]:
        ident = item["id"]
        parsed = json.loads(ident) if ident.startswith("{") else ident
        lookup = parsed["name"] if isinstance(parsed, dict) and "name" in parsed else parsed
        inputs.append({"id": parsed, "property": item["property"], "value": values.get(lookup)})
    outputs = []
    for part in key.strip(".").split("..."):
        ident, _, prop = part.rpartition(".")
        outputs.append({"id": json.loads(ident) if ident.startswith("{") else ident, "property": prop})
    return {"output": key, "outputs": outputs if len(outputs) > 1 else outputs[0], "inputs": inputs,
            "changedPropIds": [f"{json.dumps(i['id'], separators=(',', ':'), sort_keys=True) if isinstance(i['id'], dict) else i['id']}.{i['property']}" for i in inputs[:1]],
            "state": []}


def pick(proj, kind: str, n: int, rng) -> list[str]:
    from graphmodel.analysis.projection import ACTOR_KINDS
    from graphmodel.kinds import ActorKind

    pos = np.nonzero((proj.kind == ACTOR_KINDS.index(ActorKind(kind))) & proj.active)[0]
    return [str(proj.actor_ids[i]) for i in rng.choice(pos, size=min(n, len(pos)), replace=False)]


def server_times(db: Path, queries: int) -> dict:
    from dashboard import data
    from dashboard.access import current_viewer
    from dashboard.app import create_app

    t0 = time.perf_counter()
    app = create_app(f"sqlite:///{db}")
    thread = data.warm(current_viewer(), background=False)
    warm = time.perf_counter() - t0
    assert thread is None
    client = app.server.test_client()
    t0 = time.perf_counter()
    assert client.get("/").status_code == 200
    first_layout = time.perf_counter() - t0
    proj = data.projection(current_viewer())
    rng = np.random.default_rng(5)
    ssos, unions = pick(proj, "sso", queries, rng), pick(proj, "union", queries, rng)
    brands, ngos = pick(proj, "brand", queries, rng), pick(proj, "ngo", queries, rng)
    funders = pick(proj, "sso", queries, rng)
    cases = {
        "paths": ("paths-result.data", [{"from": s, "to": u, "paths-k": 5, "paths-hops": 6, "paths-links": []}
                                        for s, u in zip(ssos, unions)]),
        "leverage": ("leverage-result.data", [{"target": b, "side": [n], "leverage-top": 10, "leverage-hops": 4}
                                              for b, n in zip(brands, ngos)]),
        "coverage": ("coverage-result.data", [{"funder": f, "coverage-hops": 6,
                                               "coverage-column": "temporary_labour_migrants"} for f in funders]),
    }
    out = {"warm_s": warm, "first_layout_s": first_layout}
    for name, (output, values) in cases.items():
        key = _callback_key(app, output)
        times, sizes, answered = [], [], 0
        for v in values:
            body = _payload(app, key, v)
            t0 = time.perf_counter()
            response = client.post("/_dash-update-component", json=body)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.data[:300]
            sizes.append(len(response.data))
            result = json.loads(response.data)["response"]
            answer = next(iter(result.values()))["data"]
            answered += "error" not in answer
        arr = np.array(times)
        out[name] = {"n": len(arr), "p50": float(np.percentile(arr, 50)), "p95": float(np.percentile(arr, 95)),
                     "max": float(arr.max()), "kb": float(np.mean(sizes)) / 1024, "answered": answered}
        print(f"{name}: p50 {out[name]['p50'] * 1000:.0f} ms, p95 {out[name]['p95'] * 1000:.0f} ms, "
              f"max {out[name]['max'] * 1000:.0f} ms ({answered}/{len(arr)} answered)", flush=True)
    out["examples"] = {"paths": (ssos[0], unions[0]), "leverage": (brands[0], ngos[0]), "coverage": funders[0],
                       "explore": _hub(proj)}
    return out


def _hub(proj) -> str:
    deg = np.bincount(proj.src, minlength=proj.n_actors) + np.bincount(proj.dst, minlength=proj.n_actors)
    deg[~proj.active] = -1
    return str(proj.actor_ids[int(np.argmax(deg))])


# -- in a browser ------------------------------------------------------------------------------
USABLE = {  # JavaScript that is true once a page shows its answer
    "overview": "return document.querySelectorAll('#overview-kinds .bar-row').length > 0"
                " && document.querySelectorAll('.guide-card').length === 3",
    "explore": "var s = document.getElementById('explore-status'); return !!s && s.innerText.indexOf('Showing') >= 0",
    "paths": "return document.querySelectorAll('.path-card').length > 0",
    "leverage": "return document.querySelectorAll('#leverage-grid .ag-row').length > 0",
    "coverage": "return document.querySelectorAll('#coverage-map path.choroplethlocation').length > 0",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser(profile: str):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                "--window-size=1440,1000"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or "chromium"
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=options)


def usable_after(driver, url: str, check: str, timeout: float = 60.0) -> float:
    driver.get(url)
    end = time.time() + timeout
    while time.time() < end:
        if driver.execute_script(check):
            return driver.execute_script("return performance.now()") / 1000.0
        time.sleep(0.02)
    raise TimeoutError(url)


def browser_times(db: Path, examples: dict, runs: int) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    t0 = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "stakemap", "serve", "--store", f"sqlite:///{db}", "--port",
                               str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/_dash-layout", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() - t0 > 600:
                    raise RuntimeError("the server did not start")
                time.sleep(0.25)
        ready = time.perf_counter() - t0
        s, u = examples["paths"]
        b, n = examples["leverage"]
        pages = {"overview": "/", "explore": f"/explore?actor={examples['explore']}",
                 "paths": f"/paths?from={s}&to={u}", "leverage": f"/leverage?target={b}&side={n}",
                 "coverage": f"/coverage?funder={examples['coverage']}"}
        out: dict = {"server_ready_s": ready, "cold": {}, "warm": {}}
        for run in range(runs):
            with tempfile.TemporaryDirectory() as profile:
                driver = browser(profile)
                try:
                    for name, path in pages.items():
                        cold = usable_after(driver, base + path, USABLE[name])
                        warm = usable_after(driver, base + path, USABLE[name])
                        out["cold"].setdefault(name, []).append(cold)
                        out["warm"].setdefault(name, []).append(warm)
                finally:
                    driver.quit()
            print(f"browser run {run + 1}: " + ", ".join(f"{k} {out['cold'][k][-1]:.2f}/{out['warm'][k][-1]:.2f} s"
                                                          for k in pages), flush=True)
        return out
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


# -- report ---------------------------------------------------------------------------------------
def report(args, n_actors: int, n_links: int, server: dict, pages: dict | None) -> str:
    ms = lambda x: f"{x * 1000:.0f}"  # noqa: E731
    lines = [SECTION, "",
             f"Command: `python bench/bench_dashboard.py{'' if args.actors == 100_000 else f' --actors {args.actors} --links {args.links}'}`",
             "",
             f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}; synthetic map "
             f"from `bench/synth.py` (seed 7): {n_actors:,} actors, {n_links:,} links, SQLite store; the default viewer "
             "(clearance internal, people left out).", "",
             f"Preparing the map when the server starts (projection, the viewer's copy, influence graph, overview, "
             f"examples; `stakemap serve` does it before it listens): {server['warm_s']:.1f} s. Brokerage scores are "
             "then computed in the background.", "",
             f"Server time per callback, {args.queries} random questions each, one after another (target: p95 <= "
             f"{ms(TARGET_P95)} ms):", "",
             "| callback | questions | answered | p50 (ms) | p95 (ms) | max (ms) | answer (KB) | target met |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for name, what in (("paths", "paths: 5 strongest, at most 6 hops, SSO to union"),
                       ("leverage", "leverage: top 10, 4 hops, brand target, one NGO on our side"),
                       ("coverage", "coverage: SSO funder, 6 steps, gaps against the context table")):
        r = server[name]
        lines.append(f"| {what} | {r['n']} | {r['answered']} | {ms(r['p50'])} | {ms(r['p95'])} | {ms(r['max'])} | "
                     f"{r['kb']:.0f} | {'yes' if r['p95'] <= TARGET_P95 else 'NO'} |")
    if pages:
        lines += ["", f"In headless Chromium ({len(pages['cold']['overview'])} runs, each with a fresh profile; "
                  f"server ready {pages['server_ready_s']:.1f} s after start): seconds from navigation start until "
                  f"the page shows its answer (target for the first page: <= {TARGET_FIRST_PAGE:.0f} s).", "",
                  "| page | cold, median | cold, max | cached, median | cached, max |", "|---|---:|---:|---:|---:|"]
        for name in pages["cold"]:
            cold, warm = np.array(pages["cold"][name]), np.array(pages["warm"][name])
            lines.append(f"| {name} | {np.median(cold):.2f} | {cold.max():.2f} | {np.median(warm):.2f} | "
                         f"{warm.max():.2f} |")
        first = max(pages["cold"]["overview"])
        lines += ["", f"First page (overview, cold) usable in at most {first:.2f} s: target "
                  f"{'met' if first <= TARGET_FIRST_PAGE else 'NOT met'}."]
    else:
        lines += ["", "Browser timings were not taken (chromium, chromedriver or selenium missing)."]
    lines += ["", "Explore opens the actor with the most links (a hub): its view is capped and the rest grouped in "
              "'+N' boxes. Browser times include Dash's own start-up (the renderer and component bundles, served "
              "by the app) and the callbacks each page fires on load. The overview draws its bars in HTML, so the "
              "first page does not wait for plotly.js (4.8 MB); the first page that plots (leverage, in this "
              "order) pays for it, which is most of its cold time. Run 1 starts as soon as the server listens, "
              "while it still computes the brokerage scores in the background (about 10 s on this map, on the same "
              "two cores): that is where the slow first explore load comes from."]
    return "\n".join(lines) + "\n"


def have_browser() -> bool:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return bool(shutil.which("chromium") and shutil.which("chromedriver"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=40, help="Questions per callback.")
    parser.add_argument("--runs", type=int, default=3, help="Browser runs (fresh profile each).")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-results", action="store_true", help="Print only; do not touch RESULTS.md.")
    args = parser.parse_args()
    t0 = time.perf_counter()
    db = synthetic_store(args.actors, args.links)
    print(f"store {db} ready in {time.perf_counter() - t0:.1f} s", flush=True)
    server = server_times(db, args.queries)
    from dashboard import data
    from dashboard.access import current_viewer

    proj = data.projection(current_viewer())
    n_actors, n_links = int(data.get_projection(data.store()).n_actors), int(data.get_projection(data.store()).n_links)
    del proj
    pages = None
    if not args.no_browser and have_browser():
        pages = browser_times(db, server["examples"], args.runs)
    text = report(args, n_actors, n_links, server, pages)
    print(text)
    if not args.no_results:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
