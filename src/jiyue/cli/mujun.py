"""Per-mu evaluation commands (亩均效益评价).

\b
  jiyue mujun PKG|--db FILE --year Y --scheme NAME|FILE [--policy NAME|FILE] [--format json|table|xlsx] [--out PATH]
  jiyue mujun-publish [PKG] --db FILE --year Y --scheme NAME|FILE     freeze a result as a version
  jiyue mujun-version list|show|diff --db FILE                         published versions
  jiyue mujun-objection file|decide|list --db FILE                     objections with evidence
  jiyue mujun-correct --db FILE --version V --set E.field=value …      correction → new version + diff
  jiyue mujun-correct --db FILE --objection N                         apply an accepted objection's request
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from jiyue.cli import cli, guarded
from jiyue.cli.dbparam import DB

FORMATS = click.Choice(["json", "table", "xlsx"])


def _emit(doc: Any, fmt: str, out: Path | None, *, table: str | None = None) -> None:
    from jiyue.errors import UsageError
    from jiyue.mujun import labels

    if fmt == "xlsx":
        if out is None:
            raise UsageError(labels.ERR["xlsx_out"])
        from jiyue.mujun.render import write_xlsx

        write_xlsx(doc, out)
        click.echo(labels.DONE["xlsx"].format(out=out))
        return
    text = json.dumps(doc, ensure_ascii=False, indent=1) if fmt == "json" or table is None else table
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(labels.DONE["written"].format(out=out))
    else:
        click.echo(text)


def _source_options(fn: Any) -> Any:
    fn = click.option("--leases", type=click.Path(path_type=Path),
                      help="Lease table (CSV/XLSX: lessee_id, lessor_id, land_m2 | floor_m2 + parcel_id, "
                           "start_year, end_year).")(fn)
    fn = click.option("--zone", help="Only enterprises of this zone (zone_code).")(fn)
    fn = click.option("--policy", help="Policy table: a built-in name or a .toml file (default: the scheme's).")(fn)
    fn = click.option("--scheme", required=True, help="A built-in scheme name (huangyan-2022, linhai-2016, "
                      "jingde-2022, shandong-2019, …) or a scheme .toml file.")(fn)
    fn = click.option("--year", type=int, help="Evaluation year (default: the latest year with enterprise data).")(fn)
    return fn


@cli.command("mujun")
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@click.option("--db", type=DB, help="Evaluate the enterprises in this store instead of a package.")
@_source_options
@click.option("--format", "fmt", type=FORMATS, default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write here instead of standard output (xlsx needs it).")
@guarded(internal_exit=2)
def mujun(pkg: Path | None, db: Path | None, year: int | None, scheme: str, policy: str | None, zone: str | None,
          leases: Path | None, fmt: str, out: Path | None) -> None:
    """Per-mu efficiency evaluation (亩均效益): scores, ranks, classes, measures, aggregates."""
    from jiyue.errors import UsageError
    from jiyue.mujun import labels, render, service

    if fmt == "xlsx" and out is None:
        raise UsageError(labels.ERR["xlsx_out"])
    doc = service.evaluate(pkg, db, scheme=scheme, year=year, policy=policy, zone=zone, leases=leases)
    _emit(doc, fmt, out, table=render.table(doc) if fmt == "table" else None)


@cli.command("mujun-publish")
@click.argument("pkg", required=False, type=click.Path(path_type=Path))
@click.option("--db", type=DB, required=True,
              help="The store that keeps the published versions (and the input data when no PKG is given).")
@_source_options
@click.option("--actor", help="Who publishes (default: the login name).")
@click.option("--note", default="", help="A note kept with the version.")
@guarded(internal_exit=2)
def mujun_publish(pkg: Path | None, db: Path, year: int | None, scheme: str, policy: str | None, zone: str | None,
                  leases: Path | None, actor: str | None, note: str) -> None:
    """Publish a per-mu result as a frozen version (scheme, input hash, results)."""
    from jiyue.mujun import labels, ledger, service

    ev, sch, pol, prov = service.run(pkg, None if pkg is not None else db, scheme=scheme, year=year, policy=policy,
                                     zone=zone, leases=leases)
    if pkg is not None:
        prov["package"] = str(pkg)
    res = ledger.publish(db, ev, sch, pol, prov, actor=actor or ledger.default_actor(), note=note)
    click.echo(labels.DONE["published"].format(version=res["version_id"], year=ev.year, scheme=sch.name,
                                               scheme_version=sch.version, n=len(res["document"]["enterprises"]),
                                               sha=str(res["input_sha256"])[:12]))


@cli.group("mujun-version")
def mujun_version() -> None:
    """Published per-mu versions: list, show, diff."""


@mujun_version.command("list")
@click.option("--db", type=DB, required=True)
@click.option("--year", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@guarded(internal_exit=2)
def version_list(db: Path, year: int | None, fmt: str) -> None:
    """List published versions (newest first)."""
    from jiyue.mujun import ledger

    vs = ledger.versions(db, year)
    if fmt == "json":
        click.echo(json.dumps(vs, ensure_ascii=False, indent=1))
        return
    if not vs:
        click.echo("尚无发布版本")
    for v in vs:
        extra = (f"  取代版本 {v['supersedes']}" if v["supersedes"] else "") + \
                (f"  已被版本 {v['superseded_by']} 取代" if v["superseded_by"] else "")
        click.echo(f"版本 {v['version_id']}  {v['year']}年度  {v['scheme_name']} {v['scheme_version']}  "
                   f"{v['enterprises']} 家企业  异议 {v['objections']} 件  {v['created_at']}  {v['actor']}{extra}")


@mujun_version.command("show")
@click.option("--db", type=DB, required=True)
@click.option("--version", "version_id", type=int, required=True)
@click.option("--format", "fmt", type=FORMATS, default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path))
@guarded(internal_exit=2)
def version_show(db: Path, version_id: int, fmt: str, out: Path | None) -> None:
    """The frozen result document of a version (same shape as `jiyue mujun`)."""
    from jiyue.mujun import ledger, render

    doc = ledger.show(db, version_id)
    _emit(doc, fmt, out, table=render.table(doc) if fmt == "table" else None)


TEXT_OR_JSON = click.Choice(["text", "json"])


@mujun_version.command("diff")
@click.option("--db", type=DB, required=True)
@click.option("--from", "old", type=int, required=True)
@click.option("--to", "new", type=int, required=True)
@click.option("--format", "fmt", type=TEXT_OR_JSON, default="text", show_default=True,
              help="text: in words (Chinese); json: the diff document.")
@guarded(internal_exit=2)
def version_diff(db: Path, old: int, new: int, fmt: str) -> None:
    """What changed between two versions (inputs, benchmarks, results)."""
    from jiyue.mujun import ledger, render

    d = ledger.diff(db, old, new)
    if fmt == "json":
        click.echo(json.dumps(d, ensure_ascii=False, indent=1))
        return
    click.echo(render.diff_text(d, ledger.show(db, new)))


@cli.group("mujun-objection")
def mujun_objection() -> None:
    """Objections to published per-mu results: file, decide, list."""


def _requested(pairs: tuple[str, ...], enterprise: str) -> dict[str, Any]:
    """``tax_wan=300`` or, as with ``mujun-correct --set``, ``ENTERPRISE.tax_wan=300``."""
    from jiyue.mujun import ledger

    return dict(ledger.parse_request(p, enterprise) for p in pairs)


@mujun_objection.command("file")
@click.option("--db", type=DB, required=True)
@click.option("--version", "version_id", type=int, required=True)
@click.option("--enterprise", required=True, help="enterprise_id the objection is about.")
@click.option("--claim", required=True, help="What the enterprise disputes (text).")
@click.option("--evidence", multiple=True, type=click.Path(path_type=Path), help="Evidence file (repeatable).")
@click.option("--request", "requests", multiple=True, help="Requested correction FIELD=VALUE or "
              "ENTERPRISE.FIELD=VALUE, as with mujun-correct --set (repeatable).")
@click.option("--actor")
@guarded(internal_exit=2)
def objection_file(db: Path, version_id: int, enterprise: str, claim: str, evidence: tuple[Path, ...],
                   requests: tuple[str, ...], actor: str | None) -> None:
    """Record an objection with its evidence."""
    from jiyue.mujun import labels, ledger

    rec = ledger.file_objection(db, version_id, enterprise, claim, actor=actor or ledger.default_actor(),
                                evidence=list(evidence), requested=_requested(requests, enterprise))
    click.echo(labels.DONE["objection"].format(objection=rec["objection_id"], version=version_id, enterprise=enterprise))


@mujun_objection.command("decide")
@click.option("--db", type=DB, required=True)
@click.option("--objection", "objection_id", type=int, required=True)
@click.option("--accept/--reject", "accept", required=True)
@click.option("--note", default="")
@click.option("--actor")
@guarded(internal_exit=2)
def objection_decide(db: Path, objection_id: int, accept: bool, note: str, actor: str | None) -> None:
    """Accept or reject an objection (a correction is made with `jiyue mujun-correct`)."""
    from jiyue.mujun import labels, ledger

    decision = "accepted" if accept else "rejected"
    ledger.decide(db, objection_id, decision, actor=actor or ledger.default_actor(), note=note)
    click.echo(labels.DONE["decided"].format(objection=objection_id, decision=labels.DECISIONS[decision]))


@mujun_objection.command("list")
@click.option("--db", type=DB, required=True)
@click.option("--version", "version_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True)
@guarded(internal_exit=2)
def objection_list(db: Path, version_id: int | None, fmt: str) -> None:
    """List objections and their decisions."""
    from jiyue.mujun import labels, ledger

    recs = ledger.objections(db, version_id)
    if fmt == "json":
        click.echo(json.dumps(recs, ensure_ascii=False, indent=1))
        return
    if not recs:
        click.echo("尚无异议")
    for r in recs:
        dec = labels.DECISIONS.get(r["decision"], "待决定") if r["decision"] else "待决定"
        click.echo(f"异议 {r['objection_id']}  版本 {r['version_id']}  企业 {r['enterprise_id']}  {r['filed_at']}  "
                   f"{r['claim']}  证据 {len(r['evidence'])} 份  {dec}")


@cli.command("mujun-correct")
@click.option("--db", type=DB, required=True)
@click.option("--version", "version_id", type=int, help="The published version to correct (default: the version "
              "the --objection is about).")
@click.option("--set", "sets", multiple=True, help="A correction ENTERPRISE.FIELD=VALUE (repeatable).")
@click.option("--corrections", type=click.Path(path_type=Path),
              help="Corrections file (CSV/XLSX: enterprise_id, field, value).")
@click.option("--objection", "objections", multiple=True, type=int,
              help="Objection(s) this correction resolves (accepted if still undecided). Without --set and "
                   "--corrections: apply the corrections the accepted objection(s) requested.")
@click.option("--actor")
@click.option("--note", default="")
@click.option("--format", "fmt", type=TEXT_OR_JSON, default="text", show_default=True,
              help="text: the changes in words (Chinese); json: the correction document with its diff.")
@guarded(internal_exit=2)
def mujun_correct(db: Path, version_id: int | None, sets: tuple[str, ...], corrections: Path | None,
                  objections: tuple[int, ...], actor: str | None, note: str, fmt: str) -> None:
    """Correct a published version: re-evaluate, store a new version, print what changed."""
    from jiyue.errors import UsageError
    from jiyue.mujun import labels, ledger, render

    changes = [ledger.parse_change(s) for s in sets]
    if corrections is not None:
        changes += ledger.read_changes(corrections)
    if version_id is None:
        if not objections:
            raise UsageError(labels.ERR["version_needed"])
        version_id = ledger.objections_version(db, list(objections))
    if not changes:
        if not objections:
            raise UsageError(labels.ERR["correction_none"])
        changes = ledger.changes_from_objections(db, list(objections))
    res = ledger.correct(db, version_id, changes, actor=actor or ledger.default_actor(), note=note,
                         objection_ids=list(objections))
    done = labels.DONE["corrected"].format(version=res["version_id"], old=version_id,
                                           changed=len(res["diff"]["enterprises"]))
    if fmt == "json":
        click.echo(done, err=True)
        click.echo(json.dumps(res, ensure_ascii=False, indent=1))
        return
    click.echo(render.diff_text(res["diff"], ledger.show(db, res["version_id"]), head=done))
