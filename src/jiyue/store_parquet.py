"""A plain GeoParquet package, just validated, written into the store.

Above both the store (:mod:`jiyue.store`: files, migrations, the general import) and the
vectorised loader (:mod:`jiyue.evaluation.bulk`, which builds on the store's schema), so
neither imports the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from jiyue import messages
from jiyue.errors import StoreError
from jiyue.evaluation.bulk import load_validated
from jiyue.store import (ImportResult, drop_imports, lock_conflict, new_file_removed_on_failure, open_store,
                         problem_frame, record_import, replaced_imports, scalar)


def import_validated_parquet(db: str | Path, report: Any, *, replace: bool = False,
                             year: int | None = None) -> ImportResult:
    """Write a plain GeoParquet package validated by :func:`jiyue.validate_parquet.validate_parquet`
    (``keep=True``) into the store, all or nothing: straight from the validation's DuckDB tables
    into the attached store file (no pandas, no second reading of the files), with the
    validation's building assignment as ``parcel_eff``. The same rows as :func:`import_package`."""
    if not report.ok:
        raise StoreError(messages.TEXT["import_refused"].format(errors=len(report.errors)))
    con = report.con
    year = int(year) if year is not None else int(report.year)
    zones = [r[0] for r in con.execute("SELECT DISTINCT zone_code FROM v_zones WHERE zone_code IS NOT NULL "
                                       "ORDER BY 1").fetchall()]
    p = Path(db)
    with new_file_removed_on_failure(p):
        with open_store(p, spatial=False):  # created and migrated; the lock is checked here
            pass
        try:
            con.execute(f"ATTACH '{str(p).replace(chr(39), chr(39) * 2)}' AS st")
        except duckdb.Error as e:
            busy = lock_conflict(p, e)
            if busy is not None:
                raise StoreError(busy) from None
            raise
        try:
            old_imports = replaced_imports(con, zones, year, replace, "st.")
            con.execute("BEGIN")
            try:
                drop_imports(con, old_imports, "st.")
                import_id = int(scalar(con, "SELECT nextval('st.import_seq')"))
                load_validated(con, report.package.columns, year=year, import_id=import_id, geometry=True,
                               keep_buildings=True, catalog="st")
                counts = {n: int(report.rows[n]) for n in report.rows}
                probs = problem_frame(report)
                con.register("_incoming", pa.Table.from_pandas(probs.astype(object), preserve_index=False))
                con.execute(f"INSERT INTO st.problems SELECT {import_id}, severity::VARCHAR, code::VARCHAR, "
                            "layer::VARCHAR, row_id::VARCHAR, field::VARCHAR, found::VARCHAR, expected::VARCHAR, "
                            "message::VARCHAR FROM _incoming")
                con.unregister("_incoming")
                result = ImportResult(import_id, year, zones, counts, old_imports, len(report.warnings))
                record_import(con, result, report.package, "st.")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.execute("DETACH st")
    return result
