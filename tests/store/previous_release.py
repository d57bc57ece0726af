"""The table definitions of the release before the migration registry (copied verbatim from
git show 8bed2f1:src/jiyue/{store.py,ledger/schema.py,mujun/ledger.py,standard_land/ledger.py,
safety/schema.py,web/users.py}), to build a store as that release left it."""

# ruff: noqa: E501
_GEOM = "GEOMETRY"
STORE_MIGRATIONS: dict[int, list[str]] = {
    1: [
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
    ],
    # 2: unknown fields of a package (kept by the reader as x_<name>) are stored as one JSON
    #    object per row, so engines that read optional fields (园区, 街道 …) see them from the store.
    2: [f"ALTER TABLE {t} ADD COLUMN extra VARCHAR" for t in (
        "zones", "parcels", "buildings", "enterprises", "enterprise_years", "zone_years", "contracts",
        "progress", "facilities", "roads")],
}

LEDGER_MIGRATIONS: dict[int, list[str]] = {
    1: [
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
    ],
}

MUJUN_DDL = [
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
]

SL_MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE SEQUENCE IF NOT EXISTS sl_event_seq START 1",
        """CREATE TABLE IF NOT EXISTS sl_events (
            event_id INTEGER PRIMARY KEY, action VARCHAR NOT NULL, target_id INTEGER,
            contract_no VARCHAR NOT NULL, event VARCHAR, date DATE,
            developed_area_m2 DOUBLE, invested_wan DOUBLE, approved BOOLEAN, cause VARCHAR,
            green_area_m2 DOUBLE, admin_area_m2 DOUBLE,
            recorded_by VARCHAR NOT NULL, recorded_at TIMESTAMP NOT NULL, note VARCHAR,
            jiyue_version VARCHAR, before VARCHAR, after VARCHAR)""",
    ],
}

SAFETY_MIGRATIONS: dict[int, list[str]] = {
    1: [
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
    ],
}

WEB_DDL: dict[int, list[str]] = {
    1: [
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
    ],
}

#: the meta keys that release wrote
META = [("schema_version", "2"), ("schema_version.ledger", "1"), ("schema_version.mujun", "1"),
        ("schema_version.standard_land", "1"), ("schema_version.safety", "1"), ("schema_version.web", "1")]
