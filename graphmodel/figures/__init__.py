"""Figures: the plotly charts the dashboard shows and reports print, built by pure functions of a result.

* :mod:`.base` the shared look (font, margins, an empty figure with a message) and the text helpers
  every label passes through (escaped for plotly, shortened, unique);
* :mod:`.coverage` a funder's coverage: the world map, the flow diagram (Sankey) and the gaps chart;
* :mod:`.leverage` the ranked leverage bars, by where each actor acts;
* :mod:`.paths` the influence paths as a flow diagram.

Each builder takes the plain result dict of an analysis (``as_dict()``, with the few names and
country codes :func:`.coverage.described` adds) and returns a :class:`plotly.graph_objects.Figure`:
the dashboard hands it to ``dcc.Graph``, a report renders it to SVG (:mod:`graphmodel.report.charts`).
"""
