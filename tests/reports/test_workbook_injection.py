"""Spreadsheet formula injection (issue 17, item 2): text from uploaded data is stored as text.

Names and ids such as ``=HYPERLINK(...)``, ``+1+1``, ``-2+3``, ``@SUM(A1)`` or a URL are put in
a package, every export that writes a workbook is run through the CLI, and each workbook is read
back with openpyxl: those cells are plain strings (data type ``s``), no cell anywhere is a
formula and no hyperlink is made. A guard test checks that no module opens a workbook for
writing except through :mod:`jiyue.workbook`.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from factories import clean_package, edit, write_gpkg

FORMULA = '=HYPERLINK("http://evil.example/x","点击")'
EVIL = [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "http://evil.example/y", "=1+1"]
SRC = Path(__file__).resolve().parents[2] / "src" / "jiyue"


def _replace(layers: dict, pairs: list[tuple[str, str]], old: str, new: str) -> None:
    for layer, col in pairs:
        if layer in layers and col in layers[layer].columns:
            layers[layer][col] = layers[layer][col].replace(old, new)


def evil_layers() -> dict:
    """The clean package with the evil texts as zone / enterprise / facility names and as ids."""
    layers = clean_package()
    layers["zones"]["name"] = [FORMULA]
    layers["enterprises"]["name"] = [FORMULA]
    layers["facilities"]["name"] = ["http://evil.example/y"]
    _replace(layers, [("enterprises", "enterprise_id"), ("enterprise_years", "enterprise_id"),
                      ("parcels", "user_id"), ("contracts", "enterprise_id")], "E1", "@SUM(A1)")
    _replace(layers, [("contracts", "contract_no"), ("parcels", "contract_no")], "C1", "=1+1")
    _replace(layers, [("parcels", "parcel_id"), ("buildings", "parcel_id"), ("contracts", "parcel_id")],
             "P1", "-2+3")
    _replace(layers, [("buildings", "building_id")], "B2", "+1+1")
    return layers


def assert_text_only(path: Path, must_hold: set[str]) -> None:
    """No formula, no hyperlink; every evil text found is a plain string cell, and the workbook
    holds at least the texts ``must_hold`` (so the export did carry the user's text)."""
    wb = openpyxl.load_workbook(path)
    seen: set[str] = set()
    for ws in wb.worksheets:
        assert not ws._hyperlinks, (path.name, ws.title, "hyperlink")
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (path.name, ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    for e in EVIL:
                        if e in c.value:
                            assert c.data_type == "s", (path.name, c.coordinate, c.data_type)
                            if c.value == e:
                                seen.add(e)
    assert must_hold <= seen, (path.name, must_hold - seen)


@pytest.fixture(scope="module", autouse=True)
def all_commands():
    """Every command registered on the click group, as the ``jiyue`` script does."""
    import importlib
    import pkgutil

    import jiyue.cli as pkg

    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"jiyue.cli.{mod.name}")


@pytest.fixture(scope="module")
def evil_pkg(tmp_path_factory) -> Path:
    return write_gpkg(evil_layers(), tmp_path_factory.mktemp("evil") / "evil.gpkg")


def test_the_evil_package_is_valid(evil_pkg, invoke):
    assert invoke("validate", evil_pkg).code == 0


@pytest.mark.parametrize("name,args,must_hold", [
    ("evaluation", ["evaluate", "{pkg}"], {FORMULA}),
    ("mujun", ["mujun", "{pkg}", "--scheme", "shandong-2019"], {FORMULA, "@SUM(A1)"}),
    ("idle", ["idle", "{pkg}", "--all-parcels"], {"-2+3", "=1+1", "@SUM(A1)"}),
    ("ranking", ["rank", "{pkg}"], {FORMULA}),
])
def test_exports_store_user_text_as_text(name, args, must_hold, evil_pkg, invoke, tmp_path):
    out = tmp_path / f"{name}.xlsx"
    r = invoke(*[evil_pkg if a == "{pkg}" else a for a in args], "--format", "xlsx", "--out", out)
    assert r.code == 0, r.output
    assert_text_only(out, must_hold)


def test_problem_list_of_validate_stores_found_text_as_text(invoke, tmp_path):
    layers = edit(evil_layers(), "parcels", 1, build_class="=HYPERLINK(\"http://evil.example/x\",\"点击\")")
    layers = edit(layers, "parcels", 2, supply_class="+1+1")
    layers = edit(layers, "enterprise_years", 0, tax_wan="-2+3")
    layers = edit(layers, "parcels", 3, land_use_code="@SUM(A1)", area_m2="=1+1")
    out = tmp_path / "问题清单.xlsx"
    r = invoke("validate", write_gpkg(layers, tmp_path / "p.gpkg"), "--out", out)
    assert r.code == 1
    assert_text_only(out, {FORMULA, "+1+1", "-2+3", "=1+1"})


def test_problem_list_as_csv_quotes_formula_text(invoke, tmp_path):
    import csv

    layers = edit(clean_package(), "parcels", 1, build_class=FORMULA)
    layers = edit(layers, "parcels", 2, supply_class="@SUM(A1)")
    layers = edit(layers, "enterprise_years", 0, tax_wan=-150.0)
    out = tmp_path / "问题清单.csv"
    assert invoke("validate", write_gpkg(layers, tmp_path / "p.gpkg"), "--out", out).code == 1
    with out.open(encoding="utf-8-sig", newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert "'" + FORMULA in cells and "'@SUM(A1)" in cells
    assert "-150" in cells  # a plain negative number is left as it is
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    assert not any(c.startswith("-") and c != "-150" for c in cells)


def test_ledger_workbook_stores_user_text_as_text(evil_pkg, invoke, tmp_path):
    db = tmp_path / "jiyue.duckdb"
    assert invoke("import", evil_pkg, "--db", db).code == 0
    r = invoke("ledger", "inventory", "--db", db, "--since", "2010", "--as-of", "2020-12-31", "--name", "排查",
               "--user", "张三")
    assert r.code == 0, r.output
    out = tmp_path / "ledger.xlsx"
    assert invoke("ledger", "show", "--db", db, "--format", "xlsx", "--out", out).code == 0
    assert_text_only(out, {FORMULA, "-2+3"})


def test_recovery_workbook_stores_user_text_as_text(invoke, tmp_path):
    case = (SRC / "idle" / "examples" / "liaocheng-5.43ha.toml").read_text(encoding="utf-8")
    assert '"山东欢派食品有限公司"' in case and '"聊城昌新汽车零部件有限公司"' in case
    case = case.replace('"山东欢派食品有限公司"', f"'{FORMULA}'").replace('"聊城昌新汽车零部件有限公司"', '"@SUM(A1)"')
    path = tmp_path / "case.toml"
    path.write_text(case, encoding="utf-8")
    out = tmp_path / "recovery.xlsx"
    r = invoke("recovery", path, "--format", "xlsx", "--out", out)
    assert r.code == 0, r.output
    assert_text_only(out, {FORMULA, "@SUM(A1)"})


def test_standard_land_workbook_stores_user_text_as_text(invoke, tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "standard_land"))
    from sl_factories import worked_layers

    layers = worked_layers()
    _replace(layers, [("enterprises", "enterprise_id"), ("parcels", "user_id"), ("contracts", "enterprise_id"),
                      ("enterprise_years", "enterprise_id")], "E-BH", "@SUM(A1)")
    _replace(layers, [("parcels", "parcel_id"), ("contracts", "parcel_id")], "P-KZ", "-2+3")
    _replace(layers, [("contracts", "contract_no"), ("parcels", "contract_no"), ("progress", "contract_no")],
             "ID-001", FORMULA)
    out = tmp_path / "sl.xlsx"
    r = invoke("standard-land", "check", write_gpkg(layers, tmp_path / "sl.gpkg"), "--as-of", "2025-12-31",
               "--format", "xlsx", "--out", out)
    assert r.code == 0, r.output
    assert_text_only(out, {FORMULA, "@SUM(A1)", "-2+3"})


def test_the_shared_writer_keeps_every_string_a_string(tmp_path):
    import pandas as pd

    from jiyue.workbook import excel_writer, write_frames

    df = pd.DataFrame({"名称": EVIL + ["{=SUM(A1:A2)}", "0601", "mailto:x@example.com"], "数": range(9)})
    write_frames(tmp_path / "a.xlsx", {"表": df})
    with excel_writer(tmp_path / "sub" / "b.xlsx") as xw:  # the folder is made
        df.to_excel(xw, sheet_name="表", index=False)
    for f in (tmp_path / "a.xlsx", tmp_path / "sub" / "b.xlsx"):
        ws = openpyxl.load_workbook(f)["表"]
        cells = [ws.cell(row=i + 2, column=1) for i in range(len(df))]
        assert [c.value for c in cells] == df["名称"].tolist()
        assert {c.data_type for c in cells} == {"s"}
        assert not ws._hyperlinks
        assert ws.cell(row=2, column=2).data_type == "n"  # numbers stay numbers


# --------------------------------------------------------------------------- the guard
_OPENERS = re.compile(r"ExcelWriter\(|xlsxwriter|openpyxl|Workbook\(|to_excel\((?!\s*xw\b)")


def test_no_module_opens_a_workbook_except_jiyue_workbook():
    """Every workbook is written through jiyue.workbook (strings never become formulas or links);
    ``df.to_excel(xw, …)`` inside ``with excel_writer(out) as xw`` is the only other form."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "workbook.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if _OPENERS.search(code) and "CalamineWorkbook" not in code and '"""' not in line:
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert offenders == []
    uses = [p for p in SRC.rglob("*.py") if "to_excel(xw" in p.read_text(encoding="utf-8")]
    for p in uses:
        text = p.read_text(encoding="utf-8")
        assert "excel_writer(" in text or "write_frames(" in text, p
