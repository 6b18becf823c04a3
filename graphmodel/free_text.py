"""What a reader sees of people's names in free text: sources' authors, titles, descriptions and notes
(shared by the dashboard and reports).

Records are withheld by their kind and sensitivity, but names also travel in
free text that curators and publishers wrote: a report's author, a title
("Interview with ..."), an actor's description, a citation's note. The rule
(docs/security.md, "Names in free text"):

* a user whose role excludes people (a viewer) never sees a source's
  ``author`` (authors are mostly people);
* in titles, descriptions, notes and locators, the names (and aliases) of the
  people the user may not see, those in the map, are replaced by
  :data:`WITHHELD`; a name is matched whole, ignoring case, and only names of
  two words or more, or of six letters or more, so that common words are
  never hidden;
* names of people who are not in the map cannot be recognised: curators write
  notes in their own words and keep names of people at risk out of them.

>>> rx = name_pattern(["Qzxvk Canary", "Li", "Maria Wong"])
>>> mask("Interview with qzxvk canary and Maria Wong, Li Street", rx)
"Interview with [a person's name] and [a person's name], Li Street"
>>> mask("nothing to hide", None)
'nothing to hide'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

WITHHELD = "[a person's name]"
#: The fields of a source, citation or record that hold free text.
TEXT_FIELDS = ("title", "description", "note", "notes", "locator", "summary")


def _maskable(name: str) -> bool:
    name = name.strip()
    return len(name.split()) >= 2 or sum(ch.isalpha() for ch in name) >= 6


def name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern matching any of ``names`` whole, ignoring case (``None`` when there is nothing to hide)."""
    words = sorted({n.strip() for n in names if n and _maskable(n)}, key=len, reverse=True)
    if not words:
        return None
    body = "|".join(r"\s+".join(re.escape(part) for part in w.split()) for w in words)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def mask(text: Any, pattern: re.Pattern[str] | None) -> Any:
    """``text`` with every name ``pattern`` matches replaced by :data:`WITHHELD` (non-text is returned as is)."""
    if pattern is None or not isinstance(text, str):
        return text
    return pattern.sub(WITHHELD, text)


def redact_fields(record: dict[str, Any], pattern: re.Pattern[str] | None, *, authors: bool) -> dict[str, Any]:
    """A copy of a source, citation or record dict with its free text masked and, unless ``authors``,
    without its author."""
    out = {k: mask(v, pattern) if k in TEXT_FIELDS else v for k, v in record.items()}
    if not authors:
        out.pop("author", None)
    return out


__all__ = ["TEXT_FIELDS", "WITHHELD", "mask", "name_pattern", "redact_fields"]
