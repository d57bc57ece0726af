"""What every command shares (``jiyue.cli``): usage errors in Chinese, dates in the data-file forms,
output files that cannot be written, and a closed pipe — never English or a traceback."""

from __future__ import annotations

import datetime as dt
import errno
import subprocess
from pathlib import Path

import click
import pytest

from support import JIYUE, run_jiyue

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "jiyue" / "idle" / "examples" / "liaocheng-5.43ha.toml"
ENGLISH = ("Error:", "Usage:", "Missing", "Invalid", "No such", "Try '", "Traceback", "内部错误")


@pytest.fixture(scope="module", autouse=True)
def commands():
    """Register every command group on the `jiyue` group (as the script does)."""
    import jiyue.cli.data  # noqa: F401
    import jiyue.cli.idle  # noqa: F401
    import jiyue.cli.ledger  # noqa: F401
    import jiyue.cli.mujun  # noqa: F401
    import jiyue.cli.recovery  # noqa: F401
    import jiyue.cli.standard_land  # noqa: F401


def chinese_only(text: str) -> None:
    for word in ENGLISH:
        assert word not in text, text


# =========================================================================== usage errors
@pytest.mark.parametrize(("args", "first_line", "command"), [
    (("standard-land", "offer", "LC-1", "--db", "x.duckdb"), "缺少选项 --industry，请给出它的值。",
     "jiyue standard-land offer"),
    (("mujun-objection", "decide", "--db", "x.duckdb", "--objection", "1"),
     "缺少选项 --accept/--reject：应为二者选一：--accept 或 --reject。", "jiyue mujun-objection decide"),
    (("recovery",), "缺少参数 FILE：应为文件或文件夹的路径。", "jiyue recovery"),
    (("idle", "--db", "x.duckdb", "--format", "tabel"), "选项 --format 的值「tabel」不对：应为以下之一：json、table、xlsx。",
     "jiyue idle"),
    (("idle", "--db", "x.duckdb", "--year", "abc"), "选项 --year 的值「abc」不对：应为整数，如 2020。", "jiyue idle"),
    (("standard-land", "due", "--db", "x.duckdb", "--as-of", "2020-02-30"),
     "选项 --as-of 的值不对：「2020-02-30」不是有效日期，应为日期，如 2020-12-31、2020/12/31、2020.12.31、20201231 "
     "或 2020年12月31日。", "jiyue standard-land due"),
    (("idle", "--as_of", "2020-12-31"), "没有选项 --as_of；是否想用 --as-of？", "jiyue idle"),
    (("idle", "--xyzzyq"), "没有选项 --xyzzyq。", "jiyue idle"),
    (("idel",), "没有命令「idel」；是否想用 idle？", "jiyue"),
    (("summary", "extra"), "多余的参数：extra（含空格的值请加引号）。", "jiyue summary"),
    (("idle", "--as-of"), "选项 --as-of 后面缺少值。", "jiyue idle"),
    (("idle", "--all-parcels=yes"), "选项 --all-parcels 不带值（直接写 --all-parcels 即可）。", "jiyue idle"),
])
def test_usage_errors_are_one_chinese_line_and_where_to_get_help(invoke, args, first_line, command):
    r = invoke(*args)
    assert r.code == 2, r.output
    assert r.stderr.splitlines() == [first_line, f"用 {command} --help 查看用法。"]
    assert r.stdout == ""


def test_usage_error_through_the_real_script():
    """The brief's example: `jiyue explain` without --indicator (a command of another module)."""
    r = run_jiyue("explain", "--db", "x.duckdb", "--zone", "Z1")
    assert r.code == 2
    lines = r.stderr.splitlines()
    assert lines[0].startswith("缺少选项 --indicator：应为以下之一：") and "supply_rate" in lines[0]
    assert lines[1:] == ["用 jiyue explain --help 查看用法。"]
    chinese_only(r.stderr)


def test_help_is_still_help(invoke):
    r = invoke("idle", "--help")
    assert r.code == 0 and "--as-of DATE" in r.stdout


