"""The reconciliation ledger: what a file stated, what was written, and what was set aside, and why.

A run's summary saying ``read = imported + rejected`` is not enough: a map can
come out wrong while the counts add up (money merged away, a placeholder
turned into a hub). The ledger of a file says, for records: how many were read,
written, merged into another actor (which, by which rule) and set aside (why,
where); and for money, per currency: the total the file states equals the total
written on links plus the total set aside, each set-aside item listed. A
ledger whose money does not add up is a bug, and :meth:`Ledger.check` says so.

>>> led = Ledger("grants.xml", "iati", "grants")
>>> led.state(1500.0, "EUR"); led.state(200.0, "EUR"); led.state(90.0, "USD")
>>> led.set_aside("grants.xml:/iati-activities/iati-activity[2]/transaction[1]", "a correction (negative value)",
...               200.0, "EUR")
>>> led.write_money([("l-1", "funds", "a", "b", None, None, 1500.0, "EUR"), ("l-2", "funds", "a", "c", None, None,
...                  90.0, "USD")])
>>> led.money()["EUR"]
{'stated': 1700.0, 'written': 1500.0, 'set_aside': 200.0, 'reconciles': True}
>>> led.check()
[]
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

#: Set-aside items listed one by one per file; past this, counted by reason (with the money still added up).
MAX_ITEMS = 1000
#: Tolerance when adding money up (floating point sums of many amounts).
CENTS = 0.005


@dataclass
class Ledger:
    """One file's reconciliation (see the module)."""

    path: str
    format: str
    origin: str
    read: int = 0
    written: int = 0
    rejected: int = 0
    #: Whether the reader counts the money its file states (IATI, FollowTheMoney, the tabular template).
    tracks_money: bool = False
    merged: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    stated: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    written_money: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    aside_money: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    #: Flows this file states that another file of the run, or the map already, holds (the same link).
    same_flows: list[dict[str, Any]] = field(default_factory=list)

    # -- what readers tell it ------------------------------------------------------------------
    def state(self, amount: float, currency: str) -> None:
        """The file states this amount (counted before anything is decided about it)."""
        self.tracks_money = True
        self.stated[currency] += amount

    def set_aside(self, where: str, why: str, amount: float | None = None, currency: str | None = None) -> None:
        """Something the file states that is not written as stated, with the place and the reason."""
        self.reasons[why] += 1
        if len(self.items) < MAX_ITEMS:
            item: dict[str, Any] = {"where": where, "why": why}
            if amount is not None:
                item.update(amount=amount, currency=currency)
            self.items.append(item)
        if amount is not None and currency:
            self.aside_money[currency] += amount

    def merge(self, record: str, into: str, rule: str) -> None:
        """A record of the file became (part of) an actor already known."""
        if len(self.merged) < MAX_ITEMS:
            self.merged.append({"record": record, "into": into, "rule": rule})

    def write_money(self, rows: list[tuple]) -> None:
        """The money on the link rows written from this file (amount and currency at places 6 and 7)."""
        for row in rows:
            amount, currency = row[6], row[7]
            if amount is not None and currency and not (isinstance(amount, float) and math.isnan(amount)):
                self.written_money[currency] += float(amount)

    # -- what it says --------------------------------------------------------------------------
    def money(self) -> dict[str, dict[str, Any]]:
        """Per currency: stated, written, set aside, and whether they add up."""
        out = {}
        for cur in sorted(set(self.stated) | set(self.written_money) | set(self.aside_money)):
            stated, written, aside = self.stated.get(cur, 0.0), self.written_money.get(cur, 0.0), \
                self.aside_money.get(cur, 0.0)
            entry: dict[str, Any] = {"stated": round(stated, 2) if self.tracks_money else None,
                                     "written": round(written, 2), "set_aside": round(aside, 2)}
            entry["reconciles"] = abs(stated - written - aside) <= max(CENTS, 1e-9 * abs(stated)) \
                if self.tracks_money else None
            out[cur] = entry
        return out

    def check(self) -> list[str]:
        """What does not add up (an empty list when everything does)."""
        problems = []
        for cur, m in self.money().items():
            if m["reconciles"] is False:
                problems.append(f"{self.path}: {cur} stated {m['stated']:,.2f} != written {m['written']:,.2f} "
                                f"+ set aside {m['set_aside']:,.2f}")
        return problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "format": self.format, "origin": self.origin,
            "records": {"read": self.read, "written": self.written, "rejected": self.rejected,
                        "merged": len(self.merged), "set_aside": sum(self.reasons.values())},
            "money": self.money(), "money_tracked": self.tracks_money,
            "set_aside_by_reason": dict(self.reasons.most_common()),
            "set_aside": self.items, "merged": self.merged, "same_flows": self.same_flows,
            "reconciles": not self.check(),
        }


def compact(ledgers: list[dict[str, Any]]) -> dict[str, Any]:
    """What is kept with an origin: per file, its counts, money and reasons (no item lists), small enough for
    any store.

    >>> led = Ledger("g.xml", "iati", "g"); led.state(5.0, "EUR"); led.write_money([(0, 0, 0, 0, 0, 0, 5.0, "EUR")])
    >>> compact([led.as_dict()])["files"][0]["money"]["EUR"]["written"]
    5.0
    """
    # (which flows another origin also holds depends on what was ingested first: that is the run's news,
    # not a property of the origin, so it is in the run's report only)
    files = [{k: v for k, v in d.items() if k not in ("set_aside", "merged", "same_flows")} for d in ledgers]
    return {"files": files, "reconciles": all(f["reconciles"] for f in files)}


def summary_lines(ledger: dict[str, Any]) -> list[str]:
    """A ledger (as :meth:`Ledger.as_dict` gives it) in a few plain lines, for the command line.

    >>> led = Ledger("g.xml", "iati", "g"); led.state(10.0, "EUR"); led.set_aside("g.xml:3", "a correction", 10.0, "EUR")
    >>> summary_lines(led.as_dict())
    ['money EUR: stated 10.00 = written 0.00 + set aside 10.00', 'set aside: 1 a correction']
    """
    lines = []
    for cur, m in ledger["money"].items():
        if m["stated"] is None:
            lines.append(f"money {cur}: written {m['written']:,.2f} (this format states no totals to check)")
        else:
            mark = "=" if m["reconciles"] else "!="
            lines.append(f"money {cur}: stated {m['stated']:,.2f} {mark} written {m['written']:,.2f} + set aside "
                         f"{m['set_aside']:,.2f}")
    if ledger["set_aside_by_reason"]:
        lines.append("set aside: " + "; ".join(f"{n} {why}" for why, n in ledger["set_aside_by_reason"].items()))
    rules = Counter(m["rule"] for m in ledger.get("merged", []))
    if rules:
        lines.append("merged into known actors: " + "; ".join(f"{n} by {rule}" for rule, n in rules.most_common()))
    same = ledger.get("same_flows")
    if same:
        count = same if isinstance(same, int) else len(same)
        lines.append(f"flows already in the map or another file of this run (counted once): {count}")
    return lines


__all__ = ["Ledger", "compact", "summary_lines"]
