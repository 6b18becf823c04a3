"""Text fit for XML 1.0: escaped, and without the control characters XML forbids.

>>> attr("a <b> & \\"c\\"\\x01")
'"a &lt;b&gt; &amp; &quot;c&quot;"'
>>> text("x\\x0by")
'xy'
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape  # used to escape text we write, never to parse  # nosec B406

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ENTITIES = {"\"": "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def clean(value: Any) -> str:
    """A value as XML-legal text (truth values as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return _ILLEGAL.sub("", str(value))


def text(value: Any) -> str:
    """Element content."""
    return escape(clean(value))


def attr(value: Any) -> str:
    """A quoted attribute value (new lines kept as character references)."""
    return '"' + escape(clean(value), _ENTITIES) + '"'
