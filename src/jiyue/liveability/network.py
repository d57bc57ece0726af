"""The walking network: road centre lines → an undirected graph, points snapped onto it, and
nearest-facility distances by multi-source Dijkstra (scipy.sparse.csgraph).

How a distance is measured (all in metres of the package's projected CRS):

* road lines are cut at every vertex into straight segments; with ``node_crossings`` segments that
  cross (or end on another) without a shared vertex are cut at the crossing (:func:`node_segments`);
  vertices closer than 1 mm are one node;
* a point (a facility, a parcel's representative point, a building) is snapped to the nearest
  point of the nearest segment: its *snap distance* is the straight line to that point, and it
  then walks along the segment to either end;
* facilities become nodes of the graph (their segment is split where they snap), so a resident
  on the same street segment as a facility walks straight to it;
* the distance of an origin to the nearest facility of a kind = origin snap + network distance
  + facility snap, minimised over the facilities — one Dijkstra per kind from a virtual source
  joined to every facility of the kind by an edge as long as that facility's snap distance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse import csgraph

__all__ = ["Network", "SegmentIndex", "Snap", "build_network", "remap_snap", "insert_points", "multi_source", "origin_distance", "origin_nearest",
           "snap_points"]

NODE_GRID_M = 1e-3  # vertices closer than this are one node


@dataclass
class Network:
    xy: np.ndarray  # (n_nodes, 2)
    u: np.ndarray  # edge endpoints (int64)
    v: np.ndarray
    length: np.ndarray  # metres
    component: np.ndarray  # per node: connected-component label (0 = largest)
    n_components: int
    # set by insert_points: how the edges of the network it split map to this one's (remap_snap)
    split_info: dict[str, Any] | None = None

    @property
    def n_nodes(self) -> int:
        return len(self.xy)

    @property
    def n_edges(self) -> int:
        return len(self.u)

    def segments(self) -> np.ndarray:
        return shapely.linestrings(np.stack([self.xy[self.u], self.xy[self.v]], axis=1))

    def matrix(self, extra_nodes: int = 0) -> sparse.csr_matrix:
        n = self.n_nodes + extra_nodes
        w = np.maximum(self.length, 1e-9)
        return sparse.csr_matrix((np.concatenate([w, w]), (np.concatenate([self.u, self.v]),
                                                           np.concatenate([self.v, self.u]))), shape=(n, n))

    def component_table(self) -> list[dict[str, float]]:
        """Per component: edges, total length (m) and bounding box, largest first."""
        ec = self.component[self.u]
        out = []
        for c in range(self.n_components):
            m = ec == c
            pts = self.xy[self.component == c]
            out.append({"component": c, "edges": int(m.sum()), "length_m": float(self.length[m].sum()),
                        "xmin": float(pts[:, 0].min()), "ymin": float(pts[:, 1].min()),
                        "xmax": float(pts[:, 0].max()), "ymax": float(pts[:, 1].max())})
        return out


def _label_components(n: int, u: np.ndarray, v: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, int]:
    g = sparse.csr_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    k, lab = csgraph.connected_components(g, directed=False)
    # relabel by total length, largest first
    tot = np.bincount(lab[u], weights=length, minlength=k)
    order = np.argsort(-tot, kind="stable")
    rank = np.empty(k, dtype=np.int64)
    rank[order] = np.arange(k)
    return rank[lab], int(k)


def _from_segments(a: np.ndarray, b: np.ndarray) -> Network:
    """Segments (two (n, 2) endpoint arrays) → a deduplicated network."""
    length = np.hypot(*(b - a).T)
    keep = length > NODE_GRID_M
    a, b, length = a[keep], b[keep], length[keep]
    pts = np.concatenate([a, b])
    if len(pts) == 0:
        return Network(np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                       np.zeros(0, np.int64), 0)
    # one int64 key per vertex on a 1 mm grid (a 1-D unique is ~30× faster than unique(axis=0))
    key2 = np.round((pts - pts.min(axis=0)) / NODE_GRID_M).astype(np.int64)
    key = key2[:, 0] * (int(key2[:, 1].max()) + 1) + key2[:, 1]
    uniq, inv = np.unique(key, return_inverse=True)
    inv = inv.reshape(-1)
    # the coordinates of each node (one of its vertices, not the rounded key)
    xy = np.empty((len(uniq), 2))
    xy[inv] = pts
    n = len(a)
    u, v = inv[:n], inv[n:]
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((length, hi, lo))
    lo, hi, length = lo[order], hi[order], length[order]
    first = np.ones(len(lo), dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, length = lo[first], hi[first], length[first]
    comp, k = _label_components(len(xy), lo, hi, length)
    return Network(xy, lo, hi, length, comp, k)


def build_network(lines: np.ndarray, *, node_crossings: bool = True) -> Network:
    """A network from line geometries (LineString / MultiLineString, shapely array)."""
    lines = np.asarray(lines, dtype=object)
    lines = lines[~shapely.is_empty(lines) & ~shapely.is_missing(lines)]
    if len(lines) == 0:
        return Network(np.zeros((0, 2)), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                       np.zeros(0, np.int64), 0)
    if (shapely.get_type_id(lines) != 1).any():  # multi-part lines: their parts (get_parts is slow)
        lines = np.asarray(shapely.get_parts(lines), dtype=object)
    coords, idx = shapely.get_coordinates(lines, return_index=True)
    same = idx[1:] == idx[:-1]
    a, b = coords[:-1][same], coords[1:][same]
    if node_crossings:
        a, b = node_segments(a, b)
    return _from_segments(a, b)


def node_segments(a: np.ndarray, b: np.ndarray, eps: float = NODE_GRID_M) -> tuple[np.ndarray, np.ndarray]:
    """Cut segments where they cross or where one ends on another (T-junctions).

    Candidate pairs come from an STR-tree; the crossing point of each pair is solved in numpy
    (collinear overlaps are left as they are). ~10× faster than ``shapely.node`` on a city grid.
    """
    n = len(a)
    if n < 2:
        return a, b
    segs = shapely.linestrings(np.stack([a, b], axis=1))
    tree = shapely.STRtree(segs)
    i, j = tree.query(segs)  # bounding boxes only: the exact test is the arithmetic below
    keep = i < j
    i, j = i[keep], j[keep]
    p, r = a[i], b[i] - a[i]
    q, s_ = a[j], b[j] - a[j]
    denom = r[:, 0] * s_[:, 1] - r[:, 1] * s_[:, 0]
    qp = q - p
    ok = np.abs(denom) > 1e-12
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (qp[:, 0] * s_[:, 1] - qp[:, 1] * s_[:, 0]) / denom
        u = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
    ok &= (t >= -1e-9) & (t <= 1 + 1e-9) & (u >= -1e-9) & (u <= 1 + 1e-9)
    i, j, t, u = i[ok], j[ok], np.clip(t[ok], 0, 1), np.clip(u[ok], 0, 1)
    li = np.hypot(*(b - a).T)
    pt = a[i] + (b[i] - a[i]) * t[:, None]  # the crossing point, shared by both segments
    cut_seg = np.concatenate([i, j])
    cut_t = np.concatenate([t, u])
    cut_pt = np.concatenate([pt, pt])
    inner = (cut_t * li[cut_seg] > eps) & ((1 - cut_t) * li[cut_seg] > eps)
    cut_seg, cut_t, cut_pt = cut_seg[inner], cut_t[inner], cut_pt[inner]
    if len(cut_seg) == 0:
        return a, b
    seg = np.concatenate([np.arange(n), cut_seg, np.arange(n)])
    tt = np.concatenate([np.zeros(n), cut_t, np.ones(n)])
    pts = np.concatenate([a, cut_pt, b])
    order = np.lexsort((tt, seg))
    seg, pts = seg[order], pts[order]
    same = seg[1:] == seg[:-1]
    return pts[:-1][same], pts[1:][same]


@dataclass
class Snap:
    """Where points land on the network: segment, distance along it from ``u``, snap distance."""

    edge: np.ndarray
    t: np.ndarray
    dist: np.ndarray


class SegmentIndex:
    """A KD-tree over points every ≤ ``piece`` metres along the segments, for nearest-segment search.

    The nearest segment of a point is among the parents of its ``k`` nearest index points unless
    some other segment is closer than (k-th index distance − piece / 2); such points (rare: far
    from every road, or among many short segments) fall back to shapely's STR-tree.
    """

    def __init__(self, net: Network, piece: float = 12.5) -> None:
        from scipy.spatial import cKDTree

        self.net = net
        n_pc = np.maximum(1, np.ceil(net.length / piece).astype(np.int64))
        parent = np.repeat(np.arange(net.n_edges), n_pc)
        start = np.cumsum(n_pc) - n_pc
        k = np.arange(len(parent)) - np.repeat(start, n_pc)
        frac = (k + 0.5) / np.repeat(n_pc, n_pc)
        a, b = net.xy[net.u[parent]], net.xy[net.v[parent]]
        self.parent = parent
        self.half = float((net.length / n_pc).max() / 2) if net.n_edges else 0.0
        self.kd = cKDTree(a + (b - a) * frac[:, None])
        self._tree: shapely.STRtree | None = None
        self._segs: np.ndarray | None = None

    def strtree(self) -> tuple[shapely.STRtree, np.ndarray]:
        tree, segs = self._tree, self._segs
        if tree is None or segs is None:
            segs = self.net.segments()
            tree = shapely.STRtree(segs)
            self._tree, self._segs = tree, segs
        return tree, segs


def _candidates(net: Network, idx: SegmentIndex, P: np.ndarray, k: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Nearest segment among the parents of the ``k`` nearest index points; ``sure``: provably nearest."""
    kk = min(k, len(idx.parent))
    dm, ii = idx.kd.query(P, k=kk)
    dm, ii = dm.reshape(len(P), kk), ii.reshape(len(P), kk)
    cand = idx.parent[ii]
    cu, cv = net.u[cand], net.v[cand]
    ax, ay = net.xy[cu, 0], net.xy[cu, 1]
    dx, dy = net.xy[cv, 0] - ax, net.xy[cv, 1] - ay
    px, py = P[:, 0:1] - ax, P[:, 1:2] - ay
    f = np.clip((px * dx + py * dy) / np.maximum(dx * dx + dy * dy, 1e-18), 0.0, 1.0)
    dist = np.hypot(px - f * dx, py - f * dy)
    best = np.argmin(dist, axis=1)
    rows = np.arange(len(P))
    d_best = dist[rows, best]
    sure = (d_best <= dm[:, -1] - idx.half + 1e-9) | (kk == len(idx.parent))
    return cand[rows, best], d_best, f[rows, best], sure


