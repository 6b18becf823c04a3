"""Scores in words a campaigner reads: strong, medium or weak, and a share of the best answer.

A path's strength is a product of its hops' strengths (each at most 1), so a
three-hop route of ordinary links is already a small number; "0.007" tells a
reader nothing and "5.4e-06" less. Every score is shown as a word and as a
share (0-100) of the best answer to the same question; the raw product stays
in the detail and in ``--json``.

The words follow what one hop means under the default weights: a strong route
is at least as strong as one firm link (an owner over its company, a regulator
sanctioning, 0.25 and up); a medium one as two ordinary hops (0.05 and up);
anything less is weak.

>>> [strength_word(x) for x in (0.8, 0.25, 0.06, 0.0049, 0.0)]
['strong', 'strong', 'medium', 'weak', 'none']
>>> share_of_best(0.02, 0.08), share_of_best(0.08, 0.08), share_of_best(1e-9, 0.08), share_of_best(0.0, 0.0)
(25, 100, 1, 0)
>>> readable(0.0000054, 0.0000108)
'weak (50 of the best)'
"""

from __future__ import annotations

import math

STRONG = 0.25
MEDIUM = 0.05


def strength_word(x: float | None) -> str:
    """``strong``, ``medium``, ``weak`` (or ``none`` for no route)."""
    if x is None or not math.isfinite(x) or x <= 0:
        return "none"
    return "strong" if x >= STRONG else "medium" if x >= MEDIUM else "weak"


def share_of_best(x: float | None, best: float | None) -> int:
    """``x`` as a whole-number share (1-100) of ``best``; 0 when there is no route."""
    if not x or not best or x <= 0 or best <= 0:
        return 0
    return max(1, min(100, round(100 * x / best)))


def readable(x: float | None, best: float | None) -> str:
    """``strong (100 of the best)``: the word and the share, for text."""
    return f"{strength_word(x)} ({share_of_best(x, best)} of the best)"


def annotate(entry: dict, key: str, best: float | None) -> dict:
    """Add ``<key>_word`` and ``<key>_share`` (of ``best``) beside a raw score in a result dict."""
    entry[f"{key}_word"] = strength_word(entry.get(key))
    entry[f"{key}_share"] = share_of_best(entry.get(key), best)
    return entry


__all__ = ["MEDIUM", "STRONG", "annotate", "readable", "share_of_best", "strength_word"]
