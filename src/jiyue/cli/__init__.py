"""The ``jiyue`` command line: a click group; one module per command group registers on it.

Exit codes: 0 success (warnings allowed), 1 the data has errors or a command was refused,
2 the input cannot be read at all or the arguments are wrong. No traceback reaches the
user unless ``--debug`` is given. Usage errors (a missing option, a value of the wrong kind,
an unknown option or command) are reported in Chinese (:class:`JiyueGroup`); an output file
that cannot be written is a user error (exit 2), not an internal one; a closed pipe
(``jiyue … | head``) ends the command quietly.
"""

from __future__ import annotations

import datetime as dt
import errno
import functools
import os
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import click

from jiyue import messages
from jiyue.errors import JiyueError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

#: the date forms accepted on the command line: the same as in data files (jiyue.normalize)
DATE_EXAMPLES = "2020-12-31、2020/12/31、2020.12.31、20201231 或 2020年12月31日"


def echo_err(msg: str) -> None:
    click.echo(msg, err=True)


# --------------------------------------------------------------------------- dates
class DateType(click.ParamType[dt.date | None, Any]):
    """A date option: every form the data reader accepts (``jiyue.normalize.parse_date``).

    ``2020-12-31``, ``2020/12/31``, ``2020.12.31``, ``20201231``, ``2020年12月31日`` (one-digit
    months and days too), with or without a time of day — but not an Excel serial day number.
    The value is a ``datetime.date``; an empty value is ``None`` (as if the option were not given).
    """

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:  # noqa: ARG002
        return "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value.date() if isinstance(value, dt.datetime) else value
        text = str(value).strip()
        if not text:
            return None
        from jiyue.normalize import parse_date  # the reader's own rules (lazy: pandas, geopandas)

        # a bare number other than yyyymmdd is an Excel serial day to the reader; typed on the
        # command line it is far more likely a slip (20211 for 2021-1-1), so it is refused here
        d = None if text.isdigit() and len(text) != 8 else parse_date(text)
        if not isinstance(d, dt.date):
            self.fail(f"「{text}」不是有效日期，应为日期，如 {DATE_EXAMPLES}", param, ctx)
        return d.date() if isinstance(d, dt.datetime) else d


DATE = DateType()


# --------------------------------------------------------------------------- usage errors in Chinese
class ChineseUsageError(click.UsageError):
    """A usage error already worded in Chinese; shown as the sentence plus where to find help."""

    def __init__(self, message: str, ctx: click.Context | None = None, command_path: str = "jiyue") -> None:
        super().__init__(message, ctx)
        self.command_path = command_path

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(self.message, file=file, err=file is None)
        click.echo(f"用 {self.command_path} --help 查看用法。", file=file, err=file is None)


