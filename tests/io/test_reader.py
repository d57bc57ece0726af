"""Reading packages from disk: containers, encodings, workbooks, zips, and non-packages."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from factories import (clean_package, rect, to_crs, tree_snapshot, write_folder, write_gpkg,
                       zip_folder)
from jiyue.errors import PackageUnreadable, ReasonCode
from jiyue.reader import cpg_encoding, dbf_encoding, package_hash, read_package, read_xlsx_sheets
from jiyue.validate import validate_path

ALL = {"zones", "parcels", "buildings", "enterprises", "enterprise_years", "zone_years", "contracts",
       "facilities"}


# --------------------------------------------------------------------------- containers
def test_geopackage_gives_every_layer(clean_gpkg):
    raw = read_package(clean_gpkg)
    assert set(raw.layers) == ALL
    assert raw.layers["parcels"].source == "clean.gpkg:parcels"
    assert len(raw.layers["parcels"].frame) == 6
    assert raw.problems == []


@pytest.mark.parametrize("spatial,tables", [("shp", "xlsx"), ("geojson", "csv"), ("parquet", "workbook"),
                                            ("gpkg", "csv")])
def test_folder_one_file_per_layer(tmp_path, spatial, tables):
    folder = write_folder(clean_package(), tmp_path / "pkg", spatial=spatial, tables=tables)
    raw = read_package(folder)
    assert set(raw.layers) == ALL
    assert raw.problems == []


def test_folder_inside_folder_is_found(tmp_path):
    write_folder(clean_package(), tmp_path / "outer" / "数据包", spatial="geojson", tables="csv")
    assert set(read_package(tmp_path / "outer").layers) == ALL


def test_zip_of_a_folder_and_zip_of_files(tmp_path, monkeypatch):
    folder = write_folder(clean_package(), tmp_path / "pkg", names="zh", encoding="GBK")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the zip is unpacked
    for z in (zip_folder(folder, tmp_path / "inner.zip", inner="开发区数据"),
              zip_folder(folder, tmp_path / "flat.zip")):
        raw = read_package(z)
        assert set(raw.layers) == ALL
        assert raw.sha256 == hashlib.sha256(b"" + z.name.encode() + z.read_bytes()).hexdigest()
    assert os.listdir(scratch) == []  # the unpacked copy is removed again


def test_zip_holding_a_geopackage(tmp_path, clean_gpkg):
    import zipfile

    z = tmp_path / "pkg.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(clean_gpkg, "data/clean.gpkg")
    assert set(read_package(z).layers) == ALL


def test_unknown_files_are_ignored_and_listed(tmp_path):
    folder = write_folder(clean_package(), tmp_path / "pkg", spatial="geojson", tables="csv")
    (folder / "说明.txt").write_text("readme", encoding="utf-8")
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    raw = read_package(folder)
    assert set(raw.layers) == ALL
    assert {"说明.txt", "notes.csv"} <= set(raw.ignored)


def test_a_layer_given_twice_is_a_problem(tmp_path):
    folder = write_folder(clean_package(), tmp_path / "pkg", spatial="geojson", tables="csv")
    write_folder({"parcels": clean_package()["parcels"]}, folder, spatial="shp")
    raw = read_package(folder)
    dup = [p for p in raw.problems if p.code == ReasonCode.DUPLICATE_LAYER]
    assert len(dup) == 1 and dup[0].layer == "parcels"
    assert "parcels.geojson" in dup[0].found and "parcels.shp" in dup[0].found


def test_a_corrupt_file_in_a_folder_spoils_only_its_layer(tmp_path):
    folder = write_folder(clean_package(), tmp_path / "pkg", spatial="geojson", tables="csv")
    (folder / "buildings.geojson").unlink()
    (folder / "buildings.gpkg").write_bytes(os.urandom(2048))  # sorts before every other file
    raw = read_package(folder)
    assert set(raw.layers) == ALL - {"buildings"}
    bad = [p for p in raw.problems if p.code == ReasonCode.LAYER_UNREADABLE]
    assert [(p.layer, p.severity.value) for p in bad] == [("buildings", "error")]


def test_a_spatial_sheet_of_a_workbook_is_its_layer_without_shapes(tmp_path):
    """parcels in a sheet is the parcels layer: "no shapes", never "no parcels layer"."""
    layers = clean_package()
    with pd.ExcelWriter(tmp_path / "book.xlsx", engine="xlsxwriter") as xw:
        pd.DataFrame(layers["parcels"].drop(columns="geometry")).to_excel(xw, sheet_name="parcels", index=False)
        layers["enterprises"].to_excel(xw, sheet_name="企业", index=False)
    raw = read_package(tmp_path / "book.xlsx")
    assert set(raw.layers) == {"parcels", "enterprises"}
    assert raw.layers["parcels"].source == "book.xlsx:parcels"
    assert raw.ignored == [] and raw.problems == []


def test_workbook_named_after_its_layer(tmp_path):
    folder = tmp_path / "pkg"
    write_folder({"parcels": clean_package()["parcels"], "zones": clean_package()["zones"]}, folder,
                 spatial="geojson")
    clean_package()["enterprises"].to_excel(folder / "enterprises.xlsx", sheet_name="Sheet1", index=False)
    raw = read_package(folder)
    assert raw.layers["enterprises"].source == "enterprises.xlsx:Sheet1"


# --------------------------------------------------------------------------- not a package
def test_not_a_package(tmp_path):
    (tmp_path / "note.txt").write_text("这不是数据包", encoding="utf-8")
    (tmp_path / "x.gpkg").write_bytes(os.urandom(4096))
    (tmp_path / "empty").mkdir()
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "readme.md").write_text("x")
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "bad.xlsx").write_bytes(os.urandom(512))
    for name in ("note.txt", "x.gpkg", "empty", "junk", "bad.zip", "bad.xlsx", "missing.gpkg"):
        with pytest.raises(PackageUnreadable) as ei:
            read_package(tmp_path / name)
        assert ei.value.exit_code == 2
        assert ei.value.code == ReasonCode.PACKAGE_UNREADABLE
        assert name in ei.value.message
        assert "Traceback" not in ei.value.message


def test_corrupt_geopackage_reads_in_chinese(tmp_path):
    (tmp_path / "x.gpkg").write_bytes(os.urandom(4096))
    with pytest.raises(PackageUnreadable) as ei:
        read_package(tmp_path / "x.gpkg")
    assert "文件已损坏或不是该格式" in ei.value.message
    assert "not recognized" not in ei.value.message


# --------------------------------------------------------------------------- encodings
def _gbk_shapefile(tmp_path: Path, *, cpg: bool, encoding: str = "GBK") -> Path:
    layers = {"parcels": clean_package()["parcels"]}
    return write_folder(layers, tmp_path / f"shp-{cpg}-{encoding}", names="zh", encoding=encoding,
                        cpg=cpg) / "parcels.shp"


@pytest.mark.parametrize("cpg", [True, False])
def test_gbk_shapefile_detected_with_and_without_cpg(tmp_path, cpg):
    shp = _gbk_shapefile(tmp_path, cpg=cpg)
    assert shp.with_suffix(".cpg").exists() is cpg
    dbf = shp.with_suffix(".dbf").read_bytes()
    assert "宗地编号".encode("gbk") in dbf  # really written in GBK
    assert dbf_encoding(shp) == "GB18030"
    frame = read_package(shp.parent).layers["parcels"].frame
    assert {"宗地编号", "开发区代码", "建设状况", "供应状况", "面积"} <= set(frame.columns)


def test_utf8_shapefile_without_cpg(tmp_path):
    # English field names (Chinese ones do not fit 10 bytes in UTF-8), Chinese values
    folder = write_folder({"zones": clean_package()["zones"]}, tmp_path / "u8", encoding="UTF-8", cpg=False)
    shp = folder / "zones.shp"
    assert "测试开发区".encode("utf-8") in shp.with_suffix(".dbf").read_bytes()
    assert dbf_encoding(shp) == "UTF-8"
    assert read_package(folder).layers["zones"].frame["name"].tolist() == ["测试开发区"]


def test_cpg_saying_utf8_over_gbk_bytes_falls_back_to_gbk(tmp_path):
    shp = _gbk_shapefile(tmp_path, cpg=True)
    shp.with_suffix(".cpg").write_text("UTF-8")
    assert dbf_encoding(shp) == "GB18030"
    assert "宗地编号" in read_package(shp.parent).layers["parcels"].frame.columns


def test_gbk_values_read_as_chinese(clean_shp_gbk):
    zones = read_package(clean_shp_gbk).layers["zones"].frame
    assert zones["开发区名称"].tolist() == ["测试开发区"]
    assert zones["省份"].tolist() == ["山东省"]


@pytest.mark.parametrize("text,enc", [("UTF-8", "UTF-8"), ("utf8", "UTF-8"), ("65001", "UTF-8"),
                                      ("GBK", "GB18030"), ("936", "GB18030"), ("CP936", "GB18030"),
                                      ("ANSI 936", "GB18030"), ("GB2312\r\n", "GB18030"),
                                      ("GB18030", "GB18030"), ("", None), ("no-such-codec", None)])
def test_cpg_names(text, enc):
    assert cpg_encoding(text) == enc


def test_csv_in_gbk_is_read(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "enterprises.csv").write_bytes("企业编号,企业名称\nE1,测试机械有限公司\n".encode("gbk"))
    frame = read_package(folder).layers["enterprises"].frame
    assert frame["企业名称"].tolist() == ["测试机械有限公司"]


# --------------------------------------------------------------------------- workbooks
def test_xlsx_cells_as_excel_gives_them(tmp_path):
    df = pd.DataFrame({"企业编号": [1001, 1002], "成立日期": [dt.date(2010, 1, 2), dt.date(2011, 3, 4)],
                       "税收": [1.5, None], "税收 ": [2.0, 3.0]})
    df.to_excel(tmp_path / "t.xlsx", index=False, engine="xlsxwriter")
    sheet = read_xlsx_sheets(tmp_path / "t.xlsx")["Sheet1"]
    assert list(sheet.columns) == ["企业编号", "成立日期", "税收", "税收.1"]  # repeated header kept apart
    assert sheet["企业编号"].tolist() == [1001.0, 1002.0]  # Excel numbers are floats
    assert sheet["成立日期"].tolist() == [dt.date(2010, 1, 2), dt.date(2011, 3, 4)]
    assert sheet["税收"].iloc[1] is None


# --------------------------------------------------------------------------- provenance
def test_package_hash_of_a_folder_is_stable_and_sensitive(tmp_path):
    folder = write_folder(clean_package(), tmp_path / "pkg", spatial="geojson", tables="csv")
    h = hashlib.sha256()
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(f.relative_to(folder).as_posix().encode())
        h.update(f.read_bytes())
    assert package_hash(folder) == h.hexdigest() == read_package(folder).sha256
    with open(folder / "enterprises.csv", "ab") as fh:
        fh.write(b"\n")
    assert package_hash(folder) != h.hexdigest()


def test_reading_and_validating_never_modify_the_package(tmp_path):
    layers = clean_package()
    root = tmp_path / "pkgs"
    root.mkdir()
    write_gpkg(layers, root / "a.gpkg")
    write_folder(layers, root / "shp", names="zh", encoding="GBK", cpg=False)
    write_folder(to_crs(layers, "EPSG:4490"), root / "geo", spatial="geojson", tables="workbook")
    before = tree_snapshot(root)
    for p in (root / "a.gpkg", root / "shp", root / "geo"):
        validate_path(p)
    assert tree_snapshot(root) == before


def test_rect_helper_is_what_the_tests_think():
    assert rect(0, 0, 100, 100).area == 10000.0


def test_zip_with_gbk_entry_names(tmp_path):
    """宗地.shp inside 开发区数据/, names in GBK without the UTF-8 flag, as Chinese tools zip."""
    import zipfile

    layers = clean_package()
    folder = write_folder({"zones": layers["zones"], "parcels": layers["parcels"]}, tmp_path / "pkg",
                          names="zh", encoding="GBK")
    for f in list(folder.iterdir()):
        if f.stem == "parcels":
            f.rename(f.with_name("宗地" + f.suffix))
    z = zip_folder(folder, tmp_path / "数据包.zip", inner="开发区数据", gbk_names=True)
    with zipfile.ZipFile(z) as zf:
        assert not any(i.flag_bits & 0x800 for i in zf.infolist())
        assert "开发区数据/宗地.shp" not in zf.namelist()  # Python alone would not see the name
    raw = read_package(z)
    assert set(raw.layers) == {"zones", "parcels"}
    assert raw.layers["parcels"].source == "宗地.shp"


def test_zip_cannot_write_outside_its_folder(tmp_path):
    import zipfile

    from jiyue.reader import _extract_zip

    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../../escaped.txt", "x")
        zf.writestr("/abs/escaped2.txt", "y")
    dest = tmp_path / "dest"
    dest.mkdir()
    with zipfile.ZipFile(z) as zf:
        _extract_zip(zf, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == [
        "abs/escaped2.txt", "escaped.txt"]
    assert not (tmp_path / "escaped.txt").exists()
