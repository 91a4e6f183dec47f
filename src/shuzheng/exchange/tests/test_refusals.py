"""Refused attempts outside the data API are audited like the data API's refused calls: an
authenticated caller refused at an access check (403, or 404 for what they may not see) leaves
one ``exchange.…_refused`` record with the reason, and nothing else changes. Anonymous callers
(401), bad input (422) and conflicts (409) leave no record."""

import pytest

from shuzheng.audit import facade as audit
from shuzheng.audit.models import AuditRecord
from shuzheng.exchange.models import Consent, QualityIssue, Resource, ShareGrant, ShareRequest

from .conftest import CITIZEN_ID, DEMO_USCC, MARRIAGE, POPULATION, SOCIAL

pytestmark = pytest.mark.django_db

ASK = {
    "resource": MARRIAGE,
    "fields": ["person.marital_status"],
    "purpose": "service",
    "scenario": "最低生活保障审核：核对婚姻状况",
    "legal_basis": "《社会救助暂行办法》第十一条",
    "days": 365,
}


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400


@pytest.fixture
def records(last_seq):
    """Exchange audit records written by the next API call (tokens are issued first)."""

    def after(api, who, method, path, body=None):
        if who:
            api.token(who)
        seq = last_seq()
        r = api.call(method, path, who=who, json_body=body)
        audit.seal()  # deferred chaining (PostgreSQL's default) places the records first
        rows = list(
            AuditRecord.objects.filter(seq__gt=seq, action__startswith="exchange.").order_by("seq")
        )
        return r, rows

    return after


def refusal(rows, action, actor, status, reason):
    assert [(r.action, r.actor) for r in rows] == [(action, actor)]
    after = rows[0].after
    assert after["outcome"] == "refused" and after["status"] == status
    assert reason in after["reason"]
    return rows[0]


@pytest.fixture
def pending(api):
    r = api.call("POST", "/api/v1/exchange/requests", who="client:demo-mz-system", json_body=ASK)
    assert r.status_code == 201
    return r.json()["id"]


# --- share requests and decisions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "reason"),
    [
        (None, 401, None),
        ("demo-citizen", 403, "只有数据提供部门的数据管理员"),
        ("demo-clerk", 403, "只有数据提供部门的数据管理员"),
        ("rsj-dataofficer", 404, "未找到该共享申请"),  # another department's request
        ("client:demo-mz-system", 403, "只有数据提供部门的数据管理员"),
        ("client:demo-bank", 403, "只有数据提供部门的数据管理员"),
    ],
)
def test_refused_decisions_are_audited(api, officer_rsj, pending, records, who, status, reason):
    url = f"/api/v1/exchange/requests/{pending}/decision"
    r, rows = records(api, who, "POST", url, {"decision": "approve", "note": "同意"})
    assert r.status_code == status, r.content
    assert ShareRequest.objects.get(pk=pending).status == "pending"
    assert not ShareGrant.objects.filter(request_id=pending).exists()
    if reason is None:
        assert rows == []
        return
    actor = f"client:{who[7:]}" if who.startswith("client:") else f"user:{who}"
    rec = refusal(rows, "exchange.request_decision_refused", actor, status, reason)
    assert (rec.object_type, rec.object_id) == ("exchange.request", str(pending))
    assert rec.after["decision"] == "approve"


def test_wrong_officer_and_self_approval_are_audited(api, officer_rsj, records):
    # 市人社局 asks the 人口 registry (公安) for itself: its officer sees it but may not decide
    r = api.call(
        "POST",
        "/api/v1/exchange/requests",
        who="rsj-dataofficer",
        json_body={**ASK, "resource": POPULATION, "fields": ["person.name"]},
    )
    url = f"/api/v1/exchange/requests/{r.json()['id']}/decision"
    r, rows = records(api, "rsj-dataofficer", "POST", url, {"decision": "approve"})
    assert r.status_code == 403
    refusal(
        rows,
        "exchange.request_decision_refused",
        "user:rsj-dataofficer",
        403,
        "只有数据提供部门的数据管理员可以审批",
    )
    # demo-dataofficer is officer of 公安 (consumer) and 民政 (source): no self-approval
    r = api.call(
        "POST",
        "/api/v1/exchange/requests",
        who="demo-dataofficer",
        json_body={**ASK, "consumer_department": "441200-GAJ"},
    )
    url = f"/api/v1/exchange/requests/{r.json()['id']}/decision"
    r, rows = records(api, "demo-dataofficer", "POST", url, {"decision": "approve"})
    assert r.status_code == 403
    refusal(rows, "exchange.request_decision_refused", "user:demo-dataofficer", 403, "本人提交")


