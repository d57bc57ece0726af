"""Publication, objections and corrections of per-mu results, kept in the DuckDB store.

A *published version* freezes one evaluation: the scheme and policy **texts** (with their
names, versions and SHA-256), the input frame and context (so the figures can be recomputed
without the package), their SHA-256, the full result document, and one row per enterprise in
``mujun_results``. Nothing is updated or deleted:

- ``mujun_versions``   one row per version; ``supersedes`` links a correction to the version it
                       replaces (the replaced version stays, marked superseded by the link);
- ``mujun_results``    per version and enterprise: group, status, land, score, rank, class …;
- ``mujun_objections`` an objection against one enterprise's result in one version, with the
                       claim, the requested corrections and the evidence (file name, size, SHA-256);
                       the web app's objections are here too (they name a ``year`` and a
                       ``subject``, and the latest published version of that year if any);
- ``mujun_evidence``   the evidence files themselves (content-addressed by SHA-256);
- ``mujun_decisions``  at most one decision per objection (accepted / rejected), never changed
                       (the web app's answer to an objection is its decision);
- ``mujun_events``     append-only log: who, when, what, before / after, for every change — the
                       projection of the ``mujun`` stream of the event store (:mod:`jiyue.events`).

A correction re-evaluates the frozen inputs with the frozen scheme and policy after applying
the changes, stores the result as a new version and returns the diff against the old one.
Every command runs in one transaction. The tables are defined in the one migration registry
(:mod:`jiyue.migrations`).
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from jiyue import events as event_store
from jiyue import migrations, store
from jiyue.errors import JiyueError, UsageError
from jiyue.mujun import inputs, labels, service
from jiyue.mujun.policy import policy_from_text
from jiyue.mujun.published import has_ledger as _has_ledger
from jiyue.mujun.scheme import scheme_from_text
from jiyue.landrules import m2_to_mu

SCHEMA_VERSION = migrations.LATEST
TABLES = ["mujun_versions", "mujun_results", "mujun_objections", "mujun_evidence", "mujun_decisions",
          "mujun_events"]
CORRECTABLE = [*inputs.NUMERIC, "own_m2", "leased_in_m2", "leased_out_m2", "scale", "veto", "flags", "founded",
               "industry_code", "zone_code", "park", "street", "name"]
TEXT_FIELDS = {"scale", "veto", "flags", "industry_code", "zone_code", "park", "street", "name"}


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the store to the current schema (idempotent; the tables are in :mod:`jiyue.migrations`)."""
    return migrations.ensure(con)


def _next(con: duckdb.DuckDBPyConnection, table: str, col: str) -> int:
    return int(con.execute(f"SELECT coalesce(max({col}), 0) + 1 FROM {table}").fetchone()[0])  # type: ignore[index]


def _event(con: duckdb.DuckDBPyConnection, actor: str, kind: str, version_id: int | None, objection_id: int | None,
           before: Any, after: Any, at: dt.datetime) -> None:
    """Append one event of the ``mujun`` stream (:mod:`jiyue.events`)."""
    event_store.append(con, "mujun", {
        "event_at": at, "actor": actor, "kind": kind, "version_id": version_id, "objection_id": objection_id,
        "before_json": None if before is None else service.canonical_json(before),
        "after_json": None if after is None else service.canonical_json(after)},
        subject=f"objection:{objection_id}" if objection_id is not None else f"version:{version_id}")


def _json(o: Any) -> str:
    return json.dumps(o, ensure_ascii=False, default=str)


