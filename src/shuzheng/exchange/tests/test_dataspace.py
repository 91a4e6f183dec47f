"""Personal and enterprise data spaces: consents, usage, my data, corrections (数据纠错)."""

import datetime as dt

import pytest
import time_machine

from shuzheng.exchange.models import Consent, QualityIssue, RegistryRecord

from .conftest import CITIZEN_ID, DEMO_USCC, ELDER_ID, MARRIAGE, POPULATION, SOCIAL, TAX

pytestmark = pytest.mark.django_db

STAFF_AND_CLIENTS = ["demo-clerk", "demo-dataofficer", "client:demo-mz-system", "client:demo-bank"]


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400


def consent(api, who="demo-citizen", **extra):
    body = {"requester": "demo-bank", "resource": SOCIAL, "purpose": "个人住房贷款审批", "days": 30}
    body.update(extra)
    return api.call("POST", "/api/v1/dataspace/consents", who=who, json_body=body)


@pytest.mark.parametrize(
    ("who", "status", "count"),
    [
        (None, 401, None),
        ("demo-citizen", 200, 1),  # the seeded consent to the bank
        ("demo-elder", 200, 0),  # another citizen sees none of it
        ("demo-agent", 200, 0),
        *[(w, 403, None) for w in STAFF_AND_CLIENTS],
    ],
)
def test_consent_list_matrix(api, who, status, count):
    r = api.call("GET", "/api/v1/dataspace/consents", who=who)
    assert r.status_code == status
    if count is not None:
        assert len(r.json()["items"]) == count


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("demo-citizen", 201),
        ("demo-elder", 201),
        *[(w, 403) for w in STAFF_AND_CLIENTS],
    ],
)
def test_consent_create_matrix(api, who, status):
    before = Consent.objects.count()
    r = consent(api, who)
    assert r.status_code == status, r.content
    assert Consent.objects.count() == before + (status == 201)
    if status == 201:
        body = r.json()
        assert body["requester_name"] == "肇庆农商银行普惠金融系统（演示）"
        assert body["status"] == "active" and body["resource_name"] == "社保参保"
        assert len(body["fields"]) == 5  # all fields when none chosen


def test_consent_with_chosen_fields_and_period(api):
    with time_machine.travel(dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        r = consent(api, fields=["social_insurance.status"], days=90)
    body = r.json()
    assert r.status_code == 201
    assert body["fields"] == ["social_insurance.status"]
    assert body["valid_until"].startswith("2027-03-01")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requester": "demo-unknown"}, "requester"),
        ({"resource": MARRIAGE}, "resource"),  # 婚姻登记 is not given to outside organisations
        ({"resource": TAX}, "resource"),  # an enterprise's resource, not a person's
        ({"fields": ["social_insurance.salary"]}, "fields.0"),
        ({"fields": []}, "fields"),
        ({"days": 0}, "days"),
        ({"purpose": ""}, "purpose"),
    ],
)
def test_bad_consents_are_refused(api, change, field):
    before = Consent.objects.count()
    r = consent(api, **change)
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == field
    assert Consent.objects.count() == before


def test_enterprise_consents_only_for_agents_of_that_enterprise(api):
    r = consent(api, "demo-agent", resource=TAX, enterprise=DEMO_USCC)
    assert r.status_code == 201 and r.json()["subject_kind"] == "enterprise"
    r = consent(api, "demo-citizen", resource=TAX, enterprise=DEMO_USCC)
    assert r.status_code == 404
    listed = api.call("GET", f"/api/v1/dataspace/consents?enterprise={DEMO_USCC}", who="demo-agent")
    assert len(listed.json()["items"]) == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("demo-citizen", 200),
        ("demo-elder", 404),
        ("demo-agent", 404),
        *[(w, 403) for w in STAFF_AND_CLIENTS],
    ],
)
def test_revoke_matrix(api, who, status):
    c = Consent.objects.get(subject_id=CITIZEN_ID, requester="demo-bank")
    r = api.call("DELETE", f"/api/v1/dataspace/consents/{c.pk}", who=who)
    assert r.status_code == status
    c.refresh_from_db()
    assert (c.revoked_at is not None) is (status == 200)


def test_revoke_twice_is_a_conflict(api, audit_actions, last_seq):
    c = Consent.objects.get(subject_id=CITIZEN_ID, requester="demo-bank")
    api.token("demo-citizen")
    seq = last_seq()
    assert (
        api.call("DELETE", f"/api/v1/dataspace/consents/{c.pk}", who="demo-citizen").status_code
        == 200
    )
    r = api.call("DELETE", f"/api/v1/dataspace/consents/{c.pk}", who="demo-citizen")
    assert r.status_code == 409
    assert audit_actions(since=seq) == ["exchange.consent_revoked"]


