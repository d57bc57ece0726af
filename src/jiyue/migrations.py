"""The one migration registry of the store: every table of every module, in one ordered list.

Each :class:`Migration` is a version number, a description and its statements (DuckDB SQL; a
PostgreSQL store runs the same statements through DuckDB's attachment, with the sequence and
column-name translations of :func:`jiyue.store_pg.translate`, unless the migration gives its own
``postgres`` statements). :func:`migrate` applies the pending ones in order, each in its own
transaction, and records each in ``schema_migrations`` (version, description, when); the store's
``meta.schema_version`` is the last applied version (read by older releases, backups and the
"store of a newer jiyue" check). Modules do not create tables: their ``ensure_schema`` calls
:func:`ensure`.

A store created by a release before this registry has no ``schema_migrations``: its ``meta`` keys
(``schema_version``, ``schema_version.ledger``, ``.mujun``, ``.standard_land``, ``.safety``,
``.web``) say which steps it holds; they are recorded as applied and the rest run (the module
steps only create what is missing). Never edit an applied migration: append a new one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jiyue import messages
from jiyue.errors import StoreError


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    duckdb: tuple[str, ...]
    #: statements for a PostgreSQL store (None: the DuckDB ones, run through the attachment)
    postgres: tuple[str, ...] | None = None
    #: the ``meta`` key and value by which a store of an earlier release records this step
    legacy: tuple[str, int] | None = None

    def statements(self, postgres: bool) -> tuple[str, ...]:
        return self.postgres if postgres and self.postgres is not None else self.duckdb


_GEOM = "GEOMETRY"
DATA_TABLES = ["zones", "parcels", "buildings", "enterprises", "enterprise_years", "zone_years",
               "contracts", "progress", "facilities", "roads", "problems"]

CORE = (
    """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE SEQUENCE import_seq START 1""",
    """CREATE TABLE imports (
        import_id INTEGER PRIMARY KEY, sha256 VARCHAR, source VARCHAR, imported_at TIMESTAMP,
        year INTEGER, zones VARCHAR, crs VARCHAR, counts VARCHAR, warnings INTEGER,
        jiyue_version VARCHAR, replaced VARCHAR)""",
    """CREATE TABLE snapshots (zone_code VARCHAR, year INTEGER, import_id INTEGER,
        PRIMARY KEY (zone_code, year))""",
    f"""CREATE TABLE zones (import_id INTEGER, zone_code VARCHAR, name VARCHAR, province VARCHAR,
        city VARCHAR, level VARCHAR, category VARCHAR, eval_type VARCHAR, approved_area_ha DOUBLE,
        geom {_GEOM})""",
    f"""CREATE TABLE parcels (import_id INTEGER, parcel_id VARCHAR, zone_code VARCHAR,
        build_class VARCHAR, supply_class VARCHAR, area_m2 DOUBLE, geom_area_m2 DOUBLE,
        area_eff_m2 DOUBLE, land_use_code VARCHAR, hightech VARCHAR, user_id VARCHAR,
        supply_date DATE, supply_method VARCHAR, contract_no VARCHAR, idle BOOLEAN, geom {_GEOM})""",
    f"""CREATE TABLE buildings (import_id INTEGER, building_id VARCHAR, parcel_id VARCHAR,
        parcel_eff VARCHAR, kind VARCHAR, floors INTEGER, floor_area_m2 DOUBLE, footprint_m2 DOUBLE,
        footprint_eff_m2 DOUBLE, storey_height_m DOUBLE, geom {_GEOM})""",
    """CREATE TABLE enterprises (import_id INTEGER, enterprise_id VARCHAR, credit_code VARCHAR,
        name VARCHAR, industry_code VARCHAR, scale VARCHAR, founded DATE, zone_code VARCHAR)""",
    """CREATE TABLE enterprise_years (import_id INTEGER, enterprise_id VARCHAR, year INTEGER,
        tax_wan DOUBLE, revenue_wan DOUBLE, value_added_wan DOUBLE, output_wan DOUBLE,
        energy_tce DOUBLE, emission_t DOUBLE, electricity_mwh DOUBLE, employees INTEGER,
        rd_wan DOUBLE, fixed_assets_wan DOUBLE, land_m2_extra DOUBLE, veto VARCHAR)""",
    """CREATE TABLE zone_years (import_id INTEGER, zone_code VARCHAR, year INTEGER,
        tax_total_wan DOUBLE, industrial_tax_wan DOUBLE, industrial_fai_wan DOUBLE, population INTEGER)""",
    """CREATE TABLE contracts (import_id INTEGER, contract_no VARCHAR, parcel_id VARCHAR,
        enterprise_id VARCHAR, signed_date DATE, land_price_wan DOUBLE, delivery_date DATE,
        start_agreed DATE, completion_agreed DATE, production_review_date DATE,
        total_investment_wan DOUBLE, commit_fai_per_mu DOUBLE, commit_far DOUBLE,
        commit_tax_per_mu DOUBLE, commit_va_per_energy DOUBLE, commit_va_per_emission DOUBLE,
        late_start_permille DOUBLE, late_completion_permille DOUBLE)""",
    """CREATE TABLE progress (import_id INTEGER, contract_no VARCHAR, date DATE, event VARCHAR,
        developed_area_m2 DOUBLE, invested_wan DOUBLE, approved BOOLEAN, cause VARCHAR)""",
    f"""CREATE TABLE facilities (import_id INTEGER, facility_id VARCHAR, kind VARCHAR, name VARCHAR,
        capacity DOUBLE, geom {_GEOM})""",
    f"""CREATE TABLE roads (import_id INTEGER, road_id VARCHAR, name VARCHAR, geom {_GEOM})""",
    """CREATE TABLE problems (import_id INTEGER, severity VARCHAR, code VARCHAR, layer VARCHAR,
        row_id VARCHAR, field VARCHAR, found VARCHAR, expected VARCHAR, message VARCHAR)""",
)

# unknown fields of a package (kept by the reader as x_<name>) are stored as one JSON object per
# row, so engines that read optional fields (园区, 街道 …) see them from the store
EXTRA = tuple(f"ALTER TABLE {t} ADD COLUMN extra VARCHAR" for t in (
    "zones", "parcels", "buildings", "enterprises", "enterprise_years", "zone_years", "contracts",
    "progress", "facilities", "roads"))

# the idle-land / inventory ledger (jiyue.ledger, jiyue.idle.campaign)
LEDGER = (
    "CREATE SEQUENCE IF NOT EXISTS ledger_campaign_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS ledger_item_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS ledger_event_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS ledger_evidence_seq START 1",
    """CREATE TABLE IF NOT EXISTS ledger_campaigns (
        campaign_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, name VARCHAR NOT NULL,
        zone_code VARCHAR, params VARCHAR, created_at TIMESTAMP NOT NULL, created_by VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS ledger_items (
        item_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, subject VARCHAR NOT NULL,
        ref VARCHAR, title VARCHAR, area_m2 DOUBLE, in_breach BOOLEAN NOT NULL, findings VARCHAR,
        state VARCHAR NOT NULL, plan VARCHAR, outcome VARCHAR, version INTEGER NOT NULL,
        updated_at TIMESTAMP NOT NULL, updated_by VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS ledger_events (
        event_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL, item_id INTEGER, kind VARCHAR NOT NULL,
        at_time TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL, payload VARCHAR, state_before VARCHAR,
        state_after VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ledger_evidence (
        evidence_id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, item_id INTEGER NOT NULL,
        file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, size_bytes BIGINT NOT NULL, content BLOB,
        added_at TIMESTAMP NOT NULL)""",
)

# per-mu publication, objections and corrections (jiyue.mujun.ledger)
MUJUN = (
    """CREATE TABLE IF NOT EXISTS mujun_versions (
        version_id INTEGER PRIMARY KEY, year INTEGER, zones VARCHAR, created_at TIMESTAMP, actor VARCHAR,
        note VARCHAR, supersedes INTEGER, scheme_name VARCHAR, scheme_version VARCHAR, scheme_sha256 VARCHAR,
        scheme_text VARCHAR, policy_name VARCHAR, policy_version VARCHAR, policy_sha256 VARCHAR,
        policy_text VARCHAR, input_sha256 VARCHAR, inputs VARCHAR, context VARCHAR, document VARCHAR,
        provenance VARCHAR, jiyue_version VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS mujun_results (
        version_id INTEGER, enterprise_id VARCHAR, group_key VARCHAR, status VARCHAR, land_mu DOUBLE,
        score DOUBLE, rank INTEGER, class VARCHAR, vetoed BOOLEAN, protected BOOLEAN,
        PRIMARY KEY (version_id, enterprise_id))""",
    """CREATE TABLE IF NOT EXISTS mujun_objections (
        objection_id INTEGER PRIMARY KEY, version_id INTEGER, enterprise_id VARCHAR, filed_at TIMESTAMP,
        actor VARCHAR, claim VARCHAR, requested VARCHAR, evidence VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS mujun_evidence (
        sha256 VARCHAR PRIMARY KEY, name VARCHAR, bytes BIGINT, content BLOB)""",
    """CREATE TABLE IF NOT EXISTS mujun_decisions (
        objection_id INTEGER PRIMARY KEY, decided_at TIMESTAMP, actor VARCHAR, decision VARCHAR, note VARCHAR,
        version_id INTEGER)""",
    """CREATE TABLE IF NOT EXISTS mujun_events (
        event_id INTEGER PRIMARY KEY, event_at TIMESTAMP, actor VARCHAR, kind VARCHAR, version_id INTEGER,
        objection_id INTEGER, before_json VARCHAR, after_json VARCHAR)""",
)

# standard-land life-cycle events (jiyue.standard_land.ledger)
STANDARD_LAND = (
    "CREATE SEQUENCE IF NOT EXISTS sl_event_seq START 1",
    """CREATE TABLE IF NOT EXISTS sl_events (
        event_id INTEGER PRIMARY KEY, action VARCHAR NOT NULL, target_id INTEGER,
        contract_no VARCHAR NOT NULL, event VARCHAR, date DATE,
        developed_area_m2 DOUBLE, invested_wan DOUBLE, approved BOOLEAN, cause VARCHAR,
        green_area_m2 DOUBLE, admin_area_m2 DOUBLE,
        recorded_by VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL, note VARCHAR,
        jiyue_version VARCHAR, before VARCHAR, after VARCHAR)""",
)

# the safety-production hazard ledger (jiyue.safety)
SAFETY = (
    "CREATE SEQUENCE IF NOT EXISTS safety_campaign_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS safety_inspection_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS safety_hazard_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS safety_event_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS safety_evidence_seq START 1",
    """CREATE TABLE IF NOT EXISTS safety_campaigns (campaign_id INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
        zone_code VARCHAR, start_date DATE, end_date DATE, rules_name VARCHAR, rules_version VARCHAR,
        created_at TIMESTAMP NOT NULL, created_by VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS safety_inspections (inspection_id INTEGER PRIMARY KEY,
        campaign_id INTEGER NOT NULL, on_date DATE NOT NULL, group_name VARCHAR NOT NULL, inspectors VARCHAR NOT NULL,
        mode VARCHAR, enterprise_id VARCHAR, enterprise_name VARCHAR, note VARCHAR, created_at TIMESTAMP NOT NULL,
        created_by VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS safety_hazards (hazard_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL,
        inspection_id INTEGER NOT NULL, enterprise_id VARCHAR, found_date DATE NOT NULL, description VARCHAR NOT NULL,
        category VARCHAR, level VARCHAR NOT NULL, grade VARCHAR NOT NULL, item VARCHAR, state VARCHAR NOT NULL,
        current VARCHAR NOT NULL, version INTEGER NOT NULL, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS safety_events (event_id INTEGER PRIMARY KEY, campaign_id INTEGER NOT NULL,
        inspection_id INTEGER, hazard_id INTEGER, kind VARCHAR NOT NULL, on_date DATE NOT NULL,
        at_time TIMESTAMP NOT NULL, user_name VARCHAR NOT NULL, payload VARCHAR, state_before VARCHAR,
        state_after VARCHAR, evidence INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS safety_evidence (evidence_id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL,
        hazard_id INTEGER NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR, size_bytes BIGINT, content BLOB,
        note VARCHAR, added_at TIMESTAMP NOT NULL)""",
)

# the web application: users, sessions, audit, uploads, confirmations, tiles (jiyue.web)
WEB = (
    "CREATE SEQUENCE IF NOT EXISTS web_user_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS web_audit_seq START 1",
    "CREATE SEQUENCE IF NOT EXISTS web_feedback_seq START 1",
    """CREATE TABLE IF NOT EXISTS web_users (user_id INTEGER PRIMARY KEY, username VARCHAR,
        display_name VARCHAR, role VARCHAR, enterprise_id VARCHAR, password_hash VARCHAR,
        active BOOLEAN, created_at TIMESTAMP, updated_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS web_sessions (token_hash VARCHAR PRIMARY KEY, user_id INTEGER,
        csrf_token VARCHAR, ip VARCHAR, created_at TIMESTAMP, last_seen TIMESTAMP,
        expires_at TIMESTAMP, ended_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS web_login_attempts (attempted_at TIMESTAMP, username VARCHAR, ip VARCHAR,
        ok BOOLEAN)""",
    """CREATE TABLE IF NOT EXISTS web_audit (event_id BIGINT PRIMARY KEY, created_at TIMESTAMP,
        user_id INTEGER, username VARCHAR, role VARCHAR, ip VARCHAR, action VARCHAR,
        target VARCHAR, before VARCHAR, after VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS web_uploads (upload_id VARCHAR PRIMARY KEY, user_id INTEGER,
        filename VARCHAR, stored_path VARCHAR, size BIGINT, sha256 VARCHAR, created_at TIMESTAMP,
        status VARCHAR, errors INTEGER, warnings INTEGER, import_id INTEGER)""",
    """CREATE TABLE IF NOT EXISTS web_confirmations (confirmation_id INTEGER PRIMARY KEY,
        enterprise_id VARCHAR, year INTEGER, what VARCHAR, note VARCHAR, user_id INTEGER,
        confirmed_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS web_objections (objection_id INTEGER PRIMARY KEY,
        enterprise_id VARCHAR, year INTEGER, subject VARCHAR, text VARCHAR, status VARCHAR,
        filed_by INTEGER, filed_at TIMESTAMP, answer VARCHAR, answered_by INTEGER,
        answered_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS web_parcel_geo (import_id INTEGER, parcel_id VARCHAR,
        zone_code VARCHAR, build_class VARCHAR, supply_class VARCHAR, idle BOOLEAN, user_id VARCHAR,
        xmin DOUBLE, ymin DOUBLE, xmax DOUBLE, ymax DOUBLE, wkb BLOB)""",
)

# the web app's objections become per-mu objections (one table; the web page and the CLI see the
# same objections). An objection filed in the web names a year (and a subject), not a version.
# The ids are renumbered after the per-mu ones (same order); answers become decisions.
_WEB_OBJ = ("(SELECT w.*, row_number() OVER (ORDER BY w.objection_id) AS rn FROM web_objections w)")
_BASE = "(SELECT coalesce(max(objection_id), 0) FROM mujun_objections)"
FOLD_OBJECTIONS = (
    "ALTER TABLE mujun_objections ADD COLUMN year INTEGER",
    "ALTER TABLE mujun_objections ADD COLUMN subject VARCHAR",
    f"""INSERT INTO mujun_decisions (objection_id, decided_at, actor, decision, note, version_id)
        SELECT {_BASE} + w.rn, w.answered_at, coalesce(u.username, 'user:' || CAST(w.answered_by AS VARCHAR)),
               w.status, w.answer, NULL
        FROM {_WEB_OBJ} w LEFT JOIN web_users u ON u.user_id = w.answered_by
        WHERE w.status IN ('accepted', 'rejected')""",
    f"""INSERT INTO mujun_objections (objection_id, version_id, enterprise_id, filed_at, actor, claim, requested,
                                      evidence, year, subject)
        SELECT {_BASE} + w.rn, NULL, w.enterprise_id, w.filed_at,
               coalesce(u.username, 'user:' || CAST(w.filed_by AS VARCHAR)), w.text, '{{}}', '[]', w.year, w.subject
        FROM {_WEB_OBJ} w LEFT JOIN web_users u ON u.user_id = w.filed_by""",
    "DROP TABLE web_objections",
)

# the one event store (jiyue.events): every event of every stream, append-only; the streams'
# own tables are projections written by jiyue.events.append. Existing events are copied in.
EVENTS = (
    """CREATE TABLE IF NOT EXISTS events (
        event_id BIGINT PRIMARY KEY, stream VARCHAR NOT NULL, stream_id BIGINT NOT NULL, kind VARCHAR NOT NULL,
        subject VARCHAR, zone_code VARCHAR, recorded_at TIMESTAMP NOT NULL, actor VARCHAR NOT NULL,
        payload VARCHAR, jiyue_version VARCHAR)""",
)


def _backfill(stream: str, table: str, id_col: str, kind: str, subject: str, zone: str, at: str, actor: str,
              join: str = "") -> str:
    return f"""INSERT INTO events (event_id, stream, stream_id, kind, subject, zone_code, recorded_at, actor,
                                   payload, jiyue_version)
        SELECT (SELECT coalesce(max(event_id), 0) FROM events) + row_number() OVER (ORDER BY e.{id_col}),
               '{stream}', e.{id_col}, {kind}, {subject}, {zone}, {at}, coalesce({actor}, ''),
               CAST(to_json(e) AS VARCHAR), NULL
        FROM {table} e {join}"""


BACKFILL = (
    _backfill("ledger", "ledger_events", "event_id", "e.kind",
              "'campaign:' || CAST(e.campaign_id AS VARCHAR) || coalesce('/item:' || CAST(e.item_id AS VARCHAR), '')",
              "c.zone_code", "e.at_time", "e.user_name",
              "LEFT JOIN ledger_campaigns c ON c.campaign_id = e.campaign_id"),
    _backfill("mujun", "mujun_events", "event_id", "coalesce(e.kind, '')",
              "CASE WHEN e.objection_id IS NOT NULL THEN 'objection:' || CAST(e.objection_id AS VARCHAR) "
              "ELSE 'version:' || CAST(e.version_id AS VARCHAR) END", "NULL", "coalesce(e.event_at, now())",
              "e.actor"),
    _backfill("standard_land", "sl_events", "event_id", "e.action", "'contract:' || e.contract_no", "NULL",
              "e.recorded_at", "e.recorded_by"),
    _backfill("safety", "safety_events", "event_id", "e.kind",
              "CASE WHEN e.hazard_id IS NOT NULL THEN 'hazard:' || CAST(e.hazard_id AS VARCHAR) "
              "WHEN e.inspection_id IS NOT NULL THEN 'inspection:' || CAST(e.inspection_id AS VARCHAR) "
              "ELSE 'campaign:' || CAST(e.campaign_id AS VARCHAR) END", "c.zone_code", "e.at_time", "e.user_name",
              "LEFT JOIN safety_campaigns c ON c.campaign_id = e.campaign_id"),
    _backfill("audit", "web_audit", "event_id", "coalesce(e.action, '')", "e.target", "NULL",
              "coalesce(e.created_at, now())", "e.username"),
)

# the store's event numbers continue after the copied events (a sequence: several processes of a
# server store append at once); DuckDB has no setval, so the copied rows draw their numbers
EVENT_SEQ = "CREATE SEQUENCE IF NOT EXISTS event_seq START 1"
EVENT_SEQ_DUCKDB = "SELECT count(nextval('event_seq')) FROM events"
EVENT_SEQ_PG = ("CALL postgres_execute('store', 'SELECT setval(''event_seq'', "
                "(SELECT coalesce(max(event_id), 0) + 1 FROM events), false)')")

REGISTRY: tuple[Migration, ...] = (
    Migration(1, "core tables: imports, snapshots and the package layers", CORE, legacy=("schema_version", 1)),
    Migration(2, "extra column: a package's unknown fields as JSON", EXTRA, legacy=("schema_version", 2)),
    Migration(3, "idle-land / inventory ledger tables", LEDGER, legacy=("schema_version.ledger", 1)),
    Migration(4, "per-mu publication, objection and correction tables", MUJUN, legacy=("schema_version.mujun", 1)),
    Migration(5, "standard-land life-cycle events", STANDARD_LAND, legacy=("schema_version.standard_land", 1)),
    Migration(6, "safety-production hazard ledger tables", SAFETY, legacy=("schema_version.safety", 1)),
    Migration(7, "web application tables", WEB, legacy=("schema_version.web", 1)),
    Migration(8, "web objections folded into the per-mu objection ledger", FOLD_OBJECTIONS),
    Migration(9, "one event store: the events table, filled from the five event tables",
              (EVENT_SEQ, *EVENTS, *BACKFILL, EVENT_SEQ_DUCKDB), postgres=(EVENT_SEQ, *EVENTS, *BACKFILL, EVENT_SEQ_PG)),
)
LATEST = REGISTRY[-1].version
assert [m.version for m in REGISTRY] == list(range(1, LATEST + 1))


def _has_table(con: Any, name: str) -> bool:
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
    return bool(row and row[0])


def _is_pg(con: Any) -> bool:
    from jiyue import store_pg

    return isinstance(con, store_pg.PgConnection)


def schema_version(con: Any) -> int:
    """The store's schema version (``meta.schema_version``; 0 = no jiyue tables yet)."""
    if not _has_table(con, "meta"):
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def applied(con: Any) -> set[int]:
    """The versions recorded in ``schema_migrations`` (or, for an older store, read from ``meta``)."""
    if _has_table(con, "schema_migrations"):
        return {int(r[0]) for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    return _legacy(con)


def _legacy(con: Any) -> set[int]:
    if not _has_table(con, "meta"):
        return set()
    meta = {str(k): str(v) for k, v in con.execute("SELECT key, value FROM meta").fetchall()}
    out = set()
    for m in REGISTRY:
        if m.legacy is not None and m.legacy[0] in meta and int(meta[m.legacy[0]]) >= m.legacy[1]:
            out.add(m.version)
    return out


def pending(con: Any) -> list[Migration]:
    done = applied(con)
    return [m for m in REGISTRY if m.version not in done]


def _check_newer(con: Any, path: str | Path) -> None:
    current = schema_version(con)
    if current > LATEST:
        raise StoreError(messages.TEXT["store_newer"].format(path=path, found=current, expected=LATEST))


def migrate(con: Any, path: str | Path = "", *, own_tx: bool = True) -> int:
    """Apply every pending migration in order (each in its own transaction unless ``own_tx`` is
    False: then in the caller's); refuse a store written by a newer jiyue. Returns :data:`LATEST`."""
    _check_newer(con, path)
    todo = pending(con)
    if not todo:
        return LATEST
    pg = _is_pg(con)
    legacy = None if _has_table(con, "schema_migrations") else _legacy(con)
    if legacy is not None:  # a store of an earlier release (or a new one): start the registry
        _run(con, own_tx, lambda: _start(con, legacy))
    for m in todo:
        _run(con, own_tx, lambda m=m: _apply(con, m, pg))
    return LATEST


def _run(con: Any, own_tx: bool, fn: Any) -> None:
    if not own_tx:
        fn()
        return
    con.execute("BEGIN")
    try:
        fn()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _start(con: Any, legacy: set[int]) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR, "
                "applied_at TIMESTAMP)")
    now = dt.datetime.now()
    for m in REGISTRY:
        if m.version in legacy:
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [m.version, f"{m.description} (recorded by an earlier release in meta.{m.legacy[0]})",  # type: ignore[index]
                         now])


def _apply(con: Any, m: Migration, pg: bool) -> None:
    for stmt in m.statements(pg):
        con.execute(stmt)
    con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [m.version, m.description, dt.datetime.now()])
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(m.version)])


def ensure(con: Any, path: str | Path = "", *, own_tx: bool = True) -> int:
    """What every module's ``ensure_schema`` does: nothing on a store at :data:`LATEST` (every
    store opened for writing by :func:`jiyue.store.open_store` is), else :func:`migrate`."""
    _check_newer(con, path)
    if schema_version(con) == LATEST and _has_table(con, "schema_migrations"):
        return LATEST
    return migrate(con, path, own_tx=own_tx)
