"""The peer for one-shot questions: a plain networkx script that reads the links CSV and answers a
shortest-path question, as an analyst would write it.

    python bench/peer_networkx_paths.py bench/out/synth-100000-1000000-7/links.csv SOURCE_ID TARGET_ID

Reads the ``from`` and ``to`` columns of the tabular template, builds an undirected graph and prints
the hop count and the ids of one shortest path (unweighted: no influence model, no sources).
"""

from __future__ import annotations

import csv
import sys

import networkx as nx


def main(path: str, source: str, target: str) -> None:
    graph = nx.Graph()
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        a, b = header.index("from"), header.index("to")
        graph.add_edges_from((row[a], row[b]) for row in reader)
    path_ids = nx.shortest_path(graph, source, target)
    print(len(path_ids) - 1, " -> ".join(path_ids))


if __name__ == "__main__":
    main(*sys.argv[1:4])
