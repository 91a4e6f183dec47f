"""The clerk's desk (issue 17): search by 身份证号 or phone across queues (scoped, masked,
audited), assignment from a list of colleagues (checked by the service), and the 预审
checklist per material that builds the 补正 request."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case, CaseEvent
from shuzheng.cases.tests.conftest import catalog  # noqa: F401  (the fixture)
from shuzheng.cases.tests.test_pages import apply_license, html, login
from shuzheng.identity.models import Department, StaffRole, User

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


def _id_number(username: str = "demo-citizen") -> str:
    return str(User.objects.get(username=username).person.id_number)


def _text(page: str) -> str:
    """What the page shows (its tags, and so links and form values, left out)."""
    return re.sub(r"<[^>]*>", " ", page)


def _listed(page: str) -> list[str]:
    return re.findall(r'href="/workbench/cases/(\w+)/"', page)


# --- search ---------------------------------------------------------------------------------


def _search(client: Any, q: str) -> str:
    return html(client.post("/workbench/search/", {"q": q}, follow=True))


def test_a_number_in_an_old_link_is_moved_out_of_the_address(catalog) -> None:  # noqa: F811
    no = apply_license(catalog)
    clerk = login("demo-clerk")
    response = clerk.get("/workbench/", {"q": _id_number()})
    assert response.status_code == 303 and _id_number() not in response["Location"]
    assert _listed(html(clerk.get(response["Location"]))) == [no]
    # another session's key finds nothing: the queue is shown instead
    key = response["Location"].split("find=")[1]
    other = login("demo-reviewer").get("/workbench/", {"find": key})
    assert "查找结果" not in html(other)
    # ordinary text still filters by address, bookmarkable
    text = clerk.post("/workbench/search/", {"q": "食品"})
    assert text.status_code == 303 and "q=" in text["Location"]


def test_a_search_by_id_number_finds_the_persons_cases_in_every_queue(catalog) -> None:  # noqa: F811
    pending, accepted = apply_license(catalog), apply_license(catalog)
    clerk = login("demo-clerk")
    assert clerk.post(f"/workbench/cases/{accepted}/", {"action": "accept"}).status_code == 302
    id_number = _id_number()
    # the pending queue alone shows one of them
    assert accepted not in _listed(html(clerk.get("/workbench/", {"q": "李明"})))
    response = clerk.post("/workbench/search/", {"q": id_number, "queue": "pending"})
    # the number never goes into an address (history, access logs, Referer)
    assert response.status_code == 303 and id_number not in response["Location"]
    assert "find=" in response["Location"]
    page = html(clerk.get(response["Location"]))
    assert sorted(_listed(page)) == sorted([pending, accepted])
    masked = id_number[:6] + "********" + id_number[-4:]
    assert f"查找结果：身份证号 {masked}" in page and id_number not in _text(page)
    record = AuditRecord.objects.filter(action="cases.search_person").latest("id")
    assert (record.actor, record.object_type, record.object_id) == (
        "user:demo-clerk",
        "person",
        id_number,
    )
    assert record.after["found"] == 2 and record.after["by"] == "id_number"


def test_a_search_by_phone_finds_the_persons_cases(catalog) -> None:  # noqa: F811
    no = apply_license(catalog)
    page = _search(login("demo-reviewer"), "138 0000 0001")
    assert _listed(page) == [no] and "手机号 138****0001" in page
    assert "13800000001" not in _text(page)
    assert AuditRecord.objects.filter(action="cases.search_person", object_id="13800000001")


def test_a_search_is_scoped_to_the_departments_the_clerk_handles(catalog) -> None:  # noqa: F811
    apply_license(catalog)  # at 市市场监管局
    other = User.objects.create_user(username="gaj-clerk", password="x", kind="staff")
    StaffRole.objects.create(
        user=other, department=Department.objects.get(code="441200-GAJ"), role="window_clerk"
    )
    page = _search(login("gaj-clerk"), _id_number())
    assert _listed(page) == [] and "没有找到该申请人" in page
    # a data officer of the department reads no case files either
    page = _search(login("demo-dataofficer"), _id_number())
    assert _listed(page) == []


# --- assignment -------------------------------------------------------------------------------


def test_assignment_is_chosen_from_the_departments_colleagues(catalog) -> None:  # noqa: F811
    no = apply_license(catalog)
    clerk = login("demo-clerk")
    page = html(clerk.get(f"/workbench/cases/{no}/"))
    select = re.search(r'<select id="a-assign-assignee" name="assignee".*?</select>', page, re.S)
    assert select, page
    options = re.findall(r'<option value="([^"]*)"', select[0])
    assert options[0] == "" and "demo-reviewer" in options and "demo-clerk" in options
    assert "demo-dataofficer" not in options and "demo-citizen" not in options
    # a name typed into the form that is not such a colleague is refused, nothing changes
    for wrong in ("demo-dataofficer", "demo-citizen", "nobody", ""):
        r = clerk.post(f"/workbench/cases/{no}/", {"action": "assign", "assignee": wrong})
        assert r.status_code == 422, wrong
        assert Case.objects.get(case_no=no).assignee == ""
    assert "承办人" in html(r)
    r = clerk.post(f"/workbench/cases/{no}/", {"action": "assign", "assignee": "demo-reviewer"})
    assert r.status_code == 302 and Case.objects.get(case_no=no).assignee == "demo-reviewer"
    page = html(clerk.get(f"/workbench/cases/{no}/"))
    assert re.search(r'data-testid="assignee">[^<]*（', page)  # shown by name and roles


def test_the_api_refuses_an_assignee_outside_the_department(api, catalog) -> None:  # noqa: F811
    no = apply_license(catalog)
    r = api.call(
        "POST",
        f"/api/v1/cases/{no}/actions",
        who="demo-clerk",
        json_body={"action": "assign", "assignee": "demo-hotline"},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "assignee"
    assert Case.objects.get(case_no=no).assignee == ""


# --- 预审 ------------------------------------------------------------------------------------


def _checks(client: Client, no: str, **rows: tuple[str, str]):  # type: ignore[no-untyped-def]
    data = {}
    for key, (verdict, note) in rows.items():
        if verdict:
            data[f"verdict-{key}"] = verdict
        data[f"note-{key}"] = note
    return client.post(f"/workbench/cases/{no}/checks/", data)


def test_the_prereview_is_saved_audited_and_builds_the_correction(catalog) -> None:  # noqa: F811
    no = apply_license(catalog)
    clerk = login("demo-clerk")
    page = html(clerk.get(f"/workbench/cases/{no}/"))
    # the application and the materials come before the actions
    assert page.index('id="h-form"') < page.index('id="h-materials"') < page.index('id="h-actions"')
    assert 'data-testid="prereview"' in page
    r = _checks(clerk, no, M1=("ok", ""), M2=("bad", "缺少全体股东签字页"), M3=("ok", ""))
    assert r.status_code == 302
    event = CaseEvent.objects.get(case__case_no=no, action="material_check")
    assert event.data["checks"]["M2"] == {"verdict": "bad", "note": "缺少全体股东签字页"}
    record = AuditRecord.objects.filter(action="cases.material_check", object_id=no).get()
    assert record.after["M1"]["verdict"] == "ok" and record.before is None
    page = html(clerk.get(f"/workbench/cases/{no}/"))
    assert "材料预审" in page  # the timeline's words, not the event's code
    form = re.search(r'data-testid="action-request_correction".*?</form>', page, re.S)[0]
    ticked = re.findall(r'name="target" value="(\w+)" checked', form)
    assert ticked == ["M2"]
    assert 'name="reason-M2" value="缺少全体股东签字页"' in form
    # sent as it is, the 补正 asks for the 不合格 material with its reason
    r = clerk.post(
        f"/workbench/cases/{no}/",
        {"action": "request_correction", "target": ["M2"], "reason-M2": "缺少全体股东签字页"},
    )
    assert r.status_code == 302
    case = Case.objects.get(case_no=no)
    assert case.status == "correction" and len(case.correction_items) == 1
    assert "缺少全体股东签字页" in case.correction_items[0]
    # checked again: the audit record keeps the checklist before
    _checks(clerk, no, M1=("ok", ""), M2=("ok", "已补正"), M3=("ok", ""))
    again = AuditRecord.objects.filter(action="cases.material_check").latest("id")
    assert again.before["M2"]["verdict"] == "bad" and again.after["M2"]["verdict"] == "ok"


def test_a_prereview_must_judge_every_material_and_explain_a_bad_one(catalog) -> None:  # noqa: F811
    no = apply_license(catalog)
    clerk = login("demo-clerk")
    r = _checks(clerk, no, M1=("ok", ""), M2=("bad", ""), M3=("", ""))
    assert r.status_code == 422
    page = html(r)
    assert "不合格的材料请写明原因" in page and "请为每份材料选择" in page
    assert "checks." not in page  # no field path shown
    assert not CaseEvent.objects.filter(case__case_no=no, action="material_check").exists()
    assert not AuditRecord.objects.filter(action="cases.material_check").exists()


def test_only_the_departments_handlers_prereview_an_open_case(catalog) -> None:  # noqa: F811
    no = apply_license(catalog)
    rows = {"M1": ("ok", ""), "M2": ("ok", ""), "M3": ("ok", "")}
    assert _checks(login("demo-citizen"), no, **rows).status_code == 403
    assert _checks(login("demo-dataofficer"), no, **rows).status_code == 404
    assert _checks(login("demo-head"), no, **rows).status_code == 404  # heads MZJ and ZSJ
    clerk, reviewer = login("demo-clerk"), login("demo-reviewer")
    assert clerk.post(f"/workbench/cases/{no}/", {"action": "accept"}).status_code == 302
    assert reviewer.post(f"/workbench/cases/{no}/", {"action": "approve"}).status_code == 302
    assert _checks(reviewer, no, **rows).status_code == 409  # decided: no more 预审
    assert not CaseEvent.objects.filter(case__case_no=no, action="material_check").exists()
