"""The review queue: what an ingest could not decide alone, kept in the store until a person decides it.

Entries come from each ingest run and are kept as store documents of kind
``review`` (a run replaces its origins' earlier entries):

* ``pair``: two records that may be one actor but were left apart (a similar
  name, against the run's actors and the store's; a name shared by several
  actors; the same name in two countries ...);
* ``merged``: two records joined on a weaker rule (an acronym, a company name
  without its legal form, one identifier with two names), to confirm or split;
* ``set aside``: a record named only by a placeholder;
* ``rejected``: a row refused under ``--skip-invalid``;
* ``disagreement``: a field a person edited that an import states otherwise (the edit is shown).

The queue is ordered by what is at stake: the links (and the money on them)
that hang on the decision.

>>> key, doc = pair_entry("f2", {"incoming": "amrc-2", "incoming_name": "Asia Monitor Resource Center",
...                              "candidate": "amrc", "candidate_name": "Asia Monitor Resource Centre",
...                              "reason": "similar name", "score": 0.96})
>>> doc["type"], doc["a"], doc["b"], len(key)
('pair', 'amrc', 'amrc-2', 12)
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .judgements import load as load_judgements
from .judgements import pair_key

KIND = "review"
TYPES = ("pair", "merged", "set aside", "rejected", "disagreement")


def _key(*parts: Any) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:12]


def pair_entry(origin: str, item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A pair the resolver listed: ``a`` is the actor already known (it survives a "same"), ``b`` the record."""
    kind = "merged" if item["reason"].startswith("merged") else "pair"
    doc = {"type": kind, "origin": origin, "a": item["candidate"], "a_name": item["candidate_name"],
           "b": item["incoming"], "b_name": item["incoming_name"], "reason": item["reason"], "score": item["score"]}
    return _key(kind, item["candidate"], item["incoming"]), doc