_CJK = re.compile(r"[\u3400-\u9fff]")
_QUOTED = re.compile(r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)\"""")


def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return ""
    if isinstance(param, click.Option):
        longest = max(param.opts, key=len) if param.opts else f"--{param.name}"
        if param.secondary_opts:
            return f"{longest}/{max(param.secondary_opts, key=len)}"
        return longest
    return param.human_readable_name


def _expected(param: click.Parameter | None) -> str | None:
    """What a parameter expects, in words (None when there is nothing useful to say)."""
    if param is None:
        return None
    if isinstance(param, click.Option) and param.is_flag:
        return f"二者选一：{param.opts[0]} 或 {param.secondary_opts[0]}" if param.secondary_opts else None
    t = param.type
    if isinstance(t, DateType):
        return f"日期，如 {DATE_EXAMPLES}"
    if isinstance(t, click.Choice):
        return "以下之一：" + "、".join(map(str, t.choices))
    if isinstance(t, (click.IntRange, click.FloatRange)):
        kind = "整数" if isinstance(t, click.IntRange) else "数字"
        parts = []
        if t.min is not None:
            parts.append(f"{'大于' if t.min_open else '不小于'} {t.min}")
        if t.max is not None:
            parts.append(f"{'小于' if t.max_open else '不大于'} {t.max}")
        return kind + (f"（{'、'.join(parts)}）" if parts else "")
    if isinstance(t, click.types.IntParamType):
        return "整数，如 2020"
    if isinstance(t, click.types.FloatParamType):
        return "数字，如 12.5"
    if isinstance(t, click.types.BoolParamType):
        return "是或否（true/false）"
    if isinstance(t, click.Path):
        return "文件或文件夹的路径"
    return None


def chinese_usage(e: click.UsageError) -> str:
    """One Chinese sentence for a click usage error: which option or argument, and what it expects."""
    if isinstance(e, click.exceptions.MissingParameter):
        name, expected = _param_name(e.param), _expected(e.param)
        kind = "参数" if isinstance(e.param, click.Argument) else "选项"
        if expected:
            return f"缺少{kind} {name}：应为{expected}。"
        return f"缺少{kind} {name}，请给出它的值。"
    if isinstance(e, click.BadParameter):
        name = _param_name(e.param) or (e.param_hint if isinstance(e.param_hint, str) else "")
        kind = "参数" if isinstance(e.param, click.Argument) else "选项"
        if _CJK.search(e.message):  # worded by jiyue (e.g. the date type): keep it
            return f"{kind} {name} 的值不对：{e.message.rstrip('。')}。"
        m = _QUOTED.search(e.message)
        value = f"「{m.group(1) if m.group(1) is not None else m.group(2)}」" if m else ""
        expected = _expected(e.param)
        return f"{kind} {name} 的值{value}不对" + (f"：应为{expected}。" if expected else "。")
    if isinstance(e, click.NoSuchOption):
        also = f"；是否想用 {'、'.join(e.possibilities)}？" if e.possibilities else "。"
        return f"没有选项 {e.option_name}{also}"
    no_such_command = getattr(click.exceptions, "NoSuchCommand", None)
    if no_such_command is not None and isinstance(e, no_such_command):
        also = f"；是否想用 {'、'.join(e.possibilities)}？" if e.possibilities else "。"
        return f"没有命令「{e.command_name}」{also}"
    if isinstance(e, click.BadOptionUsage):
        if "requires an argument" in e.message or "requires" in e.message:
            return f"选项 {e.option_name} 后面缺少值。"
        if "does not take a value" in e.message:
            return f"选项 {e.option_name} 不带值（直接写 {e.option_name} 即可）。"
        return f"选项 {e.option_name} 的用法不对。"
    msg = e.message
    if _CJK.search(msg):
        return msg
    m = re.match(r"Got unexpected extra arguments? \((.*)\)", msg)
    if m:
        return f"多余的参数：{m.group(1)}（含空格的值请加引号）。"
    m = re.match(r"No such command '(.*)'", msg)
    if m:
        return f"没有命令「{m.group(1)}」。"
    if msg.startswith("Missing command"):
        return "缺少子命令。"
    return f"命令用法不对（{msg}）。"


class JiyueGroup(click.Group):
    """The ``jiyue`` group: click's usage errors, for every command below it, in Chinese."""

    def _translate(self, e: click.UsageError, ctx: click.Context | None = None,
                   args: list[str] | None = None) -> ChineseUsageError:
        if e.ctx is not None:
            path = e.ctx.command_path
        elif ctx is not None:  # the option parser gives no context: follow the command names given
            path = self._command_path(ctx, list(args or []))
        else:
            path = "jiyue"
        path = " ".join(["jiyue", *path.split()[1:]])  # the script's name, also under a test runner
        return ChineseUsageError(chinese_usage(e), e.ctx, path)

    @staticmethod
    def _command_path(ctx: click.Context, args: list[str]) -> str:
        parts, cmd = [ctx.command_path], ctx.command
        while isinstance(cmd, click.Group) and args and not args[0].startswith("-"):
            sub = cmd.get_command(ctx, args[0])
            if sub is None:
                break
            parts.append(args.pop(0))
            cmd = sub
        return " ".join(parts)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except (ChineseUsageError, click.exceptions.NoArgsIsHelpError):
            raise
        except click.UsageError as e:
            raise self._translate(e) from None

    def invoke(self, ctx: click.Context) -> Any:
        args = [*getattr(ctx, "_protected_args", []), *ctx.args]  # click empties them on the way
        try:
            return super().invoke(ctx)
        except (ChineseUsageError, click.exceptions.NoArgsIsHelpError):
            raise
        except click.UsageError as e:
            raise self._translate(e, ctx, args) from None


# --------------------------------------------------------------------------- output
def emit_text(text: str, out: Path | None) -> None:
    """Write a command's text output to ``out`` (saying so), or print it."""
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"已写入：{out}")
    else:
        click.echo(text)