# --------------------------------------------------------------------------- publish
def publish(db: str | Path, ev: service.Evaluation, scheme: Any, policy: Any, provenance: dict[str, Any], *,
            actor: str, note: str = "", supersedes: int | None = None, doc: dict[str, Any] | None = None,
            con: duckdb.DuckDBPyConnection | None = None, at: dt.datetime | None = None) -> dict[str, Any]:
    """Freeze an evaluation as a new version; returns {version_id, input_sha256, document}."""
    doc = doc if doc is not None else service.document(ev, scheme, policy, provenance)
    if con is None:
        with store.open_store(db) as c:
            ensure_schema(c)
            c.execute("BEGIN")
            try:
                out = publish(db, ev, scheme, policy, provenance, actor=actor, note=note, supersedes=supersedes,
                              doc=doc, con=c, at=at)
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            return out
    at = at or dt.datetime.now()
    vid = _next(con, "mujun_versions", "version_id")
    zones = sorted({str(z) for z in ev.frame["zone_code"].dropna().unique()})
    doc["publication"] = {"version_id": vid, "published_at": at.isoformat(timespec="seconds"), "actor": actor,
                          "note": note, "supersedes": supersedes}
    con.execute("INSERT INTO mujun_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
        vid, ev.year, ",".join(zones), at, actor, note, supersedes, scheme.name, scheme.version, scheme.sha256,
        scheme.text, policy.name, policy.version, policy.sha256, policy.text, provenance.get("input_sha256"),
        _json(service.frame_records(ev.frame)), _json(ev.context), _json(doc), _json(provenance),
        doc.get("jiyue_version")])
    rows = pd.DataFrame([{
        "version_id": vid, "enterprise_id": e["enterprise_id"], "group_key": e["group"], "status": e["status"],
        "land_mu": e["land_mu"], "score": e["score"], "rank": e["rank"], "class": e["class"],
        "vetoed": e["vetoed"], "protected": e["protected"]} for e in doc["enterprises"]],
        columns=["version_id", "enterprise_id", "group_key", "status", "land_mu", "score", "rank", "class",
                 "vetoed", "protected"])
    rows["rank"] = rows["rank"].astype("Int64")
    rows["score"] = pd.to_numeric(rows["score"], errors="coerce").astype(float)
    rows["land_mu"] = pd.to_numeric(rows["land_mu"], errors="coerce").astype(float)
    con.register("_mujun_rows", rows)
    try:
        con.execute("INSERT INTO mujun_results SELECT version_id::INTEGER, enterprise_id, group_key, status, "
                    "land_mu, score, rank::INTEGER, class, vetoed, protected FROM _mujun_rows")
    finally:
        con.unregister("_mujun_rows")
    _event(con, actor, "published" if supersedes is None else "corrected", vid, None,
           None if supersedes is None else {"version_id": supersedes},
           {"version_id": vid, "year": ev.year, "scheme": f"{scheme.name} {scheme.version}",
            "policy": f"{policy.name} {policy.version}", "input_sha256": provenance.get("input_sha256"),
            "enterprises": len(doc["enterprises"])}, at)
    return {"version_id": vid, "input_sha256": provenance.get("input_sha256"), "document": doc}


# --------------------------------------------------------------------------- reading
def _version_row(con: duckdb.DuckDBPyConnection, version_id: int) -> dict[str, Any]:
    if not _has_ledger(con):
        raise UsageError(labels.ERR["version_missing"].format(version=version_id, have="无"))
    cur = con.execute("SELECT * FROM mujun_versions WHERE version_id = ?", [version_id])
    row = cur.fetchone()
    if row is None:
        have = [str(r[0]) for r in con.execute("SELECT version_id FROM mujun_versions ORDER BY 1").fetchall()]
        raise UsageError(labels.ERR["version_missing"].format(version=version_id, have="、".join(have) or "无"))
    return dict(zip([d[0] for d in cur.description], row))


