"""The data API: grants for government systems, consent for outside organisations, masking by
grade and purpose, refusals that return nothing and are audited, batches, rate limits."""

import datetime as dt

import pytest
import time_machine

from shuzheng.audit.models import AuditRecord
from shuzheng.core.codes import make_id_number
from shuzheng.exchange.models import Consent, Consumer, DataCall, ShareGrant

from .conftest import AGENT_ID, CITIZEN_ID, DEMO_USCC, ELDER_ID, LEGAL, MARRIAGE, SOCIAL, TAX

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "errors"}


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400


def grant(api, *, fields, purpose="service", resource=MARRIAGE, days=30):
    r = api.call(
        "POST",
        "/api/v1/exchange/requests",
        who="client:demo-mz-system",
        json_body={
            "resource": resource,
            "fields": fields,
            "purpose": purpose,
            "scenario": "最低生活保障审核",
            "legal_basis": "《社会救助暂行办法》",
            "days": days,
        },
    )
    rid = r.json()["id"]
    if r.json()["status"] == "pending":
        r = api.call(
            "POST",
            f"/api/v1/exchange/requests/{rid}/decision",
            who="demo-dataofficer",
            json_body={"decision": "approve", "note": "同意"},
        )
    return r.json()["grant"]["code"]


def get(api, who, resource, subject, **params):
    query = "&".join([f"subject={subject}", *(f"{k}={v}" for k, v in params.items())])
    return api.call("GET", f"/api/v1/exchange/data/{resource}?{query}", who=who)


def last_call():
    return DataCall.objects.order_by("-id").first()


def last_audit():
    return AuditRecord.objects.order_by("-id").first()  # the last written (seq: once sealed)


@pytest.fixture
def marriage_grant(api):
    return grant(
        api,
        fields=[
            "person.marital_status",
            "marriage.registered_on",
            "marriage.spouse_name",
            "marriage.spouse_id_number",
            "marriage.registry_office",
        ],
    )


def test_granted_call_masks_important_personal_fields_for_service(api, marriage_grant):
    r = get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID)
    assert r.status_code == 200
    body = r.json()
    assert body["fields"] == {
        "person.marital_status": "已婚",
        "marriage.registered_on": "2018-10-08",
        "marriage.spouse_name": "王*",
        "marriage.spouse_id_number": AGENT_ID[:6] + "********" + AGENT_ID[-4:],
        "marriage.registry_office": "肇庆市端州区民政局",
    }
    assert body["masked"] == ["marriage.spouse_name", "marriage.spouse_id_number"]
    assert body["basis"] == f"grant:{marriage_grant}" and body["purpose"] == "service"
    call = last_call()
    assert (call.consumer, call.subject_id, call.outcome, call.status) == (
        "demo-mz-system",
        CITIZEN_ID,
        "ok",
        200,
    )
    rec = last_audit()
    assert rec.action == "exchange.data_read" and rec.actor == "client:demo-mz-system"
    assert rec.after["subjects"] == [CITIZEN_ID] and rec.after["purpose"] == "service"
    assert rec.after["fields"] == list(body["fields"])


def test_statistics_purpose_masks_every_personal_field(api):
    grant(api, fields=["person.marital_status", "marriage.registry_office"], purpose="statistics")
    body = get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID).json()
    assert body["fields"] == {
        "person.marital_status": "******",
        "marriage.registry_office": "肇庆市端州区民政局",
    }


def test_consent_call_returns_chosen_fields_unmasked(api):
    r = get(api, "client:demo-bank", SOCIAL, CITIZEN_ID)
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body["fields"]) == {
        "social_insurance.status",
        "social_insurance.pension_months",
        "social_insurance.base",
    }
    assert body["masked"] == [] and body["basis"] == "consent"
    assert body["purpose"] == "个人经营贷款审批（政银数据融合）"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("demo-citizen", 403),
        ("demo-elder", 403),
        ("demo-clerk", 403),
        ("demo-dataofficer", 403),
        ("rsj-dataofficer", 403),
        ("client:demo-mz-system", 200),  # with its grant
        ("client:demo-bank", 403),  # 婚姻登记 is not given to outside organisations
    ],
)
def test_data_api_permission_matrix(api, officer_rsj, marriage_grant, who, status):
    calls = DataCall.objects.count()
    r = get(api, who, MARRIAGE, CITIZEN_ID)
    assert r.status_code == status, r.content
    if status == 200:
        assert "fields" in r.json()
    else:
        assert set(r.json()) == ERROR_KEYS  # nothing returned
    if status != 401:  # anonymous calls never reach the exchange (no caller to log)
        assert DataCall.objects.count() == calls + 1
        assert last_call().outcome == ("ok" if status == 200 else "refused")
        assert last_audit().action == (
            "exchange.data_read" if status == 200 else "exchange.data_refused"
        )


