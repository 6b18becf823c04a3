"""The Brokers page's question: who bridges which groups, and each actor's power and engagement on the map."""

from __future__ import annotations

from typing import Any

import numpy as np

from graphmodel.analysis import Projection, brokerage, brokerage_scores, influence_graph
from graphmodel.analysis.projection import ACTOR_KINDS
from graphmodel.kinds import ActorKind

from .. import graphview
from ..access import Viewer
from ..mapdata import _memoised, projection, weights


def brokers(viewer: Viewer, by: str = "kind", top: int = 15, points: int = 300) -> dict[str, Any]:
    """Brokerage roles of the top brokers, and a power/engagement map of the most powerful actors."""
    proj = projection(viewer)
    key = ("brokers", id(proj), proj.fingerprint, by, top, points, weights().digest)
    return _memoised(key, lambda: _brokers(proj, by, top, points))


def _brokers(proj: Projection, by: str, top: int, points: int) -> dict[str, Any]:
    result = brokerage(proj, by=by, top=top).as_dict()
    scores = brokerage_scores(proj, by)
    power = influence_power(proj)
    interest = engagement(proj)
    active = proj.active & (graphview.degrees(proj) > 0)
    ranked = np.nonzero(active)[0]
    ranked = ranked[np.lexsort((proj.actor_ids[ranked].astype(str), -power[ranked]))][:points]
    chosen = list(dict.fromkeys([*ranked.tolist(), *(proj.index[b["actor"]["id"]] for b in result["brokers"])]))
    across = scores.roles[:, 1:].sum(axis=1)
    result["points"] = [{**proj.actor_ref(i), "power": float(power[i]), "interest": float(interest[i]),
                         "brokerage": int(across[i]), "degree": int(scores.degree[i])} for i in chosen]
    result["weights"] = weights().describe()
    return result


#: Kinds whose ties count as engagement with labour rights on the Brokers map.
LABOUR_SIDE = frozenset({ActorKind.GUF, ActorKind.INTERNATIONAL_CONFEDERATION, ActorKind.NATIONAL_CENTRE,
                         ActorKind.UNION, ActorKind.WORKER_ORGANISATION, ActorKind.NGO, ActorKind.SSO,
                         ActorKind.CAMPAIGN, ActorKind.AGREEMENT})


def influence_power(proj: Projection) -> np.ndarray:
    """Each actor's power: the summed strength of the influence it has over its direct contacts."""
    w = weights()
    g = influence_graph(proj, w)
    return proj.cached(("dashboard", "power", w.digest),
                       lambda: np.bincount(g.arcs()[0], weights=g.strength, minlength=proj.n_actors))


def engagement(proj: Projection) -> np.ndarray:
    """Each actor's engagement: the share of its links that tie it to the labour side."""
    def build():
        side = np.isin(proj.kind, [ACTOR_KINDS.index(k) for k in LABOUR_SIDE])
        n = proj.n_actors
        hits = np.bincount(proj.src, weights=side[proj.dst], minlength=n) + np.bincount(
            proj.dst, weights=side[proj.src], minlength=n)
        deg = np.bincount(proj.src, minlength=n) + np.bincount(proj.dst, minlength=n)
        return np.divide(hits, deg, out=np.zeros(n), where=deg > 0)
    return proj.cached(("dashboard", "engagement"), build)
