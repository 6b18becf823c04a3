"""A subgraph as a networkx ``MultiDiGraph``: one node per actor, one edge per link keyed by the link's id,
with the attributes the GraphML export writes (:class:`~graphmodel.export.graphml.GraphMLKeys`), typed as a
GraphML reader reads them back, and the graph's ``sources_json`` as in GraphML.

So ``to_networkx(sub)`` holds what ``networkx.read_graphml(file, force_multigraph=True)`` gives for the
GraphML export of ``sub``, without the file.

>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store.contract import Subgraph
>>> g = Subgraph({"a": Actor(id="a", kind="sso", name="FES"), "b": Actor(id="b", kind="guf", name="BWI")},
...              {"l1": Link(id="l1", kind="funds", source="a", target="b", amount=5, currency="EUR"),
...               "l2": Link(id="l2", kind="supports", source="a", target="b")})
>>> G = to_networkx(g)
>>> G.number_of_nodes(), G.number_of_edges(), sorted(G["a"]["b"])
(2, 2, ['l1', 'l2'])
>>> G.nodes["a"]["name"], G.edges["a", "b", "l1"]["amount"], G.edges["a", "b", "l1"]["directed"]
('FES', 5.0, True)
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from ..models import Source
from ..store.contract import Subgraph
from .graphml import GraphMLKeys, sources_json, typed


def to_networkx(subgraph: Subgraph, sources: Iterable[Source] = ()) -> nx.MultiDiGraph:
    """``subgraph`` as a ``MultiDiGraph`` with the GraphML export's attributes (see the module notes)."""
    actors = list(subgraph.actors.values())
    links = list(subgraph.links.values())
    keys = GraphMLKeys.of(actors, links)
    graph = nx.MultiDiGraph(sources_json=sources_json(list(sources)))
    graph.add_nodes_from((a.id, {c: typed(v, keys.node_types[c]) for c, v in keys.node_row(a).items()})
                         for a in actors)
    graph.add_edges_from((lk.source, lk.target, lk.id,
                          {c: typed(v, keys.edge_types[c]) for c, v in keys.edge_row(lk).items()}) for lk in links)
    return graph