def refused(api, who, resource, subject, status, message, **params):
    before = AuditRecord.objects.filter(action="exchange.data_refused").count()
    r = get(api, who, resource, subject, **params)
    assert r.status_code == status, r.content
    assert set(r.json()) == ERROR_KEYS
    assert message in r.json()["message"]
    call = last_call()
    assert call.outcome == "refused" and call.status == status and message in call.reason
    assert AuditRecord.objects.filter(action="exchange.data_refused").count() == before + 1
    return r.json()


def test_no_grant_is_refused(api):
    refused(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID, 403, "请先提交共享申请")


def test_unknown_field_is_refused(api, marriage_grant):
    body = refused(
        api,
        "client:demo-mz-system",
        MARRIAGE,
        CITIZEN_ID,
        422,
        "marriage.bride_price",
        fields="person.marital_status,marriage.bride_price",
    )
    assert body["errors"][0]["field"] == "fields.1"


def test_field_outside_the_grant_is_refused(api, marriage_grant):
    refused(
        api,
        "client:demo-mz-system",
        MARRIAGE,
        CITIZEN_ID,
        403,
        "不在共享授权",
        fields="marriage.certificate_no",
    )


def test_other_purpose_is_refused(api, marriage_grant):
    refused(
        api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID, 403, "监管执法", purpose="supervision"
    )


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("", "请提供数据主体"),
        ("12345", "18位"),
        (CITIZEN_ID[:-1] + ("0" if CITIZEN_ID[-1] != "0" else "1"), "校验码"),
        (DEMO_USCC, "公民身份号码"),
    ],
)
def test_wrong_subject_format_is_refused(api, marriage_grant, subject, message):
    body = refused(api, "client:demo-mz-system", MARRIAGE, subject, 422, message)
    assert body["errors"][0]["field"] == "subject"
    assert last_call().subject_id == ""  # a malformed subject is not stored


def test_unknown_resource_and_unknown_subject(api, marriage_grant):
    refused(api, "client:demo-mz-system", "201001/000099", CITIZEN_ID, 404, "不存在")
    nobody = make_id_number("441202", dt.date(2000, 1, 1), 1)
    refused(api, "client:demo-mz-system", MARRIAGE, nobody, 404, "没有该数据主体的记录")


def test_revoked_grant_is_refused_at_once(api, marriage_grant):
    assert get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID).status_code == 200
    r = api.call(
        "POST",
        f"/api/v1/exchange/grants/{marriage_grant}/revoke",
        who="demo-dataofficer",
        json_body={"note": "系统停用"},
    )
    assert r.status_code == 200 and r.json()["revoked_at"]
    refused(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID, 403, "已被数据提供部门撤销")


def test_expired_grant_is_refused(api):
    code = grant(api, fields=["person.marital_status"], days=10)
    until = ShareGrant.objects.get(code=code).valid_until
    with time_machine.travel(dt.datetime.combine(until, dt.time(9)) + dt.timedelta(days=1)):
        refused(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID, 403, "到期")


def test_outside_client_needs_consent_and_gets_only_consented_fields(api):
    refused(api, "client:demo-bank", SOCIAL, ELDER_ID, 403, "须经数据主体本人")
    refused(
        api,
        "client:demo-bank",
        SOCIAL,
        CITIZEN_ID,
        403,
        "未授权信息项 social_insurance.employer",
        fields="social_insurance.employer",
    )
    refused(api, "client:demo-bank", MARRIAGE, CITIZEN_ID, 403, "不向外部机构提供")