def versions(db: str | Path, year: int | None = None) -> list[dict[str, Any]]:
    """Every published version (newest first) with its objection counts and successor."""
    with store.open_store(db, read_only=True) as con:
        if not _has_ledger(con):
            return []
        q = """SELECT v.version_id, v.year, v.zones, v.created_at, v.actor, v.note, v.supersedes,
                      v.scheme_name, v.scheme_version, v.policy_name, v.policy_version, v.input_sha256,
                      (SELECT count(*) FROM mujun_results r WHERE r.version_id = v.version_id) AS enterprises,
                      (SELECT count(*) FROM mujun_objections o WHERE o.version_id = v.version_id) AS objections,
                      (SELECT min(w.version_id) FROM mujun_versions w WHERE w.supersedes = v.version_id) AS superseded_by
               FROM mujun_versions v""" + (" WHERE v.year = ?" if year is not None else "") + " ORDER BY v.version_id DESC"
        df = con.execute(q, [year] if year is not None else []).fetchdf()
    recs = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
    return recs


def show(db: str | Path, version_id: int) -> dict[str, Any]:
    """The frozen document of a version."""
    with store.open_store(db, read_only=True) as con:
        row = _version_row(con, version_id)
    return json.loads(row["document"])


# --------------------------------------------------------------------------- objections
def file_objection(db: str | Path, version_id: int, enterprise_id: str, claim: str, *, actor: str,
                   evidence: Sequence[str | Path] = (), requested: dict[str, Any] | None = None) -> dict[str, Any]:
    """Record an objection with its evidence files (stored in the ledger)."""
    files = []
    for e in evidence:
        p = Path(e)
        if not p.is_file():
            raise UsageError(labels.ERR["evidence_missing"].format(path=p))
        data = p.read_bytes()
        files.append((p.name, data, hashlib.sha256(data).hexdigest()))
    for k in (requested or {}):
        if k not in CORRECTABLE:
            raise UsageError(labels.ERR["correction_field"].format(field=k, fields="、".join(CORRECTABLE)))
    with store.open_store(db) as con:
        ensure_schema(con)
        _version_row(con, version_id)
        hit = con.execute("SELECT count(*) FROM mujun_results WHERE version_id = ? AND enterprise_id = ?",
                          [version_id, enterprise_id]).fetchone()
        if not hit or not hit[0]:
            raise UsageError(labels.ERR["objection_enterprise"].format(version=version_id, enterprise=enterprise_id))
        con.execute("BEGIN")
        try:
            rec = record_objection(con, version_id=version_id, enterprise_id=enterprise_id, claim=claim, actor=actor,
                                   files=files, requested=requested)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return rec


