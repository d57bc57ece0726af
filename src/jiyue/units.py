"""Unit conversions — the only place where m², ha and 亩 meet.

Inside jiyue areas are m²; zone indicators are reported in hectares (公顷) and per-mu
indicators in 亩. 1 ha = 10 000 m² = 15 亩, so 1 亩 = 10 000 / 15 m² (≈ 666.67 m²).
Money is 万元 throughout (10⁴ CNY) and needs no conversion.
"""

from __future__ import annotations

M2_PER_HA = 10_000.0
MU_PER_HA = 15.0
M2_PER_MU = M2_PER_HA / MU_PER_HA


def m2_to_ha(m2: float) -> float:
    """Square metres to hectares."""
    return m2 / M2_PER_HA


def ha_to_m2(ha: float) -> float:
    """Hectares to square metres."""
    return ha * M2_PER_HA


def m2_to_mu(m2: float) -> float:
    """Square metres to 亩."""
    return m2 / M2_PER_MU


def mu_to_m2(mu: float) -> float:
    """亩 to square metres."""
    return mu * M2_PER_MU


def ha_to_mu(ha: float) -> float:
    """Hectares to 亩."""
    return ha * MU_PER_HA