def test_consent_revoke_takes_effect_immediately(api):
    assert get(api, "client:demo-bank", SOCIAL, CITIZEN_ID).status_code == 200
    consent = Consent.objects.get(subject_id=CITIZEN_ID, requester="demo-bank")
    r = api.call("DELETE", f"/api/v1/dataspace/consents/{consent.pk}", who="demo-citizen")
    assert r.status_code == 200
    body = refused(api, "client:demo-bank", SOCIAL, CITIZEN_ID, 403, "撤销授权")
    assert body["code"] == "consent_required"


def test_enterprise_consent_through_the_agent(api):
    """银税互动: the bank reads 纳税信用 under the enterprise's consent (given by its agent)."""
    r = get(api, "client:demo-bank", TAX, DEMO_USCC)
    assert r.status_code == 200
    assert r.json()["fields"]["tax_credit.grade"] == "A"
    consent = Consent.objects.get(subject_id=DEMO_USCC, requester="demo-bank")
    assert (
        api.call(
            "DELETE", f"/api/v1/dataspace/consents/{consent.pk}", who="demo-citizen"
        ).status_code
        == 404
    )
    r = api.call("DELETE", f"/api/v1/dataspace/consents/{consent.pk}", who="demo-agent")
    assert r.status_code == 200
    refused(api, "client:demo-bank", TAX, DEMO_USCC, 403, "撤销授权")


def test_expired_consent_is_refused(api):
    consent = Consent.objects.get(subject_id=CITIZEN_ID, requester="demo-bank")
    with time_machine.travel(consent.valid_until + dt.timedelta(minutes=1)):
        refused(api, "client:demo-bank", SOCIAL, CITIZEN_ID, 403, "已过期")


def test_batch_checks_consent_per_subject(api):
    r = api.call(
        "POST",
        f"/api/v1/exchange/data/{SOCIAL}",
        who="client:demo-bank",
        json_body={"subjects": [CITIZEN_ID, ELDER_ID]},
    )
    assert r.status_code == 200, r.content
    items = {i["subject"]: i for i in r.json()["items"]}
    assert items[CITIZEN_ID]["found"] is True and items[CITIZEN_ID]["error"] is None
    assert items[ELDER_ID] == {
        "subject": ELDER_ID,
        "found": False,
        "fields": {},
        "masked": [],
        "updated_at": None,
        "error": {
            "code": "consent_required",
            "message": "社保参保须经数据主体本人在数字空间中授权后才能提供。",
        },
    }
    calls = DataCall.objects.order_by("-id")[:2]
    assert sorted((c.subject_id, c.outcome) for c in calls) == sorted(
        [(CITIZEN_ID, "ok"), (ELDER_ID, "refused")]
    )
    rec = last_audit()
    assert rec.action == "exchange.data_read" and rec.after["subjects"] == [CITIZEN_ID, ELDER_ID]
    assert ELDER_ID in rec.after["refused"]


def test_batch_with_a_malformed_subject_returns_nothing(api, marriage_grant):
    calls = DataCall.objects.count()
    r = api.call(
        "POST",
        f"/api/v1/exchange/data/{MARRIAGE}",
        who="client:demo-mz-system",
        json_body={"subjects": [CITIZEN_ID, "not-an-id"]},
    )
    assert r.status_code == 422 and set(r.json()) == ERROR_KEYS
    assert r.json()["errors"][0]["field"] == "subjects.1"
    assert DataCall.objects.count() == calls + 1 and last_call().outcome == "refused"


def test_batch_size_is_limited(api, marriage_grant):
    r = api.call(
        "POST",
        f"/api/v1/exchange/data/{MARRIAGE}",
        who="client:demo-mz-system",
        json_body={"subjects": [CITIZEN_ID] * 101},
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "subjects"


def test_rate_limit_per_client(api, marriage_grant):
    Consumer.objects.filter(client_id="demo-mz-system").update(rate_per_minute=2)
    minute = dt.datetime.now(dt.UTC).replace(second=5, microsecond=0) + dt.timedelta(hours=1)
    with time_machine.travel(minute, tick=False):
        assert get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID).status_code == 200
        assert get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID).status_code == 200
        body = refused(
            api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID, 429, "每分钟最多调用 2 次"
        )
        assert body["code"] == "rate_limited"
        # the bank has its own budget
        assert get(api, "client:demo-bank", SOCIAL, CITIZEN_ID).status_code == 200
    with time_machine.travel(minute + dt.timedelta(minutes=1), tick=False):
        assert get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID).status_code == 200


