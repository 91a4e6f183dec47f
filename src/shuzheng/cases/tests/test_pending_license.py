"""A result licence the case cannot fill (``license_pending``): a reviewer of the case's
department fills in the missing data items and issues it, through the API action
``issue_license`` or the workbench page; checked against the licence type's schema, audited in
the same transaction, after which the applicant holds it in the wallet.

Item: 残疾人证申领 (市残联); its 残疾人证 needs 残疾等级 and 残疾人证号, which the case does not
give, so closing the approved case leaves the licence pending.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case, CaseEvent
from shuzheng.identity.models import Department, StaffRole, User
from shuzheng.licenses.models import License
from shuzheng.notify.models import Notification

from .conftest import DISABILITY

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
GOOD = {"disability_grade": "二级", "cert_no": "44120219900512313X42"}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def other_clerk():
    """A window clerk of another department (市公安局) only."""
    admin = User.objects.get(username="demo-admin")
    user = User.objects.create(username="demo-gaj-clerk", kind="staff", password=admin.password)
    StaffRole.objects.create(
        user=user, department=Department.objects.get(code="441200-GAJ"), role="window_clerk"
    )
    return user.username


@pytest.fixture
def pending_case(api, cases, disability_demo):
    """An approved and closed 残疾人证申领 of demo-citizen whose 残疾人证 is left pending."""
    lic = disability_demo["citizen"]
    form = {
        "applicant_name": "李明",
        "applicant_id_number": User.objects.get(username="demo-citizen").person.id_number,
        "applicant_phone": "13800000001",
        "hukou_address": "广东省肇庆市端州区城东街道天宁北路12号",
        "disability_category": "肢体残疾",
        "assessment_hospital": "肇庆市第一人民医院",
    }
    materials = [
        {"material_code": "M1", "license_id": lic["居民身份证"].license_id},
        {"material_code": "M2", "license_id": lic["居民户口簿"].license_id},
        {"material_code": "M3", "file_id": cases.upload("demo-citizen")},
        {"material_code": "M4", "file_id": cases.upload("demo-citizen")},
    ]
    r = api.call(
        "POST",
        "/api/v1/cases",
        who="demo-citizen",
        json_body={"item_code": DISABILITY, "form": form, "materials": materials},
    )
    assert r.status_code == 201, r.content
    no = r.json()["case_no"]
    assert cases.act("demo-clerk", no, "accept").status_code == 200
    assert cases.act("demo-reviewer", no, "approve", note="经评定符合条件").status_code == 200
    r = cases.act("demo-reviewer", no, "close", delivery="electronic")
    assert r.status_code == 200, r.content
    return no


def state(no):
    case = Case.objects.get(case_no=no)
    return (
        case.status,
        case.result,
        License.objects.filter(case_no=no).count(),
        CaseEvent.objects.filter(case=case).count(),
        AuditRecord.objects.count(),
    )


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def html(response) -> str:
    return response.content.decode()


# --- the state the staff close leaves --------------------------------------------------------


def test_close_leaves_the_license_pending_naming_the_missing_items(api, pending_case):
    case = Case.objects.get(case_no=pending_case)
    assert case.status == "closed" and case.decision == "approve"
    assert case.result["license_type"] == "残疾人证"
    assert case.result["license_pending_fields"] == ["cert_no", "disability_grade"]
    assert sorted(case.result["license_pending"]) == ["请填写残疾人证号。", "请填写残疾等级。"]
    assert not License.objects.filter(case_no=pending_case).exists()
    close = CaseEvent.objects.get(case=case, action="close")
    assert close.data == {"license_pending": ["cert_no", "disability_grade"]}
    reviewer = api.call("GET", f"/api/v1/cases/{pending_case}", who="demo-reviewer").json()
    assert reviewer["allowed_actions"] == ["issue_license"]
    clerk = api.call("GET", f"/api/v1/cases/{pending_case}", who="demo-clerk").json()
    assert clerk["allowed_actions"] == []


def test_pending_license_lists_items_from_the_case_and_missing_ones(api, pending_case):
    r = api.call("GET", f"/api/v1/cases/{pending_case}/pending-license", who="demo-reviewer")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["license_type"] == "残疾人证" and body["problems"] == []
    fields = {f["name"]: f for f in body["fields"]}
    assert [f["name"] for f in body["fields"]] == [
        "name",
        "id_number",
        "disability_category",
        "disability_grade",
        "cert_no",
    ]
    assert (fields["name"]["value"], fields["name"]["missing"]) == ("李明", False)
    assert fields["disability_category"]["value"] == "肢体残疾"
    assert fields["disability_grade"] == {
        "name": "disability_grade",
        "label": "残疾等级",
        "type": "string",
        "required": True,
        "choices": [],
        "value": "",
        "missing": True,
        "problem": "请填写残疾等级。",
    }
    assert fields["cert_no"]["missing"] is True


PENDING_READ = {
    None: 401,
    "demo-citizen": 200,  # the applicant sees what is awaited
    "demo-elder": 404,
    "other_clerk": 404,
    "demo-clerk": 200,
    "demo-reviewer": 200,
}


@pytest.mark.parametrize("caller", list(PENDING_READ))
def test_pending_license_read_matrix(api, pending_case, other_clerk, caller):
    who = other_clerk if caller == "other_clerk" else caller
    r = api.call("GET", f"/api/v1/cases/{pending_case}/pending-license", who=who)
    assert r.status_code == PENDING_READ[caller], (caller, r.content)


# --- the API action ---------------------------------------------------------------------------

ISSUE = {
    None: 401,  # anonymous
    "demo-citizen": 409,  # the applicant: not theirs to do
    "other_clerk": 404,  # staff of another department do not see the case
    "demo-clerk": 409,  # the department's window clerk: a reviewer's decision
    "demo-head": 404,  # head of other departments (民政局, 政数局)
    "demo-reviewer": 200,
}


@pytest.mark.parametrize("caller", list(ISSUE))
def test_issue_matrix(api, cases, pending_case, other_clerk, caller):
    who = other_clerk if caller == "other_clerk" else caller
    if who:
        api.token(who)
    before = state(pending_case)
    r = cases.act(who, pending_case, "issue_license", license_data=GOOD)
    assert r.status_code == ISSUE[caller], (caller, r.content)
    if r.status_code != 200:
        assert state(pending_case) == before
    if r.status_code == 409:
        assert "issue_license" not in r.json()["allowed_actions"]


def test_reviewer_issues_the_license_into_the_wallet(
    api, cases, pending_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = cases.act("demo-reviewer", pending_case, "issue_license", license_data=GOOD)
    assert r.status_code == 200, r.content
    body = r.json()
    result = body["result"]
    assert "license_pending" not in result and "license_pending_fields" not in result
    assert result["name"] == "残疾人证" and result["license_id"].startswith("1.2.156.3005.2.")
    assert result["license_no"] == GOOD["cert_no"]
    assert body["status"] == "closed" and body["allowed_actions"] == []
    lic = License.objects.get(license_id=result["license_id"])
    assert (lic.holder_kind, lic.holder_name, lic.case_no) == ("person", "李明", pending_case)
    assert lic.department_code == "441200-CL" and lic.issued_by == "user:demo-reviewer"
    assert lic.data == {
        "name": "李明",
        "id_number": User.objects.get(username="demo-citizen").person.id_number,
        "disability_category": "肢体残疾",
        "disability_grade": "二级",
        "cert_no": GOOD["cert_no"],
    }
    event = CaseEvent.objects.get(case__case_no=pending_case, action="issue_license")
    assert event.actor == "user:demo-reviewer"
    assert event.data == {
        "license_id": lic.license_id,
        "license_no": GOOD["cert_no"],
        "fields": ["cert_no", "disability_grade"],
    }
    # audited with the case, in the same transaction: the licence's issue record, then the case's
    records = list(AuditRecord.objects.order_by("-id")[:2])
    assert [(a.action, a.object_id) for a in reversed(records)] == [
        ("licenses.issue", lic.license_id),
        ("cases.issue_license", pending_case),
    ]
    assert records[0].after["license_id"] == lic.license_id
    assert "二级" not in str(records[0].after)  # the values themselves stay out of the log
    # the applicant has it in the wallet and was told
    wallet = api.call("GET", "/api/v1/licenses", who="demo-citizen").json()
    items = wallet["items"] if isinstance(wallet, dict) else wallet
    assert lic.license_id in [x["license_id"] for x in items]
    assert Notification.objects.filter(
        recipient_id=lic.holder_id, body__contains="电子证照“残疾人证”已签发"
    ).exists()
    # once only
    again = cases.act("demo-reviewer", pending_case, "issue_license", license_data=GOOD)
    assert again.status_code == 409
    assert (
        api.call(
            "GET", f"/api/v1/cases/{pending_case}/pending-license", who="demo-reviewer"
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("license_data", "errors"),
    [
        (
            {},
            [
                {"field": "license_data.disability_grade", "message": "请填写残疾等级。"},
                {"field": "license_data.cert_no", "message": "请填写残疾人证号。"},
            ],
        ),
        (
            {"disability_grade": "  ", "cert_no": "X1"},
            [{"field": "license_data.disability_grade", "message": "请填写残疾等级。"}],
        ),
        (
            {**GOOD, "cert_no": "号" * 501},
            [{"field": "license_data.cert_no", "message": "残疾人证号不超过500字。"}],
        ),
        (
            {**GOOD, "disability_grade": ["二级"]},
            [{"field": "license_data.disability_grade", "message": "残疾等级应为文字。"}],
        ),
        (
            {**GOOD, "name": "王五"},
            [{"field": "license_data.name", "message": "姓名已由办件信息确定，不能在此修改。"}],
        ),
        (
            {**GOOD, "colour": "红"},
            [{"field": "license_data.colour", "message": "残疾人证没有数据项“colour”。"}],
        ),
    ],
)
def test_bad_input_names_the_item_in_chinese_and_changes_nothing(
    api, cases, pending_case, license_data, errors
):
    before = state(pending_case)
    r = cases.act("demo-reviewer", pending_case, "issue_license", license_data=license_data)
    assert r.status_code == 422, r.content
    assert sorted(r.json()["errors"], key=str) == sorted(errors, key=str)
    assert state(pending_case) == before


def test_nothing_pending_means_no_action(api, cases, catalog):
    # a case without a pending licence (submitted, not decided) does not offer it
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    body = api.call("GET", f"/api/v1/cases/{no}", who="demo-reviewer").json()
    assert "issue_license" not in body["allowed_actions"]
    assert cases.act("demo-reviewer", no, "issue_license", license_data=GOOD).status_code == 409
    r = api.call("GET", f"/api/v1/cases/{no}/pending-license", who="demo-reviewer")
    assert r.status_code == 404 and r.json()["message"] == "该办件没有待签发的证照。"


# --- the workbench page -----------------------------------------------------------------------

PAGE = {
    None: 302,  # to the login page
    "demo-citizen": 403,
    "other_clerk": 404,
    "demo-clerk": 403,  # sees the case, may not issue
    "demo-reviewer": 200,
}


@pytest.mark.parametrize("caller", list(PAGE))
def test_page_matrix(pending_case, other_clerk, caller):
    who = other_clerk if caller == "other_clerk" else caller
    client = login(who) if who else Client()
    url = f"/workbench/cases/{pending_case}/licence/"
    before = state(pending_case)
    r = client.get(url)
    assert r.status_code == PAGE[caller], caller
    r = client.post(url, GOOD)
    assert r.status_code == (302 if caller == "demo-reviewer" else PAGE[caller]), caller
    if caller is None:
        assert r["Location"].startswith("/accounts/login/?next=")
    if caller != "demo-reviewer":
        assert state(pending_case) == before


def test_case_page_shows_what_is_pending_and_who_issues(pending_case):
    page = html(login("demo-reviewer").get(f"/workbench/cases/{pending_case}/"))
    assert 'data-testid="licence-pending"' in page and "请填写残疾等级。" in page
    assert f'href="/workbench/cases/{pending_case}/licence/"' in page
    clerk = html(login("demo-clerk").get(f"/workbench/cases/{pending_case}/"))
    assert "由本部门审批人员补全信息后签发。" in clerk
    assert f'href="/workbench/cases/{pending_case}/licence/"' not in clerk
    citizen = html(login("demo-citizen").get(f"/cases/{pending_case}/"))
    assert "电子证照待部门补全信息后签发，签发后会通知您。" in citizen


def test_page_fills_in_the_missing_items_and_issues(pending_case):
    reviewer = login("demo-reviewer")
    url = f"/workbench/cases/{pending_case}/licence/"
    page = html(reviewer.get(url))
    # the items the case gives are shown, only the missing ones are asked
    assert re.findall(r'<input type="text" id="ld-(\w+)" name="(\w+)"', page) == [
        ("disability_grade", "disability_grade"),
        ("cert_no", "cert_no"),
    ]
    known = re.search(r'data-testid="licence-known">(.*?)</dl>', page, re.S)
    assert known and "李明" in known.group(1) and "肢体残疾" in known.group(1)
    # bad input: the error sits next to its field, nothing changes
    before = state(pending_case)
    r = reviewer.post(url, {"disability_grade": "", "cert_no": GOOD["cert_no"]})
    assert r.status_code == 422
    page = html(r)
    assert '<p class="field-error" id="ld-disability_grade-e">请填写残疾等级。</p>' in page
    assert f'value="{GOOD["cert_no"]}"' in page  # what was typed is kept
    assert state(pending_case) == before
    # good input: issued, back on the case page
    r = reviewer.post(url, GOOD)
    assert r.status_code == 302 and r["Location"] == f"/workbench/cases/{pending_case}/"
    lic = License.objects.get(case_no=pending_case)
    page = html(reviewer.get(r["Location"]))
    assert f"电子证照已签发：残疾人证 {GOOD['cert_no']}" in page
    assert f"已签发电子证照 {lic.license_id}" in page
    assert 'data-testid="licence-pending"' not in page
    # nothing left to issue: the page sends the reviewer back
    r = reviewer.get(url)
    assert r.status_code == 302 and r["Location"] == f"/workbench/cases/{pending_case}/"
    # the citizen sees it on the case page and in the wallet
    citizen = login("demo-citizen")
    assert f'href="/licenses/{lic.license_id}/"' in html(citizen.get(f"/cases/{pending_case}/"))
    assert "残疾人证" in html(citizen.get("/licenses/"))
