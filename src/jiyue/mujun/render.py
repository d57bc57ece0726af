"""Renderings of the ``jiyue mujun`` document: plain text (``--format table``) and the workbook
an economic bureau publishes (``--format xlsx``, Chinese headers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jiyue.mujun import labels
from jiyue.workbook import excel_writer


def _n(v: Any, digits: int = 2) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def table(doc: dict[str, Any]) -> str:
    """A plain-text summary: per group the benchmarks and every rated firm, then the others."""
    rules = doc["rules"]
    ind = rules["indicators"]
    lines = [labels.TABLE["title"].format(year=doc["year"], scheme=doc["scheme"]["name"],
                                          version=doc["scheme"]["version"], policy=doc["policy"]["name"])]
    by_group: dict[str, list[dict[str, Any]]] = {}
    others: dict[str, list[str]] = {}
    for e in doc["enterprises"]:
        if e["status"] == "rated":
            by_group.setdefault(e["group"], []).append(e)
        else:
            others.setdefault(e["status"], []).append(e["enterprise_id"])
    for g in rules["groups"]:
        s = doc["summary"][g["key"]]
        counts = " ".join(f"{k}{v}" for k, v in s["class_counts"].items())
        lines.append("")
        lines.append(labels.TABLE["group"].format(label=g["label"], n=s["n_rated"], counts=counts))
        items = "；".join(f"{ind[k]['label']} {_n(b['value'], 4)}" for k, b in doc["benchmarks"][g["key"]].items())
        lines.append(labels.TABLE["bench"].format(items=items))
        for e in by_group.get(g["key"], []):
            flags = ("  否决" if e["vetoed"] else "") + ("  保护" if e["protected"] else "")
            lines.append(labels.TABLE["row"].format(rank=e["rank"], eid=e["enterprise_id"], name=(e["name"] or "")[:16],
                                                    land=_n(e["land_mu"]), score=_n(e["score"], 4),
                                                    cls=e["class"], flags=flags))
            ms = []
            for m in e["measures"]:
                if m.get("amount_wan") is not None:
                    ms.append(f"{m['label']} {_n(m.get('rate'), 4)}{m.get('rate_unit', '')} {_n(m['amount_wan'])}万元")
                elif m.get("text"):
                    ms.append(f"{m['label']}：{m['text']}")
            if ms:
                lines.append(labels.TABLE["measures"].format(items="；".join(ms)))
    for st, ids in others.items():
        lines.append("")
        shown = "、".join(ids[:30]) + (f" 等{len(ids)}家" if len(ids) > 30 else "")
        lines.append(labels.TABLE["other"].format(label=labels.STATUS[st], n=len(ids), ids=shown))
    lines.append("")
    for a in doc["aggregates"]:
        if a["group"] != "all":
            continue
        inds = "；".join(f"{ind[k]['label']} {_n(v, 2)}" for k, v in a["indicators"].items() if v is not None)
        counts = " ".join(f"{k}{v}" for k, v in a["class_counts"].items())
        lines.append(labels.TABLE["agg"].format(level=labels.LEVELS[a["level"]], key=a["key"], group="全部",
                                                n=a["n_rated"], land=a["land_mu"], inds=inds, counts=counts))
    return "\n".join(lines)


def frames(doc: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The workbook's sheets as DataFrames (Chinese headers)."""
    H = labels.HEAD
    rules = doc["rules"]
    ind = rules["indicators"]
    group_label = {g["key"]: g["label"] for g in rules["groups"]}
    item_keys = list(dict.fromkeys(it["indicator"] for g in rules["groups"] for it in g["items"]))
    rows, mrows = [], []
    for e in doc["enterprises"]:
        r: dict[str, Any] = {H["enterprise_id"]: e["enterprise_id"], H["name"]: e["name"],
                             H["zone_code"]: e["zone_code"], H["park"]: e["park"], H["street"]: e["street"],
                             H["industry_code"]: e["industry_code"],
                             H["group"]: group_label.get(e["group"], labels.GROUP_FALLBACK),
                             H["status"]: labels.STATUS[e["status"]], H["land_mu"]: e["land_mu"],
                             H["own_m2"]: e["land"]["own_m2"], H["leased_in_m2"]: e["land"]["leased_in_m2"],
                             H["leased_out_m2"]: e["land"]["leased_out_m2"]}
        for k in item_keys:
            r[f"{ind[k]['label']}({ind[k]['unit']})"] = e["indicators"].get(k)
        for k in item_keys:
            r[f"{ind[k]['label']}得分"] = e["item_scores"].get(k)
        r.update({H["base_score"]: e["base_score"], H["bonus"]: None if e["score"] is None else
                  sum(a["points"] for a in e["adjustments"] if a["points"] > 0),
                  H["deduction"]: None if e["score"] is None else
                  -sum(a["points"] for a in e["adjustments"] if a["points"] < 0),
                  H["score"]: e["score"], H["rank"]: e["rank"], H["class"]: e["class"],
                  H["class_label"]: e["class_label"], H["vetoed"]: labels.YES_NO[e["vetoed"]],
                  H["protected"]: labels.YES_NO[e["protected"]],
                  H["reasons"]: "；".join(x["text"] for x in e["reasons"])})
        rows.append(r)
        for m in e["measures"]:
            mrows.append({H["enterprise_id"]: e["enterprise_id"], H["name"]: e["name"], H["class"]: e["class"],
                          H["measure"]: m["label"], H["rate"]: m.get("rate", m.get("text")),
                          H["rate_unit"]: m.get("rate_unit", ""), H["base_quantity"]: m.get("base_quantity"),
                          H["amount_wan"]: m.get("amount_wan"), H["note"]: m.get("note", "")})
    brows = []
    for g, items in doc["benchmarks"].items():
        for k, b in items.items():
            brows.append({H["group"]: group_label.get(g, g), H["indicator"]: ind[k]["label"], H["unit"]: ind[k]["unit"],
                          H["method"]: labels.BENCHMARK_METHODS.get(b["method"], b["method"]), H["value"]: b["value"],
                          H["min"]: b["min"], H["max"]: b["max"], H["n"]: b["n"]})
    arows = []
    for a in doc["aggregates"]:
        r = {H["level"]: labels.LEVELS[a["level"]], H["key"]: a["key"],
             H["group"]: "全部" if a["group"] == "all" else group_label.get(a["group"], a["group"]),
             H["year"]: a["year"], H["n_rated"]: a["n_rated"], H["land_mu"]: a["land_mu"]}
        for k, v in a["indicators"].items():
            r[f"{ind[k]['label']}({ind[k]['unit']})"] = v
            r[f"{ind[k]['label']}排名"] = a.get("ranks", {}).get(k)
            if a.get("yoy"):
                r[f"{ind[k]['label']}同比"] = a["yoy"].get(k)
        for c, v in a["class_counts"].items():
            r[f"{c}类企业数"] = v
        arows.append(r)
    s, p, prov = doc["scheme"], doc["policy"], doc["provenance"]
    A = labels.ABOUT
    cl = rules["classes"]
    cls_text = (("比例：" + "、".join(f"{k} {v * 100:g}%" for k, v in cl["quota"].items()) + f"；取整 {cl['rounding']}")
                if cl["method"] == "quota" else "分数线：" + "、".join(f"{k} ≥ {v:g}" for k, v in cl["thresholds"].items()))
    about = pd.DataFrame([
        {"项目": A["scheme"], "内容": f"{s['name']} {s['version']}  {s['title']}"},
        {"项目": "方案来源", "内容": s["source"]},
        {"项目": A["policy"], "内容": f"{p['name']} {p['version']}  {p['title']}"},
        {"项目": A["year"], "内容": str(doc["year"])},
        {"项目": A["classes"], "内容": cls_text},
        {"项目": A["land_rule"], "内容": doc["land_rule"]},
        {"项目": A["input"], "内容": prov.get("input_sha256", "")},
        {"项目": A["source"], "内容": str({k: v for k, v in prov.items() if k != "input_sha256"})},
        {"项目": A["version"], "内容": f"jiyue {doc.get('jiyue_version', '')}"},
        {"项目": A["units"], "内容": labels.UNITS_NOTE},
    ])
    S = labels.XLSX_SHEETS
    return {S["results"]: pd.DataFrame(rows), S["benchmarks"]: pd.DataFrame(brows),
            S["measures"]: pd.DataFrame(mrows, columns=[H["enterprise_id"], H["name"], H["class"], H["measure"],
                                                        H["rate"], H["rate_unit"], H["base_quantity"],
                                                        H["amount_wan"], H["note"]]),
            S["aggregates"]: pd.DataFrame(arows), S["about"]: about}