def snap_points(net: Network, points: np.ndarray, index: SegmentIndex | None = None, k: int = 16) -> Snap:
    """Snap points to the nearest point of the nearest segment (exact; see :class:`SegmentIndex`)."""
    n = len(points)
    edge, t, d = np.full(n, -1, dtype=np.int64), np.zeros(n), np.full(n, np.inf)
    if n == 0 or net.n_edges == 0:
        return Snap(edge, t, d)
    points = np.asarray(points, dtype=object)
    good = ~(shapely.is_empty(points) | shapely.is_missing(points))
    if not good.any():
        return Snap(edge, t, d)
    idx = index if index is not None else SegmentIndex(net)
    gi = np.flatnonzero(good)
    pts = points[gi]
    if (shapely.get_type_id(pts) != 0).any():
        pts = shapely.point_on_surface(pts)
    P = shapely.get_coordinates(pts)
    e_best, d_best, f_best, sure = _candidates(net, idx, P, min(4, k))
    if not sure.all() and k > 4:  # a wider look for the points the 4 nearest pieces cannot vouch for
        m = np.flatnonzero(~sure)
        e2, d2, f2, s2 = _candidates(net, idx, P[m], k)
        e_best[m], d_best[m], f_best[m], sure[m] = e2, d2, f2, s2
    if not sure.all():  # the rare points the KD candidates cannot vouch for: the STR-tree
        tree, segs = idx.strtree()
        miss = np.flatnonzero(~sure)
        pts = shapely.points(P[miss])
        q, qd = tree.query_nearest(pts, return_distance=True, all_matches=False)
        e_best[miss[q[0]]] = q[1]
        d_best[miss[q[0]]] = qd
        f_best[miss[q[0]]] = np.clip(shapely.line_locate_point(segs[q[1]], pts[q[0]]) /
                                     np.maximum(net.length[q[1]], 1e-18), 0.0, 1.0)
    edge[gi], d[gi] = e_best, d_best
    t[gi] = f_best * net.length[e_best]
    return Snap(edge, t, d)


