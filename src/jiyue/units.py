"""Area units — moved to :mod:`jiyue.landrules` (one module of land rules).

This module only re-exports them for the modules that still import ``jiyue.units``; new code
imports from :mod:`jiyue.landrules`.
"""

from __future__ import annotations

from jiyue.landrules import M2_PER_HA, M2_PER_MU, MU_PER_HA, ha_to_m2, ha_to_mu, m2_to_ha, m2_to_mu, mu_to_m2

__all__ = ["M2_PER_HA", "M2_PER_MU", "MU_PER_HA", "ha_to_m2", "ha_to_mu", "m2_to_ha", "m2_to_mu", "mu_to_m2"]
