"""Every page's state lives in its URL's query, so a view can be shared and reloaded.

A page declares its state as a :class:`State` (named, typed fields with
defaults). Dash Pages passes the query of the address to the page's
``layout(**query)``, which reads it with :meth:`State.decode` and sets its
controls from it; a callback writes the controls' values back with
:meth:`State.encode` into the page's URL store, and :func:`url_sync` copies
that into the address bar (``history.replaceState``: no reload, no new
history entry). Reading is forgiving: a bad or unknown value falls back to
its default, so a hand-edited link still opens.

Lists are written comma-separated (ids, kinds and country codes hold no commas).

>>> st = State(Field("from"), Field("k", int, 5, lo=1, hi=20), Field("links", list))
>>> st.decode({"from": "fnv", "k": "99", "links": "funds,supports"})
{'from': 'fnv', 'k': 20, 'links': ['funds', 'supports']}
>>> st.encode({"from": "fnv", "k": 5, "links": ["funds"]})
'from=fnv&links=funds'
>>> st.decode({"k": "many"})["k"]
5
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from dash import MATCH, Input, Output, clientside_callback, dcc, html


@dataclass(frozen=True)
class Field:
    """One piece of a page's state."""

    name: str
    type: type = str
    default: Any = None
    choices: tuple[str, ...] | None = None
    lo: float | None = None
    hi: float | None = None

    def decode(self, raw: Any) -> Any:
        if raw is None or raw == "" or raw == []:
            return self._default()
        if self.type is list:
            values = raw if isinstance(raw, list) else [raw]
            out = [v.strip() for value in values for v in str(value).split(",") if v.strip()]
            if self.choices is not None:
                out = [v for v in out if v in self.choices]
            return list(dict.fromkeys(out))
        text = raw[-1] if isinstance(raw, list) else raw
        try:
            if self.type is bool:
                return str(text).lower() in ("1", "true", "yes", "on")
            value = self.type(text)
        except (TypeError, ValueError):
            return self._default()
        if self.choices is not None and value not in self.choices:
            return self._default()
        if self.lo is not None and value < self.lo:
            value = self.type(self.lo)
        if self.hi is not None and value > self.hi:
            value = self.type(self.hi)
        return value

    def _default(self) -> Any:
        return list(self.default or []) if self.type is list else self.default

    def encode(self, value: Any) -> str | None:
        if value is None or value == self._default() or value == [] or value == "":
            return None
        if self.type is list:
            return ",".join(str(v) for v in value)
        if self.type is bool:
            return "true" if value else "false"
        return str(value)


class State:
    """The fields of one page's state, in the order they are written."""

    def __init__(self, *fields: Field) -> None:
        self.fields = {f.name: f for f in fields}

    def decode(self, query: dict[str, Any]) -> dict[str, Any]:
        """Values from a page's query parameters (``layout(**query)``), defaults where absent or bad."""
        return {name: f.decode(query.get(name)) for name, f in self.fields.items()}

    def encode(self, values: dict[str, Any]) -> str:
        """The query string (without ``?``) for these values; defaults are left out."""
        pairs = []
        for name, f in self.fields.items():
            text = f.encode(values.get(name))
            if text is not None:
                pairs.append((name, text))
        return urlencode(pairs)

    def names(self) -> Iterable[str]:
        return self.fields.keys()


def url_store(page: str, query: str = "") -> html.Div:
    """The store holding a page's canonical query, and the sink of the script that puts it in the address bar."""
    return html.Div([dcc.Store(id={"type": "url-state", "page": page}, data=query),
                     html.Span(id={"type": "url-sink", "page": page}, hidden=True)])


def url_id(page: str) -> dict[str, str]:
    """The id of a page's URL store (the Output its state callback writes)."""
    return {"type": "url-state", "page": page}


# One script for every page: copy the page's query into the address bar without reloading.
clientside_callback(
    """
    function(query) {
        if (query === undefined || query === null) { return window.dash_clientside.no_update; }
        var want = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
        var now = window.location.pathname + window.location.search + window.location.hash;
        if (want !== now) { window.history.replaceState(window.history.state, "", want); }
        return "";
    }
    """,
    Output({"type": "url-sink", "page": MATCH}, "children"),
    Input({"type": "url-state", "page": MATCH}, "data"),
)

# "Copy link": the address of the current view, to the clipboard.
clientside_callback(
    "function(n) { return window.location.href; }",
    Output({"type": "copy-link", "page": MATCH}, "content"),
    Input({"type": "copy-link", "page": MATCH}, "n_clicks"),
    prevent_initial_call=True,
)


def copy_link(page: str) -> html.Span:
    """A button copying the address of the current view."""
    return html.Span([dcc.Clipboard(id={"type": "copy-link", "page": page}, title="Copy a link to this view",
                                    className="copy-link"), html.Span("Copy link", className="copy-label")],
                     className="copy-wrap")
