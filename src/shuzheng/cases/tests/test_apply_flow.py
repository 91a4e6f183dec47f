"""The citizen's apply flow (issue 17): the 智能导办 situation carries into the form and onto
the case (defect 5), the 秒批 result comes first on the page landed on (defect 7), 撤回 and
删除草稿 are confirmed (defect 8), 邮寄送达 needs an address and the posting is tracked."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.support import PDF

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case, CaseEvent
from shuzheng.catalog.demo import seed_catalog
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))

GAOLING = "44120030500001000000B"  # 高龄津贴申领 (秒批)
RESIDENCE = "44120032000007000000T"  # 居住证申领 (Q1 住房, Q2 在本市的情况)
ID_CARD = "441200307000030000000"  # 居民身份证换领 (领取方式: 窗口领取 / 邮寄送达; 市公安局)
SSC = "441200320000060000009"  # 社会保障卡申领 (领取方式 too; 市人社局, no fee)


@pytest.fixture(autouse=True)
def demo_catalog():
    from shuzheng.rules.services import rule_sets_seed

    with time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=TZ), tick=False):
        seed_catalog()
        rule_sets_seed()
        yield


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def html(response) -> str:
    return response.content.decode()


def material_inputs(page: str) -> set[str]:
    """The material codes the apply form asks for (its file inputs)."""
    return set(re.findall(r'name="material-(M\d+)"', page))


def required_inputs(page: str) -> set[str]:
    return set(re.findall(r'name="material-(M\d+)"[^>]*aria-required="true"', page))


def filled_form(api, code: str, who: str, **values) -> dict:
    """The item's form as the prepare endpoint prefills it, every other required field given."""
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={code}", who=who).json()
    schema = prep["form_schema"]
    form = dict(prep["prefill"])
    for name, prop in schema["properties"].items():
        if name in form or name not in schema.get("required", []):
            continue
        if "enum" in prop:
            form[name] = prop["enum"][0]
        elif prop.get("format") == "date":
            form[name] = "2026-11-01"
        elif prop.get("type") in ("integer", "number"):
            form[name] = 1
        elif prop.get("type") == "boolean":
            form[name] = True
        else:
            form[name] = "测试"
    form.update(values)
    return form


def uploads(cases, who: str, codes: list[str]) -> list[dict]:
    return [{"material_code": c, "file_id": cases.upload(who)} for c in codes]


# --- defect 5: the situation chosen in the guide -------------------------------------------------


def test_the_form_asks_only_for_the_chosen_situations_materials():
    elder = login("demo-elder")
    every = html(elder.get(f"/cases/apply/{GAOLING}/"))
    assert {"M4", "M5", "M6"} <= material_inputs(every)  # no answers: everything, optional
    assert 'data-testid="guide-form"' in every  # the guide's questions are offered first
    page = html(elder.get(f"/cases/apply/{GAOLING}/", {"Q1": "self"}))  # 老人本人
    assert material_inputs(page) == {"M1", "M2", "M3"}
    assert "代理人" not in page and "授权委托书" not in page
    assert '<input type="hidden" name="guide-Q1" value="self">' in page
    assert "谁来办理？ <strong>老人本人</strong>" in page
    # 居住证 for someone renting and working: no 营业执照, no 学生证; the lease is required
    page = html(login("demo-citizen").get(f"/cases/apply/{RESIDENCE}/?Q1=rent&Q2=job"))
    assert material_inputs(page) == {"M1", "M2", "M3", "M5"}
    assert "营业执照" not in page and "学生证" not in page
    assert {"M3", "M5"} <= required_inputs(page) | {"M1"}  # M1 may be a licence choice
    assert "M3" in required_inputs(page)
    # an answer that is no option is ignored on the page (all materials asked, as unguided)
    assert material_inputs(html(elder.get(f"/cases/apply/{GAOLING}/", {"Q1": "dragon"}))) == {
        "M1",
        "M2",
        "M3",
        "M4",
        "M5",
        "M6",
    }


