"""The issue's done-when journey through the API (with the pages, the audit record of the
refusal and the prefilled application form: tests/test_exchange_done_when.py; in a browser:
tests/browser/test_exchange.py)."""

import pytest

from shuzheng.exchange.models import DataCall

from .conftest import CITIZEN_ID, MARRIAGE, SOCIAL

pytestmark = pytest.mark.django_db


def test_marriage_share_approval_masked_call_usage_and_consent_revoke(api):
    # 民政 system asks for 婚姻登记 fields for a 民政 purpose
    r = api.call(
        "POST",
        "/api/v1/exchange/requests",
        who="client:demo-mz-system",
        json_body={
            "resource": MARRIAGE,
            "fields": [
                "person.marital_status",
                "marriage.registered_on",
                "marriage.spouse_name",
                "marriage.spouse_id_number",
            ],
            "purpose": "service",
            "scenario": "最低生活保障审核：核对申请人婚姻状况",
            "legal_basis": "《社会救助暂行办法》第十一条",
            "days": 365,
        },
    )
    assert r.status_code == 201, r.content
    req = r.json()
    assert req["status"] == "pending" and req["instant"] is False and req["grant"] is None
    # the source data officer (民政局) approves
    r = api.call(
        "POST",
        f"/api/v1/exchange/requests/{req['id']}/decision",
        who="demo-dataofficer",
        json_body={"decision": "approve", "note": "同意，用于低保审核"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "approved" and r.json()["grant"]["code"].startswith("GX")
    # the consumer's call returns the granted fields, masked by grade and purpose
    r = api.call(
        "GET",
        f"/api/v1/exchange/data/{MARRIAGE}?subject={CITIZEN_ID}",
        who="client:demo-mz-system",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["fields"]["person.marital_status"] == "已婚"
    assert body["fields"]["marriage.registered_on"] == "2018-10-08"
    assert body["fields"]["marriage.spouse_name"] == "王*"
    assert body["fields"]["marriage.spouse_id_number"].count("*") == 8
    assert sorted(body["masked"]) == ["marriage.spouse_id_number", "marriage.spouse_name"]
    # demo-citizen sees that use
    usage = api.call("GET", "/api/v1/dataspace/usage", who="demo-citizen").json()["items"]
    assert usage[0]["consumer"] == "demo-mz-system" and usage[0]["outcome"] == "ok"
    assert usage[0]["purpose"] == "service"
    # the bank reads 社保参保 under the seeded consent, then the citizen revokes it
    r = api.call(
        "GET", f"/api/v1/exchange/data/{SOCIAL}?subject={CITIZEN_ID}", who="client:demo-bank"
    )
    assert r.status_code == 200, r.content
    consents = api.call("GET", "/api/v1/dataspace/consents", who="demo-citizen").json()["items"]
    bank = next(c for c in consents if c["requester"] == "demo-bank")
    r = api.call("DELETE", f"/api/v1/dataspace/consents/{bank['id']}", who="demo-citizen")
    assert r.status_code == 200 and r.json()["status"] == "revoked"
    r = api.call(
        "GET", f"/api/v1/exchange/data/{SOCIAL}?subject={CITIZEN_ID}", who="client:demo-bank"
    )
    assert r.status_code == 403
    assert r.json()["code"] == "consent_required" and "撤销授权" in r.json()["message"]
    assert (
        DataCall.objects.filter(consumer="demo-bank").values_list("outcome", flat=True).first()
        == "refused"
    )