def insert_points(net: Network, snap: Snap, eps: float = NODE_GRID_M) -> tuple[Network, np.ndarray]:
    """Split segments where points snap; returns the new network and each point's node (−1: not snapped)."""
    node = np.full(len(snap.edge), -1, dtype=np.int64)
    ok = snap.edge >= 0
    e, t = snap.edge, snap.t
    L = net.length[np.maximum(e, 0)]
    at_u = ok & (t <= eps)
    at_v = ok & (t >= L - eps) & ~at_u
    node[at_u] = net.u[e[at_u]]
    node[at_v] = net.v[e[at_v]]
    inner = np.flatnonzero(ok & ~at_u & ~at_v)
    if len(inner) == 0:
        return net, node
    xy = [net.xy]
    next_id = net.n_nodes
    new_u: list[int] = []
    new_v: list[int] = []
    new_len: list[float] = []
    new_comp: list[int] = []
    chain_start: dict[int, int] = {}  # split edge -> the index (among the new edges) of its first piece
    cut_edge: list[int] = []
    cut_t: list[float] = []
    split = np.zeros(net.n_edges, dtype=bool)
    order = inner[np.lexsort((t[inner], e[inner]))]
    i = 0
    while i < len(order):
        j = i
        edge = e[order[i]]
        while j < len(order) and e[order[j]] == edge:
            j += 1
        split[edge] = True
        chain_start[int(edge)] = len(new_u)
        a, b = net.u[edge], net.v[edge]
        pa, pb = net.xy[a], net.xy[b]
        ln = net.length[edge]
        prev_node, prev_t = a, 0.0
        for k in order[i:j]:
            if t[k] - prev_t <= eps and prev_node != a:
                node[k] = prev_node
                continue
            p = pa + (pb - pa) * (t[k] / ln)
            xy.append(p[None, :])
            nid = next_id
            next_id += 1
            new_u.append(prev_node)
            new_v.append(nid)
            new_len.append(t[k] - prev_t)
            new_comp.append(net.component[a])
            cut_edge.append(int(edge))
            cut_t.append(float(t[k]))
            node[k] = nid
            prev_node, prev_t = nid, t[k]
        new_u.append(prev_node)
        new_v.append(b)
        new_len.append(ln - prev_t)
        i = j
    keep = ~split
    xy_all = np.concatenate(xy)
    u = np.concatenate([net.u[keep], np.asarray(new_u, dtype=np.int64)])
    v = np.concatenate([net.v[keep], np.asarray(new_v, dtype=np.int64)])
    length = np.concatenate([net.length[keep], np.maximum(np.asarray(new_len), 0.0)])
    comp = np.concatenate([net.component, np.asarray(new_comp, dtype=np.int64)])
    n_keep = int(keep.sum())
    old_to_new = np.full(net.n_edges, -1, dtype=np.int64)
    old_to_new[keep] = np.arange(n_keep)
    info = {"old_to_new": old_to_new, "chain_start": {e_: n_keep + c for e_, c in chain_start.items()},
            "cut_edge": np.asarray(cut_edge, dtype=np.int64), "cut_t": np.asarray(cut_t, dtype=float)}
    return Network(xy_all, u, v, length, comp, net.n_components, info), node


