"""Review: the queue of what ingests could not decide alone, most at stake first; a pair's two records side by
side, decided with one click or a key (s, d, u); and a form to add an actor, with its source.

For analysts and administrators: a viewer gets no navigation entry, no controls, and the server refuses
their requests (:func:`dashboard.answers.curation.check_may_curate`). The keys are read by
``assets/review_keys.js``, which clicks the buttons.
"""

from __future__ import annotations

from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard.access import current_viewer
from dashboard.answers import curation as curate
from dashboard.answers.review import decide, entry, review_queue
from dashboard.components.curation import KIND_OPTIONS, form_of, side_by_side, source_part, source_states
from dashboard.components.panels import notice
from dashboard.mapdata import DataError

#: How Dash Pages lists this page; ``curate`` keeps it out of the navigation of a role that may not curate.
REGISTRATION = dict(path="/review", name="Review", title="Stakemap · Review", order=8, curate=True)

VERDICTS = {"review-same": "same", "review-different": "different", "review-unsure": "unsure",
            "review-dismiss": "dismiss"}


def layout(**_query) -> html.Div:
    viewer = current_viewer()
    head = html.Div([html.H1("Review"), html.P(
        "What ingests could not decide alone, most at stake first. Look at the two records side by side and "
        "decide: Same (one actor: the record joins the known one), Different (kept apart, split if merged) or "
        "Unsure. Keys: s, d, u. Every decision is a version of the store, kept through every later ingest.",
        className="lede")], className="page-head")
    if not viewer.can_curate:
        return html.Div([head, notice(curate.REFUSAL, "warn")], className="page page-review")
    buttons = html.Div([
        html.Button("Same (s)", id="review-same", className="button", accessKey="s"),
        html.Button("Different (d)", id="review-different", className="button", accessKey="d"),
        html.Button("Unsure (u)", id="review-unsure", className="button secondary", accessKey="u"),
        html.Button("Dismiss", id="review-dismiss", className="button secondary",
                    title="For a placeholder, a rejected row or a disagreement: seen, nothing to do"),
        dcc.Input(id="review-note", type="text", value="", placeholder="Why (kept with the decision)",
                  className="text-input", style={"minWidth": "320px"}),
    ], className="review-actions")
    return html.Div([
        head,
        html.Div(id="review-progress", className="review-progress"),
        html.Div([
            html.Div([html.H3("Queue"), dcc.RadioItems(id="review-queue", options=[], value=None,
                                                       className="review-queue")], className="card"),
            html.Div([buttons, html.Div(id="review-message", role="status"),
                      dcc.Loading(html.Div(id="review-pair"), type="dot")], className="card"),
        ], className="grid-2 review-work"),
        html.Details([html.Summary("Add an actor"),
                      html.Div([html.Label("Name"), dcc.Input(id="review-add-name", type="text", value="",
                                                              className="text-input")], className="control"),
                      html.Div([html.Label("Kind"), dcc.Dropdown(id="review-add-kind", options=KIND_OPTIONS,
                                                                 value=None)], className="control"),
                      html.Div([html.Label("Country"), dcc.Input(id="review-add-country", type="text", value="",
                                                                 className="text-input")], className="control"),
                      html.Div([html.Label("Description"), dcc.Input(id="review-add-description", type="text",
                                                                     value="", className="text-input")],
                               className="control"),
                      source_part("review-add", curate.source_options(viewer)),
                      html.Button("Add actor", id="review-add", className="button"),
                      html.Div(id="review-add-message", role="status")], className="card"),
        dcc.Store(id="review-done", data=0),
    ], className="page page-review")


@callback(Output("review-queue", "options"), Output("review-queue", "value"), Output("review-progress", "children"),
          Input("review-done", "data"), State("review-queue", "value"))
def _queue(_done, current):
    return queue_view(current_viewer(), current)


def queue_view(viewer, current: str | None):
    """The queue's options, the entry to show (the one shown if still open, else the first) and the progress."""
    try:
        q = review_queue(viewer)
    except DataError as exc:
        return [], None, notice(str(exc), "warn")
    options = [{"label": e["label"], "value": e["key"]} for e in q["entries"]]
    keys = [e["key"] for e in q["entries"]]
    p = q["progress"]
    text = f"{p['decided']} of {p['total']} decided" + (f"; {q['total_open']} entries open" if keys else
                                                        "; nothing left to review")
    return options, current if current in keys else (keys[0] if keys else None), html.Span(text, id="review-count")


@callback(Output("review-pair", "children"), Input("review-queue", "value"))
def _pair(key):
    return pair_view(current_viewer(), key)


def pair_view(viewer, key: str | None):
    if not key:
        return notice("Choose an entry of the queue.")
    try:
        return side_by_side(entry(viewer, key))
    except DataError as exc:
        return notice(str(exc), "warn")


@callback(Output("review-message", "children"), Output("review-done", "data"),
          *[Input(b, "n_clicks") for b in VERDICTS], State("review-queue", "value"), State("review-note", "value"),
          State("review-done", "data"), prevent_initial_call=True)
def _decide(*values):
    *_clicks, key, note, done = values
    return decided(current_viewer(), [t["prop_id"].split(".")[0] for t in ctx.triggered], key, note, done or 0)


def decided(viewer, pressed: list[str], key: str | None, note: str | None, done: int):
    """What one button press does: the decision and a new count (so the queue shows the next entry).
    A request pressing several buttons at once is not one a person makes, and decides nothing."""
    if len(pressed) != 1 or pressed[0] not in VERDICTS:
        return notice("Press one button: Same, Different, Unsure or Dismiss.", "warn"), no_update
    try:
        return notice(decide(viewer, key, VERDICTS[pressed[0]], note), "ok"), done + 1
    except DataError as exc:
        return notice(str(exc), "warn"), done + 1


@callback(Output("review-add-message", "children"), Input("review-add", "n_clicks"), State("review-add-name", "value"),
          State("review-add-kind", "value"), State("review-add-country", "value"),
          State("review-add-description", "value"), *source_states("review-add"), prevent_initial_call=True)
def _add(_clicks, name, kind, country, description, *source):
    ok, text = curate.add_actor(current_viewer(), name, kind, country, description, form_of(source))
    return notice(text, "ok" if ok else "warn")
