"""秒批 end to end: the rules decide on submit; approve closes the case with a signed licence."""

import datetime as dt

import pytest
from django.test import Client

from shuzheng.catalog.demo import seed_catalog
from shuzheng.core.codes import make_id_number
from shuzheng.identity.models import Person, User

pytestmark = pytest.mark.django_db
GAOLING = "44120030500001000000B"  # 高龄津贴申领


@pytest.fixture
def real_catalog():
    from shuzheng.rules.services import rule_sets_seed

    seed_catalog()
    rule_sets_seed()


def _apply(api, cases, who, submit=True):
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={GAOLING}", who=who).json()
    schema = prep["form_schema"]
    form = dict(prep["prefill"])
    for name, prop in schema["properties"].items():
        if name in form or name not in schema.get("required", []):
            continue
        if "enum" in prop:
            form[name] = prop["enum"][0]
        elif prop.get("type") == "string" and prop.get("format") == "date":
            form[name] = "2026-11-01"
        elif prop.get("type") in ("integer", "number"):
            form[name] = 1
        elif prop.get("type") == "boolean":
            form[name] = True
        else:
            form[name] = "测试"
    mats = []
    for m in prep["materials"]:
        if not m["required"]:
            continue
        if m["satisfied_by"]:
            mats.append({"material_code": m["material_code"], "license_id": m["satisfied_by"][0]})
        else:
            mats.append({"material_code": m["material_code"], "file_id": cases.upload(who)})
    return api.call(
        "POST",
        "/api/v1/cases",
        who=who,
        json_body={"item_code": GAOLING, "form": form, "materials": mats, "submit": submit},
    )


def test_elder_is_approved_at_once_and_holds_the_license(api, cases, real_catalog):
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "closed"
    d = body["decision"]
    assert d["outcome"] == "approve" and d["rule_set"] and d["version"] >= 1 and d["explanation"]
    assert body["result"].get("license_id"), body["result"]
    wallet = api.call("GET", "/api/v1/licenses", who="demo-elder").json()
    ids = [x["license_id"] for x in (wallet["items"] if isinstance(wallet, dict) else wallet)]
    assert body["result"]["license_id"] in ids


def test_the_age_band_on_the_license_is_the_license_types_data(api, cases, real_catalog):
    """年龄段 is worked out from the bands the licence type declares (``age_bands``), not from a
    rule in the code: change the bands and the next licence says the new words."""
    from shuzheng.licenses.models import License, LicenseType

    t = LicenseType.objects.get(name="高龄津贴资格确认书")
    for f in t.fields:
        if f["name"] == "age_band":
            f["age_bands"] = [[80, "八十周岁以上"]]
    t.save()
    r = _apply(api, cases, "demo-elder")  # 82
    assert r.status_code == 201, r.content
    lic = License.objects.get(license_id=r.json()["result"]["license_id"])
    assert lic.data["age_band"] == "八十周岁以上"


def make_seventy() -> str:
    """demo-70, 何秀兰, born 1956 (under 高龄津贴's 80): her ID number."""
    admin = User.objects.get(username="demo-admin")
    idn = make_id_number("441202", dt.date(1956, 1, 16), 82)
    user = User.objects.create(
        username="demo-70",
        kind="person",
        display_name="何秀兰",
        phone="13900009999",
        password=admin.password,
    )
    Person.objects.create(
        user=user,
        name="何秀兰",
        id_number=idn,
        phone="13900009999",
        sex="F",
        birth_date=dt.date(1956, 1, 16),
        hukou_region_id=Person.objects.get(user__username="demo-elder").hukou_region_id,
    )
    return idn


def test_younger_applicant_is_told_which_condition_failed(api, cases, real_catalog):
    make_seventy()
    r = _apply(api, cases, "demo-70")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "submitted"  # waits for staff
    d = body["decision"]
    assert d["outcome"] in ("deny", "review")
    assert any("80" in line for line in d["explanation"]), d["explanation"]
    assert any(not c["passed"] for c in d["conditions"])
    # the applicant's case page and the reviewer's workbench page both explain it in Chinese
    failed = next(line for line in d["explanation"] if "80" in line)
    citizen = Client()
    citizen.force_login(User.objects.get(username="demo-70"))
    page = citizen.get(f"/cases/{body['case_no']}/").content.decode()
    assert 'data-testid="rule-decision"' in page and failed in page
    assert "工作人员将人工复核" in page or "需要工作人员人工审核" in page
    reviewer = Client()
    reviewer.force_login(User.objects.get(username="demo-reviewer"))
    page = reviewer.get(f"/workbench/cases/{body['case_no']}/").content.decode()
    assert 'data-testid="rule-decision"' in page and failed in page
    assert "请人工" in page


def test_held_licenses_replace_paper_materials(api, cases, real_catalog):
    from shuzheng.licenses.demo import seed_licenses

    seed_licenses()
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={GAOLING}", who="demo-elder").json()
    by_code = {m["material_code"]: m for m in prep["materials"]}
    assert by_code["M1"]["satisfied_by"]  # 居民身份证 held as an e-licence
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201, r.json()
    used = [m for m in r.json()["materials"] if m.get("license_id")]
    assert used and used[0]["material_code"] in ("M1", "M2")