def remap_snap(net2: Network, snap: Snap) -> Snap:
    """A snap onto the network that :func:`insert_points` split, moved onto ``net2``'s edges."""
    info = net2.split_info
    if info is None:
        return snap
    edge, t = snap.edge.copy(), snap.t.copy()
    ok = edge >= 0
    old = edge[ok]
    new = info["old_to_new"][old]
    tt = t[ok]
    split = new < 0
    if split.any():
        ce, ct = info["cut_edge"], info["cut_t"]  # sorted by (edge, t)
        so, st = old[split], tt[split]
        first = np.searchsorted(ce, so, side="left")
        # cuts of the same edge at or before t
        j = np.zeros(len(so), dtype=np.int64)
        for k in range(len(so)):  # few: only origins on the segments that facilities split
            lo, hi = first[k], np.searchsorted(ce, so[k], side="right")
            j[k] = np.searchsorted(ct[lo:hi], st[k], side="right")
            if j[k]:
                st[k] -= ct[lo + j[k] - 1]
        new[split] = np.array([info["chain_start"][e_] for e_ in so.tolist()], dtype=np.int64) + j
        tt[split] = st
    edge[ok], t[ok] = new, tt
    return Snap(edge, np.clip(t, 0.0, np.where(edge >= 0, net2.length[np.maximum(edge, 0)], 0.0)), snap.dist)


