"""The Stakemap dashboard: a Dash app over any store, answering only what its viewer may see.

* :mod:`dashboard.app` builds the app; :mod:`dashboard.pages` holds one module per page
  (layout and callbacks), and :mod:`dashboard.components` the pieces they share (graphs,
  legends, panels, pickers, the download bar).
* :mod:`dashboard.answers` answers the pages' questions, one module per page or family of
  questions, all built on :mod:`dashboard.mapdata`, the one way to the store, where the
  viewer's clearance is applied; :mod:`dashboard.data` names every answer again for callers
  that are not pages.
* Sign-in and security: :mod:`dashboard.access` (who is looking), :mod:`dashboard.auth`,
  :mod:`dashboard.users` and :mod:`dashboard.signin_state` (who may sign in, and sessions),
  :mod:`dashboard.guard` (the response guard), :mod:`dashboard.callback_limits`,
  :mod:`dashboard.free_text`, :mod:`dashboard.audit`, :mod:`dashboard.security` and
  :mod:`dashboard.wsgi` (when and how it may be served).

The dashboard imports :mod:`graphmodel` (the store, the analyses, the exports); never
``ingest`` or ``stakemap``, which may import it.
"""
