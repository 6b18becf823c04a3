"""A picture of the subgraph: SVG written directly, PNG through matplotlib when it is installed.

Actors are drawn as discs in their kind's colour, sized by kind; links as lines
in their kind's colour and style, with an arrow when the kind is directed.
Positions come from networkx's spring layout (seeded, so the same subgraph
gives the same picture). Names are shown for up to :data:`LABELLED` actors
(the best connected). A legend lists the kinds shown. The SVG carries the
manifest in ``<metadata>`` and a tooltip (``<title>``) on every actor and
link; the PNG carries the manifest as a text chunk.

A picture of more than :data:`MAX_ACTORS` actors is refused: it would be
unreadable and slow to lay out; narrow the selection or use GEXF and Gephi.

>>> import io
>>> from xml.etree import ElementTree
>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store.contract import Subgraph
>>> g = Subgraph({"a": Actor(id="a", kind="sso", name="FES"), "b": Actor(id="b", kind="guf", name="BWI")},
...              {"l": Link(id="l", kind="funds", source="a", target="b")})
>>> buf = io.BytesIO()
>>> write_svg(g, buf, {"format": "svg"}, [])
>>> svg = ElementTree.fromstring(buf.getvalue())
>>> ns = {"s": "http://www.w3.org/2000/svg"}
>>> len(svg.findall(".//s:g[@class='actors']/s:circle", ns)), len(svg.findall(".//s:g[@class='links']/s:line", ns))
(2, 1)
"""

from __future__ import annotations

import json
import math
from typing import IO, Any

from ..errors import StakemapError
from ..kinds import ACTOR_SPECS, LINK_SPECS, ActorKind
from ..models import Source
from ..store.contract import Subgraph
from .gexf import KIND_SIZES
from .streams import BlockWriter
from .xmltext import text

#: The most actors a picture shows.
MAX_ACTORS = 2000
#: How many actors get their name written.
LABELLED = 60
WIDTH, HEIGHT, MARGIN, LEGEND = 1200, 900, 40, 230
_DASH = {"dashed": "6 4", "dotted": "2 3"}


class PictureTooLarge(StakemapError):
    """The selection has more actors than a picture can show."""


