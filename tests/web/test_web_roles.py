"""Who may do what: the roles matrix, enterprise isolation (403 on every other enterprise),
confirmations and objections, user management, the audit trail."""

from __future__ import annotations

import pytest

from web_factories import DEMO_ZONE


def test_roles_matrix_is_data_and_checked_in_one_place():
    from jiyue.web.users import PERMISSIONS, ROLES, can

    assert set(ROLES) == {"admin", "bureau", "inspector", "enterprise", "viewer"}
    assert can("admin", "manage_users") and not can("bureau", "manage_users")
    assert can("inspector", "edit_ledger") and not can("inspector", "upload")
    assert not can("viewer", "edit_ledger") and can("viewer", "view_zone")
    assert [p for p in PERMISSIONS if can("enterprise", p)] == ["confirm_own", "object_own", "submit_rectification"]
    assert not can("admin", "no_such_permission")


@pytest.mark.parametrize("url, allowed", [
    ("/dashboard", {"admin", "clerk", "inspector", "viewer"}),
    ("/map", {"admin", "clerk", "inspector", "viewer"}),
    ("/ledger", {"admin", "clerk", "inspector", "viewer"}),
    ("/upload", {"admin", "clerk"}),
    ("/reports", {"admin", "clerk", "inspector", "viewer"}),
    ("/admin/users", {"admin"}),
    ("/admin/audit", {"admin"}),
    (f"/api/zones/{DEMO_ZONE}/dashboard", {"admin", "clerk", "inspector", "viewer"}),
    ("/api/audit", {"admin"}),
])
def test_page_access_by_role(as_role, url, allowed):
    for who in ("admin", "clerk", "inspector", "viewer", "qiye1"):
        r = as_role(who).get(url, follow_redirects=False)
        assert (r.status_code == 200) == (who in allowed), (who, url, r.status_code)
        if who not in allowed:
            assert r.status_code == 403


def test_enterprise_sees_only_its_own_file(as_role):
    me = as_role("qiye1")
    own = me.get("/api/me").json()["user"]["enterprise_id"]
    other = as_role("qiye2").get("/api/me").json()["user"]["enterprise_id"]
    assert own and other and own != other
    assert me.get(f"/enterprises/{own}").status_code == 200
    assert me.get(f"/api/enterprises/{own}").json()["enterprise"]["enterprise_id"] == own
    for url in (f"/enterprises/{other}", f"/api/enterprises/{other}", "/enterprises/E-9999",
                "/api/enterprises/E-9999", f"/api/zones/{DEMO_ZONE}/enterprises",
                f"/api/zones/{DEMO_ZONE}/parcels/LC-000001", f"/api/zones/{DEMO_ZONE}/mujun-classes",
                f"/map/card/LC-000001?zone={DEMO_ZONE}"):
        r = me.get(url)
        assert r.status_code == 403, url
    assert "只能查看和确认本企业的数据" in me.get(f"/enterprises/{other}").text
    body = me.get(f"/api/enterprises/{other}").json()
    assert body["error"]["code"] == "forbidden"
    r = me.get("/enterprises", follow_redirects=False)  # the list sends an enterprise to its own file
    assert r.status_code == 303 and r.headers["location"] == f"/enterprises/{own}"
    # tiles of the map are staff-only too
    assert me.get(f"/api/zones/{DEMO_ZONE}/tiles/1/14/13470/6408.pbf").status_code == 403


def test_enterprise_confirms_and_objects_only_for_itself(as_role):
    me = as_role("qiye1")
    own = me.get("/api/me").json()["user"]["enterprise_id"]
    other = as_role("qiye2").get("/api/me").json()["user"]["enterprise_id"]
    assert me.post(f"/enterprises/{other}/confirm", {"year": "2020", "what": "data"}).status_code == 403
    assert me.post(f"/enterprises/{other}/objections", {"year": "2020", "subject": "land", "text": "x"}).status_code == 403
    r = me.post(f"/enterprises/{own}/confirm", {"year": "2020", "what": "data", "note": "用地面积无误"})
    assert r.status_code == 303
    r = me.post(f"/enterprises/{own}/objections", {"year": "2020", "subject": "tax", "text": "2020年税收少计 12 万元"})
    assert r.status_code == 303
    r = me.post(f"/enterprises/{own}/objections", {"year": "2020", "subject": "tax", "text": "   "})
    assert r.status_code == 400 and "请填写异议内容" in r.text
    doc = me.get(f"/api/enterprises/{own}").json()
    assert [c["what"] for c in doc["confirmations"]] == ["data"]
    (o,) = doc["objections"]
    assert o["status"] == "open" and o["text"] == "2020年税收少计 12 万元"
    # staff cannot confirm on behalf of an enterprise; a viewer cannot answer
    assert as_role("clerk").post(f"/enterprises/{own}/confirm", {"year": "2020", "what": "data"}).status_code == 403
    assert as_role("viewer").post(f"/objections/{o['objection_id']}/answer",
                                  {"status": "accepted", "answer": "x"}).status_code == 403
    r = as_role("clerk").post(f"/objections/{o['objection_id']}/answer",
                              {"status": "accepted", "answer": "已核实，将更正税收数据。"})
    assert r.status_code == 303
    o2 = me.get(f"/api/enterprises/{own}").json()["objections"][0]
    assert o2["status"] == "accepted" and o2["answered_by"] == "clerk"
    events = as_role("admin").get("/api/audit?action=objection.").json()["events"]
    answer = next(e for e in events if e["action"] == "objection.answer")
    assert answer["before"]["status"] == "open" and answer["after"]["status"] == "accepted"
    assert answer["username"] == "clerk" and answer["at"]


def test_admin_creates_users_and_cannot_remove_the_last_admin(as_role):
    admin = as_role("admin")
    r = admin.post("/admin/users", {"username": "zhang.san", "display_name": "张三", "role": "enterprise",
                                     "enterprise_id": "E-0003", "password": ""})
    assert r.status_code == 200 and "zhang.san" in r.text and 'id="created-password"' in r.text
    r = admin.post("/admin/users", {"username": "li", "role": "enterprise", "enterprise_id": "NOPE",
                                     "password": "long-enough-1"})
    assert r.status_code == 400 and "企业用户必须关联一个已有的企业编号" in r.text
    r = admin.post("/admin/users", {"username": "bad name!", "role": "viewer", "password": "long-enough-1"})
    assert r.status_code == 400
    r = admin.post("/admin/users", {"username": "zhang.san", "role": "viewer", "password": "long-enough-1"})
    assert r.status_code == 400 and "已存在" in r.text
    admin_id = admin.get("/api/me").json()["user"]["user_id"]
    r = admin.post(f"/admin/users/{admin_id}", {"role": "viewer", "active": "true"})
    assert r.status_code == 400 and "最后一个管理员" in r.text
    ev = admin.get("/api/audit?action=user.create").json()["events"]
    created = next(e for e in ev if e["after"]["username"] == "zhang.san")
    assert created["before"] is None and created["after"]["enterprise_id"] == "E-0003"
    assert "password" not in created["after"] and "password_hash" not in created["after"]


def test_every_write_is_audited_with_who_and_when(as_role):
    admin = as_role("admin")
    events = admin.get("/api/audit?limit=1000").json()["events"]
    actions = {e["action"] for e in events}
    assert {"user.bootstrap", "user.create", "login.ok"} <= actions
    for e in events:
        assert e["at"] and e["action"] and e["username"]
