"""Small sets of zones for the report tests: copies of ``factories.small_package`` in one GeoPackage.

Every zone is the 6-parcel zone of :func:`factories.small_package` (P1 A2/D21, P2 A1/D21,
P3 A4/D21, P4 B21/D21 idle, P5 B21/E21, P6 C1/F; 100 m × 100 m each), renamed, moved east and
changed only where a test needs it:

* ``extra_floor`` m² are added to building B4 (the tower on P2, an A parcel), so the zone's
  综合容积率 is (4 000 + 4 000 + 1 800 + extra) ÷ 30 000 and nothing else changes — the score
  grows with ``extra_floor`` (ideal FAR 1.5 / 1.2 is never reached here);
* ``idle=False`` clears the idle flag of P4 (土地闲置率 25 % → 0 %).

Hand figures shared by every zone: A = 30 000 m², D = 40 000 m², B21 = 20 000 m², C = 10 000 m²,
土地供应率 = 40 000 ÷ 50 000 = 80 %, 土地建成率 = 30 000 ÷ 40 000 = 75 %, 已建成土地占可开发建设
土地比例 = 30 000 ÷ (60 000 − 10 000) = 60 %, 土地闲置率 = 10 000 ÷ 40 000 = 25 % (idle) or 0.
"""

from __future__ import annotations

from pathlib import Path


from factories import merge, write_gpkg, zone_copy

BASE_FLOOR = 4000.0 + 4000.0 + 1800.0  # floor area on A parcels of small_package (P1 plant, P2 tower, P3 shop)
A_M2 = 30000.0


def zone_layers(code: str, *, name: str | None = None, province: str = "山东省", eval_type: str = "integrated",
                category: str = "etdz", extra_floor: float = 0.0, idle: bool = True, dx: float = 0.0,
                year: int = 2020) -> dict:
    """small_package() as zone ``code`` (see the module docstring)."""
    L = zone_copy(code, name=name or f"测试{code}开发区", province=province, eval_type=eval_type,
                  category=category, dx=dx, b4_floor_area=4000.0 + extra_floor)
    L["zones"]["city"] = None
    if not idle:
        L["parcels"]["idle"] = False
    L["enterprise_years"]["year"] = year
    L["zone_years"]["year"] = year
    return L


#: The test set: (code, province, eval_type, category, extra floor area, idle).
#: 产城融合型 by score: Z4 (9 000) > Z2 (6 000) > Z3 (3 000) > Z1 (0, and idle) — ranks 1, 2, 3, 4 of 4;
#: in Shandong Z2 1st and Z1 2nd of 2. 工业主导型: Z6 (3 000) 1st, Z5 (0) 2nd of 2.
ZONES = (
    ("Z1", "山东省", "integrated", "etdz", 0.0, True),
    ("Z2", "山东省", "integrated", "etdz", 6000.0, False),
    ("Z3", "江苏省", "integrated", "htz", 3000.0, False),
    ("Z4", "四川省", "integrated", "etdz", 9000.0, False),
    ("Z5", "山东省", "industrial", "customs", 0.0, False),
    ("Z6", "黑龙江省", "industrial", "htz", 3000.0, False),
)


def zone_set(path: Path, *, year: int = 2020, extra: dict[str, float] | None = None) -> Path:
    """The six zones of :data:`ZONES` in one GeoPackage (``extra`` overrides floor area by zone)."""
    extra = extra or {}
    parts = [zone_layers(code, province=prov, eval_type=et, category=cat, extra_floor=extra.get(code, fl),
                         idle=idle, dx=1000.0 * i, year=year)
             for i, (code, prov, et, cat, fl, idle) in enumerate(ZONES)]
    return write_gpkg(merge(*parts), path)