def multi_source(net: Network, groups: list[tuple[np.ndarray, np.ndarray]], *, limit: float = np.inf
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Distance from every node to the nearest source of each group, and which source.

    ``groups`` holds, per group, the source nodes and their initial offsets (snap distances).
    Returns ``dist`` (groups × nodes; inf = unreachable) and ``nearest`` (groups × nodes; the
    index into that group's sources, −1 = unreachable). One Dijkstra per group from a virtual
    node joined to each source by an edge as long as its offset.
    """
    k, n = len(groups), net.n_nodes
    if k == 0:
        return np.zeros((0, n)), np.zeros((0, n), dtype=np.int64)
    rows, cols, w = [], [], []
    for g, (nodes, off) in enumerate(groups):
        ok = nodes >= 0
        rows.append(np.full(int(ok.sum()), n + g))
        cols.append(nodes[ok])
        w.append(np.maximum(off[ok], 1e-9))
    m = net.matrix(extra_nodes=k).tocoo()
    r = np.concatenate([m.row, *rows])
    c = np.concatenate([m.col, *cols])
    ww = np.concatenate([m.data, *w])
    # several sources on one node: keep the shortest joining edge (csr would add them up)
    order = np.lexsort((ww, c, r))
    r, c, ww = r[order], c[order], ww[order]
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    g = sparse.csr_matrix((ww[first], (r[first], c[first])), shape=(n + k, n + k))
    dist, pred = csgraph.dijkstra(g, directed=True, indices=np.arange(n, n + k), return_predecessors=True,
                                  limit=limit)
    nearest = np.full((k, n), -1, dtype=np.int64)
    for gi, (nodes, off) in enumerate(groups):
        p = pred[gi, :n].astype(np.int64)
        anc = p.copy()
        src_child = p == n + gi  # nodes joined directly to the virtual source
        anc[src_child] = np.flatnonzero(src_child)
        anc[p < 0] = -1
        for _ in range(64):  # pointer jumping to the source node of each path
            valid = anc >= 0
            nxt = anc.copy()
            nxt[valid] = anc[anc[valid]]
            if np.array_equal(nxt, anc):
                break
            anc = nxt
        # a source node → the index of the source (the one with the smallest offset there)
        ok = nodes >= 0
        idx = np.flatnonzero(ok)
        o = np.lexsort((off[idx], nodes[idx]))
        lookup = np.full(n, -1, dtype=np.int64)
        lookup[nodes[idx][o][::-1]] = idx[o][::-1]
        good = anc >= 0
        nearest[gi, good] = lookup[anc[good]]
    return dist[:, :n], nearest


def origin_distance(net: Network, dist: np.ndarray, snap: Snap) -> np.ndarray:
    """Distance of snapped origins given node distances (groups × nodes) → groups × origins."""
    ok = snap.edge >= 0
    out = np.full((dist.shape[0], len(snap.edge)), np.inf)
    e = snap.edge[ok]
    du = dist[:, net.u[e]] + snap.t[ok]
    dv = dist[:, net.v[e]] + (net.length[e] - snap.t[ok])
    out[:, ok] = np.minimum(du, dv) + snap.dist[ok]
    return out


def origin_nearest(net: Network, dist: np.ndarray, nearest: np.ndarray, snap: Snap) -> np.ndarray:
    ok = snap.edge >= 0
    out = np.full((dist.shape[0], len(snap.edge)), -1, dtype=np.int64)
    e = snap.edge[ok]
    du = dist[:, net.u[e]] + snap.t[ok]
    dv = dist[:, net.v[e]] + (net.length[e] - snap.t[ok])
    out[:, ok] = np.where(du <= dv, nearest[:, net.u[e]], nearest[:, net.v[e]])
    return out