def record_objection(con: duckdb.DuckDBPyConnection, *, version_id: int | None, enterprise_id: str, claim: str,
                     actor: str, files: Sequence[tuple[str, bytes, str]] = (), requested: dict[str, Any] | None = None,
                     year: int | None = None, subject: str | None = None, at: dt.datetime | None = None
                     ) -> dict[str, Any]:
    """Write one objection (in the caller's transaction): its row, its evidence files (name, bytes,
    SHA-256) and its ``objection_filed`` event. The command line names a published version; the
    web app names the year (and a subject) an enterprise objects to, and the latest published
    version of that year when there is one."""
    at = at or dt.datetime.now()
    oid = _next(con, "mujun_objections", "objection_id")
    ev = []
    for name, data, sha in files:
        known = con.execute("SELECT count(*) FROM mujun_evidence WHERE sha256 = ?", [sha]).fetchone()
        if not known or not known[0]:
            con.execute("INSERT INTO mujun_evidence VALUES (?, ?, ?, ?)", [sha, name, len(data), data])
        ev.append({"name": name, "bytes": len(data), "sha256": sha})
    con.execute("INSERT INTO mujun_objections (objection_id, version_id, enterprise_id, filed_at, actor, claim, "
                "requested, evidence, year, subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [oid, version_id, enterprise_id, at, actor, claim, _json(requested or {}), _json(ev), year, subject])
    rec = {"objection_id": oid, "version_id": version_id, "enterprise_id": enterprise_id, "claim": claim,
           "requested": requested or {}, "evidence": ev, "filed_at": at.isoformat(timespec="seconds"),
           "actor": actor}
    if year is not None or subject is not None:
        rec_event = {**rec, "year": year, "subject": subject}
    else:
        rec_event = rec
    _event(con, actor, "objection_filed", version_id, oid, None, rec_event, at)
    return rec


def latest_version(con: duckdb.DuckDBPyConnection, year: int, enterprise_id: str) -> int | None:
    """The latest published version of ``year`` that evaluated ``enterprise_id`` (None: none yet)."""
    row = con.execute("SELECT max(v.version_id) FROM mujun_versions v JOIN mujun_results r USING (version_id) "
                      "WHERE v.year = ? AND r.enterprise_id = ?", [year, enterprise_id]).fetchone()
    return int(row[0]) if row and row[0] is not None else None


def decide(db: str | Path, objection_id: int, decision: str, *, actor: str, note: str = "",
           version_id: int | None = None, con: duckdb.DuckDBPyConnection | None = None,
           at: dt.datetime | None = None) -> dict[str, Any]:
    """Accept or reject an objection (once; a decision is never changed)."""
    if con is None:
        with store.open_store(db) as c:
            ensure_schema(c)
            c.execute("BEGIN")
            try:
                out = decide(db, objection_id, decision, actor=actor, note=note, version_id=version_id, con=c, at=at)
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
            return out
    obj = _objection(con, objection_id)
    prior = con.execute("SELECT decided_at, decision FROM mujun_decisions WHERE objection_id = ?",
                        [objection_id]).fetchone()
    if prior is not None:
        raise JiyueError(labels.ERR["objection_decided"].format(objection=objection_id, at=prior[0],
                                                                decision=labels.DECISIONS.get(prior[1], prior[1])))
    at = at or dt.datetime.now()
    con.execute("INSERT INTO mujun_decisions VALUES (?, ?, ?, ?, ?, ?)",
                [objection_id, at, actor, decision, note, version_id])
    rec = {"objection_id": objection_id, "decision": decision, "note": note, "version_id": version_id,
           "decided_at": at.isoformat(timespec="seconds"), "actor": actor}
    _event(con, actor, "objection_decided", obj["version_id"], objection_id, {"decision": None}, rec, at)
    return rec


def _objection(con: duckdb.DuckDBPyConnection, objection_id: int) -> dict[str, Any]:
    if not _has_ledger(con):
        raise UsageError(labels.ERR["objection_missing"].format(objection=objection_id, have="无"))
    cur = con.execute("SELECT * FROM mujun_objections WHERE objection_id = ?", [objection_id])
    row = cur.fetchone()
    if row is None:
        have = [str(r[0]) for r in con.execute("SELECT objection_id FROM mujun_objections ORDER BY 1").fetchall()]
        raise UsageError(labels.ERR["objection_missing"].format(objection=objection_id, have="、".join(have) or "无"))
    return dict(zip([d[0] for d in cur.description], row))


def objections(db: str | Path, version_id: int | None = None) -> list[dict[str, Any]]:
    """Every objection with its decision (if any)."""
    with store.open_store(db, read_only=True) as con:
        if not _has_ledger(con):
            return []
        q = """SELECT o.objection_id, o.version_id, o.enterprise_id, o.filed_at, o.actor, o.claim, o.requested,
                      o.evidence, d.decision, d.decided_at, d.actor AS decided_by, d.note AS decision_note,
                      d.version_id AS correction_version
               FROM mujun_objections o LEFT JOIN mujun_decisions d USING (objection_id)""" + \
            (" WHERE o.version_id = ?" if version_id is not None else "") + " ORDER BY o.objection_id"
        df = con.execute(q, [version_id] if version_id is not None else []).fetchdf()
    recs = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
    for r in recs:
        r["requested"] = json.loads(r["requested"] or "{}")
        r["evidence"] = json.loads(r["evidence"] or "[]")
    return recs


def events(db: str | Path) -> list[dict[str, Any]]:
    with store.open_store(db, read_only=True) as con:
        if not _has_ledger(con):
            return []
        df = con.execute("SELECT * FROM mujun_events ORDER BY event_id").fetchdf()
    return json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))