def exit_broken_pipe() -> NoReturn:
    """The reader of standard output went away (``jiyue … | head``): stop quietly.

    The Python recipe: point standard output at /dev/null so the final flush cannot fail again.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests) or already closed
        pass
    sys.exit(1)


_OS_REASONS = {
    errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.EROFS: "文件系统是只读的",
    errno.EISDIR: "这是一个文件夹，不是文件", errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "超出磁盘配额", errno.ENAMETOOLONG: "文件名太长",
    errno.EEXIST: "已有同名的文件", errno.EINVAL: "文件名不合法", errno.EBUSY: "文件正被占用",
}


def _os_error_of(e: BaseException) -> OSError | None:
    """The OSError behind ``e`` (xlsxwriter wraps it in its own FileCreateError)."""
    if isinstance(e, OSError):
        return e
    if type(e).__name__ == "FileCreateError" and e.args and isinstance(e.args[0], OSError):
        return e.args[0]
    return None


#: the parameters of the commands that name a file or folder to write
OUTPUT_OPTIONS = ("out",)


def os_error_text(e: OSError, outputs: Mapping[str, Any] | None = None) -> str | None:
    """A Chinese sentence for a file that cannot be written or read (None: not about a file).

    ``outputs`` are the command's path arguments (``out`` …): a failure on one of them or on a
    folder above it is named as the output that cannot be written.
    """
    if e.filename is None:
        return None
    failed = Path(os.fsdecode(e.filename))
    target: Path | None = None
    for v in (outputs or {}).values():
        if isinstance(v, Path) and (failed == v or failed in v.parents):
            target = v
            break
    if e.errno == errno.ENOENT:
        if target is not None:
            reason = "此位置不能新建文件" if failed.parent.is_dir() else "所在文件夹不存在"
        else:
            reason = "文件或文件夹不存在"
    else:
        reason = _OS_REASONS.get(e.errno or 0) or (e.strerror or type(e).__name__)
    if target is not None:
        where = f"（{failed}）" if failed != target else ""
        return f"无法写入输出文件「{target}」{where}：{reason}。请换一个可以写入的位置。"
    return f"无法访问「{failed}」：{reason}。"


def guarded(internal_exit: int = 1) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Turn jiyue errors into one Chinese sentence and an exit code; hide tracebacks."""

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            debug = bool(click.get_current_context().find_root().params.get("debug"))
            try:
                return fn(*args, **kwargs)
            except JiyueError as e:
                if debug:
                    traceback.print_exc()
                echo_err(e.message)
                sys.exit(e.exit_code)
            except (click.exceptions.Exit, click.ClickException, SystemExit):
                raise
            except KeyboardInterrupt:
                echo_err("已中断。")
                sys.exit(130)
            except BrokenPipeError:
                exit_broken_pipe()
            except Exception as e:  # noqa: BLE001 - the promise: no traceback without --debug
                if debug:
                    traceback.print_exc()
                ose = _os_error_of(e)
                text = os_error_text(ose, {k: kwargs.get(k) for k in OUTPUT_OPTIONS}) if ose is not None else None
                if text is not None:
                    echo_err(text)
                    sys.exit(2)
                echo_err(messages.TEXT["internal"].format(err=f"{type(e).__name__}: {e}"))
                sys.exit(internal_exit)

        return wrapper

    return deco


@click.group(cls=JiyueGroup, context_settings=CONTEXT)
@click.option("--debug", is_flag=True, help="Show Python tracebacks (for developers).")
@click.version_option(package_name="jiyue")
def cli(debug: bool) -> None:
    """jiyue (集约): development-zone land intensive-use evaluation.

    \b
    Quick start:
      jiyue demo data/demo.gpkg
      jiyue validate data/demo.gpkg
      jiyue import data/demo.gpkg --db data/jiyue.duckdb
    """


def main() -> None:
    """Entry point of the ``jiyue`` script."""
    import importlib
    import pkgutil

    import jiyue.cli as pkg

    # every module of this package registers its commands on `cli` when imported
    for mod in sorted(m.name for m in pkgutil.iter_modules(pkg.__path__)):
        importlib.import_module(f"jiyue.cli.{mod}")

    try:
        cli(prog_name="jiyue")
    except BrokenPipeError:
        exit_broken_pipe()
    finally:
        try:  # what is still buffered goes out now, while a closed pipe can be handled
            sys.stdout.flush()
        except BrokenPipeError:
            exit_broken_pipe()
        except (OSError, ValueError):
            pass
