"""Helpers of the safety tests (a module name of its own: every test folder has a conftest)."""

from __future__ import annotations

from pathlib import Path

ENTS = [("E1", "91371500MA3C000001", "聊城甲化工有限公司", "C2614"),
        ("E2", "91371500MA3C000002", "聊城乙食品有限公司", "C1321"),
        ("E3", "91371500MA3C000003", "聊城丙物流有限公司", "G5810")]


def make_store(path: Path, n_extra: int = 0) -> Path:
    from jiyue.store import open_store

    with open_store(path, spatial=False) as con:
        rows = list(ENTS) + [(f"X{i:03d}", f"9137150000000{i:05d}", f"演示企业{i:03d}有限公司", "C3670")
                             for i in range(n_extra)]
        con.executemany("INSERT INTO enterprises (import_id, enterprise_id, credit_code, name, industry_code) "
                        "VALUES (1, ?, ?, ?, ?)", rows)
    return path


def dump(db: Path) -> dict[str, list]:
    """Every safety table's rows (to compare a store before and after a refused change)."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_name LIKE 'safety_%' OR table_name = 'meta'").fetchall()]
        return {n: sorted(map(repr, con.execute(f"SELECT * FROM {n}").fetchall())) for n in sorted(names)}
    finally:
        con.close()
