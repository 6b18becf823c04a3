"""Neutralising spreadsheet formulas in exported cells.

A spreadsheet program treats a cell that begins with ``=``, ``+``, ``-`` or
``@`` as a formula, and some also act on a leading tab or carriage return (CSV
injection). Every text cell Stakemap writes to CSV or XLSX that begins with
one of these characters gets a single quote in front, so it is shown as text
and never run. Numbers are written as numbers and left alone.

The quote stays in the file: a value read back from an export that begins
with ``'`` followed by one of these characters had the quote added here. Text
that itself begins with quotes before such a character gets one more, so
:func:`restore` always gives back exactly what was written.

>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise("-5 workers")
"'-5 workers"
>>> neutralise("Union of Workers")
'Union of Workers'
>>> neutralise(12.5)
12.5
>>> restore("'=1+1")
'=1+1'
"""

from __future__ import annotations

from typing import Any

#: First characters that make a spreadsheet cell a formula (or act like one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value to write in a spreadsheet cell: text that could run as a formula gets a leading quote.

    >>> neutralise("'=1+1"), restore(neutralise("'=1+1"))
    ("''=1+1", "'=1+1")
    """
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """Undo :func:`neutralise` (for readers of Stakemap's own exports)."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value