def rejected_entry(origin: str, problem: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    doc = {"type": "rejected", "origin": origin, **{k: problem.get(k) for k in ("file", "row", "column", "message")}}
    return _key("rejected", origin, problem.get("file"), problem.get("row"), problem.get("column")), doc


def aside_entry(origin: str, item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    doc = {"type": "set aside", "origin": origin, "where": item["where"], "reason": item["why"],
           "amount": item.get("amount"), "currency": item.get("currency")}
    return _key("aside", origin, item["where"]), doc


def disagreements(edits: Iterable[dict[str, Any]], batches: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Fields people edited that a batch of an import states otherwise."""
    edited: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in edits:
        if doc.get("op") != "add" and not doc.get("reverted_by"):
            for field_name, change in doc["fields"].items():
                edited.setdefault(doc["target"], {})[field_name] = {"new": change["new"], "edit": doc["id"]}
    out: dict[str, dict[str, Any]] = {}
    if not edited:  # nothing edited: no record can disagree (a bulk load builds no link models for it)
        return out
    from ..store.contract import link_from_row  # here: the command line's help must not load the models

    for batch in batches:
        for record in [*batch.actors, *batch.links, *(link_from_row(row) for row in batch.link_rows
                                                      if row[0] in edited)]:
            for field_name, edit in edited.get(record.id, {}).items():
                if field_name not in type(record).model_fields:
                    continue
                stated = record.model_dump(mode="json").get(field_name)
                if stated != edit["new"]:
                    doc = {"type": "disagreement", "origin": batch.origin.id, "a": record.id, "field": field_name,
                           "reason": f"{batch.origin.id} states {field_name} {stated!r}; the edit says {edit['new']!r}",
                           "stated": stated, "edited": edit["new"], "edit": edit["edit"]}
                    out[_key("disagreement", batch.origin.id, record.id, field_name)] = doc
    return out


def run_entries(origins: dict[str, str], review: Iterable[dict[str, Any]], problems: Iterable[dict[str, Any]],
                ledgers: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A run's entries by key. ``origins`` maps each file of the run to its origin (the first origin for a
    pair, which names no file)."""
    first = next(iter(origins.values()), "")
    out = dict(pair_entry(first, item) for item in review)
    for problem in problems:
        out.update([rejected_entry(origins.get(problem.get("file") or "", first), problem)])
    for ledger in ledgers:
        for item in ledger.get("set_aside", []):
            if "placeholder" in item["why"].lower():
                out.update([aside_entry(ledger["origin"], item)])
    return out


def replacing(current: dict[str, dict[str, Any]], origins: Iterable[str], entries: dict[str, dict[str, Any]],
              judged: Iterable[str] = ()) -> dict[str, dict[str, Any] | None]:
    """The documents to write: the run's entries, and None for the earlier entries of its origins it no
    longer has, but for pairs decided (``judged``: their pair keys), which stay as the record of the decision."""
    mine, decided = set(origins), set(judged)
    out: dict[str, dict[str, Any] | None] = {
        k: None for k, d in current.items()
        if d.get("origin") in mine and not ("a" in d and "b" in d and pair_key(d["a"], d["b"]) in decided)}
    out.update(entries)
    return out


@dataclass
class QueueItem:
    """One entry of the queue, with what hangs on it and whether it was decided."""

    key: str
    doc: dict[str, Any]
    links: int = 0
    money: dict[str, float] = field(default_factory=dict)
    verdict: str | None = None

    @property
    def stake(self) -> tuple:
        amount = self.doc.get("amount") or 0.0
        return (self.links, len(self.money), sum(self.money.values()) + amount, self.doc.get("score") or 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.key, **self.doc, "links": self.links, "money": self.money, "decided": self.verdict}


def queue(view: Any, *, sees: Callable[[Any], bool] | None = None, decided: bool = False) -> list[QueueItem]:
    """The entries to decide (with ``decided``, those decided too), most at stake first. ``sees`` says which
    actors the reader may see: an entry naming another is left out, as if it did not exist."""
    judged = load_judgements(view)
    items = []
    for key, doc in view.docs(KIND).items():
        item = QueueItem(key, doc)
        if doc["type"] == "disagreement":
            shown = view.get_actors([doc["a"]]) or {doc["a"]: view.get_link(doc["a"])}
            if None in shown.values() or (sees is not None and not all(sees(r) for r in shown.values())):
                continue
        if doc["type"] in ("pair", "merged"):
            found = judged.get(pair_key(doc["a"], doc["b"]))
            item.verdict = found.verdict if found else None
            actors = view.get_actors([doc["a"], doc["b"]])
            if doc["a"] not in actors or (doc["type"] == "pair" and doc["b"] not in actors and not item.verdict):
                continue  # an actor it names is gone: nothing left to decide
            if sees is not None and not all(sees(a) for a in actors.values()):
                continue
            _stake(view, item, list(actors), sees)
        if item.verdict in ("same", "different") and not decided:
            continue
        items.append(item)
    return sorted(items, key=lambda i: i.stake, reverse=True)


def _stake(view: Any, item: QueueItem, ids: list[str], sees: Callable[[Any], bool] | None = None) -> None:
    """The links (and money) at the entry's actors, counting only links the reader may see."""
    money: dict[str, float] = defaultdict(float)
    seen = set()
    for links in view.links_at(ids).values():
        for link in links:
            if link.id in seen or (sees is not None and not sees(link)):
                continue
            seen.add(link.id)
            if link.amount is not None and link.currency:
                money[link.currency] += link.amount
    item.links, item.money = len(seen), dict(money)


def progress(view: Any, *, sees: Callable[[Any], bool] | None = None) -> dict[str, int]:
    """How far the queue is decided: ``decided`` of ``total`` (pairs and merges the reader may see)."""
    every = queue(view, sees=sees, decided=True)
    done = sum(1 for i in every if i.verdict in ("same", "different"))
    return {"decided": done, "total": len(every), "open": len(every) - done}