def test_a_license_the_rules_cannot_fill_waits_for_the_reviewer(api, cases, real_catalog):
    """秒批 approves, but the result licence type declares a data item the case does not give:
    the case closes with the licence pending, and a reviewer of 民政局 issues it."""
    from shuzheng.licenses.models import License, LicenseType

    t = LicenseType.objects.get(name="高龄津贴资格确认书")
    t.fields = [
        *t.fields,
        {"name": "cert_no", "label": "确认书编号", "type": "string", "required": True},
    ]
    t.save()
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "closed" and body["decision"]["outcome"] == "approve"
    assert body["result"]["license_pending"] == ["请填写确认书编号。"]
    assert body["result"]["license_pending_fields"] == ["cert_no"]
    no = body["case_no"]
    staff = api.call("GET", f"/api/v1/cases/{no}", who="demo-reviewer").json()
    assert staff["allowed_actions"] == ["issue_license"]
    # the department's 待发证 queue lists it (API with its count, and the workbench page)
    listed = api.call("GET", "/api/v1/cases?queue=license_pending", who="demo-reviewer").json()
    assert [c["case_no"] for c in listed["items"]] == [no]
    assert listed["queues"]["license_pending"] == 1
    reviewer = Client()
    reviewer.force_login(User.objects.get(username="demo-reviewer"))
    page = reviewer.get("/workbench/?queue=license_pending").content.decode()
    assert "待发证" in page and no in page
    # nobody else's queue: the applicant's list ignores staff queues' scope, another department
    # sees nothing
    mine = api.call("GET", "/api/v1/cases?queue=license_pending", who="demo-elder").json()
    assert [c["case_no"] for c in mine["items"]] == [no]  # the applicant's own case only
    other = api.call("GET", "/api/v1/cases?queue=license_pending", who="demo-hotline").json()
    assert other["items"] == []
    r = cases.act("demo-reviewer", no, "issue_license", license_data={"cert_no": "GL2026-0001"})
    assert r.status_code == 200, r.content
    listed = api.call("GET", "/api/v1/cases?queue=license_pending", who="demo-reviewer").json()
    assert listed["items"] == [] and listed["queues"]["license_pending"] == 0
    lic = License.objects.get(license_id=r.json()["result"]["license_id"])
    assert lic.data["cert_no"] == "GL2026-0001" and lic.data["monthly_amount"]
    assert lic.holder_name == "陈桂英" and lic.issued_by == "user:demo-reviewer"


@pytest.mark.django_db(transaction=True)
def test_instant_approval_signs_the_license_outside_any_transaction(api, cases, monkeypatch):
    """The ~100 ms of SM2 + PDF + PAdES must not run while the submission holds the write lock
    (SQLite) or the case-number row (PostgreSQL): bench/instant measured the queue it made."""
    from django.db import connection

    from shuzheng.licenses.services import issuing as license_services
    from shuzheng.rules.services import rule_sets_seed

    seed_catalog()
    rule_sets_seed()
    seen: list[bool] = []
    original = license_services._sign

    def spy(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return original(*args, **kwargs)

    monkeypatch.setattr(license_services, "_sign", spy)
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "closed" and body["result"].get("license_id"), body["result"]
    assert seen == [False]


def test_a_draft_submitted_later_is_decided_by_the_rules_too(api, cases, real_catalog):
    draft = _apply(api, cases, "demo-elder", submit=False)
    assert draft.status_code == 201, draft.content
    assert draft.json()["status"] == "draft" and draft.json()["decision"] is None
    no = draft.json()["case_no"]
    r = api.call(
        "POST", f"/api/v1/cases/{no}/actions", who="demo-elder", json_body={"action": "submit"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "closed" and body["decision"]["outcome"] == "approve"
    assert body["result"].get("license_id"), body["result"]


def test_withdrawn_while_the_license_was_issued_voids_the_license(
    api, cases, real_catalog, monkeypatch
):
    """The applicant withdraws between the rules' approval and the case update: the case stays
    withdrawn and the result licence issued in between is cancelled (注销), audited."""
    from shuzheng.audit.models import AuditRecord
    from shuzheng.cases.models import Case
    from shuzheng.cases.services import results
    from shuzheng.licenses.models import License

    real_issue = results.issue_result

    def issue_then_withdraw(case, spec, *, actor):
        result = real_issue(case, spec, actor=actor)
        Case.objects.filter(pk=case.pk).update(status="withdrawn")  # the applicant's click
        return result

    monkeypatch.setattr(results, "issue_result", issue_then_withdraw)
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201, r.content
    case = Case.objects.get(case_no=r.json()["case_no"])
    assert case.status == "withdrawn" and not case.result
    lic = License.objects.get(case_no=case.case_no)
    assert lic.status == "revoked" and lic.revocation_kind == "cancel"
    assert AuditRecord.objects.filter(
        action="licenses.cancel", object_id=lic.license_id, actor="system:秒批"
    ).exists()
    wallet = api.call("GET", "/api/v1/licenses", who="demo-elder").json()
    items = wallet["items"] if isinstance(wallet, dict) else wallet
    assert all(x["status"] != "valid" for x in items if x["license_id"] == lic.license_id)
