"""Realisation degrees (实现度) and the weighted score (土地利用集约度分值).

positive:  S = min(cap, X / T × 100)
negative:  complement — S = min(cap, (1 − x) / (1 − t) × 100), x, t as fractions of 1
           linear     — S = max(0, 1 − X / X0) × 100
node:      F = Σ S_k · w_k ; target G = Σ F_j · w_j ; score P = Σ G_i · w_i
A missing indicator is dropped and its siblings' weights rescaled ("renormalise"), or scored
0 ("zero"), as the profile says; a node whose every input is missing is itself missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jiyue.evaluation.indicators import INDICATORS
from jiyue.evaluation.profile import Node, Profile


def realisation(key: str, value: float | None, ideal: float, profile: Profile) -> float | None:
    """The realisation degree (0–100, or above when the cap is off) of one indicator."""
    if value is None:
        return None
    ind = INDICATORS[key]
    cap = profile.realisation_cap
    if ind.direction == "negative":
        scale = 100.0 if ind.unit == "%" else 1.0
        x, t = value / scale, ideal / scale
        if profile.negative_rule == "linear":
            s = max(0.0, 1.0 - value / profile.negative_zero_at) * 100.0
        else:
            s = (1.0 - x) / (1.0 - t) * 100.0 if t < 1 else 0.0
        s = max(0.0, s)
    else:
        s = value / ideal * 100.0
    return min(cap, s) if cap is not None else s


def score_tree(nodes: tuple[Node, ...], realised: dict[str, float | None], profile: Profile
               ) -> tuple[float | None, dict[str, float | None]]:
    """The weighted score of a tree and the score of each node (keyed by node key)."""
    subscores: dict[str, float | None] = {}

    def combine(parts: list[tuple[float | None, float]]) -> float | None:
        if profile.missing_indicator == "zero":
            return sum((v or 0.0) * w for v, w in parts)
        present = [(v, w) for v, w in parts if v is not None]
        wsum = sum(w for _, w in present)
        if not present or wsum <= 0:
            return None
        return sum(v * w for v, w in present) / wsum

    def node_score(n: Node) -> float | None:
        if n.children:
            s = combine([(node_score(c), c.weight) for c in n.children])
        else:
            s = combine([(realised.get(k), w) for k, w in n.indicators])
        subscores[n.key] = s
        return s

    total = combine([(node_score(n), n.weight) for n in nodes])
    return total, subscores


def score_zone(zone_type: str, values: Mapping[str, float | None], profile: Profile) -> dict[str, Any]:
    """Realisation of every tree indicator, node scores and the total for one zone."""
    ideals = profile.ideals[zone_type]
    realised = {k: realisation(k, values.get(k), ideals[k].value, profile)
                for k in profile.indicator_keys(zone_type)}
    total, subs = score_tree(profile.trees[zone_type], realised, profile)
    return {"realisation": realised, "score": total, "subscores": subs}


def effective_weights(zone_type: str, profile: Profile) -> dict[str, float]:
    """Each indicator's weight in the total score (product of the weights on its path)."""
    out: dict[str, float] = {}

    def walk(nodes: tuple[Node, ...], w: float) -> None:
        for n in nodes:
            if n.children:
                walk(n.children, w * n.weight)
            for k, kw in n.indicators:
                out[k] = out.get(k, 0.0) + w * n.weight * kw

    walk(profile.trees[zone_type], 1.0)
    return out
