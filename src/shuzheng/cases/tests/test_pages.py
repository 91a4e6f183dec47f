"""The pages of 统一申办受理: apply, 我的办件, the case page, 补正, and the staff workbench.

Pages are driven as a browser would (plain form posts, multipart uploads, no JavaScript); the
state they leave is read back from the database.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case, CaseEvent
from shuzheng.catalog import facade as catalog_facade
from shuzheng.core import calendar
from shuzheng.files.models import StoredFile
from shuzheng.identity.models import EnterpriseAgent, User
from shuzheng.notify.models import Notification

from .conftest import PDF

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 11, 24)  # a Tuesday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


def login(username: str, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(User.objects.get(username=username))
    return client


def pdf(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def license_post(**overrides):
    data = {
        "applicant_name": "李明",
        "applicant_id_number": User.objects.get(username="demo-citizen").person.id_number,
        "applicant_phone": "13800000001",
        "enterprise_name": "肇庆市星湖味道餐饮有限公司",
        "registered_capital": "100",
        "material-M1": pdf("id.pdf"),
        "material-M2": pdf("charter.pdf"),
        "material-M3": pdf("lease.pdf"),
        "intent": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def html(response) -> str:
    return response.content.decode()


def field_error(page: str, name: str) -> str:
    """The message shown next to form field ``name`` (the partial's ``e-<name>``)."""
    m = re.search(rf'<p class="field-error" id="e-{re.escape(name)}">([^<]*)</p>', page)
    return m.group(1) if m else ""


def material_error(page: str, index: int) -> str:
    m = re.search(rf'<p class="field-error" id="me-{index}">([^<]*)</p>', page)
    return m.group(1) if m else ""


def apply_license(catalog, who="demo-citizen") -> str:
    r = login(who).post(f"/cases/apply/{catalog['licence']}/", license_post())
    assert r.status_code == 302, html(r)
    return r["Location"].strip("/").split("/")[-1]


# --- apply ---------------------------------------------------------------------------------------


def test_apply_page_prefills_from_own_records_and_asks_for_each_material(catalog):
    r = login("demo-citizen").get(f"/cases/apply/{catalog['licence']}/")
    assert r.status_code == 200
    page = html(r)
    # name and ID number from 人口基础信息 (公安), the phone from the real-name account
    assert page.count("已从肇庆市公安局自动填入") == 2
    assert page.count("已从统一身份认证平台（实名手机号码）自动填入") == 1
    assert 'name="applicant_name" value="李明"' in page
    for code in ("M1", "M2", "M3"):
        assert f'name="material-{code}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "保存草稿" in page and "提交申请" in page


def test_apply_needs_login_and_comes_back(catalog):
    r = Client().get(f"/cases/apply/{catalog['licence']}/")
    assert r.status_code == 302
    assert r["Location"] == f"/accounts/login/?next=/cases/apply/{catalog['licence']}/"


def test_staff_cannot_use_the_citizen_apply_page(catalog):
    assert login("demo-clerk").get(f"/cases/apply/{catalog['licence']}/").status_code == 403


def test_unknown_item_is_404(catalog):
    assert login("demo-citizen").get("/cases/apply/NOPE/").status_code == 404


def test_guide_page_links_to_the_apply_page(catalog):
    page = html(Client().get(f"/services/item/{catalog['licence']}/"))
    assert f'href="/cases/apply/{catalog["licence"]}/"' in page and "在线申请" in page


def test_apply_success_stores_files_and_creates_the_case(catalog):
    client = login("demo-citizen")
    r = client.post(f"/cases/apply/{catalog['licence']}/", license_post())
    assert r.status_code == 302
    case = Case.objects.get()
    assert r["Location"] == f"/cases/{case.case_no}/"
    assert case.status == "submitted" and case.channel == "online"
    assert case.applicant_kind == "person" and case.applicant_name == "李明"
    assert case.form["enterprise_name"] == "肇庆市星湖味道餐饮有限公司"
    assert case.form["registered_capital"] == 100
    assert [m["material_code"] for m in case.materials] == ["M1", "M2", "M3"]
    assert sorted(m["name"] for m in case.materials) == ["charter.pdf", "id.pdf", "lease.pdf"]
    assert StoredFile.objects.filter(owner="user:demo-citizen").count() == 3
    page = html(client.get(r["Location"]))
    assert "待受理" in page and "申请已提交" in page and case.case_no in page


def test_validation_errors_sit_next_to_their_fields_and_create_nothing(catalog):
    client = login("demo-citizen")
    r = client.post(
        f"/cases/apply/{catalog['licence']}/",
        license_post(enterprise_name="", applicant_phone="123", **{"material-M2": None}),
    )
    assert r.status_code == 422
    page = html(r)
    assert field_error(page, "enterprise_name") == "请填写企业名称"
    assert field_error(page, "applicant_phone").startswith("联系电话：")
    assert material_error(page, 1) == "缺少必需材料：公司章程"  # M2 is the second input
    assert material_error(page, 0) == "" and material_error(page, 2) == ""
    assert 'data-testid="apply-errors"' in page
    assert Case.objects.count() == 0
    assert not AuditRecord.objects.filter(action__startswith="cases.").exists()
    # the two files that did arrive are kept for the next attempt (only for their owner)
    kept = re.findall(r'name="kept-(M\d)" value="([0-9a-f-]+)"', page)
    assert [code for code, _ in kept] == ["M1", "M3"]
    # second attempt: fix the fields, upload only the missing file
    data = license_post(**{"material-M1": None, "material-M3": None})
    data.update({f"kept-{code}": fid for code, fid in kept})
    r = client.post(f"/cases/apply/{catalog['licence']}/", data)
    assert r.status_code == 302
    assert [m["material_code"] for m in Case.objects.get().materials] == ["M1", "M2", "M3"]


def test_a_file_that_is_not_pdf_jpg_or_png_is_refused_at_its_input(catalog):
    r = login("demo-citizen").post(
        f"/cases/apply/{catalog['licence']}/",
        license_post(**{"material-M3": SimpleUploadedFile("a.exe", b"MZ\x90\x00", "image/png")}),
    )
    assert r.status_code == 422
    assert material_error(html(r), 2) == "只接受 PDF、JPG、PNG 文件。"
    assert Case.objects.count() == 0


def test_a_pdf_with_html_after_its_end_is_refused_at_its_input(catalog):
    # issue 16 item 9: the first bytes say PDF, the whole file is checked
    r = login("demo-citizen").post(
        f"/cases/apply/{catalog['licence']}/",
        license_post(
            **{"material-M2": SimpleUploadedFile("c.pdf", PDF + b"<html><script>x</script>")}
        ),
    )
    assert r.status_code == 422
    assert material_error(html(r), 1) == "PDF 文件结束标记之后还有其他内容，请重新导出后上传。"
    assert Case.objects.count() == 0


def test_an_unreachable_virus_scanner_refuses_files_at_their_inputs(catalog, settings):
    settings.UPLOAD_SCANNER = "clamd:/nonexistent/clamd.sock"  # fail closed
    files_before = StoredFile.objects.count()
    r = login("demo-citizen").post(f"/cases/apply/{catalog['licence']}/", license_post())
    assert r.status_code == 422
    assert material_error(html(r), 0) == "文件安全检查服务暂时不可用，请稍后再试。"
    assert Case.objects.count() == 0 and StoredFile.objects.count() == files_before


def test_someone_elses_file_id_cannot_be_kept(catalog):
    other = login("demo-elder")
    other.post(f"/cases/apply/{catalog['licence']}/", {"material-M1": pdf()})  # 422, file kept
    elder_file = StoredFile.objects.get(owner="user:demo-elder")
    data = license_post(**{"material-M1": None})
    data["kept-M1"] = str(elder_file.id)
    r = login("demo-citizen").post(f"/cases/apply/{catalog['licence']}/", data)
    assert r.status_code == 422
    assert material_error(html(r), 0) == "缺少必需材料：居民身份证"
    assert Case.objects.count() == 0


def test_draft_then_finish_and_submit(catalog):
    client = login("demo-citizen")
    r = client.post(
        f"/cases/apply/{catalog['licence']}/",
        license_post(enterprise_name="", intent="draft", **{"material-M3": None}),
    )
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.status == "draft" and len(case.materials) == 2
    page = html(client.get(f"/cases/{case.case_no}/"))
    assert f'href="/cases/{case.case_no}/edit/"' in page
    edit = html(client.get(f"/cases/{case.case_no}/edit/"))
    kept = dict(re.findall(r'name="kept-(M\d)" value="([0-9a-f-]+)"', edit))
    assert sorted(kept) == ["M1", "M2"] and "保存草稿" not in edit
    # still incomplete: refused, nothing changes
    r = client.post(f"/cases/{case.case_no}/edit/", {**license_post(enterprise_name=""), **{}})
    assert r.status_code == 422 and field_error(html(r), "enterprise_name") == "请填写企业名称"
    case.refresh_from_db()
    assert case.status == "draft"
    data = license_post(**{"material-M1": None, "material-M2": None})
    data.update({f"kept-{c}": f for c, f in kept.items()})
    r = client.post(f"/cases/{case.case_no}/edit/", data)
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "submitted" and len(case.materials) == 3


def test_agent_applies_in_the_enterprise_name(catalog):
    uscc = EnterpriseAgent.objects.get(person__user__username="demo-agent").enterprise.uscc
    client = login("demo-agent")
    page = html(client.get(f"/cases/apply/{catalog['food']}/"))  # 食品经营许可: enterprises only
    assert f'name="enterprise_uscc" value="{uscc}" checked' in page
    data = {
        "applicant_name": "王芳",
        "applicant_id_number": User.objects.get(username="demo-agent").person.id_number,
        "applicant_phone": "13800000003",
        "business_area": "80",
        "enterprise_uscc": uscc,
        "material-M1": pdf(),
        "material-M2": pdf(),
        "material-M3": pdf(),
    }
    r = client.post(f"/cases/apply/{catalog['food']}/", data)
    assert r.status_code == 302, html(r)
    case = Case.objects.get()
    assert (case.applicant_kind, case.applicant_id) == ("enterprise", uscc)
    # without the box ticked the item (enterprises only) is refused, next to the box
    data.pop("enterprise_uscc")
    r = client.post(f"/cases/apply/{catalog['food']}/", data)
    assert r.status_code == 422 and "该事项只受理企业申请" in html(r)
    assert Case.objects.count() == 1


def test_bundle_apply_creates_parallel_sub_cases(catalog):
    bundle = catalog_facade.bundle(catalog["bundle"])
    client = login("demo-citizen")
    page = html(client.get(f"/cases/apply/bundle/{catalog['bundle']}/"))
    assert "保存草稿" not in page and bundle.name in page
    data = {
        "applicant_name": "李明",
        "applicant_id_number": User.objects.get(username="demo-citizen").person.id_number,
        "applicant_phone": "13800000001",
        "enterprise_name": "肇庆市星湖味道餐饮有限公司",
        "business_area": "60",
    }
    data.update({f"material-{m.code}": pdf() for m in bundle.materials if m.required})
    r = client.post(f"/cases/apply/bundle/{catalog['bundle']}/", data)
    assert r.status_code == 302, html(r)
    parent = Case.objects.get(parent__isnull=True)
    assert parent.kind == "bundle" and parent.children.count() == 2
    page = html(client.get(f"/cases/{parent.case_no}/"))
    for child in parent.children.all():
        assert f'href="/cases/{child.case_no}/"' in page


def test_bundle_guide_answers_carry_into_the_form_and_leave_out_an_item(catalog):
    """智能导办 on a 一件事: "已有营业执照" leaves the licence item out — its materials are not
    asked for, no sub-case is filed for it — and the answer is recorded on the case."""
    code = catalog["bundle"]
    bundle = catalog_facade.bundle(code)
    client = login("demo-citizen")
    guide = html(client.get(f"/services/bundle/{code}/", {"Q1": "yes"}))
    assert f'href="/cases/apply/bundle/{code}/?Q1=yes"' in guide
    page = html(client.get(f"/cases/apply/bundle/{code}/", {"Q1": "yes"}))
    assert "是否已经有营业执照？ <strong>已有</strong>" in page
    assert 'name="guide-Q1" value="yes"' in page
    kept = catalog_facade.guide_for_bundle(bundle, {"Q1": "yes"}).materials
    left_out = {m.code for m in bundle.materials} - {m.code for m in kept}
    assert left_out  # the licence item's own materials
    for m in left_out:
        assert f'name="material-{m}"' not in page
    data = {
        "guide-Q1": "yes",
        "applicant_name": "李明",
        "applicant_id_number": User.objects.get(username="demo-citizen").person.id_number,
        "applicant_phone": "13800000001",
        "enterprise_name": "肇庆市星湖味道餐饮有限公司",
        "business_area": "60",
    }
    data.update({f"material-{m.code}": pdf() for m in kept if m.required})
    r = client.post(f"/cases/apply/bundle/{code}/", data)
    assert r.status_code == 302, html(r)
    parent = Case.objects.get(parent__isnull=True)
    assert parent.situation["answers"] == {"Q1": "yes"}
    assert [c.item_name for c in parent.children.all()] == [bundle.members[1].name]
    assert "智能导办：是否已经有营业执照？已有" in parent.events.get(action="submit").note


def test_bundle_answers_that_are_no_option_are_refused_by_the_api(catalog, api):
    r = api.call(
        "POST",
        "/api/v1/cases",
        who="demo-citizen",
        json_body={"bundle_code": catalog["bundle"], "form": {}, "answers": {"Q1": "maybe"}},
    )
    assert r.status_code == 422
    assert "answers.Q1" in [e["field"] for e in r.json()["errors"]]
    assert not Case.objects.exists()


def test_prepare_takes_the_guide_answers(catalog, api):
    code = catalog["bundle"]
    bundle = catalog_facade.bundle(code)
    url = f"/api/v1/cases/prepare?bundle_code={code}"
    everything = api.call("GET", url, who="demo-citizen").json()
    assert everything["answers"] == {} and everything["excluded_items"] == []
    assert len(everything["materials"]) == len(bundle.materials)
    r = api.call("GET", url + "&answers=Q1:yes", who="demo-citizen")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["answers"] == {"Q1": "yes"} and body["excluded_items"] == [bundle.members[0].code]
    kept = catalog_facade.guide_for_bundle(bundle, {"Q1": "yes"}).materials
    assert [m["material_code"] for m in body["materials"]] == [m.code for m in kept]
    bad = api.call("GET", url + "&answers=Q1", who="demo-citizen")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "answers"
    wrong = api.call("GET", url + "&answers=Q1:maybe", who="demo-citizen")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "answers.Q1"


# --- 我的办件, the case page, messages ------------------------------------------------------------


def test_my_cases_show_status_and_what_is_needed_now(catalog, cases):
    no = apply_license(catalog)
    r = login("demo-citizen").get("/cases/")
    page = html(r)
    assert no in page and "待受理" in page and "已提交，等待部门受理。" in page
    assert no not in html(login("demo-elder").get("/cases/"))


def test_someone_elses_case_is_404_everywhere(catalog):
    no = apply_license(catalog)
    elder = login("demo-elder")
    assert elder.get(f"/cases/{no}/").status_code == 404
    assert elder.get(f"/cases/{no}/edit/").status_code == 404
    assert elder.post(f"/cases/{no}/withdraw/").status_code == 404
    assert elder.post(f"/cases/{no}/resubmit/", {"note": "x"}).status_code == 404
    assert elder.post(f"/cases/{no}/rating/", {"level": "1"}).status_code == 404
    assert Case.objects.get(case_no=no).status == "submitted"
    assert login("demo-citizen").get(f"/cases/{no}/").status_code == 200


def test_case_page_anonymous_and_staff(catalog):
    no = apply_license(catalog)
    r = Client().get(f"/cases/{no}/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=")
    r = login("demo-clerk").get(f"/cases/{no}/")
    assert r.status_code == 302 and r["Location"] == f"/workbench/cases/{no}/"


def test_withdraw_asks_for_confirmation_first(catalog):
    """撤回申请 is a link to a confirmation page (no JavaScript); a POST that does not come
    from its form changes nothing (issue 17 defect 8)."""
    no = apply_license(catalog)
    client = login("demo-citizen")
    page = html(client.get(f"/cases/{no}/"))
    assert f'href="/cases/{no}/withdraw/"' in page and 'data-testid="withdraw-form"' not in page
    # one tap is not enough: a bare POST shows the confirmation, nothing is written
    n = CaseEvent.objects.count()
    r = client.post(f"/cases/{no}/withdraw/", {"note": "不办了"})
    assert r.status_code == 200 and 'data-testid="confirm-withdraw"' in html(r)
    assert Case.objects.get(case_no=no).status == "submitted"
    assert CaseEvent.objects.count() == n
    confirm = html(client.get(f"/cases/{no}/withdraw/"))
    assert "确认撤回申请？" in confirm and 'name="confirm" value="withdraw"' in confirm
    assert f'href="/cases/{no}/"' in confirm  # 返回，不操作
    r = client.post(f"/cases/{no}/withdraw/", {"note": "不办了", "confirm": "withdraw"})
    assert r.status_code == 302 and r["Location"] == f"/cases/{no}/"
    case = Case.objects.get(case_no=no)
    assert case.status == "withdrawn"
    assert CaseEvent.objects.filter(case=case, action="withdraw", note="不办了").count() == 1
    page = html(client.get(f"/cases/{no}/"))
    assert 'data-testid="withdraw-link"' not in page and "已撤回" in page
    # a confirmation page left open: the second confirm is refused, nothing written
    assert client.get(f"/cases/{no}/withdraw/").status_code == 302
    n = CaseEvent.objects.count()
    r = client.post(f"/cases/{no}/withdraw/", {"confirm": "withdraw"})
    assert r.status_code == 409 and "当前状态“已撤回”下不能执行该操作。" in html(r)
    assert CaseEvent.objects.count() == n


def test_correction_lists_exactly_the_items_then_resubmit(catalog):
    no = apply_license(catalog)
    clerk = login("demo-clerk")
    r = clerk.post(f"/workbench/cases/{no}/", {"action": "accept"})
    assert r.status_code == 302
    # the clerk ticks the materials to upload again (by code), each with why
    r = clerk.post(
        f"/workbench/cases/{no}/",
        {
            "action": "request_correction",
            "target": ["M2", "M3"],
            "reason-M2": "缺少全体股东签字页",
            "reason-M3": "  ",
        },
    )
    assert r.status_code == 302
    case = Case.objects.get(case_no=no)
    assert case.status == "correction"
    assert case.correction_items == ["公司章程：缺少全体股东签字页", "住所使用证明"]
    citizen = login("demo-citizen")
    page = html(citizen.get(f"/cases/{no}/"))
    block = re.search(r'data-testid="correction-items">(.*?)</ol>', page, re.S)
    assert block is not None
    assert re.findall(r"<li>(.*?)</li>", block.group(1)) == [
        "公司章程：缺少全体股东签字页",
        "住所使用证明",
    ]
    assert 'data-testid="resubmit-form"' in page
    assert "需要您补正：公司章程：缺少全体股东签字页；住所使用证明" in html(citizen.get("/cases/"))
    # a refused file type changes nothing
    r = citizen.post(
        f"/cases/{no}/resubmit/",
        {
            "material-M2": SimpleUploadedFile("x.txt", b"hello", "text/plain"),
            "material-M3": pdf("lease.pdf"),
            "note": "x",
        },
    )
    assert r.status_code == 422 and "只接受 PDF、JPG、PNG 文件。" in html(r)
    assert Case.objects.get(case_no=no).status == "correction"
    r = citizen.post(
        f"/cases/{no}/resubmit/",
        {
            "material-M2": pdf("charter-signed.pdf"),
            "material-M3": pdf("lease-2.pdf"),
            "note": "已补签字页",
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_progress" and len(case.materials) == 5
    assert [m["name"] for m in case.materials[-2:]] == ["charter-signed.pdf", "lease-2.pdf"]
    assert CaseEvent.objects.filter(case=case, action="resubmit", note="已补签字页").exists()


def test_messages_inbox_lists_own_notifications_only(catalog):
    no = apply_license(catalog)
    page = html(login("demo-citizen").get("/cases/messages/"))
    assert f"您的申请已提交：营业执照（设立登记）（{no}）。" in page
    assert f'href="/cases/{no}/"' in page
    assert no not in html(login("demo-elder").get("/cases/messages/"))
    assert Notification.objects.filter(body__contains=no).count() == 1


# --- the staff workbench -------------------------------------------------------------------------


def test_workbench_queues_count_and_list(catalog):
    first = apply_license(catalog)
    second = apply_license(catalog)
    clerk = login("demo-clerk")
    clerk.post(f"/workbench/cases/{second}/", {"action": "accept"})
    page = html(clerk.get("/workbench/"))
    counts = dict(
        re.findall(
            r'data-testid="queue-(\w+)"[^>]*><span class="tile-title">[^<]*</span> '
            r'<span class="tile-count">(\d+)</span>',
            page,
        )
    )
    assert counts == {
        "pending": "1",
        "in_progress": "1",
        "correction": "0",
        "due_soon": "0",
        "overdue": "0",
        "decided": "0",
        "license_pending": "0",
    }  # 已办结 is listed but not counted (most of the 办件库; counting it costs a full scan)
    assert first in page and second not in page  # the default queue is 待受理
    page = html(clerk.get("/workbench/?queue=in_progress"))
    assert second in page and first not in page
    assert first in html(clerk.get(f"/workbench/?queue=pending&q={first}"))
    assert first not in html(clerk.get("/workbench/?queue=pending&q=BJ0000"))
    assert first in html(clerk.get("/workbench/?queue=pending&department=441200-SCJGJ"))
    assert first not in html(clerk.get("/workbench/?queue=pending&department=441200-MZJ"))


def test_workbench_is_for_staff_only(catalog):
    no = apply_license(catalog)
    citizen = login("demo-citizen")
    for url in ("/workbench/", f"/workbench/cases/{no}/", "/workbench/rectifications/"):
        assert citizen.get(url).status_code == 403
    assert citizen.post(f"/workbench/cases/{no}/", {"action": "accept"}).status_code == 403
    r = Client().get("/workbench/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/?next=/workbench/"
    # staff of another department do not see the case
    assert login("demo-head").get(f"/workbench/cases/{no}/").status_code == 404
    assert Case.objects.get(case_no=no).status == "submitted"


def test_workbench_case_page_shows_the_case_and_only_allowed_forms(catalog):
    no = apply_license(catalog)
    page = html(login("demo-clerk").get(f"/workbench/cases/{no}/"))
    assert "李明" in page and "肇庆市星湖味道餐饮有限公司" in page and "企业名称" in page
    assert "公司章程" in page and "charter.pdf" in page
    forms = re.findall(r'data-testid="action-(\w+)"', page)
    assert forms == ["accept", "refuse", "request_correction", "assign"]
    reviewer_forms = re.findall(
        r'data-testid="action-(\w+)"', html(login("demo-reviewer").get(f"/workbench/cases/{no}/"))
    )
    assert reviewer_forms == ["request_correction", "assign"]


def test_workbench_actions_through_forms(catalog):
    no = apply_license(catalog)
    clerk, reviewer = login("demo-clerk"), login("demo-reviewer")
    r = clerk.post(f"/workbench/cases/{no}/", {"action": "accept"})
    assert r.status_code == 302 and r["Location"] == f"/workbench/cases/{no}/"
    case = Case.objects.get(case_no=no)
    assert case.status == "in_progress"
    assert case.due_date == calendar.add_working_days(TODAY, 5)
    assert "已完成：受理" in html(clerk.get(r["Location"]))
    assert (
        reviewer.post(
            f"/workbench/cases/{no}/", {"action": "assign", "assignee": "demo-reviewer"}
        ).status_code
        == 302
    )
    assert (
        reviewer.post(
            f"/workbench/cases/{no}/", {"action": "suspend", "note": "专家评审"}
        ).status_code
        == 302
    )
    assert Case.objects.get(case_no=no).status == "suspended"
    assert reviewer.post(f"/workbench/cases/{no}/", {"action": "resume"}).status_code == 302
    assert (
        reviewer.post(
            f"/workbench/cases/{no}/", {"action": "approve", "note": "符合条件"}
        ).status_code
        == 302
    )
    r = reviewer.post(f"/workbench/cases/{no}/", {"action": "close", "delivery": "mail"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.delivery, case.assignee) == ("closed", "mail", "demo-reviewer")
    actions = list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))
    assert actions == ["submit", "accept", "assign", "suspend", "resume", "approve", "close"]


def test_illegal_or_incomplete_actions_come_back_in_chinese_and_change_nothing(catalog):
    no = apply_license(catalog)
    clerk = login("demo-clerk")
    n_events, n_audit = CaseEvent.objects.count(), AuditRecord.objects.count()
    r = clerk.post(f"/workbench/cases/{no}/", {"action": "approve"})
    assert r.status_code == 409
    assert "当前状态“待受理”下不能执行该操作。" in html(r)
    r = clerk.post(f"/workbench/cases/{no}/", {"action": "refuse", "note": "  "})
    assert r.status_code == 422
    page = html(r)
    assert '<p class="field-error" id="a-refuse-note-e">不予受理须说明理由。</p>' in page
    r = clerk.post(f"/workbench/cases/{no}/", {"action": "request_correction", "items": "\n"})
    assert r.status_code == 422
    assert "请一次性列明需要补正的全部材料或内容。" in html(r)
    assert Case.objects.get(case_no=no).status == "submitted"
    assert (CaseEvent.objects.count(), AuditRecord.objects.count()) == (n_events, n_audit)
    # and the reason given is kept
    r = clerk.post(f"/workbench/cases/{no}/", {"action": "refuse", "note": "不属于本部门"})
    assert r.status_code == 302
    assert Case.objects.get(case_no=no).decision_reason == "不属于本部门"


def test_extension_needs_the_department_head(catalog):
    # demo-head heads 民政局: use 结婚登记 there (即办件, accepted with a due date of today)
    client = login("demo-citizen")
    data = {
        "applicant_name": "李明",
        "applicant_id_number": User.objects.get(username="demo-citizen").person.id_number,
        "applicant_phone": "13800000001",
        "spouse_name": "王芳",
        "spouse_id_number": "11010519491231002X",
        "nationality": "内地居民",
        "material-M1": pdf(),
        "material-M2": pdf(),
        "material-M3": pdf(),
    }
    assert client.post(f"/cases/apply/{catalog['marriage']}/", data).status_code == 302
    no = Case.objects.get().case_no
    login("demo-clerk").post(f"/workbench/cases/{no}/", {"action": "accept"})
    head = login("demo-head")
    page = html(head.get(f"/workbench/cases/{no}/"))
    assert re.findall(r'data-testid="action-(\w+)"', page) == ["assign", "extend"]
    r = head.post(f"/workbench/cases/{no}/", {"action": "extend", "days": "40", "note": "复杂"})
    assert r.status_code == 422 and "延期工作日数应在1到30之间。" in html(r)
    r = head.post(f"/workbench/cases/{no}/", {"action": "extend", "days": "3", "note": "复杂"})
    assert r.status_code == 302
    assert Case.objects.get(case_no=no).due_date == calendar.add_working_days(TODAY, 3)


def test_metrics_for_supervisors_only(catalog):
    no = apply_license(catalog)
    login("demo-clerk").post(f"/workbench/cases/{no}/", {"action": "accept"})
    assert login("demo-citizen").get("/workbench/metrics/").status_code == 403
    # window clerks and reviewers are not supervisors (no department-head role)
    assert login("demo-clerk").get("/workbench/metrics/").status_code == 403
    assert login("demo-reviewer").get("/workbench/metrics/").status_code == 403
    assert "运行指标" not in html(login("demo-clerk").get("/workbench/"))
    # the head of 民政局/政数局 sees only those departments (no 市场监管 rows)
    r = login("demo-head").get("/workbench/metrics/")
    assert r.status_code == 200 and 'data-testid="metrics-441200-SCJGJ"' not in html(r)
    # the platform administrator sees every department's rows
    page = html(login("demo-admin").get("/workbench/metrics/"))
    assert 'data-testid="metrics-441200-SCJGJ"' in page
    for label in ("网办率", "即办率", "按时办结率", "超期件数", "平均工作日", "好评率"):
        assert label in page
    assert "营业执照（设立登记）" in page and "100.0%" in page  # 网办率: applied online


def test_overdue_cases_are_listed_on_metrics_for_the_head(catalog):
    client = login("demo-citizen")
    data = {
        "applicant_name": "李明",
        "applicant_id_number": User.objects.get(username="demo-citizen").person.id_number,
        "applicant_phone": "13800000001",
        "spouse_name": "王芳",
        "spouse_id_number": "11010519491231002X",
        "nationality": "内地居民",
        "material-M1": pdf(),
        "material-M2": pdf(),
        "material-M3": pdf(),
    }
    client.post(f"/cases/apply/{catalog['marriage']}/", data)
    no = Case.objects.get().case_no
    login("demo-clerk").post(f"/workbench/cases/{no}/", {"action": "accept"})
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, tzinfo=TZ), tick=False):
        page = html(login("demo-head").get("/workbench/metrics/"))
        assert no in page and "已超期 3 个工作日" in page


def test_csrf_is_enforced_on_every_form(catalog):
    no = apply_license(catalog)
    citizen = login("demo-citizen", enforce_csrf_checks=True)
    assert citizen.post(f"/cases/apply/{catalog['licence']}/", license_post()).status_code == 403
    assert citizen.post(f"/cases/{no}/withdraw/").status_code == 403
    assert citizen.post(f"/cases/{no}/rating/", {"level": "1"}).status_code == 403
    clerk = login("demo-clerk", enforce_csrf_checks=True)
    assert clerk.post(f"/workbench/cases/{no}/", {"action": "accept"}).status_code == 403
    assert Case.objects.count() == 1
    assert Case.objects.get(case_no=no).status == "submitted"
