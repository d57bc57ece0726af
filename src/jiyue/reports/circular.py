"""The circular (通报): what it says about a set of ranked zones, as plain data for the template.

:func:`circular_context` turns a ranking document (``jiyue.ranking.service.rank``, with its
``zones``) into the figures, sentences, tables and chart data of a 通报-style circular: counts
and areas by type, region and category; Σ-ratio averages with year-on-year change; mean scores
and their regional gradient; top and bottom lists per type with their regional make-up; the
problems found. What is listed and which zones are named as problems is set by a versioned
rule file (``rulesets/circular.toml``), loaded by :func:`load_rules` through :mod:`jiyue.rulefiles`
and refused with every problem listed.

Everything here is pure: documents in, a dict out. Charts are drawn by :mod:`.charts`
and the HTML by :mod:`.html_report`.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jiyue.errors import ProfileError
from jiyue.evaluation.indicators import INDICATORS
from jiyue.ranking.regions import REGION_ORDER, region_of, short_province
from jiyue.rulefiles import Problems, parse_toml, read_text
from jiyue.reports import labels as L
from jiyue.reports.numbers import Numbering, fmt, signed

__all__ = ["Problem", "Rules", "circular_context", "list_size", "load_rules", "measure_label", "measure_value"]

OPS = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b}
TYPES = ("industrial", "integrated")
NAMES_IN_SENTENCE = 5  # zones named in a problem sentence before "等N个开发区"
PROBLEM_ROWS = 20  # rows of a problem table


@dataclass(frozen=True)
class Problem:
    key: str
    measure: str
    op: str
    threshold: float
    unit: str
    title: str
    text: str
    area: str | None = None
    basis: str = ""


@dataclass(frozen=True)
class Rules:
    name: str
    version: str
    large: int
    large_from: int
    medium: int
    medium_from: int
    small_fraction: float
    averages: tuple[str, ...]
    groups: tuple[str, ...]
    problems: tuple[Problem, ...]
    source: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _fail(kind: str, **kw: Any) -> ProfileError:
    if kind in ("missing_file", "unreadable"):
        return ProfileError(f"找不到通报规则文件：{kw['path']}")
    if kind == "unknown_name":
        return ProfileError(f"没有名为「{kw['name']}」的内置通报规则文件")
    return ProfileError(f"通报规则文件 {kw['source']} 不是有效的 TOML：{kw['err']}")


def load_rules(path: str | Path | None = None) -> Rules:
    """The built-in circular rules, or a user's rule file (TOML); checked, errors name the key."""
    ref = "circular" if path is None else Path(path)
    if path is not None and not Path(path).is_file():
        raise ProfileError(f"找不到通报规则文件：{path}")
    text, source = read_text(ref, package="jiyue.reports.rulesets", fail=_fail)
    return parse_rules(parse_toml(text, source, fail=_fail), source)


