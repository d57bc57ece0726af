"""The enterprises: names, credit codes, founding dates, which parcels they use, lessors of leased land."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from jiyue.demo.identity import ADMIN_CODE, AS_OF, DEMO_YEAR, LU_WAREHOUSE
from jiyue.demo.layout import N_ROWS, RIVER_COL, Lot
from jiyue.demo.sampling import rand_date, shift_days, weighted

# --------------------------------------------------------------------------- enterprises
BRANDS = (
    "鑫泰", "华通", "金源", "瑞丰", "宏达", "恒信", "博远", "润华", "永盛", "天元", "德润", "昌盛",
    "中正", "海川", "嘉禾", "信源", "泰和", "鼎盛", "盛达", "启航", "聚源", "利民", "和顺", "东润",
    "新纪", "凯瑞", "同德", "宏远", "汇通", "广源", "兴隆", "晨阳", "天泽", "恒昌", "泽润", "安泰",
    "宝利", "力源", "华宇", "金诺", "锦程", "众诚", "建业", "富源", "祥瑞", "通达", "宏图", "正元",
    "耀华", "金桥", "明达", "华美", "振兴", "远航", "诚信", "荣昌", "九州", "万通", "鲁源", "齐正",
    "运河", "水城", "凤城", "东岳", "长润", "腾飞", "新元", "景泰", "福瑞", "康达", "佳禾", "盛唐",
)
PREFIXES = ("聊城", "聊城市", "山东")
PREFIX_WEIGHTS = (0.45, 0.3, 0.25)
# (GB/T 4754-2017 code, name words, weight) for manufacturing firms
MANUFACTURING = (
    ("C1495", ("生物科技", "食品配料"), 5), ("C1391", ("淀粉", "生物制品"), 3), ("C1499", ("食品",), 6),
    ("C1713", ("印染", "纺织"), 4), ("C2710", ("医药", "药业"), 3), ("C2929", ("塑业", "橡塑制品"), 5),
    ("C3021", ("新型建材", "管桩"), 3), ("C3130", ("特钢", "钢管"), 4), ("C3311", ("钢结构", "金属结构"), 6),
    ("C3360", ("表面处理",), 2), ("C3441", ("泵业",), 2), ("C3489", ("机械", "精密零部件"), 6),
    ("C3670", ("汽车零部件", "汽车配件"), 7), ("C3823", ("电气", "电力设备"), 3), ("C3831", ("电缆",), 2),
    ("C3985", ("电子材料", "新材料"), 3), ("C2231", ("包装", "纸制品"), 2), ("C3733", ("游艇",), 1),
)
LOGISTICS = (("G5920", ("物流", "仓储"), 5), ("G5930", ("冷链物流",), 2), ("G5431", ("运输",), 2))
COMMERCE_FIRMS = {  # land use → (code, name words)
    "0501": (("F5211", ("百货",)), ("F5212", ("超市",)), ("F5283", ("家居广场",))),
    "0503": (("H6210", ("餐饮管理",)),),
    "0504": (("H6110", ("酒店管理",)),),
    "0505": (("K7010", ("置业", "房地产开发")), ("L7212", ("投资",)), ("J6620", ("农村商业银行",))),
    "0506": (("R9011", ("文化娱乐",)),),
    "0507": (("O8111", ("汽车服务",)), ("L7281", ("会展服务",))),
}
HIGHTECH_CODES = ("C2710", "C3985", "C3823", "C1495")  # firms whose land may carry H1
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 code characters
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997 organisation code weights
NEW_CODE_SINCE = dt.date(2015, 10, 1)  # firms registered since then got "MA…" organisation codes

SEED_FIRMS = {  # the article's enterprises (founding dates are demo values)
    "guaibao": ("乖宝宠物食品集团股份有限公司", "C1321", dt.date(2006, 8, 15)),
    "recovered_0": ("山东欢派食品有限公司", "C1499", dt.date(2004, 5, 20)),
    "recovered_1": ("聊城昌新汽车零部件有限公司", "C3670", dt.date(2005, 9, 8)),
    "recovered_2": ("艾雅贵(聊城)食品有限公司", "C1499", dt.date(2006, 3, 2)),
    "recovered_3": ("聊城市凤凰绣品有限公司", "C2436", dt.date(2002, 11, 18)),
    "recovered_4": ("聊城市凤凰工艺品有限公司", "C2439", dt.date(2003, 6, 26)),
}


def credit_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def _org_code(rng: np.random.Generator, new_style: bool) -> str:
    """A 9-character organisation code with its GB 11714-1997 check character."""
    letters = "ABCDEFGHJKLMNPQRTUWXY"  # credit-code letters (no I, O, S, V, Z)
    if new_style:  # codes issued since 2015 start with MA
        body = "MA" + "".join(rng.choice(list("0123456789" + letters), size=6))
    else:
        body = "".join(rng.choice(list("0123456789"), size=8))
    value = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, ORG_WEIGHTS))
    check = 11 - value % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


@dataclass
class Firm:
    """An enterprise while it is being generated."""

    enterprise_id: str
    name: str
    industry_code: str
    founded: dt.date
    credit_code: str = ""
    lots: list[Lot] = field(default_factory=list)
    lease_m2: float = 0.0  # land used under lease (land_m2_extra)
    lease_until: int = 9999  # last year of the lease
    tax_per_mu: float = 0.0
    producing_from: int = 0  # first full production year (0 = long before the period)
    tag: str | None = None
    lessor_id: str | None = None  # who leases it its land_m2_extra (None: a village or outside owner)
    park: str | None = None  # 园区 (optional field read by the per-mu engine)
    street: str | None = None  # 街道


class _FirmFactory:
    """Creates firms with unique names, ids and credit codes."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.firms: list[Firm] = []
        self._names: set[str] = set()

    def new(self, code: str, words: Sequence[str], founded: dt.date, name: str | None = None,
            tag: str | None = None) -> Firm:
        rng = self.rng
        while name is None or (name in self._names and tag is None):
            form = weighted(rng, ["有限公司", "股份有限公司", "有限责任公司"], [0.85, 0.1, 0.05])
            name = (weighted(rng, PREFIXES, PREFIX_WEIGHTS) + str(rng.choice(BRANDS))
                    + str(rng.choice(list(words))) + form)
            if name in self._names:
                name = None
        self._names.add(name)
        firm = Firm(f"E-{len(self.firms) + 1:04d}", name, code, founded, tag=tag)
        self.firms.append(firm)
        return firm

    def manufacturer(self, founded: dt.date, logistics: bool = False) -> Firm:
        deck = LOGISTICS if logistics else MANUFACTURING
        code, words, _ = weighted(self.rng, deck, [w for *_, w in deck])
        return self.new(code, words, founded)