def test_usage_shows_who_used_my_data_and_refusals(api):
    api.call("GET", f"/api/v1/exchange/data/{SOCIAL}?subject={CITIZEN_ID}", who="client:demo-bank")
    api.call("GET", f"/api/v1/exchange/data/{SOCIAL}?subject={ELDER_ID}", who="client:demo-bank")
    mine = api.call("GET", "/api/v1/dataspace/usage", who="demo-citizen").json()["items"]
    assert [(u["consumer"], u["resource"], u["outcome"]) for u in mine] == [
        ("demo-bank", SOCIAL, "ok")
    ]
    assert mine[0]["purpose"] == "个人经营贷款审批（政银数据融合）"
    assert mine[0]["basis"] == "consent"
    theirs = api.call("GET", "/api/v1/dataspace/usage", who="demo-elder").json()["items"]
    assert [(u["consumer"], u["outcome"]) for u in theirs] == [("demo-bank", "refused")]
    for who in STAFF_AND_CLIENTS:
        assert api.call("GET", "/api/v1/dataspace/usage", who=who).status_code == 403
    assert api.call("GET", "/api/v1/dataspace/usage").status_code == 401


def test_my_data_as_held_by_each_source(api):
    items = api.call("GET", "/api/v1/dataspace/data", who="demo-citizen").json()["items"]
    by = {i["resource_name"]: i for i in items}
    assert by["人口基础信息"]["department_name"] == "肇庆市公安局"
    values = {f["name"]: f["value"] for f in by["人口基础信息"]["fields"]}
    assert values["person.name"] == "李明"
    assert values["person.hukou_address"] == "广东省肇庆市端州区城东街道天宁北路12号"
    assert by["婚姻登记"]["department_name"] == "肇庆市民政局"
    assert "残疾人信息" not in by
    ent = api.call("GET", f"/api/v1/dataspace/data?enterprise={DEMO_USCC}", who="demo-agent").json()
    assert {i["resource_name"] for i in ent["items"]} == {"法人基础信息", "社会信用", "纳税信用"}
    r = api.call("GET", f"/api/v1/dataspace/data?enterprise={DEMO_USCC}", who="demo-citizen")
    assert r.status_code == 404


def test_correction_goes_to_the_source_with_a_deadline_and_is_audited(
    api, officer_rsj, audit_actions, last_seq
):
    with time_machine.travel(dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC), tick=False):
        r = api.call(
            "POST",
            "/api/v1/dataspace/corrections",
            who="demo-citizen",
            json_body={
                "resource": POPULATION,
                "field": "person.hukou_address",
                "proposed_value": "广东省肇庆市端州区城东街道天宁北路12号之一",
                "reason": "门牌已变更为12号之一",
            },
        )
        assert r.status_code == 201, r.content
        issue = r.json()
        assert issue["department"] == "441200-GAJ"
        assert issue["due_date"] == "2026-12-10"  # 5 working days after Thursday 3 December
        assert issue["current_value"] == "广东省肇庆市端州区城东街道天宁北路12号"
        # a second open report for the same field is refused
        again = api.call(
            "POST",
            "/api/v1/dataspace/corrections",
            who="demo-citizen",
            json_body={
                "resource": POPULATION,
                "field": "person.hukou_address",
                "proposed_value": "x",
                "reason": "再次反馈一下",
            },
        )
        assert again.status_code == 409
        url = f"/api/v1/exchange/quality/issues/{issue['id']}/resolve"
        body = {"decision": "correct", "note": "已核实户籍档案"}
        assert api.call("POST", url, who="rsj-dataofficer", json_body=body).status_code == 404
        assert api.call("POST", url, who="demo-clerk", json_body=body).status_code == 403
        assert api.call("POST", url, who="demo-citizen", json_body=body).status_code == 403
        seq = last_seq()
        r = api.call("POST", url, who="demo-dataofficer", json_body=body)
        assert r.status_code == 200 and r.json()["status"] == "corrected"
        assert r.json()["overdue"] is False
        assert audit_actions(since=seq) == ["exchange.correction_resolved"]
        assert api.call("POST", url, who="demo-dataofficer", json_body=body).status_code == 409
    record = RegistryRecord.objects.get(resource__code=POPULATION, subject_id=CITIZEN_ID)
    assert record.data["person.hukou_address"].endswith("12号之一")
    from shuzheng.audit.models import AuditRecord

    rec = AuditRecord.objects.filter(action="exchange.correction_resolved").latest("id")
    assert rec.before["person.hukou_address"] == "广东省肇庆市端州区城东街道天宁北路12号"
    assert rec.after["person.hukou_address"].endswith("12号之一")
    assert QualityIssue.objects.get(pk=issue["id"]).resolved_by == "user:demo-dataofficer"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"field": "person.shoe_size"}, "field"),
        ({"resource": TAX}, "resource"),
        ({"proposed_value": ""}, "proposed_value"),
        ({"reason": "错"}, "reason"),
    ],
)
def test_bad_corrections_are_refused(api, change, field):
    body = {
        "resource": POPULATION,
        "field": "person.name",
        "proposed_value": "李敏",
        "reason": "曾用名未更新",
    }
    r = api.call(
        "POST", "/api/v1/dataspace/corrections", who="demo-citizen", json_body={**body, **change}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    assert not QualityIssue.objects.exists()
