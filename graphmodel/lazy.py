"""Packages whose public names load on first use (PEP 562), so that a one-shot command imports only
the modules it needs.

>>> lookup, listing = lazy_names("json", {"JSONEncoder": "encoder"})
>>> lookup("JSONEncoder").__module__, "JSONEncoder" in listing()
('json.encoder', True)
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def lazy_names(package: str, where: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__``: ``where`` maps each public name to the submodule
    that defines it; a name is imported once, then kept in the package's namespace."""

    def lookup(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        setattr(sys.modules[package], name, value)
        return value

    def listing() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return lookup, listing
