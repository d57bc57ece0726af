"""The safety ledger over HTTP: roles (inspector records, enterprise submits for its own hazards
only — 403 and audited otherwise — bureau closes), every write audited, the enterprise file."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parents[1] / "web"))

from safety_support import make_store  # noqa: E402
from web_factories import DEMO_PASSWORD, make_app, sign_in  # noqa: E402

PDF = ("整改验收.pdf", b"%PDF-1.4 minimal", "application/pdf")


def seed(db: Path) -> dict[str, int]:
    from jiyue.safety import service
    from jiyue.store import open_store

    with open_store(db, spatial=False) as con:
        service.create_campaign(con, name="春节前检查", start=dt.date(2021, 1, 10), end=dt.date(2021, 2, 2), user="张三")
        a = service.record_inspection(con, campaign_id=None, on=dt.date(2021, 1, 12), group="第一检查组",
                                      inspectors=["张三", "李四"], enterprise="E1", user="张三",
                                      hazards=[{"description": "配电箱未接地", "level": "一般"}])
        b = service.record_inspection(con, campaign_id=None, on=dt.date(2021, 1, 12), group="第二检查组",
                                      inspectors=["王五"], enterprise="E2", user="王五",
                                      hazards=[{"description": "叉车未年检", "level": "一般"}])
        for hid in (a["hazards"][0], b["hazards"][0]):
            service.rectify(con, hid, on=dt.date(2021, 1, 12), plan={"measures": "整改", "responsible_person": "主任"},
                            user="张三")
    return {"e1": a["hazards"][0], "e2": b["hazards"][0]}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from jiyue.web import security, users

    db = make_store(tmp_path_factory.mktemp("safety_web") / "jiyue.duckdb")
    ids = seed(db)
    app = make_app(db)
    with app.state.ctx.store.write() as w:
        for name, eid in (("qiye1", "E1"), ("qiye2", "E2")):
            users.insert_user(w, username=name, display_name=f"企业{eid}", role=users.ENTERPRISE, enterprise_id=eid,
                              password_hash=security.hash_password(DEMO_PASSWORD))
    clients = {}

    def as_(who):
        if who not in clients:
            clients[who] = sign_in(app, who, DEMO_PASSWORD)
        return clients[who]

    yield app, ids, as_, db
    app.state.ctx.store.close()


def _audit(app, action):
    with app.state.ctx.store.cursor() as cur:
        return cur.execute("SELECT username, target, after FROM web_audit WHERE action = ? ORDER BY event_id",
                           [action]).fetchall()


def test_pages_by_role(site):
    app, ids, as_, _ = site
    for who in ("clerk", "inspector", "viewer"):
        r = as_(who).get("/safety")
        assert r.status_code == 200 and "隐患排查治理" in r.text and "配电箱未接地" in r.text
        assert "共出动检查组2组，出动人员3人次" in r.text
    r = as_("qiye1").get("/safety")
    assert r.status_code == 200 and "配电箱未接地" in r.text and "叉车未年检" not in r.text
    assert as_("qiye1").get(f"/safety/hazards/{ids['e1']}").status_code == 200
    assert as_("qiye1").get(f"/safety/hazards/{ids['e2']}").status_code == 403
    assert as_("qiye1").get("/api/safety/stats").status_code == 403
    j = as_("viewer").get("/api/safety/stats").json()
    assert j["total"]["groups"] == 2 and j["sentence"].startswith("共出动检查组2组")


def test_enterprise_cannot_submit_for_another_enterprise(site):
    app, ids, as_, _ = site
    r = as_("qiye1").post(f"/safety/hazards/{ids['e2']}/submit", {"date": "2021-01-15"}, files={"evidence": PDF})
    assert r.status_code == 403 and "属于其他企业" in r.text
    rows = _audit(app, "safety.forbidden")
    assert rows and rows[-1][0] == "qiye1" and rows[-1][1] == f"safety_hazard:{ids['e2']}"
    # an inspector holds no submit permission at all
    assert as_("inspector").post(f"/safety/hazards/{ids['e2']}/submit", {"date": "2021-01-15"},
                                 files={"evidence": PDF}).status_code == 403
    with app.state.ctx.store.cursor() as cur:
        state = cur.execute("SELECT state FROM safety_hazards WHERE hazard_id = ?", [ids["e2"]]).fetchone()[0]
    assert state == "rectifying"


def test_full_cycle_roles_and_audit(site):
    app, ids, as_, _ = site
    h = ids["e1"]
    # the bureau cannot close before re-inspection: refused, page says why, audited
    r = as_("clerk").post(f"/safety/hazards/{h}/close", {"date": "2021-01-15"})
    assert r.status_code == 400 and "尚未经复查合格" in r.text
    assert _audit(app, "safety.refused")[-1][1] == f"safety_hazard:{h}"
    # a viewer may not record anything
    assert as_("viewer").post(f"/safety/hazards/{h}/reinspect", {"date": "2021-01-16"}).status_code == 403
    # the enterprise submits its own rectification with evidence
    r = as_("qiye1").post(f"/safety/hazards/{h}/submit", {"date": "2021-01-15", "note": "已接地"},
                          files={"evidence": PDF})
    assert r.status_code == 303, r.text[:500]
    # dates in the wrong order are refused
    r = as_("inspector").post(f"/safety/hazards/{h}/reinspect", {"date": "2021-01-14", "reviewer": "李四"})
    assert r.status_code == 400 and "日期顺序不对" in r.text
    assert as_("inspector").post(f"/safety/hazards/{h}/reinspect",
                                 {"date": "2021-01-16", "reviewer": "李四"}).status_code == 303
    # an inspector cannot close; the bureau does
    assert as_("inspector").post(f"/safety/hazards/{h}/close", {"date": "2021-01-16"}).status_code == 403
    assert as_("clerk").post(f"/safety/hazards/{h}/close", {"date": "2021-01-16"}).status_code == 303
    page = as_("clerk").get(f"/safety/hazards/{h}")
    assert 'data-state="closed"' in page.text and "整改验收.pdf" in page.text
    actions = [a for a in ("safety.submit", "safety.reinspect", "safety.close") if _audit(app, a)]
    assert actions == ["safety.submit", "safety.reinspect", "safety.close"]
    assert _audit(app, "safety.submit")[-1][0] == "qiye1"
    # evidence download: the owner and the bureau yes, another enterprise no
    ev_id = int(page.text.split("/safety/evidence/")[1].split('"')[0])
    assert as_("qiye1").get(f"/safety/evidence/{ev_id}").content == PDF[1]
    assert as_("qiye2").get(f"/safety/evidence/{ev_id}").status_code == 403


def test_inspector_records_an_inspection_and_enterprise_file_shows_history(site):
    app, ids, as_, _ = site
    r = as_("inspector").post("/safety/inspections", {
        "campaign": "1", "date": "2021-01-20", "group": "第三检查组", "inspectors": "赵六、孙七", "enterprise": "E3",
        "mode": "四不两直", "description": "液氨车间未设泄漏报警", "level": "重大", "item": "第十二条第（三）项"})
    assert r.status_code == 303
    new = int(r.headers["location"].split("/safety/hazards/")[1].split("?")[0])
    assert _audit(app, "safety.inspect") and _audit(app, "safety.found")[-1][1] == f"safety_hazard:{new}"
    # a bad level is refused with the reason, and audited
    r = as_("inspector").post("/safety/inspections", {
        "campaign": "1", "date": "2021-01-20", "group": "第三检查组", "inspectors": "赵六", "enterprise": "E3",
        "description": "x", "level": "特大"})
    assert r.status_code == 400 and "隐患等级「特大」不在规则中" in r.text
    page = as_("clerk").get("/enterprises/E3")
    assert page.status_code == 200 and "安全生产隐患排查治理记录" in page.text and "液氨车间未设泄漏报警" in page.text


def test_refused_web_change_leaves_ledger_unchanged(site):
    app, ids, as_, _ = site
    h = ids["e2"]

    def ledger():
        with app.state.ctx.store.cursor() as cur:
            return [cur.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                    for t in ("safety_hazards", "safety_events", "safety_evidence")]

    before = ledger()
    r = as_("qiye2").post(f"/safety/hazards/{h}/submit", {"date": "2021-01-15"})   # no evidence
    assert r.status_code == 400 and "证明材料" in r.text
    assert ledger() == before