def write_xlsx(doc: dict[str, Any], out: Path) -> Path:
    """Write the publication workbook."""
    with excel_writer(out) as xw:
        for name, df in frames(doc).items():
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            ws.freeze_panes(1, 2 if name != labels.XLSX_SHEETS["about"] else 0)
            for i, col in enumerate(df.columns):
                ws.set_column(i, i, min(40, max(10, len(str(col)) * 2)))
    return out


# --------------------------------------------------------------------------- diff (text)
def _field_label(key: str) -> str:
    if key in labels.VARIABLES:
        label, unit = labels.VARIABLES[key]
        return f"{label}({unit})"
    return labels.FIELDS.get(key) or labels.HEAD.get(key) or key


def _value_text(key: str, v: Any, group_label: dict[str, str] | None = None) -> str:
    if v is None or (isinstance(v, float) and v != v) or v == "":
        return labels.DIFF["empty"]
    if isinstance(v, bool):
        return labels.YES_NO[v]
    if key == "status":
        return labels.STATUS.get(str(v), str(v))
    if key == "group":
        return (group_label or {}).get(str(v), str(v))
    if key == "scale":
        return labels.SCALE.get(str(v), str(v))
    if key in ("veto", "flags"):
        names = {**labels.VETO_LABELS, **labels.FLAG_LABELS}
        return "、".join(names.get(x, x) for x in str(v).split(",") if x)
    if key == "class":
        return f"{v}类"
    if isinstance(v, float):
        return f"{v:,.4f}".rstrip("0").rstrip(".")
    return str(v)