# =========================================================================== dates
@pytest.mark.parametrize(("text", "day"), [
    ("2020-12-31", dt.date(2020, 12, 31)), ("2020/12/31", dt.date(2020, 12, 31)),
    ("2020.1.5", dt.date(2020, 1, 5)), ("20200105", dt.date(2020, 1, 5)),
    ("2020年12月31日", dt.date(2020, 12, 31)), ("2021年1月10日", dt.date(2021, 1, 10)),
    (" 2020-01-05 08:30:00 ", dt.date(2020, 1, 5)), ("", None)])
def test_date_type_accepts_what_the_data_reader_accepts(text, day):
    from jiyue.cli import DATE
    from jiyue.normalize import parse_date

    assert DATE.convert(text, None, None) == day
    if day is not None:
        assert parse_date(text.strip()) == day  # the same rule as inside a data file


@pytest.mark.parametrize("text", ["2020-13-01", "2021年2月29日", "31/12/2020", "明天",
                                  "44000", "20211"])  # Excel serial days: in a file yes, typed no
def test_date_type_refuses_what_is_not_a_date(text):
    from jiyue.cli import DATE

    with pytest.raises(click.BadParameter) as ei:
        DATE.convert(text, None, None)
    assert f"「{text}」不是有效日期" in ei.value.message


# =========================================================================== output files
def test_os_error_wording():
    from jiyue.cli import os_error_text

    out = Path("/srv/x/结果.json")
    e = PermissionError(errno.EACCES, "Permission denied", str(out))
    assert os_error_text(e, {"out": out}) == "无法写入输出文件「/srv/x/结果.json」：没有权限。请换一个可以写入的位置。"
    e = PermissionError(errno.EACCES, "Permission denied", "/srv/x")  # making the folder failed
    assert os_error_text(e, {"out": out}) == ("无法写入输出文件「/srv/x/结果.json」（/srv/x）：没有权限。"
                                             "请换一个可以写入的位置。")
    e = OSError(errno.ENOSPC, "No space left on device", str(out))
    assert "磁盘空间不足" in os_error_text(e, {"out": out})
    e = FileNotFoundError(errno.ENOENT, "No such file or directory", "/srv/y/a.toml")  # not an output
    assert os_error_text(e, {"out": out}) == "无法访问「/srv/y/a.toml」：文件或文件夹不存在。"
    assert os_error_text(OSError("no file"), {"out": out}) is None


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc (a folder nobody can write in)")
@pytest.mark.parametrize(("fmt", "name"), [("json", "e.json"), ("xlsx", "e.xlsx"), ("table", "sub/e.txt")])
def test_an_unwritable_output_is_a_user_error(invoke, fmt, name):
    out = Path("/proc") / name
    r = invoke("recovery", EXAMPLE, "--format", fmt, "--out", out)
    assert r.code == 2, r.output
    where = "" if "/" not in name else f"（{out.parent}）"
    assert r.stderr.strip() == f"无法写入输出文件「{out}」{where}：此位置不能新建文件。请换一个可以写入的位置。"
    chinese_only(r.output)


def test_an_output_that_is_a_folder(invoke, tmp_path):
    r = invoke("recovery", EXAMPLE, "--out", tmp_path)
    assert r.code == 2
    assert r.stderr.strip() == f"无法写入输出文件「{tmp_path}」：这是一个文件夹，不是文件。请换一个可以写入的位置。"


# =========================================================================== a closed pipe
@pytest.mark.parametrize("args", [("recovery", EXAMPLE, "--format", "table"), ("--help",)])
def test_a_closed_pipe_ends_quietly(args):
    """`jiyue … | head` where head has gone: no message at all (the reader is closed before the
    command writes, so the write fails every time)."""
    p = subprocess.Popen([str(JIYUE), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read().decode("utf-8")
    assert p.wait(timeout=120) == 1
    assert err == ""


def test_head_reads_the_first_lines():
    p = subprocess.run(f'"{JIYUE}" recovery "{EXAMPLE}" --format table | head -1', shell=True,
                       capture_output=True, text=True, timeout=120, executable="/bin/bash")
    assert p.stdout.splitlines() == ["荣盛锦绣观邸项目地块收储再出让（5.43公顷，5家低效闲置工业企业）"]
    assert p.stderr == ""