def parse_rules(data: dict[str, Any], source: str = "") -> Rules:
    """Build and check :class:`Rules` from parsed TOML; every problem is listed at once."""
    ps = Problems(source)
    meta = data.get("ruleset") or {}
    lists = data.get("lists") or {}
    avg = data.get("averages") or {}

    def num(section: dict[str, Any], key: str, where: str, kind: type = int) -> Any:
        v = section.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
            ps.add(f"[{where}] {key}", v, "非负数", f"通报规则文件 {source}：[{where}] {key} 应为非负数，实际为「{v}」")
            return kind(0)
        return kind(v)

    for key in ("name", "version"):
        if not meta.get(key):
            ps.add(f"[ruleset] {key}", None, "必填", f"通报规则文件 {source}：[ruleset] 缺少 {key}")
    keys: dict[str, tuple[str, ...]] = {}
    for k in ("indicators", "groups"):
        vals = tuple(str(x) for x in avg.get(k, ()))
        bad = [x for x in vals if x not in INDICATORS]
        if bad or not vals:
            ps.add(f"[averages] {k}", "、".join(bad) or None, "指标代码",
                   f"通报规则文件 {source}：[averages] {k} 中的指标「{'、'.join(bad) or '（空）'}」未定义；"
                   f"可用指标：{'、'.join(INDICATORS)}")
        keys[k] = vals
    problems = []
    for i, p in enumerate(data.get("problems") or [], start=1):
        where = f"第{i}个 [[problems]]（{p.get('key', '')}）"
        n = len(ps)
        for k in ("key", "measure", "op", "threshold", "title", "text"):
            if k not in p:
                ps.add(f"[[problems]] #{i} {k}", None, "必填", f"通报规则文件 {source}：{where} 缺少 {k}")
        if len(ps) > n:
            continue
        if p["op"] not in OPS:
            ps.add(f"[[problems]] #{i} op", p["op"], " ".join(OPS),
                   f"通报规则文件 {source}：{where} 的 op「{p['op']}」应为 {' '.join(OPS)} 之一")
        m = str(p["measure"])
        ok = (m in INDICATORS or m in ("built_share", "score_change", "incomplete")
              or (m.startswith("area:") and m[5:] in L.AREA_LABELS))
        if not ok:
            ps.add(f"[[problems]] #{i} measure", m, "指标代码、built_share、score_change、incomplete 或 area:<地类>",
                   f"通报规则文件 {source}：{where} 的 measure「{m}」未定义；应为指标代码、built_share、"
                   f"score_change、incomplete 或 area:<地类>（如 area:D22）")
        area = p.get("area")
        if area is not None and area not in L.AREA_LABELS:
            ps.add(f"[[problems]] #{i} area", area, "地类代码",
                   f"通报规则文件 {source}：{where} 的 area「{area}」不是地类代码")
        if len(ps) > n:
            continue
        problems.append(Problem(str(p["key"]), m, str(p["op"]), float(p["threshold"]), str(p.get("unit", "")),
                                str(p["title"]), str(p["text"]), area, str(p.get("basis", ""))))
    rules = Rules(name=str(meta.get("name", "")), version=str(meta.get("version", "")),
                  large=num(lists, "large", "lists"), large_from=num(lists, "large_from", "lists"),
                  medium=num(lists, "medium", "lists"), medium_from=num(lists, "medium_from", "lists"),
                  small_fraction=num(lists, "small_fraction", "lists", float),
                  averages=keys["indicators"], groups=keys["groups"], problems=tuple(problems),
                  source=source, raw=data)
    ps.raise_if_any(lambda items: ProfileError(items[0].text()) if len(items) == 1 else ProfileError(
        f"通报规则文件 {source} 有 {len(items)} 处问题：\n" + "\n".join(f"  - {x.text()}" for x in items)))
    return rules


def list_size(count: int, rules: Rules) -> int:
    """How many zones the top (and the bottom) list of a type holds; never more than half."""
    if count >= rules.large_from:
        k = rules.large
    elif count >= rules.medium_from:
        k = rules.medium
    else:
        k = max(1, int(count * rules.small_fraction))
    return max(0, min(k, count // 2)) if count > 1 else count


# --------------------------------------------------------------------------- measures
def measure_value(measure: str, zone: dict[str, Any], score_change: float | None = None) -> float | None:
    """The value a problem rule compares for one zone (None when it cannot be computed)."""
    if measure in INDICATORS:
        return (zone.get("indicators") or {}).get(measure)
    a = zone.get("areas_ha") or {}
    if measure == "built_share":
        dev = (a.get("total") or 0.0) - (a.get("C") or 0.0)
        return (a.get("A") or 0.0) / dev * 100 if dev > 0 else None
    if measure.startswith("area:"):
        return a.get(measure[5:])
    if measure == "score_change":
        return score_change
    if measure == "incomplete":
        return 1.0 if zone.get("missing") else 0.0
    return None


def measure_label(measure: str) -> str:
    """What a problem rule measures, in Chinese (the problem table's 判定指标 column)."""
    if measure in INDICATORS:
        return INDICATORS[measure].name
    if measure.startswith("area:"):
        return L.AREA_LABELS[measure[5:]]
    return L.CIRCULAR[f"measure_{measure}"]


def _value_text(measure: str, v: float, unit: str) -> str:
    if measure == "incomplete":
        return ""
    if measure == "score_change":
        return f"{signed(v)}分"
    return f"{fmt(v)}{unit}"


# --------------------------------------------------------------------------- helpers
def _join(parts: list[str]) -> str:
    return L.CIRCULAR["sep"].join(parts) if parts else L.CIRCULAR["none"]


def _region(z: dict[str, Any]) -> str:
    return region_of(z.get("province")) or "其他"


def _makeup(rows: list[dict[str, Any]]) -> str:
    c = Counter(r.get("region") or "其他" for r in rows)
    order = [*REGION_ORDER, *sorted(k for k in c if k not in REGION_ORDER)]
    return _join([f"{g}{c[g]}个" for g in order if c.get(g)])


def _provinces(rows: list[dict[str, Any]]) -> str:
    c = Counter(short_province(r.get("province")) or "未知" for r in rows)
    return _join([f"{p}{n}个" for p, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))])


