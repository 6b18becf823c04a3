"""Normalising names so lookups ignore case, accents, punctuation and spacing.

>>> normalise_name("  Confédération  Générale du Travail ")
'confederation generale du travail'
>>> normalise_name("B.W.I.")
'bwi'
>>> slugify("Building and Wood Workers' International")
'building-and-wood-workers-international'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_PUNCT_DROP = re.compile(r"[.'’`´]")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Case-fold and strip accents (``Ö`` -> ``o``)."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1 << 16)
def normalise_name(text: str) -> str:
    """The key names and aliases are matched on (remembered: readers see the same names many times)."""
    folded = _PUNCT_DROP.sub("", fold(text))
    return " ".join(_NON_WORD.sub(" ", folded).split()).replace("_", " ").strip()


def slugify(text: str, max_length: int = 48) -> str:
    """A short ASCII slug for ids."""
    ascii_text = fold(text).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", _PUNCT_DROP.sub("", ascii_text)).strip("-")
    return slug[:max_length].rstrip("-") or "x"


def clean_text(value: str) -> str:
    """Collapse white space and drop control characters (keeps newlines out of names)."""
    if value.isprintable():
        return " ".join(value.split())
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
