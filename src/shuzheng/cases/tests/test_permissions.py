"""Permission matrix for every cases endpoint: who sees which case, who may act."""

import pytest
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case
from shuzheng.identity.models import Department, StaffRole, User

pytestmark = pytest.mark.django_db

CALLERS = {
    "anonymous": None,
    "citizen": "demo-citizen",
    "other_citizen": "demo-elder",
    "agent": "demo-agent",
    "clerk": "demo-clerk",
    "other_dept_staff": "demo-dataofficer",
    "admin": "demo-admin",
    "client": "client:demo-mz-system",
}


@pytest.fixture
def case_no(catalog, cases):
    return cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]


# expected status of GET /api/v1/cases/{case_no} for each caller
DETAIL = {
    "anonymous": 401,
    "citizen": 200,
    "other_citizen": 404,
    "agent": 404,
    "clerk": 200,
    "other_dept_staff": 404,
    "admin": 404,
    "client": 404,
}


@pytest.mark.parametrize("caller", list(CALLERS))
def test_detail_matrix(api, case_no, caller):
    r = api.call("GET", f"/api/v1/cases/{case_no}", who=CALLERS[caller])
    assert r.status_code == DETAIL[caller], (caller, r.content)


@pytest.mark.parametrize("caller", list(CALLERS))
def test_list_matrix(api, case_no, caller):
    r = api.call("GET", "/api/v1/cases", who=CALLERS[caller])
    if caller == "anonymous":
        assert r.status_code == 401
        return
    assert r.status_code == 200
    seen = [c["case_no"] for c in r.json()["items"]]
    assert (case_no in seen) == (caller in ("citizen", "clerk"))


# expected status of POST accept for each caller (nothing changes unless 200)
ACCEPT = {
    "anonymous": 401,
    "citizen": 409,
    "other_citizen": 404,
    "agent": 404,
    "clerk": 200,
    "other_dept_staff": 404,
    "admin": 404,
    "client": 404,
}


@pytest.mark.parametrize("caller", list(CALLERS))
def test_action_matrix(api, case_no, caller):
    who = CALLERS[caller]
    if who:
        api.token(who)
    before = (Case.objects.get(case_no=case_no).status, AuditRecord.objects.count())
    r = api.call(
        "POST", f"/api/v1/cases/{case_no}/actions", who=who, json_body={"action": "accept"}
    )
    assert r.status_code == ACCEPT[caller], (caller, r.content)
    if r.status_code != 200:
        assert (Case.objects.get(case_no=case_no).status, AuditRecord.objects.count()) == before
    if r.status_code == 409:
        assert r.json()["allowed_actions"] == ["withdraw"]


@pytest.mark.parametrize("caller", ["anonymous", "client", "other_dept_staff"])
def test_create_refused(api, catalog, caller):
    r = api.call(
        "POST",
        "/api/v1/cases",
        who=CALLERS[caller],
        json_body={"item_code": catalog["licence"], "form": {}},
    )
    assert r.status_code in (401, 403, 422)
    assert Case.objects.count() == 0


@pytest.mark.parametrize("role", ["data_officer", "hotline_operator", "platform_admin"])
def test_staff_whose_purpose_is_not_handling_cannot_read_case_files(
    api, catalog, cases, case_no, role
):
    """Issue 16 item 3: visibility follows the role's purpose, not the department. A data
    officer (or 12345 operator, or platform administrator) of the case's department reads no
    case file — not by the API, the list, the workbench page or an action — while the
    department's handling staff still do."""
    admin = User.objects.get(username="demo-admin")
    user = User.objects.create(username="demo-scj-viewer", kind="staff", password=admin.password)
    department = Department.objects.get(code="441200-SCJGJ")
    StaffRole.objects.create(user=user, department=department, role=role)
    r = api.call("GET", f"/api/v1/cases/{case_no}", who="demo-scj-viewer")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    listed = api.call("GET", "/api/v1/cases", who="demo-scj-viewer").json()
    assert listed["total"] == 0 and listed["items"] == []
    before = Case.objects.get(case_no=case_no).status
    r = api.call(
        "POST",
        f"/api/v1/cases/{case_no}/actions",
        who="demo-scj-viewer",
        json_body={"action": "accept"},
    )
    assert r.status_code == 404
    assert Case.objects.get(case_no=case_no).status == before
    page = Client()
    page.force_login(user)
    assert page.get(f"/workbench/cases/{case_no}/").status_code == 404
    # the department's reviewer reads it, with the applicant's data in full
    body = api.call("GET", f"/api/v1/cases/{case_no}", who="demo-reviewer").json()
    assert body["case_no"] == case_no and body["applicant_name"] == "李明"


def test_upload_checks_type_and_owner(api, cases):
    r = api.client.post(
        "/api/v1/files",
        {
            "file": __import__("django").core.files.uploadedfile.SimpleUploadedFile(
                "x.exe", b"MZ\x90\x00", "application/octet-stream"
            )
        },
        HTTP_AUTHORIZATION=f"Bearer {api.token('demo-citizen')}",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
    assert api.client.post("/api/v1/files").status_code == 401