def layout(subgraph: Subgraph, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions in the drawing area, from a seeded spring layout."""
    import networkx as nx

    if len(subgraph.actors) > MAX_ACTORS:
        raise PictureTooLarge(f"a picture shows at most {MAX_ACTORS} actors; this selection has "
                              f"{len(subgraph.actors)}",
                              hint="narrow it (--around with fewer --hops, --kinds, --countries) or export GEXF for Gephi")
    graph = nx.Graph()
    graph.add_nodes_from(sorted(subgraph.actors))
    graph.add_edges_from((lk.source, lk.target) for lk in subgraph.links.values())
    if not graph:
        return {}
    pos = nx.spring_layout(graph, seed=seed, iterations=50 if len(graph) < 500 else 30)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    width, height = WIDTH - LEGEND - 2 * MARGIN, HEIGHT - 2 * MARGIN
    return {n: (MARGIN + (p[0] - min(xs)) / span_x * width, MARGIN + (p[1] - min(ys)) / span_y * height)
            for n, p in pos.items()}


def _labelled(subgraph: Subgraph) -> set[str]:
    degree: dict[str, int] = {a: 0 for a in subgraph.actors}
    for lk in subgraph.links.values():
        degree[lk.source] = degree.get(lk.source, 0) + 1
        degree[lk.target] = degree.get(lk.target, 0) + 1
    return set(sorted(subgraph.actors, key=lambda a: (-degree[a], a))[:LABELLED])


def _radius(kind: ActorKind) -> float:
    return KIND_SIZES.get(kind, 8.0) / 2 + 2


def write_svg(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source]) -> None:
    """Write a picture of ``subgraph`` as SVG to the binary stream ``out``."""
    pos = layout(subgraph)
    write = BlockWriter(out)
    write('<?xml version="1.0" encoding="UTF-8"?>\n'
          f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
          f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">\n'
          f'<title>Stakemap: {len(subgraph.actors)} actors, {len(subgraph.links)} links</title>\n'
          f'<metadata id="stakemap-manifest">{text(json.dumps(manifest, ensure_ascii=False))}</metadata>\n'
          '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" '
          'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#666"/></marker></defs>\n'
          f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>\n<g class="links">\n')
    for lk in subgraph.links.values():
        spec = LINK_SPECS[lk.kind]
        (x1, y1), (x2, y2) = pos[lk.source], pos[lk.target]
        r = _radius(subgraph.actors[lk.target].kind)
        dist = math.hypot(x2 - x1, y2 - y1) or 1.0
        x2e, y2e = x2 - (x2 - x1) * r / dist, y2 - (y2 - y1) * r / dist
        dash = f' stroke-dasharray="{_DASH[spec.line]}"' if spec.line in _DASH else ""
        arrow = ' marker-end="url(#arrow)"' if spec.directed else ""
        when = "–".join(x for x in (lk.start, lk.end) if x)
        write(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2e:.1f}" y2="{y2e:.1f}" stroke="{spec.colour}" '
              f'stroke-width="1.2"{dash}{arrow}><title>{text(spec.label + (" " + when if when else ""))}'
              '</title></line>\n')
    write('</g>\n<g class="actors">\n')
    for actor_id, actor in subgraph.actors.items():
        x, y = pos[actor_id]
        spec = ACTOR_SPECS[actor.kind]
        write(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{_radius(actor.kind):.1f}" fill="{spec.colour}" '
              f'stroke="#333" stroke-width="0.6"><title>{text(f"{actor.name} ({spec.label})")}</title></circle>\n')
    write('</g>\n<g class="labels" font-size="10" fill="#222">\n')
    for actor_id in sorted(_labelled(subgraph)):
        x, y = pos[actor_id]
        write(f'<text x="{x + _radius(subgraph.actors[actor_id].kind) + 2:.1f}" y="{y + 3:.1f}">'
              f'{text(subgraph.actors[actor_id].name[:40])}</text>\n')
    write('</g>\n')
    write(_legend(subgraph))
    write('</svg>\n')
    write.flush()


def _legend(subgraph: Subgraph) -> str:
    kinds = [k for k in ActorKind if any(a.kind is k for a in subgraph.actors.values())]
    x = WIDTH - LEGEND + 10
    parts = [f'<g class="legend" font-size="11" fill="#222"><text x="{x}" y="{MARGIN}" font-weight="bold">'
             'Actors</text>\n']
    for i, kind in enumerate(kinds):
        y = MARGIN + 18 + i * 16
        parts.append(f'<circle cx="{x + 6}" cy="{y - 4}" r="5" fill="{ACTOR_SPECS[kind].colour}"/>'
                     f'<text x="{x + 16}" y="{y}">{text(ACTOR_SPECS[kind].label)}</text>\n')
    parts.append("</g>\n")
    return "".join(parts)


def write_png(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source]) -> None:
    """Write a picture of ``subgraph`` as PNG (needs matplotlib) to the binary stream ``out``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError:
        raise StakemapError("PNG pictures need matplotlib, which is not installed",
                            hint="pip install matplotlib, or export --format svg") from None
    pos = layout(subgraph)
    fig = Figure(figsize=(WIDTH / 100, HEIGHT / 100), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(HEIGHT, 0)
    ax.axis("off")
    for lk in subgraph.links.values():
        spec = LINK_SPECS[lk.kind]
        (x1, y1), (x2, y2) = pos[lk.source], pos[lk.target]
        style = {"solid": "-", "dashed": "--", "dotted": ":"}.get(spec.line, "-")
        if spec.directed:
            ax.annotate("", xy=(x2, y2), xytext=(x1, y1),
                        arrowprops={"arrowstyle": "-|>", "color": spec.colour, "lw": 0.8, "linestyle": style,
                                    "shrinkB": _radius(subgraph.actors[lk.target].kind)})
        else:
            ax.plot([x1, x2], [y1, y2], color=spec.colour, lw=0.8, linestyle=style)
    for kind in ActorKind:
        ids = [i for i, a in subgraph.actors.items() if a.kind is kind]
        if ids:
            ax.scatter([pos[i][0] for i in ids], [pos[i][1] for i in ids], s=(_radius(kind) * 2) ** 2,
                       c=ACTOR_SPECS[kind].colour, edgecolors="#333", linewidths=0.5, zorder=3,
                       label=ACTOR_SPECS[kind].label)
    for actor_id in _labelled(subgraph):
        x, y = pos[actor_id]
        ax.text(x + _radius(subgraph.actors[actor_id].kind) + 2, y, subgraph.actors[actor_id].name[:40],
                fontsize=7, va="center", zorder=4, parse_math=False)  # a name is text, never $math$
    if subgraph.actors:
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    fig.savefig(out, format="png", metadata={"Title": "Stakemap export",
                                             "Description": json.dumps(manifest, ensure_ascii=False)})