# --------------------------------------------------------------------------- corrections
def parse_change(text: str) -> tuple[str, str, Any]:
    """``E-0001.tax_wan=120`` → (``E-0001``, ``tax_wan``, 120.0)."""
    if "=" not in text or "." not in text.split("=", 1)[0]:
        raise UsageError(labels.ERR["correction_bad"].format(text=text))
    left, value = text.split("=", 1)
    eid, fld = left.rsplit(".", 1)
    return eid.strip(), fld.strip(), _value(fld.strip(), value.strip(), text)


def parse_request(text: str, enterprise_id: str) -> tuple[str, Any]:
    """A correction requested in an objection about ``enterprise_id``: ``tax_wan=300``, or the form
    of ``mujun-correct --set``, ``E-0240.tax_wan=300``, when it names that enterprise."""
    if "=" not in text:
        raise UsageError(labels.ERR["request_bad"].format(text=text, enterprise=enterprise_id))
    left, value = (x.strip() for x in text.split("=", 1))
    if left in CORRECTABLE or "." not in left:
        return left, _value(left, value, text)
    eid, fld = (x.strip() for x in left.rsplit(".", 1))
    if eid != str(enterprise_id).strip():
        raise UsageError(labels.ERR["request_enterprise"].format(text=text, found=eid, enterprise=enterprise_id,
                                                                 field=fld, value=value))
    return fld, _value(fld, value, text)


def objections_version(db: str | Path, objection_ids: list[int]) -> int:
    """The published version the objections are about (they must all be about one)."""
    with store.open_store(db, read_only=True) as con:
        found = {oid: int(_objection(con, oid)["version_id"]) for oid in objection_ids}
    versions = sorted(set(found.values()))
    if len(versions) != 1:
        raise UsageError(labels.ERR["objections_versions"].format(
            objections="、".join(map(str, objection_ids)), versions="、".join(map(str, versions))))
    return versions[0]


def changes_from_objections(db: str | Path, objection_ids: list[int]) -> list[tuple[str, str, Any]]:
    """The corrections the objections requested, each for its own enterprise.

    Refused (exit 1) unless every objection is accepted, not yet settled by a correction and
    carries a request (``mujun-objection file --request``).
    """
    out: list[tuple[str, str, Any]] = []
    with store.open_store(db, read_only=True) as con:
        for oid in objection_ids:
            obj = _objection(con, oid)
            dec = con.execute("SELECT decision, decided_at, version_id FROM mujun_decisions WHERE objection_id = ?",
                              [oid]).fetchone()
            if dec is None:
                raise JiyueError(labels.ERR["objection_undecided"].format(objection=oid))
            if dec[0] != "accepted":
                raise JiyueError(labels.ERR["objection_rejected"].format(
                    objection=oid, at=pd.Timestamp(dec[1]).strftime("%Y-%m-%d %H:%M")))
            done = dec[2] if dec[2] is not None else (con.execute(
                "SELECT max(version_id) FROM mujun_events WHERE kind = 'objection_resolved' AND objection_id = ?",
                [oid]).fetchone() or [None])[0]
            if done is not None:
                raise JiyueError(labels.ERR["objection_resolved"].format(objection=oid, version=done))
            requested = json.loads(obj["requested"] or "{}")
            if not requested:
                raise JiyueError(labels.ERR["objection_no_request"].format(objection=oid))
            eid = str(obj["enterprise_id"])
            out += [(eid, fld, _value(fld, v, f"{eid}.{fld}={v}")) for fld, v in requested.items()]
    return out


