"""Deterministic ids from natural keys: the same record always gets the same id.

>>> actor_id("union", "Malaysian Trades Union Congress", "MY")
'malaysian-trades-union-congress-...'
>>> actor_id("union", "Malaysian Trades Union Congress", "MY") == actor_id("union", " malaysian trades union congress", "my")
True
>>> link_id("a", "funds", "b", "2006") == link_id("a", "funds", "b", "2006")
True
"""

from __future__ import annotations

import hashlib
import re

from .text import normalise_name, slugify

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$")


def _digest(*parts: str, length: int = 10) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False).hexdigest()[:length]


def actor_id(kind: str, name: str, country: str | None = None) -> str:
    """An actor's id from its kind, name and country."""
    key = normalise_name(name)
    return f"{slugify(name, 40)}-{_digest(str(kind), key, (country or '').upper(), length=8)}"


def link_id(source: str, kind: str, target: str, start: str | None = None, qualifier: str | None = None) -> str:
    """A link's id from its ends, kind, start date and an optional qualifier (e.g. a transaction ref)."""
    return "l-" + _digest(source, str(kind), target, start or "", qualifier or "", length=16)


def link_ids(keys) -> list[str]:
    """:func:`link_id` of many ``(source, kind, target, start)`` at once, for bulk loads: the same ids.

    >>> link_ids([("a", "funds", "b", "2006"), ("a", "funds", "b", None)]) == [
    ...     link_id("a", "funds", "b", "2006"), link_id("a", "funds", "b")]
    True
    """
    sha1 = hashlib.sha1
    return ["l-" + sha1(f"{source}\x1f{kind}\x1f{target}\x1f{start or ''}\x1f".encode("utf-8"),
                        usedforsecurity=False).hexdigest()[:16] for source, kind, target, start in keys]


def is_valid_id(value: str) -> bool:
    return bool(ID_PATTERN.match(value))
