"""The idle-land campaign ledger through the web: open a campaign, plan, progress, close —
never without evidence — and every step audited."""

from __future__ import annotations

import re

import pytest

from web_factories import DEMO_ZONE


def ctx_cursor(client):
    return client.http.app.state.ctx.store.cursor()


@pytest.fixture(scope="module")
def item(as_role):
    clerk = as_role("clerk")
    r = clerk.post("/ledger/campaigns", {"since": "2010", "as_of": "", "zone": DEMO_ZONE, "name": "测试专项排查"})
    assert r.status_code == 303
    page = clerk.get(r.headers["location"]).text
    cid, parcel = re.findall(r'href="/ledger/(\d+)/items/([^"]+)"', page)[0]
    return int(cid), parcel


def reviewers(client, cid: int, parcel: str) -> dict[str, str]:
    """The reviewer list of an item's close form: user name -> user id."""
    page = client.get(f"/ledger/{cid}/items/{parcel}").text
    select = re.search(r'<select name="reviewer_id".*?</select>', page, re.S)
    assert select
    return {name: uid for uid, name in re.findall(r'<option value="(\d+)">[^<（]*（([^，]+)，', select.group(0))}


def test_campaign_lists_parcels_in_breach(as_role, item):
    doc = as_role("viewer").get(f"/api/ledger?campaign={item[0]}").json()["ledger"]
    assert doc["campaign"]["name"] == "测试专项排查"
    breach = [i for i in doc["items"] if i["in_breach"]]
    assert breach and all(i["state"] == "open" for i in breach)


def test_viewer_cannot_change_the_ledger(as_role, item):
    cid, parcel = item
    v = as_role("viewer")
    assert v.post(f"/ledger/{cid}/items/{parcel}/progress", {"date": "2021-01-01"}).status_code == 403
    assert v.post("/ledger/campaigns", {"since": "2010", "zone": DEMO_ZONE}).status_code == 403


def test_item_cannot_be_closed_without_evidence(as_role, item):
    cid, parcel = item
    c = as_role("inspector")
    clerk_id = reviewers(c, cid, parcel)["clerk"]
    r = c.post(f"/ledger/{cid}/items/{parcel}/close", {"reviewer_id": clerk_id, "outcome": "rectified"})
    assert r.status_code == 400 and "销号必须上传证明材料" in r.text
    r = c.post(f"/ledger/{cid}/items/{parcel}/close", {"reviewer_id": clerk_id, "outcome": "rectified"},
               files={"evidence": ("photo.jpg", b"not a jpeg", "image/jpeg")})
    assert r.status_code == 415 and "文件内容与扩展名" in r.text
    state = c.get(f"/ledger/{cid}/items/{parcel}").text
    assert 'data-state="closed"' not in state


def test_plan_progress_and_close_with_evidence(as_role, item):
    cid, parcel = item
    clerk, insp = as_role("clerk"), as_role("inspector")
    r = clerk.post(f"/ledger/{cid}/items/{parcel}/plan", {"option": "rectify", "until": "2021-06-30"})
    assert r.status_code == 303
    r = insp.post(f"/ledger/{cid}/items/{parcel}/progress", {"date": "2021-03-01", "note": "已约谈企业",
                                                              "area_revitalised_m2": "abc"})
    assert r.status_code == 400
    r = insp.post(f"/ledger/{cid}/items/{parcel}/progress", {"date": "2021-03-01", "note": "已约谈企业"})
    assert r.status_code == 303
    eligible = reviewers(insp, cid, parcel)
    assert set(eligible) == {"admin", "clerk"}  # active users who may close, not the closer, not viewer/enterprise
    with ctx_cursor(insp) as cur:
        ids = dict(cur.execute("SELECT username, CAST(user_id AS VARCHAR) FROM web_users").fetchall())
    pdf = {"evidence": ("验收报告.pdf", b"%PDF-1.4 minimal", "application/pdf")}
    for bad in (ids["inspector"], ids["viewer"], ids["qiye1"], "999999", "分局工作人员", ""):
        r = insp.post(f"/ledger/{cid}/items/{parcel}/close", {"reviewer_id": bad, "outcome": "rectified"}, files=pdf)
        assert r.status_code == 400 and "复核人" in r.text, bad  # checked by user id on the server
    r = insp.post(f"/ledger/{cid}/items/{parcel}/close", {"reviewer_id": eligible["clerk"], "outcome": "rectified"},
                  files=pdf)
    assert r.status_code == 303
    page = insp.get(f"/ledger/{cid}/items/{parcel}").text
    assert 'data-state="closed"' in page
    (ev,) = re.findall(r'href="/ledger/evidence/(\d+)"', page)
    f = insp.get(f"/ledger/evidence/{ev}")
    assert f.content == b"%PDF-1.4 minimal" and "attachment" in f.headers["content-disposition"]
    r = insp.post(f"/ledger/{cid}/items/{parcel}/progress", {"date": "2021-07-01"})
    assert r.status_code == 400  # a closed item takes no more changes
    audit = as_role("admin").get("/api/audit?action=ledger.").json()["events"]
    kinds = [e["action"] for e in audit]
    assert {"ledger.open", "ledger.plan", "ledger.progress", "ledger.close", "ledger.close_refused"} <= set(kinds)
    close = next(e for e in audit if e["action"] == "ledger.close")
    assert close["before"]["state"] == "in_progress" and close["after"]["state"] == "closed"
    assert close["username"] == "inspector"
    assert close["after"]["outcome"]["reviewer"] == "分局工作人员（clerk）"
    refused = [e["after"] for e in audit if e["action"] == "ledger.close_refused"]
    assert sum(r["reason"] == "reviewer_not_eligible" for r in refused) == 6