def test_government_client_of_the_source_reads_unconditional_resource_after_instant_grant(api):
    grant(api, resource=LEGAL, fields=["enterprise.name", "enterprise.legal_representative"])
    body = get(api, "client:demo-mz-system", LEGAL, DEMO_USCC).json()
    assert body["fields"] == {
        "enterprise.name": "肇庆市星湖味道餐饮管理有限公司（演示）",
        "enterprise.legal_representative": "王芳",
    }


def test_audit_chain_stays_valid(api, marriage_grant):
    get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID)
    get(api, "client:demo-bank", MARRIAGE, CITIZEN_ID)
    from shuzheng.audit import facade as audit

    assert audit.verify().ok


def test_resource_needing_everyones_consent(api, marriage_grant):
    from shuzheng.core import cache
    from shuzheng.exchange import fastpath
    from shuzheng.exchange.models import Resource

    Resource.objects.filter(code=MARRIAGE).update(consent_scope="all")
    cache.bump(fastpath.CATALOG)  # what a service editing the resource does
    refused(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID, 403, "须经数据主体本人")
    r = api.call(
        "POST",
        "/api/v1/dataspace/consents",
        who="demo-citizen",
        json_body={
            "requester": "demo-mz-system",
            "resource": MARRIAGE,
            "purpose": "低保审核",
            "days": 10,
        },
    )
    assert r.status_code == 201
    r = get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID)
    assert r.status_code == 200 and r.json()["basis"] == f"grant:{marriage_grant}"
    assert r.json()["fields"]["marriage.spouse_name"] == "王*"  # masked by the grant's purpose


def test_client_not_onboarded_to_the_exchange(api, marriage_grant):
    Consumer.objects.filter(client_id="demo-mz-system").update(is_active=False)
    refused(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID, 403, "未在数据共享平台登记")


# --- the call log and its audit record, in both audit modes ----------------------------------


@pytest.mark.parametrize("chain", ["inline", "deferred"])
def test_every_call_leaves_its_log_rows_and_one_audit_record_of_them(
    api, marriage_grant, settings, chain
):
    """Granted, refused, rate-limited and batch calls, inline and deferred (on PostgreSQL the
    deferred single-subject call writes log and audit record in one statement): one log row
    per subject, one audit record naming the first row, and the chain verifies."""
    from shuzheng.audit import facade as audit

    settings.AUDIT_CHAIN = chain
    Consumer.objects.filter(client_id="demo-mz-system").update(rate_per_minute=3)
    other = make_id_number("441202", dt.date(1970, 1, 1), 1)
    minute = dt.datetime.now(dt.UTC).replace(second=5, microsecond=0) + dt.timedelta(hours=2)
    calls = [
        (lambda: get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID), 200, 1),
        (lambda: get(api, "client:demo-bank", SOCIAL, ELDER_ID), 403, 1),
        (
            lambda: api.call(
                "POST",
                f"/api/v1/exchange/data/{MARRIAGE}",
                who="client:demo-mz-system",
                json_body={"subjects": [CITIZEN_ID, other]},
            ),
            200,
            2,
        ),
        (lambda: get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID), 200, 1),
        (lambda: get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID), 429, 1),
    ]
    with time_machine.travel(minute, tick=False):
        for send, status, rows in calls:
            calls_before = DataCall.objects.count()
            audits_before = AuditRecord.objects.filter(object_type="exchange.call").count()
            r = send()
            assert r.status_code == status, r.content
            new = list(DataCall.objects.order_by("id")[calls_before:])
            assert len(new) == rows
            ours = AuditRecord.objects.filter(object_type="exchange.call")
            assert ours.count() == audits_before + 1
            record = ours.order_by("-id").first()
            assert record is not None and record.object_id == str(new[0].id)
            assert record.action == (
                "exchange.data_read" if status == 200 else "exchange.data_refused"
            )
            assert (record.seq is None) == (chain == "deferred")
            assert new[0].status == (200 if status == 200 else status)
    assert audit.verify().ok