def test_bad_decisions_and_conflicts_are_not_audited(api, pending, records):
    url = f"/api/v1/exchange/requests/{pending}/decision"
    for body in ({"decision": "deny"}, {"decision": "maybe"}):
        r, rows = records(api, "demo-dataofficer", "POST", url, body)
        assert r.status_code == 422 and rows == []
    r, rows = records(api, "demo-dataofficer", "POST", url, {"decision": "approve", "note": "同意"})
    assert r.status_code == 200
    assert [x.action for x in rows] == ["exchange.request_approved"]
    r, rows = records(api, "demo-dataofficer", "POST", url, {"decision": "deny", "note": "改主意"})
    assert r.status_code == 409 and rows == []


@pytest.mark.parametrize(
    ("who", "extra", "reason"),
    [
        ("demo-citizen", {}, "只有部门数据管理员或政务系统"),
        ("client:demo-bank", {}, "外部机构不能申请"),
        ("rsj-dataofficer", {"consumer_department": "441200-GAJ"}, "不是该部门的数据管理员"),
        ("client:demo-mz-system", {"consumer_department": "441200-GAJ"}, "所属部门"),
    ],
)
def test_refused_share_requests_are_audited(api, officer_rsj, records, who, extra, reason):
    before = ShareRequest.objects.count()
    r, rows = records(api, who, "POST", "/api/v1/exchange/requests", {**ASK, **extra})
    assert r.status_code == 403, r.content
    assert ShareRequest.objects.count() == before
    actor = f"client:{who[7:]}" if who.startswith("client:") else f"user:{who}"
    rec = refusal(rows, "exchange.request_refused", actor, 403, reason)
    assert (rec.object_type, rec.object_id) == ("exchange.resource", MARRIAGE)


def test_bad_share_requests_are_not_audited(api, records):
    for change in ({"fields": ["marriage.bride_price"]}, {"days": 0}, {"purpose": "curiosity"}):
        body = {**ASK, "consumer_department": "441200-GAJ", **change}
        r, rows = records(api, "demo-dataofficer", "POST", "/api/v1/exchange/requests", body)
        assert r.status_code == 422 and rows == []
    r, rows = records(api, "demo-dataofficer", "POST", "/api/v1/exchange/requests", ASK)
    assert r.status_code == 422 and rows == []  # which of its three departments: input


def test_refused_grant_revocation_is_audited(api, officer_rsj, records):
    r = api.call(
        "POST",
        "/api/v1/exchange/requests",
        who="client:demo-mz-system",
        json_body={**ASK, "resource": "102001/000001", "fields": ["enterprise.name"]},
    )
    code = r.json()["grant"]["code"]  # 秒享: granted at once
    url = f"/api/v1/exchange/grants/{code}/revoke"
    r, rows = records(api, "rsj-dataofficer", "POST", url, {"note": "不再需要"})
    assert r.status_code == 404
    refusal(rows, "exchange.grant_revoke_refused", "user:rsj-dataofficer", 404, "未找到该共享授权")
    r, rows = records(api, "demo-citizen", "POST", url, {"note": "不再需要"})
    assert r.status_code == 403
    refusal(rows, "exchange.grant_revoke_refused", "user:demo-citizen", 403, "仅数据管理员")
    assert ShareGrant.objects.get(code=code).revoked_at is None


def test_refused_resource_registration_is_audited(api, officer_rsj, records):
    body = {
        "name": "居住证信息",
        "catalogue_class": "1",
        "item": "01",
        "catalogue": "002",
        "source_department": "441200-GAJ",
        "subject_kind": "person",
        "share_level": "conditional",
        "share_condition": "用于政务服务",
        "update_frequency": "daily",
        "fields": [
            {"name": "residence.permit_no", "title": "居住证号码", "classification": "general"}
        ],
    }
    before = Resource.objects.count()
    r, rows = records(api, "rsj-dataofficer", "POST", "/api/v1/exchange/resources", body)
    assert r.status_code == 403 and Resource.objects.count() == before
    rec = refusal(
        rows, "exchange.resource_register_refused", "user:rsj-dataofficer", 403, "数据管理员"
    )
    assert rec.after["source_department"] == "441200-GAJ"


# --- consents and corrections -------------------------------------------------------------------


CONSENT = {"requester": "demo-bank", "resource": SOCIAL, "purpose": "个人住房贷款审批", "days": 30}


@pytest.mark.parametrize(
    ("who", "body", "status", "reason"),
    [
        ("demo-clerk", {}, 403, "数字空间仅向实名认证的个人"),
        ("client:demo-bank", {}, 403, "数字空间仅向实名认证的个人"),
        # an enterprise the caller is not a valid agent of
        (
            "demo-citizen",
            {"resource": "208001/000001", "enterprise": DEMO_USCC},
            404,
            "不是该企业的有效经办人",
        ),
    ],
)
def test_refused_consent_grants_are_audited(api, records, who, body, status, reason):
    before = Consent.objects.count()
    payload = {**CONSENT, **body}
    r, rows = records(api, who, "POST", "/api/v1/dataspace/consents", payload)
    assert r.status_code == status, r.content
    assert Consent.objects.count() == before
    actor = f"client:{who[7:]}" if who.startswith("client:") else f"user:{who}"
    rec = refusal(rows, "exchange.consent_grant_refused", actor, status, reason)
    assert rec.after["requester"] == "demo-bank"