SAME_FIRM_INDUSTRIAL = 0.8  # chance that a plant belongs to the firm of the previous plant in the block
SAME_FIRM_COMMERCE = 0.9  # likewise for commercial lots (developers hold many shop lots)
SHOP_WITHOUT_FIRM = 0.2  # shops owned by individuals: no enterprise record
N_TENANTS = 14  # firms that only lease land (租赁企业)
N_EXTRA_LEASES = 8  # firms with land of their own that lease extra yards
N_NEW_FIRMS = 6  # manufacturers founded in DEMO_YEAR (tenants; figures for that year only)
NEW_FIRM_WINDOWS = ((dt.date(DEMO_YEAR, 1, 10), dt.date(DEMO_YEAR, 5, 31)),  # producing half a year: rated
                    (dt.date(DEMO_YEAR, 7, 1), dt.date(DEMO_YEAR, 9, 30)))  # under half a year: 暂不评价 (T)
DEFER_FOUNDED_FROM = NEW_FIRM_WINDOWS[1][0]  # founded on or after this day → flag `deferred` that year
VILLAGE_LESSOR_SHARE = 0.4  # extra yards leased from a village collective: no lessor enterprise
MAJOR_PROJECT_WAN = 10_000.0  # 亿元以上 projects under construction at year end → flag `major_project`
SCALE_ABOVE_WAN = 2_000.0  # 规模以上工业: revenue ≥ 2 000 万元
# parks (园区, the article's 机电装备产业园, 新动能产业园 and 坤源产业园) and streets (街道) by block position
CITY_PARK = "中心城区"  # the city west of the river: no industrial park


def _place(block: tuple[int, int]) -> tuple[str, str]:
    """(park, street) of a block (row from the south, column from the west).

    West of the river lies the city (北城街道). East of it the older industrial blocks form the
    机电装备产业园 and the new park is split into 新动能产业园 (north) and 坤源产业园 (south); the
    streets run in bands from north to south: 蒋官屯街道, 东城街道, 广平乡.
    """
    s, i = block
    if i <= RIVER_COL:
        return CITY_PARK, "北城街道"
    if i <= 8:
        park = "机电装备产业园"
    else:
        park = "新动能产业园" if s >= N_ROWS // 2 else "坤源产业园"
    return park, "蒋官屯街道" if s >= 6 else ("东城街道" if s >= 3 else "广平乡")


def assign_lessors(firms: list[Firm], rng: np.random.Generator) -> None:
    """Lessors of leased land and the park / street of every firm.

    Tenants, the firms building their own plant and the new firms lease from established
    industrial landholders (at most a third of a lessor's own land in all); an extra yard of a
    landholder is leased from a village collective (no lessor) with VILLAGE_LESSOR_SHARE. A
    firm's park and street are those of its largest parcel, or of its lessor.
    """
    own = {f.enterprise_id: sum(round(x.area, 2) for x in f.lots) for f in firms}
    capacity = {f.enterprise_id: own[f.enterprise_id] / 3 for f in firms
                if f.tag is None and any(x.build_class == "A2" and x.story is None for x in f.lots)
                and own[f.enterprise_id] >= 15_000}
    for firm in firms:
        if firm.lease_m2 <= 0:
            continue
        if firm.lots and firm.lots[0].story is None and rng.random() < VILLAGE_LESSOR_SHARE:
            continue
        fits = sorted(k for k, v in capacity.items() if v >= firm.lease_m2 and k != firm.enterprise_id)
        if fits:
            firm.lessor_id = fits[int(rng.integers(len(fits)))]
            capacity[firm.lessor_id] -= firm.lease_m2
    by_id = {f.enterprise_id: f for f in firms}
    for firm in firms:
        blocks = [x for x in firm.lots if x.block is not None]
        if blocks:
            firm.park, firm.street = _place(max(blocks, key=lambda x: x.area).block)  # type: ignore[arg-type]
    for firm in firms:
        lessor = by_id.get(firm.lessor_id or "")
        if not firm.lots and lessor is not None:
            firm.park, firm.street = lessor.park, lessor.street