def _measures_text(m: Any, measure_label: dict[str, str]) -> str:
    if not m:
        return labels.DIFF["empty"]
    parts = []
    for k, v in m.items():
        name = measure_label.get(k, k)
        parts.append(f"{name} {_value_text('', v)}万元" if isinstance(v, (int, float)) and not isinstance(v, bool)
                     else f"{name}：{_value_text('', v)}")
    return "；".join(parts)


MINOR = {"score", "rank", "land_mu"}  # changes that follow from someone else's correction


def diff_text(d: dict[str, Any], doc: dict[str, Any] | None = None, *, head: str | None = None,
              limit: int | None = 30) -> str:
    """What changed between two versions, in words (``mujun-correct`` / ``mujun-version diff``).

    ``doc``: the newer version's document, for the names of groups, indicators and measures.
    Enterprises are listed corrected ones first, then those whose class, status, group, veto,
    protection or measures changed, then those whose score or rank only moved; at most
    ``limit`` of the last kind (``None``: all), the rest counted.
    """
    T = labels.DIFF
    rules = (doc or {}).get("rules") or {}
    group_label = {g["key"]: g["label"] for g in rules.get("groups", [])}
    ind = rules.get("indicators", {})
    measure_label = {m["key"]: m["label"] for e in (doc or {}).get("enterprises", []) for m in e.get("measures", [])}
    names = {e["enterprise_id"]: e.get("name") or "" for e in (doc or {}).get("enterprises", [])}
    lines = [head or T["head"].format(old=d["from"], new=d["to"])]
    lines.append(T["inputs"].format(n=len(d["inputs"])))
    for c in d["inputs"]:
        name = names.get(c["enterprise_id"], "")
        lines.append(T["input"].format(eid=c["enterprise_id"], name=f"{name} " if name else "",
                                       field=_field_label(c["field"]), before=_value_text(c["field"], c["before"]),
                                       after=_value_text(c["field"], c["after"])))
    if not d["inputs"]:
        lines.append(T["none"])
    lines.append(T["benchmarks"].format(n=len(d["benchmarks"])))
    for b in d["benchmarks"]:
        lines.append(T["benchmark"].format(group=group_label.get(b["group"], b["group"]),
                                           indicator=(ind.get(b["indicator"]) or {}).get("label", b["indicator"]),
                                           before=_value_text("", b["before"]), after=_value_text("", b["after"])))
    if not d["benchmarks"]:
        lines.append(T["none"])
    lines.append(T["enterprises"].format(n=len(d["enterprises"])))
    corrected = {c["enterprise_id"] for c in d["inputs"]}
    major = [e for e in d["enterprises"] if e["enterprise_id"] in corrected or set(e["changes"]) - MINOR]
    minor = [e for e in d["enterprises"] if e not in major]
    shown = minor if limit is None else minor[:limit]
    for e in sorted(major, key=lambda x: x["enterprise_id"] not in corrected) + shown:
        parts = []
        for k, ch in e["changes"].items():
            if k == "measures":
                before, after = _measures_text(ch["before"], measure_label), _measures_text(ch["after"], measure_label)
            else:
                before, after = _value_text(k, ch["before"], group_label), _value_text(k, ch["after"], group_label)
            parts.append(T["change"].format(what=labels.RESULT_LABELS.get(k, k), before=before, after=after))
        lines.append(T["enterprise"].format(eid=e["enterprise_id"], name=e.get("name") or "", changes="；".join(parts)))
    if not d["enterprises"]:
        lines.append(T["none"])
    if len(shown) < len(minor):
        lines.append(T["more"].format(n=len(minor) - len(shown)))
    if d["added"]:
        lines.append(T["added"].format(n=len(d["added"]), ids="、".join(d["added"])))
    if d["removed"]:
        lines.append(T["removed"].format(n=len(d["removed"]), ids="、".join(d["removed"])))
    lines.append(T["counts"].format(classes=d["class_changes"], scores=d["score_changes"]))
    return "\n".join(lines)