def test_the_chosen_situation_decides_what_is_required_and_is_recorded(api, cases):
    who = "demo-citizen"
    form = filled_form(api, RESIDENCE, who)
    answers = {"Q1": "rent", "Q2": "job"}
    before = Case.objects.count()
    r = api.call(
        "POST",
        "/api/v1/cases",
        who=who,
        json_body={
            "item_code": RESIDENCE,
            "form": form,
            "answers": answers,
            "materials": uploads(cases, who, ["M1", "M2"]),
        },
    )
    assert r.status_code == 422, r.content
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert fields["materials.M3"] == "缺少必需材料：房屋租赁合同"
    assert fields["materials.M5"] == "缺少必需材料：劳动合同或单位出具的就业证明"
    assert Case.objects.count() == before
    r = api.call(
        "POST",
        "/api/v1/cases",
        who=who,
        json_body={"item_code": RESIDENCE, "form": form, "answers": {"Q1": "castle"}},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "answers.Q1"
    assert "您现在住的是？" in r.json()["errors"][0]["message"]
    r = api.call(
        "POST",
        "/api/v1/cases",
        who=who,
        json_body={
            "item_code": RESIDENCE,
            "form": form,
            "answers": answers,
            "materials": uploads(cases, who, ["M1", "M2", "M3", "M5"]),
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["situation"]["answers"] == answers
    assert body["situation"]["names"] == ["租房居住", "在单位就业"]
    # the clerk reads the situation on the case's timeline
    desk = html(login("demo-clerk").get(f"/workbench/cases/{body['case_no']}/"))
    assert (
        "智能导办：您现在住的是？租的房子；您在本市的情况是？上班（情形：租房居住；在单位就业）"
        in desk
    )
    mine = html(login(who).get(f"/cases/{body['case_no']}/"))
    assert 'data-testid="case-situation"' in mine and "租房居住；在单位就业" in mine


def test_a_draft_keeps_its_situation_until_submitted():
    elder = login("demo-elder")
    r = elder.post(
        f"/cases/apply/{GAOLING}/",
        {"guide-Q1": "self", "intent": "draft", "applicant_phone": "13800000002"},
    )
    assert r.status_code == 302, html(r)
    no = r["Location"].strip("/").split("/")[-1]
    case = Case.objects.get(case_no=no)
    assert case.status == "draft" and case.situation["answers"] == {"Q1": "self"}
    page = html(elder.get(f"/cases/{no}/edit/"))
    assert material_inputs(page) == {"M1", "M2", "M3"}


# --- defect 7: the 秒批 result first -------------------------------------------------------------


def test_the_instant_result_is_the_first_thing_on_the_page_landed_on(api, cases):
    elder = login("demo-elder")
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={GAOLING}", who="demo-elder").json()
    post = {k: v for k, v in filled_form(api, GAOLING, "demo-elder").items()}
    post.update({"guide-Q1": "self", "intent": "submit"})
    for m in prep["materials"]:
        if m["required"]:
            if m["satisfied_by"]:
                post[f"source-{m['material_code']}"] = m["satisfied_by"][0]
            else:
                post[f"material-{m['material_code']}"] = SimpleUploadedFile(
                    "scan.pdf", PDF, "application/pdf"
                )
    r = elder.post(f"/cases/apply/{GAOLING}/", post, follow=True)
    assert r.status_code == 200, html(r)
    page = html(r)
    case = Case.objects.get(case_no=re.search(r"BJ\d{20}", r.redirect_chain[-1][0]).group(0))
    assert case.status == "closed" and case.result.get("license_id")
    result = page.index('data-testid="instant-result"')
    assert "秒批通过，已办结。" in page
    # before everything else about the case: its facts, its timeline
    assert result < page.index('class="facts"') < page.index('data-testid="timeline"')
    assert f'href="/licenses/{case.result["license_id"]}/"' in page[result : result + 800]
    assert "办理进展会通过站内消息和短信通知您" not in page
    assert "审批结果见下方" in page


# --- defect 8: confirmations; drafts are deleted, not withdrawn ----------------------------------


def test_a_draft_offers_delete_not_withdraw_and_asks_first(api):
    citizen = login("demo-citizen")
    r = citizen.post(
        f"/cases/apply/{RESIDENCE}/", {"intent": "draft", "applicant_phone": "13800000001"}
    )
    assert r.status_code == 302, html(r)
    no = r["Location"].strip("/").split("/")[-1]
    page = html(citizen.get(f"/cases/{no}/"))
    assert "撤回申请" not in page
    assert f'href="/cases/{no}/discard/"' in page and "删除草稿" in page
    r = api.call(
        "POST", f"/api/v1/cases/{no}/actions", who="demo-citizen", json_body={"action": "withdraw"}
    )
    assert r.status_code == 409 and r.json()["allowed_actions"] == ["submit", "discard"]
    assert citizen.post(f"/cases/{no}/discard/").status_code == 200  # the confirmation only
    assert Case.objects.get(case_no=no).status == "draft"
    confirm = html(citizen.get(f"/cases/{no}/discard/"))
    assert "确认删除草稿？" in confirm
    r = citizen.post(f"/cases/{no}/discard/", {"confirm": "discard"})
    assert r.status_code == 302 and r["Location"] == "/cases/"
    case = Case.objects.get(case_no=no)
    assert case.status == "withdrawn" and case.submitted_at is None
    assert CaseEvent.objects.filter(case=case, action="discard").count() == 1
    assert AuditRecord.objects.filter(action="cases.discard", object_id=no).count() == 1
    assert no not in html(citizen.get("/cases/"))


# --- 邮寄送达 ----------------------------------------------------------------------------------


def test_delivery_by_post_needs_an_address_form_and_api(api, cases):
    who = "demo-citizen"
    form = filled_form(api, ID_CARD, who, delivery_method="邮寄送达")
    form.pop("mailing_address", None)
    before = (Case.objects.count(), CaseEvent.objects.count())
    r = api.call(
        "POST",
        "/api/v1/cases",
        who=who,
        json_body={
            "item_code": ID_CARD,
            "form": form,
            "answers": {"Q1": "lost"},
            "materials": uploads(cases, who, ["M1", "M3"]),
        },
    )
    assert r.status_code == 422, r.content
    assert r.json()["errors"] == [
        {
            "field": "form.mailing_address",
            "message": "选择“邮寄送达”时请填写邮寄地址（收件人可收到邮件的详细地址）。",
        }
    ]
    page = login(who).post(
        f"/cases/apply/{ID_CARD}/",
        {
            **form,
            "guide-Q1": "lost",
            "mailing_address": "  ",
            "material-M1": SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
            "material-M3": SimpleUploadedFile("b.pdf", PDF, "application/pdf"),
        },
    )
    assert page.status_code == 422
    assert re.search(
        r'<p class="field-error" id="e-mailing_address">选择“邮寄送达”时请填写邮寄地址',
        html(page),
    )
    assert (Case.objects.count(), CaseEvent.objects.count()) == before


def test_the_posted_result_is_tracked_and_shown_to_the_applicant(api, cases, client):
    who = "demo-citizen"
    form = filled_form(
        api, SSC, who, delivery_method="邮寄送达", mailing_address="肇庆市端州区天宁北路12号"
    )
    r = api.call(
        "POST",
        "/api/v1/cases",
        who=who,
        json_body={
            "item_code": SSC,
            "form": form,
            "answers": {"Q1": "self"},
            "materials": uploads(cases, who, ["M1", "M2"]),
        },
    )
    assert r.status_code == 201, r.content
    no = r.json()["case_no"]
    assert cases.act("demo-clerk", no, "accept").status_code == 200
    assert cases.act("demo-reviewer", no, "approve").status_code == 200
    closed = cases.act("demo-reviewer", no, "close", delivery="mail")
    assert closed.status_code == 200, closed.content
    closed = closed.json()
    assert "record_mailing" in closed["allowed_actions"]
    desk = html(login("demo-clerk").get(f"/workbench/cases/{no}/"))
    assert 'data-testid="action-record_mailing"' in desk and "登记邮寄信息" in desk
    n = CaseEvent.objects.count()
    bad = cases.act("demo-clerk", no, "record_mailing", carrier="中国邮政EMS", tracking_no="单号")
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "tracking_no", "message": "快递单号应为 6 至 40 位字母、数字或连字符。"}
    ]
    assert CaseEvent.objects.count() == n and Case.objects.get(case_no=no).mail_tracking == {}
    r = login("demo-clerk").post(
        f"/workbench/cases/{no}/",
        {"action": "record_mailing", "carrier": "中国邮政EMS", "tracking_no": "ea123456789cn"},
    )
    assert r.status_code == 302
    case = Case.objects.get(case_no=no)
    assert case.mail_tracking == {
        "carrier": "中国邮政EMS",
        "tracking_no": "EA123456789CN",
        "sent_on": "2026-12-07",
    }
    audit = AuditRecord.objects.get(action="cases.record_mailing", object_id=no)
    assert audit.after["tracking_no"] == "EA123456789CN"
    page = html(login(who).get(f"/cases/{no}/"))
    assert "中国邮政EMS，快递单号 EA123456789CN（2026-12-07 寄出）" in page
    assert "结果已邮寄" in page  # the timeline's words
    progress = client.get("/api/v1/cases/progress", {"case_no": no, "phone": "13800000001"}).json()
    assert progress["mail"] == {
        "carrier": "中国邮政EMS",
        "tracking_no": "EA123456789CN",
        "sent_on": "2026-12-07",
    }
    # a case whose form has no address cannot be closed for delivery by post
    form.pop("mailing_address")
    form["delivery_method"] = "窗口领取"
    r = api.call(
        "POST",
        "/api/v1/cases",
        who=who,
        json_body={
            "item_code": SSC,
            "form": form,
            "answers": {"Q1": "self"},
            "materials": uploads(cases, who, ["M1", "M2"]),
        },
    )
    other = r.json()["case_no"]
    cases.act("demo-clerk", other, "accept")
    cases.act("demo-reviewer", other, "approve")
    refused = cases.act("demo-reviewer", other, "close", delivery="mail")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "delivery"
    assert Case.objects.get(case_no=other).status == "approved"
