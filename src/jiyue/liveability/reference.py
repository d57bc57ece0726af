"""The naive reference: one networkx single-source Dijkstra per origin, then the nearest
facility of each service among all facilities — what the engine's one multi-source Dijkstra per
service must agree with (tests, bench). It shares the network building and snapping with the
engine (:mod:`jiyue.liveability.network`), so it checks the shortest-path part of the method.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from jiyue.liveability import network as nw

__all__ = ["reference_distances"]


def reference_distances(net: nw.Network, fac_nodes: list[np.ndarray], fac_snap: list[np.ndarray],
                        osnap: nw.Snap, origins: np.ndarray | None = None) -> np.ndarray:
    """Services × origins distance matrix (inf = unreachable or not snapped).

    ``fac_nodes[k]`` / ``fac_snap[k]``: the nodes of service ``k``'s facilities and their snap
    distances; ``osnap``: the origins' snap on ``net``; ``origins``: which origins to compute
    (indices; default all).
    """
    g = nx.Graph()
    g.add_nodes_from(range(net.n_nodes))
    for a, b, w in zip(net.u.tolist(), net.v.tolist(), net.length.tolist()):
        if not g.has_edge(a, b) or g[a][b]["weight"] > w:
            g.add_edge(a, b, weight=w)
    idx = np.arange(len(osnap.edge)) if origins is None else np.asarray(origins)
    out = np.full((len(fac_nodes), len(idx)), np.inf)
    for j, o in enumerate(idx):
        e = int(osnap.edge[o])
        if e < 0:
            continue
        src = "origin"
        g.add_edge(src, int(net.u[e]), weight=float(osnap.t[o]))
        g.add_edge(src, int(net.v[e]), weight=float(net.length[e] - osnap.t[o]))
        dist: dict[Any, float] = nx.single_source_dijkstra_path_length(g, src, weight="weight")
        g.remove_node(src)
        for k, (nodes, snaps) in enumerate(zip(fac_nodes, fac_snap)):
            best = np.inf
            for nd, s in zip(nodes.tolist(), snaps.tolist()):
                if nd >= 0:
                    best = min(best, dist.get(nd, np.inf) + s)
            out[k, j] = best + float(osnap.dist[o])
    return out
