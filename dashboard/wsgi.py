"""Serving the dashboard with a production WSGI server (gunicorn).

``stakemap serve --workers N`` runs :func:`serve_production`: gunicorn with
``N`` worker processes, each building its own app (its own store connection:
nothing opened before the fork is shared). Sign-in, the session secret, the
sign-in attempt counts and the audit log are files every worker shares.

Other servers can load the app from :func:`create_server`, configured by the
environment (``STAKEMAP_STORE``, ``STAKEMAP_USERS``, ``STAKEMAP_AUDIT_LOG``...)::

    gunicorn --workers 4 --threads 4 --bind 127.0.0.1:8050 'dashboard.wsgi:create_server()'

The serve policy (:mod:`dashboard.security`) is checked against the address
given here; behind another server, the app itself answers only loopback
clients when sign-in is not configured.
"""

from __future__ import annotations

import os
from typing import Any


def create_server(store_url: str | None = None, **options: Any):
    """The dashboard's Flask server (a WSGI application), for any WSGI server."""
    from .app import create_app

    return create_app(store_url or os.environ.get("STAKEMAP_STORE"), **options).server


def serve_production(host: str, port: int, *, workers: int = 2, threads: int = 4, timeout: int = 120,
                     store_url: str | None = None, **options: Any) -> None:
    """Serve with gunicorn until interrupted (Unix only)."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError as exc:  # pragma: no cover - gunicorn is a dependency on Unix
        from graphmodel.errors import ConfigError

        raise ConfigError("the production server needs gunicorn", hint="pip install gunicorn, or drop --workers") from exc

    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    class _Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {"bind": bind, "workers": workers, "threads": threads, "timeout": timeout,
                               "worker_class": "gthread", "preload_app": False, "keepalive": 30, "accesslog": None,
                               "errorlog": "-", "loglevel": "warning", "proc_name": "stakemap"}.items():
                self.cfg.set(key, value)

        def load(self):
            return create_server(store_url, **options)

    _Server().run()


__all__ = ["create_server", "serve_production"]
