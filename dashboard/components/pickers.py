"""Actor pickers: a dropdown that searches the map as the user types (only what the viewer may see).

Every picker has an id ``{"type": "actor-picker", "page": PAGE, "name": NAME}``;
one callback serves them all.
"""

from __future__ import annotations

from dash import MATCH, Input, Output, State, callback, dcc, no_update

from dashboard.access import current_viewer
from dashboard.answers.search import option, refs, search


def picker_id(page: str, name: str) -> dict[str, str]:
    return {"type": "actor-picker", "page": page, "name": name}


def actor_picker(page: str, name: str, value, *, multi: bool = False, placeholder: str = "Type a name…",
                 defaults: list[dict] | None = None) -> dcc.Dropdown:
    """A searchable actor dropdown holding ``value`` (an id, or ids when ``multi``).

    ``defaults`` are options offered before the user types (e.g. the funders).
    """
    viewer = current_viewer()
    ids = [v for v in (value if isinstance(value, list) else [value]) if v]
    known = refs(viewer, ids)
    options = [option(r) for r in known]
    for r in defaults or []:
        if r["id"] not in ids:
            options.append(option(r))
    valid = [r["id"] for r in known]
    return dcc.Dropdown(id=picker_id(page, name), options=options, value=valid if multi else (valid[0] if valid else None),
                        multi=multi, placeholder=placeholder, searchable=True, clearable=True,
                        className="actor-picker", optionHeight=44, maxHeight=360)


def search_options(text: str | None, value, current: list[dict] | None) -> list[dict]:
    """Options for a picker: what is chosen, then what matches ``text``."""
    chosen = [v for v in (value if isinstance(value, list) else [value]) if v]
    if not text:  # a value set by another callback needs its label
        have = {o["value"] for o in current or []}
        missing = [v for v in chosen if v not in have]
        if not missing:
            return no_update
        return (current or []) + [option(r) for r in refs(current_viewer(), missing)]
    keep = [o for o in (current or []) if o["value"] in chosen]
    found = [option(r) for r in search(current_viewer(), text) if r["id"] not in chosen]
    return keep + found


@callback(Output({"type": "actor-picker", "page": MATCH, "name": MATCH}, "options"),
          Input({"type": "actor-picker", "page": MATCH, "name": MATCH}, "search_value"),
          Input({"type": "actor-picker", "page": MATCH, "name": MATCH}, "value"),
          State({"type": "actor-picker", "page": MATCH, "name": MATCH}, "options"),
          prevent_initial_call=True)
def _search(text, value, options):
    return search_options(text, value, options)
