"""Actors and links as pandas DataFrames, and the filters a notebook gives them.

One row per record, one column per field; lists (aliases, countries, sectors, the ids of the sources a
record cites, its origins) stay lists and identifiers stay a dict, so ``df.explode("sectors")`` and
``df["identifiers"].str.get("wikidata")`` work. Empty values are missing (``NaN`` or ``None``, as
pandas keeps them); ``amount`` and ``share`` are floats.

>>> from graphmodel.models import Actor, Citation
>>> df = actors_frame([Actor(id="ktu", kind="union", name="KTU", country="MY", sectors=["transport"],
...                          citations=[Citation(source="seed-004")])])
>>> df.loc[0, ["id", "kind", "country", "sensitivity"]].tolist(), df.loc[0, "sources"]
(['ktu', 'union', 'MY', 'public'], ['seed-004'])
>>> list(actors_frame([]).columns) == list(ACTOR_COLUMNS)
True
>>> actor_kinds("unoin")
Traceback (most recent call last):
...
graphmodel.errors.ConfigError: unknown actor kind 'unoin' (hint: did you mean: union)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from graphmodel.errors import ConfigError
from graphmodel.kinds import ActorKind, Confidence, LinkKind, parse_actor_kind, parse_link_kind
from graphmodel.models import Actor, Link
from graphmodel.values import country_code

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

ACTOR_COLUMNS = ("id", "name", "kind", "country", "countries", "sectors", "aliases", "sensitivity", "description",
                 "identifiers", "attributes", "sources")
LINK_COLUMNS = ("id", "kind", "source", "target", "start", "end", "amount", "currency", "share", "confidence",
                "sensitivity", "description", "attributes", "sources")


def actors_frame(actors: Iterable[Actor], origins: Mapping[str, list[str]] | None = None) -> "pd.DataFrame":
    """One row per actor (an ``origins`` column too when ``origins`` is given)."""
    import pandas as pd

    rows = [{"id": a.id, "name": a.name, "kind": a.kind.value, "country": a.country, "countries": list(a.countries),
             "sectors": list(a.sectors), "aliases": list(a.aliases), "sensitivity": a.sensitivity.value,
             "description": a.description, "identifiers": dict(a.identifiers), "attributes": dict(a.attributes),
             "sources": _cited(a)} for a in actors]
    return _frame(pd, rows, ACTOR_COLUMNS, origins)


def links_frame(links: Iterable[Link], origins: Mapping[str, list[str]] | None = None) -> "pd.DataFrame":
    """One row per link (an ``origins`` column too when ``origins`` is given)."""
    import pandas as pd

    rows = [{"id": lk.id, "kind": lk.kind.value, "source": lk.source, "target": lk.target, "start": lk.start,
             "end": lk.end, "amount": lk.amount, "currency": lk.currency, "share": lk.share,
             "confidence": lk.confidence.value, "sensitivity": lk.sensitivity.value, "description": lk.description,
             "attributes": dict(lk.attributes), "sources": _cited(lk)} for lk in links]
    frame = _frame(pd, rows, LINK_COLUMNS, origins)
    for col in ("amount", "share"):
        frame[col] = frame[col].astype("float64")
    return frame


def _frame(pd: Any, rows: list[dict[str, Any]], columns: tuple[str, ...],
           origins: Mapping[str, list[str]] | None) -> "pd.DataFrame":
    frame = pd.DataFrame(rows, columns=list(columns))
    if origins is not None:
        frame["origins"] = [list(origins.get(row["id"], [])) for row in rows]
    return frame


def _cited(record: Actor | Link) -> list[str]:
    return list(dict.fromkeys(c.source for c in record.citations))


# -- filters, read as the command line reads them ------------------------------------------------------
def words(values: str | Iterable[str] | None) -> list[str]:
    """The values of a filter given as one word, a comma-separated list or a list."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [part.strip() for v in values for part in str(getattr(v, "value", v)).split(",") if part.strip()]


def _unknown(what: str, word: str, known: Iterable[str]) -> ConfigError:
    near = difflib.get_close_matches(word.lower(), list(known), n=3, cutoff=0.6)
    hint = ("did you mean: " + ", ".join(near)) if near else "known: " + ", ".join(known)
    return ConfigError(f"unknown {what} {word!r}", hint=hint)


def actor_kinds(values: str | Iterable[str] | None) -> frozenset[ActorKind] | None:
    """Actor kinds from words (``"union"``, ``"union,guf"``, a list); ``None`` for all."""
    out = set()
    for word in words(values):
        try:
            out.add(parse_actor_kind(word))
        except ValueError:
            raise _unknown("actor kind", word, [k.value for k in ActorKind]) from None
    return frozenset(out) or None


def link_kinds(values: str | Iterable[str] | None) -> frozenset[LinkKind] | None:
    """Link kinds from words; ``None`` for all."""
    out = set()
    for word in words(values):
        try:
            out.add(parse_link_kind(word))
        except ValueError:
            raise _unknown("link kind", word, [k.value for k in LinkKind]) from None
    return frozenset(out) or None


def confidences(values: str | Iterable[str] | None) -> frozenset[Confidence] | None:
    """Confidence levels from words; ``None`` for all."""
    out = set()
    for word in words(values):
        try:
            out.add(Confidence(word.lower()))
        except ValueError:
            raise _unknown("confidence", word, [c.value for c in Confidence]) from None
    return frozenset(out) or None


def countries(values: str | Iterable[str] | None) -> frozenset[str] | None:
    """ISO 3166 codes from codes or English names; ``None`` for all."""
    out = set()
    for word in words(values):
        try:
            out.add(country_code(word))
        except ValueError:
            raise ConfigError(f"unknown country {word!r}", hint="give an ISO 3166 code (MY, HK) or an English name")
    return frozenset(out) or None


def origins_named(values: str | Iterable[str] | None, known: Iterable[str]) -> frozenset[str] | None:
    """Origin ids, each checked against the store's origins (``known``); ``None`` for all."""
    known = sorted(known)
    out = set()
    for word in words(values):
        if word not in known:
            raise _unknown("origin", word, known)
        out.add(word)
    return frozenset(out) or None
