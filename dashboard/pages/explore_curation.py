"""The explore panel's curation (analysts and administrators): change an actor's fields, add a link, end a
link, retire the actor, each with its source, and revert a change from the actor's history.

The forms are in an actor's panel (:func:`dashboard.components.curation.edit_block`, for a role that may
curate), filled with the record's values and its digest as it was opened: an edit made meanwhile by
someone else is refused, and the form is left as typed. After a change the map, the panel and its forms
are read again (``explore-edited``). Every request is checked on the server
(:mod:`dashboard.answers.curation`).
"""

from __future__ import annotations

import json

from dash import ALL, Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard.access import current_viewer
from dashboard.answers import curation as curate
from dashboard.components.curation import form_of, source_states
from dashboard.components.panels import notice
from dashboard.components.pickers import picker_id
from dashboard.mapdata import DataError

FIELDS = ("name", "kind", "country", "description", "aliases")
BUTTONS = ("cur-save", "cur-link-add", "cur-end-save", "cur-retire")


@callback(Output("cur-link-kind", "options"), Input(picker_id("curate", "link-to"), "value"),
          Input("cur-link-dir", "value"), State("cur-opened", "data"))
def _kinds(other, direction, opened):
    viewer = current_viewer()
    if not viewer.can_curate or not isinstance(opened, dict):
        raise PreventUpdate
    return curate.allowed_link_kinds(viewer, opened.get("id"), other, direction != "in")


@callback(Output("cur-message", "children"), Output("explore-edited", "data"),
          *[Input(b, "n_clicks") for b in BUTTONS], Input({"type": "cur-revert", "version": ALL}, "n_clicks"),
          State("cur-opened", "data"), *[State(f"cur-{f}", "value") for f in FIELDS],
          State(picker_id("curate", "link-to"), "value"), State("cur-link-dir", "value"),
          State("cur-link-kind", "value"), *[State(f"cur-link-{f}", "value") for f in ("start", "end", "amount",
                                                                                          "currency")],
          State("cur-end-link", "value"), State("cur-end-date", "value"), *source_states("cur"),
          State("explore-edited", "data"), prevent_initial_call=True)
def _write(*values):
    pressed = [t["prop_id"].rsplit(".", 1)[0] for t in ctx.triggered if t.get("value")]
    opened, *rest = values[len(BUTTONS) + 1:]
    typed, (other, direction, kind, start, end, amount, currency, link, date), rest = \
        dict(zip(FIELDS, rest[:5])), rest[5:14], rest[14:]
    form = {"link": dict(start=start, end=end, amount=amount, currency=currency), "other": other, "kind": kind,
            "outgoing": direction != "in", "end_link": link, "date": date, "source": form_of(tuple(rest[:5]))}
    return written(current_viewer(), pressed, opened, typed, form, rest[5] or 0)


def written(viewer, pressed: list[str], opened, typed: dict, form: dict, edited: int):
    """What one press does (role checked first; several buttons at once decide nothing)."""
    try:
        curate.check_may_curate(viewer, "edit")  # refused and logged for a role that may not curate
    except DataError as exc:
        return notice(str(exc), "warn"), no_update
    if len(pressed) != 1:
        return notice("Press one button at a time.", "warn"), no_update
    button, opened = pressed[0], opened if isinstance(opened, dict) else {}
    actor, source = opened.get("id"), form["source"]
    if button.startswith("{"):
        ok, text = curate.revert_version(viewer, json.loads(button).get("version"))
    elif not actor:
        ok, text = False, "Choose an actor first."
    elif button == "cur-save":
        ok, text = curate.set_actor_fields(viewer, actor, opened, typed, source)
    elif button == "cur-link-add":
        ok, text = curate.add_link(viewer, actor, form["other"], form["kind"], form["outgoing"], form["link"], source)
    elif button == "cur-end-save":
        ok, text = curate.end_link(viewer, form["end_link"], form["date"], source)
    else:
        ok, text = curate.retire_actor(viewer, actor, form["date"], opened, source)
    return notice(text, "ok" if ok else "warn"), (edited + 1) if ok else no_update