def assign_users(lots: list[Lot], rng: np.random.Generator) -> list[Firm]:
    """Land users: one firm per contract parcel, neighbouring plants often share a firm."""
    factory = _FirmFactory(rng)
    seed = {key: factory.new(code, (), founded, name=name, tag=key)
            for key, (name, code, founded) in SEED_FIRMS.items()}
    for lot in lots:
        if lot.tag in ("guaibao_old", "guaibao_phase2"):
            _own(seed["guaibao"], lot)
        elif lot.tag and lot.tag.startswith("recovered_"):
            _own(seed[lot.tag], lot)
    previous: dict[tuple[str, tuple[int, int] | None], Firm] = {}
    for lot in sorted(lots, key=lambda x: x.parcel_id):
        if lot.user_id is not None:
            continue
        if lot.story is not None:  # one new firm per contract parcel; founding date set later
            _own(factory.manufacturer(dt.date(2011, 1, 1)), lot)
        elif lot.build_class == "A2":
            key = ("A2", lot.block)
            if key in previous and rng.random() < SAME_FIRM_INDUSTRIAL:
                _own(previous[key], lot)
                continue
            founded = rand_date(rng, dt.date(1993, 1, 1), shift_days(lot.supply_date or AS_OF, -30))
            previous[key] = factory.manufacturer(founded, logistics=lot.land_use == LU_WAREHOUSE)
            _own(previous[key], lot)
        elif lot.build_class == "A4" and rng.random() > SHOP_WITHOUT_FIRM:
            key = ("A4", lot.block)
            if key in previous and rng.random() < SAME_FIRM_COMMERCE:
                _own(previous[key], lot)
                continue
            choices = COMMERCE_FIRMS[lot.land_use]
            code, words = choices[int(rng.integers(len(choices)))]
            founded = rand_date(rng, dt.date(1995, 1, 1), shift_days(lot.supply_date or AS_OF, -30))
            previous[key] = factory.new(code, words, founded)
            _own(previous[key], lot)
    for _ in range(N_TENANTS):
        firm = factory.manufacturer(rand_date(rng, dt.date(2008, 1, 1), dt.date(2017, 6, 30)))
        firm.lease_m2 = round(float(rng.uniform(1_500, 12_000)), 2)
    for k in range(N_NEW_FIRMS):  # founded in the evaluation year, in leased plants (per-mu: T / protection)
        window = NEW_FIRM_WINDOWS[0] if k < N_NEW_FIRMS // 2 else NEW_FIRM_WINDOWS[1]
        firm = factory.manufacturer(rand_date(rng, *window))
        firm.tag = "new_firm_slow" if k == 0 else "new_firm"  # the first one starts slowly
        firm.lease_m2 = round(float(rng.uniform(2_500, 9_000)), 2)
    holders = [f for f in factory.firms if f.tag is None and f.lots and f.lots[0].story is None]
    for j in rng.choice(len(holders), size=N_EXTRA_LEASES, replace=False):
        holders[j].lease_m2 = round(float(rng.uniform(2_000, 15_000)), 2)  # extra leased yards
    return factory.firms


def settle_founding(firms: list[Firm], rng: np.random.Generator) -> None:
    """Every firm exists before it gets land; then issue credit codes for the founding dates."""
    for firm in firms:
        dates = [x.supply_date for x in firm.lots if x.supply_date is not None]
        if firm.tag is not None:  # the article's firms keep their founding date; land comes later
            for lot in firm.lots:
                if lot.supply_date is not None and lot.supply_date < shift_days(firm.founded, 60):
                    lot.supply_date = shift_days(firm.founded, rng.uniform(60, 500))
        elif dates and firm.founded > shift_days(min(dates), -30):
            firm.founded = shift_days(min(dates), -rng.uniform(30, 400))
        first17 = "91" + ADMIN_CODE + _org_code(rng, firm.founded >= NEW_CODE_SINCE)
        firm.credit_code = first17 + credit_check_char(first17)


def _own(firm: Firm, lot: Lot) -> None:
    firm.lots.append(lot)
    lot.user_id = firm.enterprise_id


def mark_hightech(firms: list[Firm], rng: np.random.Generator) -> None:
    for firm in firms:
        if firm.industry_code in HIGHTECH_CODES and rng.random() < 0.6:
            for lot in firm.lots:
                if lot.build_class == "A2":
                    lot.hightech = "H1" if rng.random() < 0.7 else "H2"