def _indicator_text(key: str, v: float | None) -> str:
    ind = INDICATORS[key]
    if v is None:
        return f"{ind.name}无法计算"
    return f"{ind.name}{fmt(v)}{ind.unit}"


def _change_text(key: str, ch: dict[str, Any] | None) -> str:
    """同比提高0.23个百分点 (rates) / 同比增长4.6% (other indicators); '' when unknown."""
    if not ch or ch.get("change") is None:
        return ""
    ind = INDICATORS[key]
    if ind.unit == "%":
        d = ch["change"]
        if abs(d) < 0.005:
            return L.CIRCULAR["flat"]
        return f"{L.CIRCULAR['up'] if d > 0 else L.CIRCULAR['down']}{fmt(abs(d))}{L.CIRCULAR['unit_points']}"
    r = ch.get("relative_pct")
    if r is None:
        d = ch["change"]
        return f"{L.CIRCULAR['rise'] if d > 0 else L.CIRCULAR['fall']}{fmt(abs(d))}{ind.unit}"
    if abs(r) < 0.005:
        return L.CIRCULAR["flat"]
    return f"{L.CIRCULAR['rise'] if r > 0 else L.CIRCULAR['fall']}{fmt(abs(r))}%"


# --------------------------------------------------------------------------- sections
def _basic(doc: dict[str, Any], zones: list[dict[str, Any]], n: Numbering) -> dict[str, Any]:
    C = L.CIRCULAR
    nat = doc["averages"]["national"]
    by_type = Counter(z["eval_type"] for z in zones)
    by_region = Counter(_region(z) for z in zones)
    by_cat = Counter(z.get("category") or "other" for z in zones)
    cat_order = {k: i for i, k in enumerate(L.CATEGORY_LABELS)}
    regions = _join([f"{g}{by_region[g]}个" for g in (*REGION_ORDER, "其他") if by_region.get(g)])
    cats = _join([f"{L.CATEGORY_LABELS.get(c, c)}{k}个"
                  for c, k in sorted(by_cat.items(), key=lambda kv: (cat_order.get(kv[0], 99), kv[0]))])
    tot = nat["all"]["totals"] if "all" in nat else {}
    count = len(zones)
    paras = [C["basic_count"].format(count=count, industrial=by_type.get("industrial", 0),
                                     integrated=by_type.get("integrated", 0), regions=regions, categories=cats)]
    if count:
        paras.append(C["basic_area"].format(total=fmt(tot.get("total_ha")), mean=fmt(tot.get("total_ha", 0) / count),
                                            A=fmt(tot.get("A_ha")), D=fmt(tot.get("D_ha")), E=fmt(tot.get("E_ha")),
                                            G=fmt(tot.get("G_ha"))))
        paras.append(C["basic_money"].format(fai=fmt(tot.get("industrial_fai_wan", 0) / 1e4),
                                             itax=fmt(tot.get("industrial_tax_wan", 0) / 1e4),
                                             tax=fmt(tot.get("tax_total_wan", 0) / 1e4)))

    def row(label: str, zs: list[dict[str, Any]]) -> list[str]:
        a = {k: sum(float((z.get("areas_ha") or {}).get(k) or 0.0) for z in zs) for k in ("total", "A", "D", "E")}
        return [label, str(len(zs)), fmt(a["total"]), fmt(a["A"]), fmt(a["D"]), fmt(a["E"])]

    groups: list[dict[str, Any]] = []
    groups.append({"title": C["group_type"], "rows": [row(L.EVAL_TYPE_LABELS[t], [z for z in zones if z["eval_type"] == t])
                                                      for t in TYPES if by_type.get(t)]})
    groups.append({"title": C["group_region"], "rows": [row(g, [z for z in zones if _region(z) == g])
                                                        for g in (*REGION_ORDER, "其他") if by_region.get(g)]})
    groups.append({"title": C["group_category"],
                   "rows": [row(L.CATEGORY_LABELS.get(c, c), [z for z in zones if (z.get("category") or "other") == c])
                            for c in sorted(by_cat, key=lambda c: (cat_order.get(c, 99), c))]})
    return {"paragraphs": paras, "table_title": C["table_groups"].format(n=n.t()),
            "head": L.CIRCULAR_LISTS["group_head"],
            "groups": groups, "total_row": row(C["all"], zones)}