def _value(fld: str, value: Any, text: str) -> Any:
    if fld not in CORRECTABLE:
        raise UsageError(labels.ERR["correction_field"].format(field=fld, fields="、".join(CORRECTABLE)))
    if value is None or (isinstance(value, str) and value.strip() in ("", "空", "null", "None")):
        return None
    if fld in TEXT_FIELDS:
        return str(value).strip()
    if fld == "founded":
        d = pd.to_datetime(value, errors="coerce")
        if pd.isna(d):
            raise UsageError(labels.ERR["correction_value"].format(text=text, value=value))
        return d.date().isoformat()
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise UsageError(labels.ERR["correction_value"].format(text=text, value=value)) from None
    if not math.isfinite(v) or v < 0:
        raise UsageError(labels.ERR["correction_value"].format(text=text, value=value))
    return v


def read_changes(path: str | Path) -> list[tuple[str, str, Any]]:
    """A corrections file (CSV/XLSX: enterprise_id, field, value)."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(labels.ERR["evidence_missing"].format(path=p))
    df = pd.read_excel(p, engine="calamine", dtype=object) if p.suffix.lower() in (".xlsx", ".xls") \
        else pd.read_csv(p, dtype=str, encoding="utf-8-sig")
    cols = {str(c).strip().lower(): c for c in df.columns}
    need = {"enterprise_id": ("enterprise_id", "企业编号"), "field": ("field", "字段"), "value": ("value", "数值", "更正值")}
    pick = {}
    for k, names in need.items():
        c = next((cols[n.lower()] for n in names if n.lower() in cols), None)
        if c is None:
            raise UsageError(labels.ERR["leases_field"].format(path=p, field=k, expected="、".join(names)))
        pick[k] = c
    out = []
    for _, r in df.iterrows():
        text = f"{r[pick['enterprise_id']]}.{r[pick['field']]}={r[pick['value']]}"
        fld = str(r[pick["field"]]).strip()
        out.append((str(r[pick["enterprise_id"]]).strip(), fld, _value(fld, r[pick["value"]], text)))
    return out


def apply_changes(frame: pd.DataFrame, changes: list[tuple[str, str, Any]], version_id: int
                  ) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The frame with the changes applied (land re-totalled); and the list of real changes."""
    f = frame.copy()
    pos = {e: i for i, e in enumerate(f["enterprise_id"].astype(str))}
    done = []
    for eid, fld, value in changes:
        if eid not in pos:
            raise UsageError(labels.ERR["correction_enterprise"].format(version=version_id, enterprise=eid))
        i = pos[eid]
        before = service.clean(f.at[i, fld])
        if fld == "founded":
            f.at[i, fld] = pd.Timestamp(value) if value else pd.NaT
        elif fld == "scale":
            f.at[i, "scale"] = value
            f.at[i, "scale_given"] = value is not None
        else:
            f.at[i, fld] = value if value is not None else (None if fld in TEXT_FIELDS else float("nan"))
        after = service.clean(f.at[i, fld])
        if before != after:
            done.append({"enterprise_id": eid, "field": fld, "before": before, "after": after})
    gross = f["own_m2"].astype(float).fillna(0) + f["leased_in_m2"].astype(float).fillna(0)
    out = f["leased_out_m2"].astype(float).fillna(0)
    f["lease_clipped"] = out > gross + 1e-9
    f["land_m2"] = (gross - out).where(~f["lease_clipped"], 0.0)
    f["land_mu"] = m2_to_mu(f["land_m2"])
    return f, done


