"""Versions and diffs at a million links: what keeping history costs in time and space.

A store holds the synthetic map (100,000 actors, 1,000,000 links) in two origins: a bulk
origin (99% of the links) and an update origin (1%). The update origin is then re-ingested
three ways, side by side: unchanged, with 1% of its links changed, and with them changed back;
then the diff of the change is read, the map is opened at the earlier version, and history is
pruned. Space is the history's share of the store file.

    python bench/bench_history.py                      # 100k actors / 1M links
    python bench/bench_history.py --actors 10000 --links 100000 --no-write
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from bench.synth import generate  # noqa: E402
from graphmodel import ids  # noqa: E402
from graphmodel.models import Actor, Source  # noqa: E402
from graphmodel.store.contract import Batch  # noqa: E402
from graphmodel.store.sqlite import SQLiteStore  # noqa: E402
from graphmodel.store.versioned import StoreAtVersion, changes  # noqa: E402


def _rows(link_rows: list[list], origin: str) -> list[tuple]:
    cite = f'[["{origin}", "synthetic", null]]'
    return [(ids.link_id(frm, kind, to, start), kind, frm, to, start or None, end or None,
             float(amount) if amount else None, currency or None, float(share) if share else None,
             confidence, "public", None, None, cite)
            for frm, to, kind, start, end, amount, currency, share, confidence in link_rows]


def _timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true", help="Print, do not write RESULTS.md.")
    args = parser.parse_args()

    actor_rows, link_rows = generate(args.actors, args.links, 7)
    link_rows = list({(r[0], r[1], r[2], r[3]): r for r in link_rows}.values())  # one row per link id
    actors = [Actor(id=r[0], name=r[1], kind=r[2], country=r[4] or None) for r in actor_rows]
    bulk_origin, upd_origin = Source(id="bulk", title="Bulk", kind="dataset"), Source(id="update", title="Update", kind="dataset")
    cut = len(link_rows) // 100
    bulk, update = _rows(link_rows[cut:], "bulk"), _rows(link_rows[:cut], "update")
    k = max(1, cut // 100)                 # 1% of the update origin's links, each way
    changed = [r[:6] + ((r[6] or 0) + 1.0,) + r[7:] for r in update[:k]] + update[k:len(update) - k]
    changed += [(f"new-{i}",) + update[i][1:] for i in range(k)]

    with tempfile.TemporaryDirectory() as tmp:
        store = SQLiteStore(Path(tmp) / "m.db")
        t_bulk, _ = _timed(lambda: store.write(Batch(bulk_origin, actors=actors, link_rows=bulk)))
        t_first, _ = _timed(lambda: store.write(Batch(upd_origin, link_rows=update)))
        base = store.versions()[-1].number
        t_same, _ = _timed(lambda: store.write(Batch(upd_origin, link_rows=update)))
        same_rows = sum(store.versions()[-1].counts.values())
        t_change, _ = _timed(lambda: store.write(Batch(upd_origin, link_rows=changed)))
        after = store.versions()[-1].number
        t_diff, found = _timed(lambda: changes(store, base, after), repeat=5)
        counts = {s: sum(1 for c in found if c.status == s) for s in ("added", "removed", "changed")}
        t_then, then = _timed(lambda: StoreAtVersion(store, base), repeat=5)
        t_back, _ = _timed(lambda: store.write(Batch(upd_origin, link_rows=update)))
        size = store.history_size()
        file_bytes = store._file_bytes()
        t_prune, pruned = _timed(lambda: store.prune_history(after))
        store.close()

    n = len(bulk) + len(update)
    table = [
        ("first write of the bulk origin", f"{len(bulk):,} links", f"{t_bulk:.1f} s", f"{len(bulk) / t_bulk:,.0f} links/s"),
        ("first write of the update origin", f"{len(update):,} links", f"{t_first:.2f} s", ""),
        ("re-ingest, nothing changed (peer)", f"{len(update):,} links", f"{t_same:.2f} s", f"{same_rows} history rows"),
        ("re-ingest, 1% changed", f"{k} added, {k} removed, {k} changed", f"{t_change:.2f} s",
         f"{t_change / t_same:.2f}x the unchanged re-ingest"),
        ("re-ingest, changed back", f"{3 * k} records", f"{t_back:.2f} s", ""),
        ("diff of the change (median of 5)", f"found {counts['added']}/{counts['removed']}/{counts['changed']}",
         f"{t_diff * 1000:.0f} ms", ""),
        ("open the map at the earlier version (median of 5)", f"{len(then._links):,} records differ",
         f"{t_then * 1000:.0f} ms", ""),
        ("prune up to the change", f"{pruned['rows']:,} history rows", f"{t_prune:.1f} s",
         f"{pruned['bytes_freed'] / 1e6:.1f} MB freed on disk"),
    ]
    assert counts == {"added": k, "removed": k, "changed": k}, counts
    lines = ["## Versions and diffs (issue 17)", "",
             f"Command: `python bench/bench_history.py` ({args.actors:,} actors, {n:,} links; 2-core x86_64, Python "
             f"{sys.version.split()[0]}). The update origin holds 1% of the links; its re-ingests are compared with "
             "the same re-ingest that changes nothing.", "",
             "| step | what | time | note |", "|---|---|---:|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in table]
    lines += ["", f"Space: before pruning, history held {size['rows']:,} rows, about {size['bytes'] / 1e6:.1f} MB "
              f"of a {file_bytes / 1e6:.0f} MB store ({100 * size['bytes'] / file_bytes:.1f}%). Most rows are the "
              "first writes' \"added\" markers (one short row per record); a changed record keeps its earlier "
              "state whole. Pruning drops both and keeps the current map."]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        write_section("## Versions and diffs (issue 17)", text)


if __name__ == "__main__":
    main()