def _status(doc: dict[str, Any], rules: Rules, n: Numbering) -> dict[str, Any]:
    C = L.CIRCULAR
    nat = doc["averages"]["national"]
    yoy = (doc.get("year_on_year") or {}).get("averages", {})
    base_year = doc.get("base_year")
    allr = (nat.get("all") or {}).get("ratio", {})
    items = []
    for k in rules.averages:
        if allr.get(k) is None:
            continue
        s = _indicator_text(k, allr.get(k))
        ch = _change_text(k, (yoy.get("all") or {}).get(k))
        if ch and base_year:
            s += f"（较{base_year}年度{ch}）"
        items.append(s)
    cols = [t for t in ("all", *TYPES) if t in nat]
    head = ["指标", C["unit_head"], *[C["avg_head_all"] if t == "all" else L.EVAL_TYPE_LABELS[t] for t in cols]]
    if yoy:
        head.append(C["yoy_head"])
    rows = []
    for k in rules.averages:
        ind = INDICATORS[k]
        r = [ind.name, ind.unit or "—", *[fmt(nat[t]["ratio"].get(k)) for t in cols]]
        if yoy:
            r.append(_change_text(k, (yoy.get("all") or {}).get(k)) or "—")
        rows.append(r)
    rows.append(["参评开发区数", "个", *[str(nat[t]["count"]) for t in cols], *([""] if yoy else [])])

    def group_table(kind: str, title: str, label: Any) -> dict[str, Any]:
        groups = doc["averages"][kind]
        ranked = {k: i for i, k in enumerate((*REGION_ORDER, *L.CATEGORY_LABELS, "未知"))}
        order = sorted(groups, key=lambda g: (ranked.get(g, len(ranked)), g))
        types = [t for t in TYPES if t in nat]
        h = ["分组", C["count_head"], *[f"{L.EVAL_TYPE_LABELS[t]}{C['score_head']}" for t in types],
             *[f"{INDICATORS[k].name}（{INDICATORS[k].unit}）" if INDICATORS[k].unit else INDICATORS[k].name
               for k in rules.groups]]
        rs = []
        for g in order:
            b = groups[g]
            rs.append([label(g), str(b["all"]["count"]),
                       *[fmt((b.get(t) or {}).get("score_mean")) for t in types],
                       *[fmt(b["all"]["ratio"].get(k)) for k in rules.groups]])
        return {"title": title, "head": h, "rows": rs}

    return {
        "lead": C["status_lead"],
        "sentence": C["status_sentence"].format(items="，".join(items)) if items else "",
        "table_title": C["table_averages"].format(n=n.t()), "head": head, "rows": rows,
        "regions": group_table("region", C["table_regions"].format(n=n.t()), lambda g: g),
        "categories": group_table("category", C["table_categories"].format(n=n.t()),
                                  lambda g: L.CATEGORY_LABELS.get(g, g)),
    }


