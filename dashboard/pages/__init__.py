"""The dashboard's pages, one module each (Dash Pages: page-prefixed ids, layout as a function).

A page lays out its controls and wires short callbacks to pure code: the answers it asks for and the
components it draws with. Pages import the rest of the dashboard and graphmodel; nothing imports a page
but the app that registers it."""
