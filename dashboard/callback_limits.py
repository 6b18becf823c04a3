"""Every value a callback receives is checked and bounded on the server, and no answer may run for ever.

A browser sends only what the page's controls allow (hops 1 to 3, paths 1 to
10...), but anyone signed in can post anything to ``/_dash-update-component``.
Before Dash sees a callback request:

* :func:`check_request` checks its shape and every value: numbers of the
  bounded controls in :data:`NUMBERS` (the same bounds as the sliders and
  radio buttons on the pages, which a test holds them to), the type each Dash
  property can have, and the size of strings, lists and nesting. A request
  that fails gets 400 with a message naming the control, never a 500.
* :class:`CallbackRunner` runs the callback on a small pool: at most
  ``slots`` answers are computed at once in a server process (so threads stay
  free for sign-in and page loads), at most ``per_user`` for one user (whose
  further questions, up to ``queue`` of them, wait their turn), and an
  answer not ready after ``seconds`` is abandoned with a 503 saying how to ask
  a narrower question. The abandoned computation keeps its slot until it
  ends, so slow requests cannot pile up.
* A callback that fails on a value the page would never send (a wrong type in
  a store, say) answers 400, not a server error; the failure is logged.

>>> check_request({"output": "x.y", "inputs": [{"id": "paths-k", "property": "value", "value": 3}]}) is None
True
>>> check_request({"output": "x.y", "inputs": [{"id": "paths-k", "property": "value", "value": 10**6}]})
'paths-k must be a whole number from 1 to 10 (it was 1000000)'
>>> check_request({"output": "x.y", "inputs": [{"id": "go", "property": "n_clicks", "value": "1"}]})
'go.n_clicks must be a whole number of 0 or more'
"""

from __future__ import annotations

import logging
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from flask import Flask, Response, current_app, g, jsonify, request
from flask.ctx import copy_current_request_context

CALLBACK_PATH = "/_dash-update-component"
TIMEOUT_ENV = "STAKEMAP_CALLBACK_SECONDS"
LOG = logging.getLogger("stakemap.dashboard")

#: The bounded numeric controls: id -> (least, most). Held to the pages' controls by a test.
NUMBERS: dict[str, tuple[int, int]] = {
    "explore-hops": (1, 3),
    "explore-asof": (1800, 2200),
    "paths-k": (1, 10),
    "paths-hops": (1, 8),
    "leverage-top": (3, 50),
    "leverage-hops": (1, 6),
    "coverage-hops": (1, 8),
    "brokers-top": (5, 50),
    "export-hops": (0, 4),
    "export-k": (1, 10),
    "export-maxhops": (1, 8),
}
MAX_STRING = 20_000
MAX_ITEMS = 2_000
MAX_DEPTH = 24
_COUNTS = ("n_clicks", "n_submit", "n_blur", "n_intervals", "n_clicks_timestamp")
_TEXTS = ("pathname", "search", "hash", "href", "search_value")
_SCALARS = (str, int, float)