def _scores(doc: dict[str, Any], n: Numbering) -> dict[str, Any]:
    C = L.CIRCULAR
    nat = doc["averages"]["national"]
    yoy = (doc.get("year_on_year") or {}).get("averages", {})
    sentences = []
    region_means: dict[str, dict[str, float]] = {}
    for t in TYPES:
        if t not in nat or nat[t]["score_mean"] is None:
            continue
        s = C["score_sentence"].format(type=L.EVAL_TYPE_LABELS[t], mean=fmt(nat[t]["score_mean"]),
                                       count=nat[t]["scored"])
        base = ((yoy.get(t) or {}).get("score_mean") or {}).get("base")
        if base is not None and doc.get("base_year"):
            d = nat[t]["score_mean"] - base
            s += C["score_yoy"].format(base_year=doc["base_year"], direction=C["up"] if d >= 0 else C["down"],
                                       change=fmt(abs(d)))
        found = {g: (doc["averages"]["region"][g].get(t) or {}).get("score_mean")
                 for g in REGION_ORDER if g in doc["averages"]["region"]}
        means: dict[str, float] = {g: v for g, v in found.items() if v is not None}
        region_means[t] = means
        if len(means) > 1:
            order = sorted(means.items(), key=lambda kv: -kv[1])
            s += "；" + C["score_gradient"].format(
                type=L.EVAL_TYPE_LABELS[t], order="".join(
                    (C["gt"] if i else "") + f"{g}（{fmt(v)}分）" for i, (g, v) in enumerate(order)))
        sentences.append(s + "。")
    return {"sentences": sentences, "distribution": doc.get("distribution") or {}, "region_means": region_means,
            "figure_distribution": C["figure_distribution"].format(n=n.f()),
            "figure_regions": C["figure_regions"].format(n=n.f()) if any(len(m) > 1 for m in region_means.values())
            else None}


def _list_row(r: dict[str, Any]) -> list[str]:
    return [str(r["rank_national"]), r.get("name") or r["zone_code"], short_province(r.get("province")),
            r.get("region") or "—", L.label(L.CATEGORY_LABELS, r.get("category")),
            fmt(r.get("score"))]


