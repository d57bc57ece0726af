"""Deterministic demo data package: 聊城经济技术开发区（演示数据）.

The demo is a synthetic but plausible 产城融合型 (``integrated``) national economic-technological
development zone modelled on the article 《推动产城融合新模式 构建宜居城市新格局》 (Liaocheng ETDZ,
2021; ranked 48th of 111 产城融合型 zones in MNR's circular on the 2020 monitoring). It follows the
input data contract (``docs/sources/data-contract-v1.md``) field by field, in English
field names, and is calibrated so that the three figures quoted in the article come out exactly
(to the two decimals the article prints) whatever the seed:

* 土地供应率 D / (A + B21) × 100 = 99.74
* 土地建成率 A / D × 100 = 98.19
* 综合容积率 (floor area of buildings on A) / A = 1.20

It also reproduces the article's stories: 乖宝's 8.67 ha old plant and 19.5 ha phase-2 parcel,
the 5.43 ha block of five low-efficiency holders, the 37 industrial parcels granted since
2016 of which 12 are in breach of their grant contracts (by the idle-land engine's own rules,
see :func:`breach_reasons`), and the 7 medical sites. For the engines built on it, 11 of the 37
are standard-land (标准地) contracts at every stage of their life cycle on 2020-12-31 (delivered
… production review done), and the enterprises carry the optional per-mu fields (park, street,
flags, water and gas use, the lessor of leased land), with six firms founded in 2020.

How it is built (see ``docs/demo.md`` for the long version):

1. a street grid of blocks whose use follows a fixed land-use template (city in the west, a
   river, industry in the east, an undeveloped fringe); only the sizes are random;
2. every block is cut into rectangular parcels (guillotine cuts), so parcels never overlap;
3. the 37 contract parcels and their stories are chosen;
4. two *balancing* parcel pairs are resized by moving their shared edge so that the supply and
   built-up rates hit the targets exactly;
5. building footprints are laid out on a slot grid inside each parcel (inset, never touching the
   parcel edge); residential tower heights and one *balancing* tower are then adjusted so the
   comprehensive floor-area ratio is exactly 1.2000;
6. enterprises, their yearly figures, contracts, progress events, facilities and roads follow.

The package: ``identity`` (who and when), ``layout`` (grid, blocks, parcels), ``stories``
(contract stories), ``enterprises``, ``contracts``, ``buildings``, ``economy`` (yearly figures),
``facilities``, ``assembly`` (:func:`build_demo`), ``writer``, ``breaches`` (the idle-land
engine's findings) and ``summary``; ``sampling`` and ``geometry`` hold small helpers.

Public API: :func:`build_demo`, :func:`write_demo`, :func:`demo_summary`, :func:`breach_reasons`,
:data:`DEMO_YEAR`, :data:`DEMO_ZONE_CODE`.
"""

from __future__ import annotations

from jiyue.demo.assembly import build_demo
from jiyue.demo.breaches import breach_reasons, idle_parcels
from jiyue.demo.identity import DEMO_YEAR, DEMO_ZONE_CODE, LAYER_NAMES
from jiyue.demo.summary import demo_summary
from jiyue.demo.writer import write_demo

__all__ = [
    "DEMO_YEAR",
    "DEMO_ZONE_CODE",
    "LAYER_NAMES",
    "breach_reasons",
    "build_demo",
    "demo_summary",
    "idle_parcels",
    "write_demo",
]
