"""The ``--db`` option value: a DuckDB file (a :class:`~pathlib.Path`) or a PostgreSQL server URL.

``click.Path`` would turn ``postgresql://host/db`` into ``postgresql:/host/db`` (a path
collapses double slashes), so every ``--db`` option uses :data:`DB`. A password written in
the URL is moved into ``PGPASSWORD`` (:func:`jiyue.store_pg.strip_password`), so that what a
command prints or records about its store never holds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from jiyue import store_pg


class StoreParam(click.ParamType[str | Path, Any]):
    name = "DB"

    def convert(self, value: Any, param: click.Parameter | None,  # noqa: ARG002
                ctx: click.Context | None) -> str | Path:  # noqa: ARG002
        if isinstance(value, Path):
            return value
        text = str(value)
        if store_pg.is_url(text):
            return store_pg.strip_password(text)
        return Path(text)


DB = StoreParam()
