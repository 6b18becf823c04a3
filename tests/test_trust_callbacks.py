"""Every callback, over HTTP, as every role: no restricted record reaches a user not cleared for it.

The checks are in :mod:`tests.trust_callbacks`; they run here in a fresh process, because Dash gives
the callbacks its pages register to the first app a process creates, and other tests create apps.
"""

from __future__ import annotations

from tests.fresh_process import run_module


def test_every_callback_as_every_role_in_a_fresh_process():
    run_module("trust_callbacks.py")