def check_request(body: object) -> str | None:
    """What is wrong with a callback request (a sentence naming the control), or ``None`` when it is sound."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return "not a callback request"
    for part in ("inputs", "state"):
        items = body.get(part, [])
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            return f"the request's {part} must be a list"
        for item in items:
            for entry in (item if isinstance(item, list) else [item]):
                problem = _check_entry(entry)
                if problem:
                    return problem
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) and len(c) < MAX_STRING for c in changed):
        return "changedPropIds must be a list of names"
    return None


def _check_entry(entry: object) -> str | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("property"), str):
        return "every input must name a component and a property"
    cid, prop, value = entry.get("id"), entry["property"], entry.get("value")
    if isinstance(cid, dict):
        if not all(isinstance(k, str) and (v is None or isinstance(v, (*_SCALARS, bool))) for k, v in cid.items()):
            return "a pattern-matching id holds only names and plain values"
        name = str(cid.get("type", "component"))
    elif isinstance(cid, str) and len(cid) < 200:
        name = cid
    else:
        return "every input must name a component"
    where = f"{name}.{prop}"
    size = _size_problem(value, 0)
    if size:
        return f"{where}: {size}"
    if isinstance(cid, str) and cid in NUMBERS and prop == "value":
        least, most = NUMBERS[cid]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
            and float(value).is_integer() and least <= value <= most
        if not ok and value is not None:
            return f"{cid} must be a whole number from {least} to {most} (it was {_short(value)})"
    if prop in _COUNTS and not (value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                                   and math.isfinite(value) and value >= 0)):
        return f"{where} must be a whole number of 0 or more"
    if prop in _TEXTS and not (value is None or isinstance(value, str)):
        return f"{where} must be text"
    if prop == "value" and not (value is None or isinstance(value, (*_SCALARS, bool))
                                or (isinstance(value, list) and all(isinstance(v, (*_SCALARS, bool)) for v in value))):
        return f"{where} must be a value or a list of values"
    if prop in ("tapNodeData", "tapEdgeData", "mouseoverNodeData") and not (value is None or isinstance(value, dict)):
        return f"{where} must be an object"
    if prop == "selectedRows" and not (value is None or (isinstance(value, list)
                                                          and all(isinstance(v, dict) for v in value))):
        return f"{where} must be a list of rows"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{where} must be a finite number"
    return None


def _size_problem(value: object, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        return "nested too deeply"
    if isinstance(value, str):
        return "text too long" if len(value) > MAX_STRING else None
    if isinstance(value, list):
        if len(value) > MAX_ITEMS:
            return f"more than {MAX_ITEMS:,} items"
        return next((p for p in (_size_problem(v, depth + 1) for v in value) if p), None)
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            return f"more than {MAX_ITEMS:,} entries"
        return next((p for p in (_size_problem(v, depth + 1) for k, v in value.items()) if p), None)
    return None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass
class CallbackRunner:
    """Runs callbacks on a bounded pool with a time limit (see the module)."""

    seconds: float = 20.0
    slots: int = 3
    per_user: int = 2
    #: A user's questions that may wait for one of their slots (a page load's burst); more get 429 at once.
    queue: int = 8
    _pool: ThreadPoolExecutor = field(init=False, repr=False)
    _free: threading.BoundedSemaphore = field(init=False, repr=False)
    _users: dict = field(default_factory=dict, init=False, repr=False)
    _waiting: dict = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="stakemap-callback")
        self._free = threading.BoundedSemaphore(self.slots)

    def _user_slots(self, name: str) -> threading.BoundedSemaphore:
        with self._lock:
            return self._users.setdefault(name, threading.BoundedSemaphore(self.per_user))

    def run(self, view, *args, **kwargs) -> Response:
        user = g.get("stakemap_user")
        name = user.name if user else ""
        mine = self._user_slots(name)
        # A page asks several questions at once: a user's own burst waits its turn (up to the cutoff), but
        # only ``queue`` of them wait at a time, so one user's tabs cannot hold every server thread.
        with self._lock:
            waiting = self._waiting.get(name, 0)
            if waiting >= self.queue:
                return _answer(429, "Your earlier questions are still being answered. Wait for them, then try again.")
            self._waiting[name] = waiting + 1
        try:
            got = mine.acquire(timeout=self.seconds)
        finally:
            with self._lock:
                self._waiting[name] -= 1
        if not got:
            return _answer(429, "Your earlier questions are still being answered. Wait for them, then try again.")
        if not self._free.acquire(timeout=min(5.0, self.seconds)):
            mine.release()
            return _answer(503, "The server is busy answering other questions. Try again in a moment.")

        @copy_current_request_context
        def work():
            g.stakemap_user = user
            return current_app.make_response(view(*args, **kwargs))

        future = self._pool.submit(work)

        def done(_future) -> None:
            self._free.release()
            mine.release()

        future.add_done_callback(done)
        try:
            return future.result(timeout=self.seconds)
        except FutureTimeout:
            LOG.warning("a callback ran over %.0f s and was abandoned: %s", self.seconds, request.path)
            return _answer(503, f"This answer took longer than {self.seconds:.0f} seconds and was stopped. Ask a "
                                "narrower question: fewer hops, fewer paths, or one actor at a time.")


def _answer(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


_VALUE_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError)


def install_callback_limits(server: Flask, runner: CallbackRunner | None = None) -> CallbackRunner:
    """Check every callback request before Dash sees it, and run callbacks through ``runner``."""
    runner = runner or CallbackRunner(seconds=float(os.environ.get(TIMEOUT_ENV) or 20))
    endpoint = next(r.endpoint for r in server.url_map.iter_rules() if r.rule == CALLBACK_PATH)
    view = server.view_functions[endpoint]

    def checked_view(*args, **kwargs):
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            body = None
        problem = check_request(body)
        if problem:
            return _answer(400, f"This request was refused: {problem}. Reload the page and try again.")
        try:
            return runner.run(view, *args, **kwargs)
        except _VALUE_ERRORS as exc:  # a value no page sends made a callback fail: the request was wrong
            LOG.warning("a callback failed on its input (%s): %s", type(exc).__name__, request.path, exc_info=True)
            return _answer(400, "This request could not be answered: one of its values is not one the page "
                                "sends. Reload the page and try again.")

    server.view_functions[endpoint] = checked_view
    return runner


__all__ = ["NUMBERS", "CallbackRunner", "check_request", "install_callback_limits"]
