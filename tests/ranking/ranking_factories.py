"""Several zones in one package, identical but for what a test changes."""

from __future__ import annotations

import factories
from factories import merge  # noqa: F401 (re-exported for the ranking tests)


def zone_copy(code: str, *, province: str = "山东省", eval_type: str = "integrated", dx: float = 0.0,
              extra_floor_area: float = 0.0, category: str = "etdz") -> dict:
    """small_package() renamed to zone ``code`` and shifted dx metres east.

    ``extra_floor_area`` is added to building B4 (on the A1 parcel): the zone's FAR grows by
    extra / 30 000 and nothing else changes.
    """
    return factories.zone_copy(code, name=f"测试区{code}", province=province, eval_type=eval_type,
                               category=category, dx=dx, b4_floor_area=4000.0 + extra_floor_area)
