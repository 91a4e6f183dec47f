"""Share requests: 秒享 for unconditional resources, approval by the source data officer within
3 working days (tracked), refusals that change nothing."""

import datetime as dt

import pytest
import time_machine

from shuzheng.exchange.models import ShareGrant, ShareRequest

from .conftest import LEGAL, MARRIAGE, POPULATION

pytestmark = pytest.mark.django_db

MARRIAGE_FIELDS = ["person.marital_status", "marriage.registered_on", "marriage.spouse_name"]


def ask(api, who, *, resource=MARRIAGE, fields=MARRIAGE_FIELDS, **extra):
    body = {
        "resource": resource,
        "fields": fields,
        "purpose": "service",
        "scenario": "最低生活保障审核：核对婚姻状况",
        "legal_basis": "《社会救助暂行办法》第十一条",
        "days": 365,
        **extra,
    }
    return api.call("POST", "/api/v1/exchange/requests", who=who, json_body=body)


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400


def test_unconditional_resource_is_granted_at_once(api, audit_actions, last_seq):
    seq = last_seq()
    r = ask(
        api,
        "client:demo-mz-system",
        resource=LEGAL,
        fields=["enterprise.uscc", "enterprise.name"],
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "approved" and body["instant"] is True
    assert body["decided_by"] == "system:秒享" and body["working_days_taken"] == 0
    assert body["grant"]["fields"] == ["enterprise.uscc", "enterprise.name"]
    assert body["grant"]["consumer_client"] == "demo-mz-system"
    assert body["consumer_department"] == "441200-MZJ"
    assert audit_actions(since=seq) == ["exchange.request_submitted", "exchange.request_approved"]


def test_deadline_is_three_working_days_across_national_day(api):
    """Filed 2026-09-30: Oct 1–7 are holidays, Oct 10 (Sat) is a 调休 working day."""
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=dt.UTC), tick=False):
        r = ask(api, "client:demo-mz-system")
        req = r.json()
        assert req["due_date"] == "2026-10-10"
        assert req["working_days_left"] == 3 and req["overdue"] is False
    with time_machine.travel(dt.datetime(2026, 10, 9, 2, 0, tzinfo=dt.UTC), tick=False):
        req = api.call(
            "GET", f"/api/v1/exchange/requests/{req['id']}", who="demo-dataofficer"
        ).json()
        assert (req["working_days_taken"], req["working_days_left"]) == (2, 1)
    with time_machine.travel(dt.datetime(2026, 10, 12, 2, 0, tzinfo=dt.UTC), tick=False):
        req = api.call(
            "GET", f"/api/v1/exchange/requests/{req['id']}", who="demo-dataofficer"
        ).json()
        assert req["overdue"] is True and req["working_days_left"] == -1
        r = api.call(
            "POST",
            f"/api/v1/exchange/requests/{req['id']}/decision",
            who="demo-dataofficer",
            json_body={"decision": "approve", "note": "同意"},
        )
        done = r.json()
        assert done["status"] == "approved"
        assert done["working_days_taken"] == 4 and done["overdue"] is True
        assert done["grant"]["valid_from"] == "2026-10-12"
        assert done["grant"]["valid_until"] == "2027-10-12"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("demo-citizen", 403),
        ("demo-elder", 403),
        ("demo-clerk", 403),
        ("demo-dataofficer", 201),  # asks for 441200-GAJ (one of its departments)
        ("rsj-dataofficer", 201),  # asks for its own department
        ("client:demo-mz-system", 201),
        ("client:demo-bank", 403),
    ],
)
def test_submit_permission_matrix(api, officer_rsj, who, status):
    extra = {"consumer_department": "441200-GAJ"} if who == "demo-dataofficer" else {}
    before = ShareRequest.objects.count()
    r = ask(api, who, **extra)
    assert r.status_code == status, r.content
    assert ShareRequest.objects.count() == before + (1 if status == 201 else 0)


