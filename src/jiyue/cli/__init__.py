"""The ``jiyue`` command line: a click group; one module per command group registers on it.

Exit codes: 0 success (warnings allowed), 1 the data has errors or a command was refused,
2 the input cannot be read at all or the arguments are wrong. No traceback reaches the
user unless ``--debug`` is given.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from jiyue import messages
from jiyue.errors import JiyueError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _echo_err(msg: str) -> None:
    click.echo(msg, err=True)


def emit_text(text: str, out: Path | None) -> None:
    """Write a command's text output to ``out`` (saying so), or print it."""
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"已写入：{out}")
    else:
        click.echo(text)


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
                _echo_err(e.message)
                sys.exit(e.exit_code)
            except (click.exceptions.Exit, click.ClickException, SystemExit):
                raise
            except KeyboardInterrupt:
                _echo_err("已中断。")
                sys.exit(130)
            except Exception as e:  # noqa: BLE001 - the promise: no traceback without --debug
                if debug:
                    traceback.print_exc()
                _echo_err(messages.TEXT["internal"].format(err=f"{type(e).__name__}: {e}"))
                sys.exit(internal_exit)

        return wrapper

    return deco


@click.group(context_settings=CONTEXT)
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

    cli(prog_name="jiyue")
