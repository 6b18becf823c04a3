"""When the dashboard may be served: the serve policy.

* Without sign-in configured, only on a loopback address (``127.0.0.1``,
  ``::1``, ``localhost``): anyone who can reach it sees what its store holds.
* Debug mode (Dash dev tools, the interactive debugger, tracebacks in
  responses) only on a loopback address, with or without sign-in.

:func:`check_serve` raises a :class:`~graphmodel.errors.ConfigError` that
says why and what to do; ``stakemap serve`` calls it before starting. The app
itself also refuses debug-mode requests from other addresses (see
:mod:`dashboard.auth`), in case it was started some other way.

>>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0")
(True, True, True, False)
>>> check_serve("0.0.0.0", sign_in=False, debug=False)
Traceback (most recent call last):
...
graphmodel.errors.ConfigError: refusing to serve on 0.0.0.0 without sign-in: ...
>>> check_serve("127.0.0.1", sign_in=False, debug=True)
>>> check_serve("0.0.0.0", sign_in=True, debug=True)
Traceback (most recent call last):
...
graphmodel.errors.ConfigError: refusing to serve in debug mode on 0.0.0.0: ...
"""

from __future__ import annotations

import ipaddress
import socket

from graphmodel.errors import ConfigError

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` (an address or a name) only ever means this machine.

    A name counts only when every address it resolves to is a loopback
    address; an empty host, ``0.0.0.0`` and ``::`` mean every interface.
    """
    text = (host or "").strip().strip("[]")
    if not text:
        return False
    if text.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text.split("%", 1)[0]).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(text, None)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a.split("%", 1)[0]).is_loopback for a in addresses)


def check_serve(host: str, *, sign_in: bool, debug: bool) -> None:
    """Refuse a serve configuration that could expose the map; return quietly otherwise."""
    if is_loopback(host):
        return
    if not sign_in:
        raise ConfigError(
            f"refusing to serve on {host} without sign-in: anyone who can reach this address would see "
            "every record the store holds",
            hint="serve on 127.0.0.1 (the default), or configure sign-in first with 'stakemap users add NAME "
                 "--role admin' (the users file is ./stakemap-users.json, or STAKEMAP_USERS), and serve behind "
                 "HTTPS; see docs/security.md")
    if debug:
        raise ConfigError(
            f"refusing to serve in debug mode on {host}: debug mode shows tracebacks and developer tools "
            "and must only ever be reachable from this machine",
            hint="drop --debug, or serve on 127.0.0.1")


__all__ = ["check_serve", "is_loopback"]
