"""The watch list: actors, countries and kinds whose changes a user wants to hear about.

Kept per store in a small owner-only JSON file: beside an embedded store
(``stakemap.db.watch.json``), or in the user's configuration folder for a
server store. ``stakemap diff --watched`` prints only the changes touching it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphmodel.changes import Watch
    from graphmodel.store import Store

from graphmodel.errors import ConfigError, NotFoundError
from graphmodel.kinds import ActorKind, LinkKind, parse_actor_kind, parse_link_kind

KINDS = ("actors", "countries", "kinds")


def watch_file(store: Store) -> Path:
    path = getattr(store, "path", None)
    if path is not None and str(path) != ":memory:":
        return Path(f"{path}.watch.json")
    home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return home / "stakemap" / "watch" / (hashlib.sha256(store.url.encode()).hexdigest()[:16] + ".json")


def load(store: Store) -> dict[str, list[str]]:
    path = watch_file(store)
    if not path.exists():
        return {k: [] for k in KINDS}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {k: sorted(str(v) for v in data.get(k, [])) for k in KINDS}
    except (ValueError, AttributeError) as exc:
        raise ConfigError(f"the watch list {path} is not readable: {exc}",
                          hint="fix or delete the file, then add what you watch again") from None


def save(store: Store, entries: dict[str, list[str]]) -> Path:
    path = watch_file(store)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    draft = path.with_name(path.name + ".draft")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({k: sorted(set(entries.get(k, []))) for k in KINDS}, out, indent=2, ensure_ascii=False)
    os.replace(draft, path)
    return path


def as_watch(entries: dict[str, list[str]]) -> Watch:
    from graphmodel.changes import Watch
    return Watch(frozenset(entries["actors"]), frozenset(entries["countries"]), frozenset(entries["kinds"]))


def classify(store: Store, item: str) -> tuple[str, str, str]:
    """What ``item`` names: ``(list, value, label)``. ``kind:``, ``country:`` and ``actor:`` say it outright;
    otherwise a kind, then a country, then an actor (id, name or alias)."""
    from graphmodel.resolve import resolve_actor
    from graphmodel.values import country_code
    prefix, _, rest = item.partition(":")
    wanted = prefix.strip().lower() if rest and prefix.strip().lower() in ("kind", "country", "actor") else None
    text = rest.strip() if wanted else item.strip()
    if wanted in (None, "kind"):
        for parse in (parse_actor_kind, parse_link_kind):
            try:
                kind = parse(text)
                return "kinds", kind.value, f"kind {kind.value}"
            except ValueError:
                pass
        if wanted:
            allowed = ", ".join([k.value for k in ActorKind] + [k.value for k in LinkKind])
            raise ConfigError(f"{text!r} is not a kind", hint=f"one of: {allowed}")
    if wanted in (None, "country"):
        try:
            code = country_code(text)
            return "countries", code, f"country {code}"
        except ValueError:
            if wanted:
                raise ConfigError(f"{text!r} is not a country", hint="use a code such as BD or an English name") from None
    try:
        actor = resolve_actor(store, text)
    except NotFoundError as exc:
        raise NotFoundError(f"{item!r} is neither a kind, a country nor an actor in the store",
                            suggestions=exc.suggestions, hint=exc.hint) from None
    return "actors", actor.id, f"actor {actor.name} ({actor.id})"
