"""Filing a case in someone else's name (窗口代办, issue 16 item 2): only a window clerk of the
department that handles the item, with the applicant there in person — recorded in the
timeline and the audit record. Every other staff account is refused and nothing is written."""

from __future__ import annotations

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case
from shuzheng.identity.models import Department, Person, StaffRole, User

pytestmark = pytest.mark.django_db


def _form(idn: str) -> dict[str, str]:
    return {
        "applicant_name": "陈桂英",
        "applicant_id_number": idn,
        "applicant_phone": "13800000002",
        "enterprise_name": "测试",
    }


def _file(cases, who, code, idn, **extra):  # type: ignore[no-untyped-def]
    return cases.apply(who, code, applicant_id_number=idn, form=_form(idn), **extra)


@pytest.fixture
def elder_idn() -> str:
    return str(Person.objects.get(user__username="demo-elder").id_number)


@pytest.fixture
def clerk_elsewhere(catalog):  # type: ignore[no-untyped-def]
    """A window clerk of a department other than the one handling the licence item."""
    from shuzheng.catalog import facade as catalog_facade

    department = catalog_facade.item(catalog["licence"]).department
    other = Department.objects.exclude(code=department).order_by("code").first()
    admin = User.objects.get(username="demo-admin")
    user = User.objects.create(
        username="clerk-elsewhere", kind="staff", display_name="别处窗口", password=admin.password
    )
    StaffRole.objects.create(user=user, department=other, role="window_clerk")
    return user.username


@pytest.mark.parametrize(
    "who",
    ["demo-reviewer", "demo-head", "demo-dataofficer", "demo-hotline", "demo-admin"],
)
def test_staff_who_are_not_window_clerks_cannot_file_in_a_citizens_name(
    catalog, cases, elder_idn, who
):
    cases_audited = AuditRecord.objects.filter(action__startswith="cases.")
    before = (Case.objects.count(), cases_audited.count())
    r = _file(cases, who, catalog["licence"], elder_idn, applicant_present=True)
    assert r.status_code == 403, r.content
    assert "窗口工作人员" in r.json()["message"]
    assert (Case.objects.count(), cases_audited.count()) == before


def test_a_window_clerk_of_another_department_cannot_either(
    catalog, cases, elder_idn, clerk_elsewhere
):
    before = Case.objects.count()
    r = _file(cases, clerk_elsewhere, catalog["licence"], elder_idn, applicant_present=True)
    assert r.status_code == 403 and Case.objects.count() == before


def test_the_clerk_must_confirm_the_applicant_is_present(catalog, cases, elder_idn):
    before = Case.objects.count()
    r = _file(cases, "demo-clerk", catalog["licence"], elder_idn)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["applicant_present"]
    assert "到场" in r.json()["errors"][0]["message"]
    assert Case.objects.count() == before


def test_the_departments_window_clerk_files_with_the_applicant_present_recorded(
    catalog, cases, api, elder_idn
):
    r = _file(cases, "demo-clerk", catalog["licence"], elder_idn, applicant_present=True)
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["channel"], body["applicant_name"]) == ("window", "陈桂英")
    assert body["timeline"][0]["data"] == {"applicant_present": True}
    rec = AuditRecord.objects.filter(action="cases.submit", object_id=body["case_no"]).get()
    assert rec.actor == "user:demo-clerk" and rec.after["applicant_present"] is True
    mine = api.call("GET", "/api/v1/cases", who="demo-elder").json()
    assert body["case_no"] in [c["case_no"] for c in mine["items"]]


def test_online_applications_record_no_window(catalog, cases):
    r = cases.apply("demo-citizen", catalog["licence"])
    assert r.status_code == 201, r.content
    assert r.json()["channel"] == "online" and r.json()["timeline"][0]["data"] == {}


def test_a_form_cannot_name_someone_else_as_the_applicant(catalog, cases, elder_idn):
    """Issue 16 item 4: 李明 filed a form naming 陈桂英 and her ID number. The fields that
    identify the applicant come from the verified identity: a different value is refused,
    naming the field, and nothing is created."""
    before = Case.objects.count()
    r = cases.apply("demo-citizen", catalog["licence"], form=_form(elder_idn))
    assert r.status_code == 422
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert set(errors) >= {"form.applicant_name", "form.applicant_id_number"}
    assert "实名认证信息一致" in errors["form.applicant_id_number"]
    assert Case.objects.count() == before


def test_identity_fields_left_empty_are_filled_from_the_verified_identity(catalog, cases):
    citizen = Person.objects.get(user__username="demo-citizen")
    form = {"applicant_phone": "13800000001", "enterprise_name": "测试"}
    r = cases.apply("demo-citizen", catalog["licence"], form=form)
    assert r.status_code == 201, r.content
    saved = Case.objects.get(case_no=r.json()["case_no"]).form
    assert (saved["applicant_name"], saved["applicant_id_number"]) == (
        citizen.name,
        citizen.id_number,
    )


def test_a_correction_cannot_change_who_applies(catalog, cases, elder_idn):
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    assert cases.act("demo-clerk", no, "request_correction", items=["联系电话"]).status_code == 200
    r = cases.act("demo-citizen", no, "resubmit", form={"applicant_id_number": elder_idn})
    assert r.status_code == 422
    # … and the 联系电话 the clerk asked about is left as it was
    assert [e["field"] for e in r.json()["errors"]] == [
        "form.applicant_id_number",
        "form.applicant_phone",
    ]
    case = Case.objects.get(case_no=no)
    assert case.status == "correction" and case.form["applicant_id_number"] != elder_idn
    r = cases.act("demo-citizen", no, "resubmit", form={"applicant_phone": "13900000000"})
    assert r.status_code == 200, r.content