def test_officer_cannot_ask_for_another_department(api, officer_rsj):
    before = ShareRequest.objects.count()
    r = ask(api, "rsj-dataofficer", consumer_department="441200-GAJ")
    assert r.status_code == 403 and "不是该部门的数据管理员" in r.json()["message"]
    r = ask(api, "demo-dataofficer")  # three departments: must say which
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "consumer_department"
    r = ask(api, "client:demo-mz-system", consumer_department="441200-GAJ")
    assert r.status_code == 403
    assert ShareRequest.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fields": ["person.marital_status", "marriage.bride_price"]}, "fields.1"),
        ({"fields": []}, "fields"),
        ({"purpose": "curiosity"}, "purpose"),
        ({"scenario": "看"}, "scenario"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"days": 0}, "days"),
        ({"days": 5000}, "days"),
        ({"resource": "101001/999999"}, "resource"),
        ({"consumer_client": "demo-bank"}, "consumer_client"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(api, change, field):
    before = ShareRequest.objects.count()
    extra = {"consumer_department": "441200-GAJ"}
    r = ask(api, "demo-dataofficer", **{**extra, **change})
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == field
    assert ShareRequest.objects.count() == before


@pytest.fixture
def pending(api):
    r = ask(api, "client:demo-mz-system")
    assert r.status_code == 201
    return r.json()["id"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("demo-citizen", 403),
        ("demo-elder", 403),
        ("demo-clerk", 403),
        ("demo-dataofficer", 200),  # data officer of 441200-MZJ, the source
        ("rsj-dataofficer", 404),  # another department: not even visible
        ("client:demo-mz-system", 403),
        ("client:demo-bank", 403),
    ],
)
def test_decision_permission_matrix(api, officer_rsj, pending, who, status):
    r = api.call(
        "POST",
        f"/api/v1/exchange/requests/{pending}/decision",
        who=who,
        json_body={"decision": "approve", "note": "同意"},
    )
    assert r.status_code == status, r.content
    req = ShareRequest.objects.get(pk=pending)
    if status == 200:
        assert req.status == "approved" and req.decided_by == "user:demo-dataofficer"
    else:
        assert req.status == "pending" and not ShareGrant.objects.filter(request=req).exists()


def test_only_the_source_officer_decides_and_not_on_own_request(api, officer_rsj):
    # 市人社局 asks the 人口 registry (公安) for its own use: its officer may see it, not decide
    r = ask(api, "rsj-dataofficer", resource=POPULATION, fields=["person.name"])
    rid = r.json()["id"]
    r = api.call(
        "POST",
        f"/api/v1/exchange/requests/{rid}/decision",
        who="rsj-dataofficer",
        json_body={"decision": "approve"},
    )
    assert r.status_code == 403 and "数据提供部门" in r.json()["message"]
    # demo-dataofficer is officer of both 公安 (consumer) and 民政 (source): no self-approval
    r = ask(api, "demo-dataofficer", consumer_department="441200-GAJ")
    rid = r.json()["id"]
    r = api.call(
        "POST",
        f"/api/v1/exchange/requests/{rid}/decision",
        who="demo-dataofficer",
        json_body={"decision": "approve"},
    )
    assert r.status_code == 403 and "本人提交" in r.json()["message"]
    assert ShareRequest.objects.get(pk=rid).status == "pending"


def test_deny_needs_a_reason_and_a_decision_is_final(api, pending, audit_actions, last_seq):
    url = f"/api/v1/exchange/requests/{pending}/decision"
    r = api.call("POST", url, who="demo-dataofficer", json_body={"decision": "deny"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "note"
    r = api.call("POST", url, who="demo-dataofficer", json_body={"decision": "maybe"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "decision"
    seq = last_seq()
    r = api.call(
        "POST",
        url,
        who="demo-dataofficer",
        json_body={"decision": "deny", "note": "用途与共享条件不符"},
    )
    assert r.status_code == 200 and r.json()["status"] == "denied" and r.json()["grant"] is None
    r = api.call(
        "POST", url, who="demo-dataofficer", json_body={"decision": "approve", "note": "改为同意"}
    )
    assert r.status_code == 409 and r.json()["status"] == "denied"
    assert audit_actions(since=seq) == ["exchange.request_denied"]


def test_partial_approval_grants_fewer_fields(api, pending):
    r = api.call(
        "POST",
        f"/api/v1/exchange/requests/{pending}/decision",
        who="demo-dataofficer",
        json_body={
            "decision": "approve",
            "note": "配偶信息不予提供",
            "fields": ["person.marital_status"],
        },
    )
    assert r.status_code == 200
    assert r.json()["grant"]["fields"] == ["person.marital_status"]
    r = api.call(
        "POST",
        f"/api/v1/exchange/requests/{pending}/decision",
        who="demo-dataofficer",
        json_body={"decision": "approve", "fields": ["marriage.certificate_no"]},
    )
    assert r.status_code == 409


def test_request_lists_are_scoped(api, officer_rsj, pending):
    mine = api.call("GET", "/api/v1/exchange/requests?box=incoming", who="demo-dataofficer")
    assert pending in [i["id"] for i in mine.json()["items"]]
    theirs = api.call("GET", "/api/v1/exchange/requests", who="rsj-dataofficer").json()["items"]
    assert pending not in [i["id"] for i in theirs]
    assert {i["consumer_department"] for i in theirs} | {
        i["source_department"] for i in theirs
    } >= {"441200-RSJ"}
    client = api.call("GET", "/api/v1/exchange/requests", who="client:demo-mz-system").json()
    assert all(i["consumer_department"] == "441200-MZJ" for i in client["items"])
    assert api.call("GET", "/api/v1/exchange/requests", who="demo-citizen").status_code == 403
    assert api.call("GET", "/api/v1/exchange/requests", who="client:demo-bank").status_code == 403
    assert api.call("GET", "/api/v1/exchange/requests").status_code == 401
    r = api.call("GET", f"/api/v1/exchange/requests/{pending}", who="rsj-dataofficer")
    assert r.status_code == 404
