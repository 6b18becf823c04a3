"""Figures drawn on the server: plotly figures to SVG through Kaleido and a headless Chromium.

Kaleido (1.x) renders with the plotly.js that the ``plotly`` package ships and
the Chromium (or Chrome) it finds on the machine (``BROWSER_PATH`` names one
explicitly); nothing is fetched from the network: MathJax is off and the world
map's country shapes are read from the folder given as ``topojson`` (the
dashboard's own copy of plotly's ``world_50m.json``). A figure drawn once is
kept (by its JSON) for the life of the process, so the same question asked
again is not drawn again.

When Kaleido or a browser is missing, :func:`draw` raises
:class:`ChartsUnavailable`, whose message says what to install; the report is
then written with the reason in place of each figure.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import StakemapError

#: Width of a drawn figure, in CSS pixels (an A4 page's text width).
WIDTH = 720
_KEEP = 64
#: Libraries whose logs speak of the browser's pipe, not of the report (a message the pipe could not decode
#: while the browser closes is logged with its traceback): errors that matter are raised, not logged.
QUIET_LOGGERS = ("choreographer", "kaleido", "logistro")
_drawn: OrderedDict[str, str] = OrderedDict()
_lock = threading.Lock()


class ChartsUnavailable(StakemapError):
    """Figures cannot be drawn here (no Kaleido, or no Chromium/Chrome for it to drive)."""


def _key(fig, topojson: Path | None) -> str:
    body = json.dumps(fig.to_plotly_json(), sort_keys=True, default=str)
    return hashlib.sha256(f"{topojson}\n{body}".encode()).hexdigest()


def draw(figures: list, topojson: Path | None = None) -> list[str]:
    """Each plotly figure as an SVG document (``<svg ...>...</svg>``), in order."""
    keys = [_key(f, topojson) for f in figures]
    with _lock:
        todo = {k: f for k, f in zip(keys, figures) if k not in _drawn}
    if todo:
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        drawn = _in_fresh_loop(lambda: _draw_all(list(todo.values()), topojson))
        with _lock:
            for k, svg in zip(todo, drawn):
                _drawn[k] = svg
            while len(_drawn) > _KEEP:
                _drawn.popitem(last=False)
    with _lock:
        return [_drawn[k] if k in _drawn else "" for k in keys]


def _in_fresh_loop(make):
    """Run the coroutine ``make()`` returns in an event loop of its own (also when one is running here,
    as in a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


async def _draw_all(figures: list, topojson: Path | None) -> list[str]:
    try:
        import kaleido
        from choreographer.errors import ChromeNotFoundError
    except ImportError as exc:
        raise ChartsUnavailable("figures cannot be drawn: the Python package kaleido is not installed",
                                hint="pip install kaleido") from exc
    url = topojson.resolve().as_uri().rstrip("/") + "/" if topojson else None
    out = []
    try:
        async with kaleido.Kaleido(n=1, mathjax=False, timeout=60) as k:
            for fig in figures:
                height = int(fig.layout.height or 400)
                data = await k.calc_fig(fig, opts={"format": "svg", "width": WIDTH, "height": height},
                                        topojson=url)
                out.append(data.decode("utf-8") if isinstance(data, bytes) else str(data))
    except ChromeNotFoundError as exc:
        raise ChartsUnavailable("figures cannot be drawn: no Chromium or Chrome was found for Kaleido to drive",
                                hint="install Chromium (apt install chromium) or set BROWSER_PATH to a Chrome or "
                                     "Chromium executable") from exc
    return out


__all__ = ["ChartsUnavailable", "WIDTH", "draw"]