def correct(db: str | Path, version_id: int, changes: list[tuple[str, str, Any]], *, actor: str, note: str = "",
            objection_ids: Sequence[int] = ()) -> dict[str, Any]:
    """Re-evaluate a version's frozen inputs after corrections; store a new version; return the diff."""
    with store.open_store(db) as con:
        ensure_schema(con)
        row = _version_row(con, version_id)
        for oid in objection_ids:
            _objection(con, oid)
        scheme = scheme_from_text(row["scheme_text"], f"version:{version_id}")
        policy = policy_from_text(row["policy_text"], f"version:{version_id}")
        frame = service.frame_from_records(json.loads(row["inputs"]))
        context = json.loads(row["context"])
        new_frame, done = apply_changes(frame, changes, version_id)
        if not done:
            raise JiyueError(labels.ERR["no_change"].format(version=version_id))
        ev = service.evaluate_frame(new_frame, scheme, policy, int(row["year"]), context)
        prov = {**json.loads(row["provenance"] or "{}"), "corrects": version_id,
                "corrections": done, "input_sha256": service.input_hash(ev.frame, context, int(row["year"]))}
        old_doc = json.loads(row["document"])
        con.execute("BEGIN")
        try:
            at = dt.datetime.now()
            pub = publish(db, ev, scheme, policy, prov, actor=actor, note=note, supersedes=version_id, con=con, at=at)
            d = diff_documents(old_doc, pub["document"], done)
            for oid in objection_ids:
                has = con.execute("SELECT decision FROM mujun_decisions WHERE objection_id = ?", [oid]).fetchone()
                if has is None:
                    decide(db, oid, "accepted", actor=actor, note=note, version_id=pub["version_id"], con=con, at=at)
                _event(con, actor, "objection_resolved", pub["version_id"], oid, {"version_id": version_id},
                       {"version_id": pub["version_id"]}, at)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return {"version_id": pub["version_id"], "supersedes": version_id, "input_sha256": prov["input_sha256"],
            "corrections": done, "diff": d}


def diff(db: str | Path, old: int, new: int) -> dict[str, Any]:
    """The diff between two published versions."""
    with store.open_store(db, read_only=True) as con:
        a, b = _version_row(con, old), _version_row(con, new)
    ra = {r["enterprise_id"]: r for r in json.loads(a["inputs"])}
    rb = {r["enterprise_id"]: r for r in json.loads(b["inputs"])}
    changes = []
    for eid in sorted(set(ra) & set(rb)):
        for k in inputs.FRAME_COLUMNS:
            if ra[eid].get(k) != rb[eid].get(k):
                changes.append({"enterprise_id": eid, "field": k, "before": ra[eid].get(k), "after": rb[eid].get(k)})
    return diff_documents(json.loads(a["document"]), json.loads(b["document"]), changes)


RESULT_FIELDS = ("status", "group", "land_mu", "score", "rank", "class", "vetoed", "protected")


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
    return x == y


def diff_documents(old: dict[str, Any], new: dict[str, Any], input_changes: list[dict[str, Any]]) -> dict[str, Any]:
    """What changed between two result documents: inputs, benchmarks, each enterprise's result."""
    bench = []
    for g, items in new["benchmarks"].items():
        for k, b in items.items():
            before = old["benchmarks"].get(g, {}).get(k, {}).get("value")
            if not _same(before, b["value"]):
                bench.append({"group": g, "indicator": k, "before": before, "after": b["value"]})
    eo = {e["enterprise_id"]: e for e in old["enterprises"]}
    en = {e["enterprise_id"]: e for e in new["enterprises"]}
    ents = []
    for eid in sorted(set(eo) & set(en)):
        ch = {}
        for k in RESULT_FIELDS:
            if not _same(eo[eid].get(k), en[eid].get(k)):
                ch[k] = {"before": eo[eid].get(k), "after": en[eid].get(k)}
        ma = {m["key"]: m.get("amount_wan", m.get("text")) for m in eo[eid]["measures"]}
        mb = {m["key"]: m.get("amount_wan", m.get("text")) for m in en[eid]["measures"]}
        if ma != mb:
            ch["measures"] = {"before": ma, "after": mb}
        if ch:
            ents.append({"enterprise_id": eid, "name": en[eid].get("name"), "changes": ch})
    return {
        "from": (old.get("publication") or {}).get("version_id"),
        "to": (new.get("publication") or {}).get("version_id"),
        "inputs": input_changes,
        "benchmarks": bench,
        "enterprises": ents,
        "added": sorted(set(en) - set(eo)),
        "removed": sorted(set(eo) - set(en)),
        "class_changes": sum(1 for e in ents if "class" in e["changes"]),
        "score_changes": sum(1 for e in ents if "score" in e["changes"]),
    }
