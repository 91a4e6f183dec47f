"""Pages work as plain HTML forms (no JavaScript) and are scoped like the API."""

import pytest

from shuzheng.exchange.models import Consent, QualityIssue, ShareRequest

from .conftest import CITIZEN_ID, DEMO_USCC, MARRIAGE, POPULATION, SOCIAL

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    from shuzheng.identity.models import User

    def login(username):
        client.force_login(User.objects.get(username=username))
        return client

    return login


def test_data_space_shows_my_data_usage_and_consents(as_user, api):
    api.call("GET", f"/api/v1/exchange/data/{SOCIAL}?subject={CITIZEN_ID}", who="client:demo-bank")
    c = as_user("demo-citizen")
    r = c.get("/dataspace/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "个人数字空间" in html and "李明" in html and "肇庆市公安局" in html
    assert "广东省肇庆市端州区城东街道天宁北路12号" in html
    assert "肇庆农商银行普惠金融系统（演示）" in html and "已提供" in html
    assert (
        'data-testid="consents"' in html and "撤销对肇庆农商银行普惠金融系统（演示）的授权" in html
    )


def test_data_space_requires_login_and_a_person(client, as_user):
    r = client.get("/dataspace/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert as_user("demo-clerk").get("/dataspace/").status_code == 403


def test_enterprise_space_for_its_agent_only(as_user):
    assert as_user("demo-agent").get(f"/dataspace/enterprise/{DEMO_USCC}/").status_code == 200
    assert as_user("demo-citizen").get(f"/dataspace/enterprise/{DEMO_USCC}/").status_code == 404


def test_grant_and_revoke_consent_with_plain_forms(as_user):
    c = as_user("demo-elder")
    r = c.get(f"/dataspace/consents/new/?resource={SOCIAL}")
    assert r.status_code == 200 and "授权使用“社保参保”" in r.content.decode()
    r = c.post(
        "/dataspace/consents/new/",
        {
            "resource": SOCIAL,
            "requester": "demo-bank",
            "fields": ["social_insurance.status"],
            "purpose": "养老贷款审批",
            "days": "60",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/dataspace/#consents"
    consent = Consent.objects.get(granted_by="demo-elder")
    assert consent.fields == ["social_insurance.status"]
    r = c.post(f"/dataspace/consents/{consent.pk}/revoke/")
    assert r.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None


def test_consent_form_errors_are_shown_and_change_nothing(as_user):
    c = as_user("demo-elder")
    r = c.post(
        "/dataspace/consents/new/",
        {"resource": SOCIAL, "requester": "", "purpose": "", "days": "1", "fields": []},
    )
    assert r.status_code == 422
    assert 'data-testid="form-errors"' in r.content.decode()
    assert not Consent.objects.filter(granted_by="demo-elder").exists()
    assert c.get(f"/dataspace/consents/new/?resource={MARRIAGE}").status_code == 404


def test_other_citizen_cannot_revoke(as_user):
    consent = Consent.objects.get(subject_id=CITIZEN_ID)
    r = as_user("demo-elder").post(f"/dataspace/consents/{consent.pk}/revoke/")
    assert r.status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_at is None


def test_correction_form(as_user):
    c = as_user("demo-citizen")
    url = f"/dataspace/corrections/new/?resource={POPULATION}&field=person.name"
    assert c.get(url).status_code == 200
    r = c.post(
        "/dataspace/corrections/new/",
        {
            "resource": POPULATION,
            "field": "person.name",
            "proposed_value": "李铭",
            "reason": "户口本已改名",
        },
    )
    assert r.status_code == 302
    assert QualityIssue.objects.get().proposed_value == "李铭"


@pytest.mark.parametrize(
    "path",
    [
        "/data/",
        "/data/resources/",
        f"/data/resources/{MARRIAGE}/",
        "/data/requests/",
        "/data/requests/new/",
        "/data/quality/",
    ],
)
def test_officer_pages(as_user, client, path):
    assert as_user("demo-dataofficer").get(path).status_code == 200
    client.logout()
    assert as_user("demo-clerk").get(path).status_code == 403
    client.logout()
    assert as_user("demo-citizen").get(path).status_code == 403


def test_officer_files_and_another_officer_decides_with_forms(as_user, client, officer_rsj):
    c = as_user("rsj-dataofficer")
    r = c.get(f"/data/requests/new/?resource={MARRIAGE}")
    assert r.status_code == 200 and "婚姻状况" in r.content.decode()
    r = c.post(
        "/data/requests/new/",
        {
            "resource": MARRIAGE,
            "consumer_department": "441200-RSJ",
            "fields": ["person.marital_status"],
            "purpose": "service",
            "scenario": "失业保险金申领核对婚姻状况",
            "legal_basis": "《失业保险条例》",
            "days": "180",
        },
    )
    assert r.status_code == 302
    req = ShareRequest.objects.get(consumer_department="441200-RSJ", resource__code=MARRIAGE)
    client.logout()
    c = as_user("demo-dataofficer")
    page = c.get(f"/data/requests/{req.pk}/").content.decode()
    assert 'data-testid="decide"' in page
    r = c.post(f"/data/requests/{req.pk}/", {"decision": "deny", "note": ""})
    assert r.status_code == 422
    r = c.post(
        f"/data/requests/{req.pk}/",
        {"decision": "approve", "note": "同意", "fields": ["person.marital_status"]},
    )
    assert r.status_code == 302
    req.refresh_from_db()
    assert req.status == "approved" and req.grant.fields == ["person.marital_status"]


def test_officer_resolves_a_correction_with_a_form(as_user, client):
    as_user("demo-citizen").post(
        "/dataspace/corrections/new/",
        {
            "resource": MARRIAGE,
            "field": "marriage.registry_office",
            "proposed_value": "肇庆市民政局",
            "reason": "在市局登记",
        },
    )
    client.logout()
    issue = QualityIssue.objects.get()
    c = as_user("demo-dataofficer")
    r = c.post("/data/quality/", {"issue": issue.pk, "decision": "reject", "note": ""})
    assert r.status_code == 422
    r = c.post(
        "/data/quality/", {"issue": issue.pk, "decision": "reject", "note": "经核实登记机关无误"}
    )
    assert r.status_code == 302
    issue.refresh_from_db()
    assert issue.status == "rejected"
