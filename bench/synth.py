"""A seeded, deterministic generator of synthetic maps in the tabular template.

The shape follows this domain: many facilities and suppliers, fewer brands,
unions and funders, a handful of global union federations; heavy-tailed
degrees (a few hubs, many leaves: targets are drawn with Zipf-like weights);
funding amounts, partial dates and countries weighted towards Asia.

    python bench/synth.py --actors 100000 --links 1000000 --out bench/out/synth-100k

writes ``actors.csv``, ``links.csv``, ``sources.csv`` and ``dataset.yaml``
that ``stakemap ingest FOLDER`` loads. :func:`synthetic_store` builds (and
caches) a SQLite store from it for the other benchmarks.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphmodel.kinds import LINK_SPECS, ActorKind, LinkKind  # noqa: E402

#: Share of actors by kind (normalised at use).
KIND_SHARES: dict[str, float] = {
    "facility": 0.52, "supplier": 0.14, "brand": 0.03, "union": 0.09, "worker_organisation": 0.03,
    "ngo": 0.05, "national_centre": 0.008, "sso": 0.006, "guf": 0.0002, "international_confederation": 0.00002,
    "government": 0.004, "igo": 0.0005, "platform": 0.004, "employer_association": 0.004, "party": 0.002,
    "programme": 0.03, "campaign": 0.008, "agreement": 0.004, "person": 0.015,
}
#: (link kind, source kind, target kind, share of links).
LINK_PATTERNS: list[tuple[str, str, str, float]] = [
    ("sources_from", "brand", "facility", 0.26), ("sources_from", "brand", "supplier", 0.08),
    ("sources_from", "supplier", "facility", 0.06), ("operates", "supplier", "facility", 0.08),
    ("owns", "supplier", "facility", 0.02), ("owns", "brand", "supplier", 0.01),
    ("represents_workers_at", "union", "facility", 0.06), ("represents_workers_at", "union", "supplier", 0.01),
    ("affiliated_to", "union", "national_centre", 0.04), ("affiliated_to", "union", "guf", 0.03),
    ("affiliated_to", "national_centre", "international_confederation", 0.002),
    ("member_of", "worker_organisation", "union", 0.02), ("member_of", "brand", "platform", 0.01),
    ("member_of", "supplier", "employer_association", 0.015),
    ("funds", "sso", "union", 0.04), ("funds", "sso", "guf", 0.01), ("funds", "sso", "programme", 0.02),
    ("funds", "government", "sso", 0.008), ("funds", "guf", "union", 0.015), ("funds", "igo", "programme", 0.005),
    ("implements", "union", "programme", 0.02), ("implements", "ngo", "programme", 0.015),
    ("implements", "guf", "programme", 0.005),
    ("supports", "ngo", "worker_organisation", 0.02), ("supports", "guf", "union", 0.02),
    ("supports", "ngo", "union", 0.01), ("partners_with", "ngo", "ngo", 0.01),
    ("partners_with", "union", "ngo", 0.01), ("targets", "campaign", "brand", 0.012),
    ("targets", "campaign", "supplier", 0.006), ("participates_in", "ngo", "campaign", 0.01),
    ("participates_in", "union", "campaign", 0.01), ("lobbies", "ngo", "government", 0.005),
    ("lobbies", "employer_association", "government", 0.003), ("sanctions", "platform", "supplier", 0.003),
    ("sanctions", "government", "supplier", 0.002), ("signatory_to", "brand", "agreement", 0.006),
    ("signatory_to", "guf", "agreement", 0.002), ("opposes", "employer_association", "union", 0.002),
    ("member_of", "person", "union", 0.004), ("represses", "government", "person", 0.001),
]
COUNTRIES = ["CN", "BD", "VN", "IN", "KH", "ID", "MY", "TH", "PK", "LK", "MM", "PH", "HK", "TW", "KR", "JP",
             "SG", "TR", "ET", "MX", "HN", "GT", "US", "DE", "NL", "SE", "NO", "FI", "GB", "FR", "BR", "ZA"]
COUNTRY_WEIGHTS = np.array([30, 14, 10, 9, 6, 6, 4, 4, 4, 3, 2, 2, 2, 1.5, 1.5, 1.5, 1, 2, 1, 2, 1, 1, 2, 1.5,
                            1, 1, 1, 1, 1.5, 1, 1, 1], dtype=float)
CURRENCIES = ["EUR", "USD", "SEK", "NOK", "DKK"]
ACTOR_HEADER = ["id", "name", "kind", "aliases", "country", "sectors", "workers"]
LINK_HEADER = ["from", "to", "kind", "start", "end", "amount", "currency", "share", "confidence"]
SECTORS = ["garment", "footwear", "electronics", "construction", "agriculture", "jewellery", "domestic work"]


def _check_patterns() -> None:
    for kind, src, tgt, _ in LINK_PATTERNS:
        assert LINK_SPECS[LinkKind(kind)].allows(ActorKind(src), ActorKind(tgt)), (kind, src, tgt)


def generate(actors: int, links: int, seed: int = 7) -> tuple[list[list], list[list]]:
    """Actor rows and link rows (lists in ACTOR_HEADER / LINK_HEADER order)."""
    actor_rows, link_rows = generate_stream(actors, links, seed)
    return actor_rows, list(link_rows)


def generate_stream(actors: int, links: int, seed: int = 7) -> tuple[list[list], Iterator[list]]:
    """Actor rows, and the link rows of :func:`generate` one at a time (the same rows, in the same
    order, without holding them all: for maps of ten million links)."""
    _check_patterns()
    rng = np.random.default_rng(seed)
    kinds = list(KIND_SHARES)
    shares = np.array([KIND_SHARES[k] for k in kinds])
    counts = np.maximum(1, np.floor(shares / shares.sum() * actors)).astype(int)
    counts[kinds.index("facility")] += actors - counts.sum()
    actor_rows: list[list] = []
    by_kind: dict[str, np.ndarray] = {}
    country_p = COUNTRY_WEIGHTS / COUNTRY_WEIGHTS.sum()
    for kind, n in zip(kinds, counts):
        start = len(actor_rows)
        countries = rng.choice(len(COUNTRIES), size=n, p=country_p)
        sectors = rng.integers(0, len(SECTORS), size=n)
        workers = rng.lognormal(6, 1.2, size=n).astype(int)
        for i in range(n):
            number = start + i
            country = "" if kind in ("guf", "international_confederation", "igo") else COUNTRIES[countries[i]]
            actor_rows.append([f"{kind[:3]}-{number:07d}", f"{kind.replace('_', ' ').title()} {number}", kind,
                               f"{kind[:1].upper()}{number}", country, SECTORS[sectors[i]],
                               str(workers[i]) if kind in ("facility", "supplier") else ""])
        by_kind[kind] = np.arange(start, start + n)
    # Zipf-like popularity within each kind makes degrees heavy-tailed.
    popularity = {k: _zipf_cdf(len(v), rng) for k, v in by_kind.items()}
    weights = np.array([p[3] for p in LINK_PATTERNS])
    per_pattern = rng.multinomial(links, weights / weights.sum())

    def rows() -> Iterator[list]:
        seen: set[tuple[int, int, str]] = set()
        total = 0

        def fill(kind: str, src_kind: str, tgt_kind: str, n: int) -> Iterator[list]:
            nonlocal total
            made = 0
            for _attempt in range(20):
                want = int((n - made) * 1.3) + 10
                src = by_kind[src_kind][_draw(popularity[src_kind], want, rng, uniform=True)]
                tgt = by_kind[tgt_kind][_draw(popularity[tgt_kind], want, rng)]
                years = rng.integers(1995, 2025, size=want)
                precision = rng.integers(0, 3, size=want)
                amounts = rng.lognormal(11, 1.5, size=want)
                for s, t, year, prec, amount in zip(src.tolist(), tgt.tolist(), years.tolist(),
                                                    precision.tolist(), amounts.tolist()):
                    if made == n:
                        return
                    if s == t or (s, t, kind) in seen:
                        continue
                    seen.add((s, t, kind))
                    yield _link_row(actor_rows, kind, s, t, year, prec, amount)
                    made += 1
                    total += 1
                if made == n:
                    return

        for (kind, src_kind, tgt_kind, _), n in zip(LINK_PATTERNS, per_pattern):
            yield from fill(kind, src_kind, tgt_kind, int(n))
        if total < links:  # small kinds saturate; the largest pattern makes up the rest
            yield from fill(*LINK_PATTERNS[0][:3], links - total)

    return actor_rows, rows()


def _link_row(actor_rows: list[list], kind: str, s: int, t: int, year: int, prec: int, amount: float) -> list:
    start = str(year) if prec == 0 else f"{year}-{1 + (s % 12):02d}" if prec == 1 else \
        f"{year}-{1 + (s % 12):02d}-{1 + (t % 28):02d}"
    funded = kind == "funds"
    return [actor_rows[s][0], actor_rows[t][0], kind, start, str(year + 3) if (s + t) % 4 == 0 else "",
            f"{amount:.0f}" if funded else "", CURRENCIES[s % 5] if funded else "",
            f"{(t % 90 + 5) / 100:.2f}" if kind == "sources_from" else "",
            ("confirmed", "reported", "inferred")[(s * 7 + t) % 3]]


def _zipf_cdf(n: int, rng: np.random.Generator, exponent: float = 0.9) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** exponent
    rng.shuffle(weights)
    return np.cumsum(weights) / weights.sum()


def _draw(cdf: np.ndarray, size: int, rng: np.random.Generator, uniform: bool = False) -> np.ndarray:
    if uniform:  # sources spread more evenly than targets
        return np.minimum(np.searchsorted(cdf, rng.random(size) ** 0.5), len(cdf) - 1)
    return np.minimum(np.searchsorted(cdf, rng.random(size)), len(cdf) - 1)


def write_template(folder: Path, actors: int, links: int, seed: int = 7) -> Path:
    """Write the synthetic map as a dataset folder; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    actor_rows, link_rows = generate(actors, links, seed)
    with (folder / "actors.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACTOR_HEADER)
        writer.writerows(actor_rows)
    with (folder / "links.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LINK_HEADER)
        writer.writerows(link_rows)
    (folder / "dataset.yaml").write_text(
        f"id: synth-{actors}\ntitle: Synthetic map ({actors} actors, {len(link_rows)} links, seed {seed})\n"
        "publisher: Stakemap benchmark generator\nlicence: CC0-1.0\nformat: tabular\n"
        "files:\n  actors: actors.csv\n  links: links.csv\n", encoding="utf-8")
    return folder


def synthetic_store(actors: int = 100_000, links: int = 1_000_000, seed: int = 7,
                    out: Path | None = None) -> Path:
    """A SQLite store holding the synthetic map, built once and cached under bench/out/."""
    from graphmodel.store.sqlite import SQLiteStore
    from ingest.run import run_ingest

    out = out or ROOT / "bench" / "out"
    db = out / f"synth-{actors}-{links}-{seed}.db"
    if db.exists():
        return db
    folder = write_template(out / f"synth-{actors}-{links}-{seed}", actors, links, seed)
    tmp = db.with_suffix(".tmp.db")
    tmp.unlink(missing_ok=True)
    store = SQLiteStore(tmp)
    run_ingest(store, [folder])
    store.close()
    tmp.rename(db)
    return db


_CHUNK = 1_000_000


def direct_store(actors: int, links: int, seed: int, out: Path, name: str) -> Path:
    """A SQLite store of the synthetic map written directly (no ingest, every link public and citing
    the synthetic origin), built once and cached as ``<name>-synth-...db`` under ``out``."""
    import itertools
    import json

    from graphmodel import ids
    from graphmodel.models import Actor, Source
    from graphmodel.store.contract import Batch
    from graphmodel.store.sqlite import SQLiteStore

    db = out / f"{name}-synth-{actors}-{links}-{seed}.db"
    if db.exists():
        return db
    out.mkdir(parents=True, exist_ok=True)
    actor_rows, link_rows = generate_stream(actors, links, seed)
    origin = Source(id=f"synth-{actors}", title="Synthetic map", kind="dataset")
    models = [Actor(id=r[0], name=r[1], kind=r[2], aliases=[r[3]] if r[3] else [], country=r[4] or None,
                    sectors=[r[5]] if r[5] else [], attributes={"workers": r[6]} if r[6] else {})
              for r in actor_rows]
    cite = json.dumps([[origin.id, "synthetic", None]])
    tmp = db.with_suffix(".tmp.db")
    tmp.unlink(missing_ok=True)
    store = SQLiteStore(tmp)
    first = True
    while True:  # a million links per write (with the actors in the first), not all of them in memory
        rows = [(ids.link_id(frm, kind, to, start), kind, frm, to, start or None, end or None,
                 float(amount) if amount else None, currency or None, float(share) if share else None,
                 confidence, "public", None, None, cite)
                for frm, to, kind, start, end, amount, currency, share, confidence in
                itertools.islice(link_rows, _CHUNK)]
        if not rows and not first:
            break
        store.write(Batch(origin, actors=models if first else [], link_rows=rows), replace=first)
        first = False
    store.close()
    tmp.rename(db)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "synth")
    args = parser.parse_args()
    folder = write_template(args.out, args.actors, args.links, args.seed)
    print(f"wrote {folder}")


if __name__ == "__main__":
    main()
