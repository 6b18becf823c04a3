"""Stakemap's top layer: the ``stakemap`` command and the Python API for notebooks.

* The command: one module per family of subcommands (``cmd_*.py``), each a thin layer that parses options,
  calls the layers below and prints (``--json`` for scripts).
* The Python API (:mod:`stakemap.api`): ``stakemap.open(url)`` gives a :class:`~stakemap.api.Map` whose
  tables are pandas DataFrames (:mod:`stakemap.frames`), whose graphs are networkx graphs
  (:mod:`stakemap.submap`) and whose analyses return the models ``--json`` prints.
* What both share: the questions (:mod:`stakemap.questions`), the counts (:mod:`stakemap.counts`) and the
  clearance (:mod:`stakemap.clearance`).

It may import graphmodel, ingest and dashboard; nothing imports it. Importing it is cheap: the API loads on
first use of ``stakemap.open`` (and the other names below).
"""

from __future__ import annotations

__all__ = ["AmbiguousError", "Map", "NotFoundError", "StakemapError", "SubMap", "bundled", "open"]

_API = {"open": "stakemap.api", "Map": "stakemap.api", "bundled": "stakemap.api", "SubMap": "stakemap.submap",
        "NotFoundError": "graphmodel.errors", "AmbiguousError": "graphmodel.errors",
        "StakemapError": "graphmodel.errors"}


def __getattr__(name: str) -> object:
    if name in _API:
        import importlib

        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'stakemap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