def test_bad_consents_are_not_audited(api, records):
    for change in ({"requester": "demo-unknown"}, {"resource": MARRIAGE}, {"days": 0}):
        payload = {**CONSENT, **change}
        r, rows = records(api, "demo-citizen", "POST", "/api/v1/dataspace/consents", payload)
        assert r.status_code == 422 and rows == []


def test_revoking_someone_elses_consent_is_audited(api, records):
    c = Consent.objects.get(subject_id=CITIZEN_ID, requester="demo-bank")
    url = f"/api/v1/dataspace/consents/{c.pk}"
    r, rows = records(api, "demo-elder", "DELETE", url)
    assert r.status_code == 404
    rec = refusal(rows, "exchange.consent_revoke_refused", "user:demo-elder", 404, "未找到该授权")
    assert (rec.object_type, rec.object_id) == ("exchange.consent", str(c.pk))
    r, rows = records(api, "client:demo-bank", "DELETE", url)
    assert r.status_code == 403
    refusal(rows, "exchange.consent_revoke_refused", "client:demo-bank", 403, "数字空间")
    c.refresh_from_db()
    assert c.revoked_at is None


def test_refused_corrections_are_audited(api, officer_rsj, records):
    body = {
        "resource": POPULATION,
        "field": "person.name",
        "proposed_value": "李敏",
        "reason": "曾用名未更新",
    }
    r, rows = records(api, "demo-clerk", "POST", "/api/v1/dataspace/corrections", body)
    assert r.status_code == 403
    refusal(rows, "exchange.correction_report_refused", "user:demo-clerk", 403, "数字空间")
    r = api.call("POST", "/api/v1/dataspace/corrections", who="demo-citizen", json_body=body)
    assert r.status_code == 201
    url = f"/api/v1/exchange/quality/issues/{r.json()['id']}/resolve"
    resolve = {"decision": "correct", "note": "已核实"}
    r, rows = records(api, "rsj-dataofficer", "POST", url, resolve)
    assert r.status_code == 404
    refusal(rows, "exchange.correction_resolve_refused", "user:rsj-dataofficer", 404, "未找到")
    r, rows = records(api, "demo-dataofficer", "POST", url, {"decision": "correct"})
    assert r.status_code == 422 and rows == []  # no note: input
    assert QualityIssue.objects.get().status == "open"


# --- pages ---------------------------------------------------------------------------------------


@pytest.fixture
def as_user(client):
    from shuzheng.identity.models import User

    def login(username):
        client.force_login(User.objects.get(username=username))
        return client

    return login


def page_refusals(since):
    audit.seal()  # deferred chaining (PostgreSQL's default) places the records first
    return list(
        AuditRecord.objects.filter(seq__gt=since, action__endswith="_refused").values_list(
            "action", "actor", "object_id"
        )
    )


def test_forms_sent_by_callers_the_page_refuses_are_audited(as_user, pending, last_seq):
    seq = last_seq()
    c = as_user("demo-citizen")
    assert c.get(f"/data/requests/{pending}/").status_code == 403  # looking is not an attempt
    assert page_refusals(seq) == []
    r = c.post(f"/data/requests/{pending}/", {"decision": "approve", "note": "同意"})
    assert r.status_code == 403
    assert page_refusals(seq) == [
        ("exchange.request_decision_refused", "user:demo-citizen", str(pending))
    ]
    seq = last_seq()
    r = c.post(
        "/dataspace/consents/new/",
        {
            "resource": "208001/000001",
            "enterprise": DEMO_USCC,
            "requester": "demo-bank",
            "purpose": "贷款",
            "days": "30",
            "fields": ["tax_credit.grade"],
        },
    )
    assert r.status_code == 404
    assert page_refusals(seq) == [
        ("exchange.consent_grant_refused", "user:demo-citizen", "208001/000001")
    ]
    # the officer of another department posting a decision on a request it cannot see
    seq = last_seq()
    from shuzheng.identity.models import Department, StaffRole, User

    user = User.objects.create(username="cl-officer", kind="staff", display_name="残联数据")
    StaffRole.objects.create(
        user=user, department=Department.objects.get(code="441200-CL"), role="data_officer"
    )
    r = as_user("cl-officer").post(f"/data/requests/{pending}/", {"decision": "approve"})
    assert r.status_code == 404
    assert page_refusals(seq) == [
        ("exchange.request_decision_refused", "user:cl-officer", str(pending))
    ]
    assert ShareRequest.objects.get(pk=pending).status == "pending"


def test_audit_chain_stays_valid_with_refusals(api, pending, records):
    url = f"/api/v1/exchange/requests/{pending}/decision"
    records(api, "demo-citizen", "POST", url, {"decision": "approve"})
    records(api, "demo-elder", "DELETE", "/api/v1/dataspace/consents/1")
    assert audit.verify().ok