def _ranking(doc: dict[str, Any], rules: Rules, n: Numbering, top: int | None) -> list[dict[str, Any]]:
    C = L.CIRCULAR
    out = []
    for t in TYPES:
        rows = [r for r in doc["rankings"] if r["eval_type"] == t]
        if not rows:
            continue
        ranked = sorted([r for r in rows if r["rank_national"] is not None],
                        key=lambda r: (r["rank_national"], r["zone_code"]))
        unranked = len(rows) - len(ranked)
        k = min(top, len(ranked) // 2 if len(ranked) > 1 else len(ranked)) if top else list_size(len(ranked), rules)
        top_rows = ranked[:k]
        bottom_rows = ranked[len(ranked) - k:] if k and len(ranked) > k else []
        label = L.EVAL_TYPE_LABELS[t]
        sentences = []
        if top_rows and bottom_rows:
            sentences.append(C["ranking_makeup"].format(type=label, top=k, regions=_makeup(top_rows), bottom=k,
                                                        regions_bottom=_makeup(bottom_rows)))
        if top_rows:
            sentences.append(C["ranking_provinces"].format(top=k, type=label, provinces=_provinces(top_rows)))
        if unranked:
            sentences.append(C["ranking_unranked"].format(count=unranked, type=label))
        out.append({
            "type": t, "label": label, "count": len(ranked), "k": k, "sentences": sentences,
            "heading": C["ranking_type"].format(type=label, count=len(rows)),
            "top_title": C["table_top"].format(n=n.t(), type=label, k=k) if top_rows else None,
            "top": [_list_row(r) for r in top_rows],
            "bottom_title": C["table_bottom"].format(n=n.t(), type=label, k=k) if bottom_rows else None,
            "bottom": [_list_row(r) for r in bottom_rows],
            "head": L.CIRCULAR_LISTS["list_head"],
        })
    return out


def _problems(doc: dict[str, Any], zones: list[dict[str, Any]], rules: Rules) -> list[dict[str, Any]]:
    C = L.CIRCULAR
    changes = {z["zone_code"]: z["score"]["change"] for z in (doc.get("year_on_year") or {}).get("zones", [])}
    out = []
    for p in rules.problems:
        if p.measure == "score_change" and "year_on_year" not in doc:
            continue
        hits = []
        for z in zones:
            v = measure_value(p.measure, z, changes.get(z["zone_code"]))
            if v is not None and not (isinstance(v, float) and math.isnan(v)) and OPS[p.op](v, p.threshold):
                hits.append((z, v))
        if not hits:
            continue
        reverse = p.op in (">", ">=")
        hits.sort(key=lambda zv: (-zv[1] if reverse else zv[1], zv[0]["zone_code"]))
        names = [z.get("name") or z["zone_code"] for z, _ in hits]
        shown = _join(names[:NAMES_IN_SENTENCE])
        if len(names) > NAMES_IN_SENTENCE:
            shown += C["problem_more"].format(count=len(names))
        types = _join([f"{L.EVAL_TYPE_LABELS[t]}{c}个" for t, c in
                       sorted(Counter(z["eval_type"] for z, _ in hits).items(), key=lambda kv: TYPES.index(kv[0]))])
        area = sum(float((z.get("areas_ha") or {}).get(p.area) or 0.0) for z, _ in hits) if p.area else None
        unit = p.unit
        rows = []
        for z, v in hits[:PROBLEM_ROWS]:
            what = ("、".join(INDICATORS[k].name for k in sorted(z.get("missing") or {}))
                    if p.measure == "incomplete" else _value_text(p.measure, v, unit))
            rows.append([z.get("name") or z["zone_code"], short_province(z.get("province")),
                         L.EVAL_TYPE_LABELS.get(z["eval_type"], z["eval_type"]), what])
        out.append({"key": p.key, "title": p.title,
                    "sentence": p.text.format(count=len(hits), types=types, names=shown,
                                              area=fmt(area) if area is not None else ""),
                    "head": [*L.CIRCULAR_LISTS["problem_head"], measure_label(p.measure)], "rows": rows,
                    "rest": C["problem_rest"].format(count=len(hits) - len(rows)) if len(hits) > len(rows) else ""})
    return out


def _appendix(doc: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for t in TYPES:
        rows = [r for r in doc["rankings"] if r["eval_type"] == t]
        if not rows:
            continue
        out.append({"label": L.CIRCULAR["appendix_type"].format(type=L.EVAL_TYPE_LABELS[t], count=len(rows)),
                    "head": L.CIRCULAR_LISTS["appendix_head"], "rows": [[
            f"{r['rank_national']}/{r['of_national']}" if r["rank_national"] else "—",
            f"{r['rank_province']}/{r['of_province']}" if r["rank_province"] else "—",
            r.get("name") or r["zone_code"], short_province(r.get("province")), r.get("region") or "—",
            L.label(L.CATEGORY_LABELS, r.get("category")), fmt(r.get("score"))] for r in rows]})
    return out


def circular_context(doc: dict[str, Any], *, rules: Rules | None = None, top: int | None = None,
                     generated: str = "") -> dict[str, Any]:
    """Everything the circular says, from a ranking document that includes its ``zones``.

    ``top`` overrides the list length of the rules; ``generated`` is the date printed under
    the title (the caller's clock, so this function stays pure).
    """
    import jiyue

    rules = rules or load_rules()
    zones = doc.get("zones")
    if zones is None:
        raise ValueError("the ranking document needs its zones (rank(..., include_zones=True))")
    n = Numbering()
    prof = doc.get("profile") or {}
    C = L.CIRCULAR
    return {
        "title": C["title"].format(year=doc.get("year")),
        "issuer": C["issuer"],
        "basis": C["basis"].format(profile=prof.get("name", ""), version=prof.get("version_label", prof.get("version", "")),
                                   jiyue_version=doc.get("jiyue_version") or jiyue.__version__, date=generated),
        "opening": C["opening"].format(count=len(zones), year=doc.get("year")),
        "year": doc.get("year"), "base_year": doc.get("base_year"),
        "headings": {k: C[k] for k in ("s_basic", "s_status", "s_score", "s_ranking", "s_problems",
                                       "s_requirements", "s_appendix")},
        "basic": _basic(doc, zones, n),
        "status": _status(doc, rules, n),
        "scores": _scores(doc, n),
        "ranking": _ranking(doc, rules, n, top),
        "ranking_lead": C["ranking_lead"],
        "problems": _problems(doc, zones, rules),
        "problems_none": C["problems_none"],
        "requirements": L.CIRCULAR_LISTS["requirements"],
        "appendix": _appendix(doc),
        "note": C["note"].format(profile=prof.get("name", ""), version=prof.get("version_label", prof.get("version", ""))),
        "rules": {"name": rules.name, "version": rules.version, "source": rules.source},
    }
