"""A client that retries a submission after a network error files once (issue 16 item 10):
``Idempotency-Key`` on ``POST /api/v1/cases`` and ``POST /api/v1/cases/{case_no}/actions``."""

import json

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case
from shuzheng.core.idempotency import IdempotentRequest

pytestmark = pytest.mark.django_db


def _body(api, cases, code, who="demo-citizen"):
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={code}", who=who).json()
    form = {**prep["prefill"], "enterprise_name": "肇庆市星湖味道餐饮有限公司"}
    form = {k: v for k, v in form.items() if k in prep["form_schema"]["properties"]}
    mats = [
        {"material_code": m["material_code"], "file_id": cases.upload(who)}
        for m in prep["materials"]
        if m["required"]
    ]
    return {"item_code": code, "form": form, "materials": mats}


def _post(api, path, body, key=None, who="demo-citizen"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(who)}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return api.client.post(path, json.dumps(body), content_type="application/json", **headers)


def test_a_retried_submission_files_once_and_gets_the_first_answer(api, catalog, cases):
    body = _body(api, cases, catalog["licence"])
    first = _post(api, "/api/v1/cases", body, key="retry-0001")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    audits = AuditRecord.objects.count()
    again = _post(api, "/api/v1/cases", body, key="retry-0001")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["case_no"] == first.json()["case_no"]
    assert Case.objects.count() == 1
    assert AuditRecord.objects.count() == audits  # nothing ran the second time
    # without a key, or with another key, a new submission is a new case
    assert _post(api, "/api/v1/cases", body, key="retry-0002").status_code == 201
    assert _post(api, "/api/v1/cases", body).status_code == 201
    assert Case.objects.count() == 3


def test_the_same_key_for_another_request_is_refused_naming_the_header(api, catalog, cases):
    body = _body(api, cases, catalog["licence"])
    assert _post(api, "/api/v1/cases", body, key="k-1").status_code == 201
    other = {**body, "submit": False}
    r = _post(api, "/api/v1/cases", other, key="k-1")
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert "幂等键" in r.json()["message"]
    assert Case.objects.count() == 1


def test_keys_belong_to_their_caller(api, catalog, cases):
    """Another caller's use of the same key value is its own request, never a replay of the
    first caller's answer (which would disclose their case)."""
    mine = _body(api, cases, catalog["licence"])
    assert _post(api, "/api/v1/cases", mine, key="shared").status_code == 201
    theirs = _body(api, cases, catalog["licence"], who="demo-elder")
    r = _post(api, "/api/v1/cases", theirs, key="shared", who="demo-elder")
    assert r.status_code == 201 and "Idempotent-Replayed" not in r
    assert Case.objects.count() == 2


def test_a_refused_submission_is_not_remembered(api, catalog, cases):
    """An error rolls everything back, the key included: the corrected retry runs."""
    body = _body(api, cases, catalog["licence"])
    bad = {**body, "materials": []}
    assert _post(api, "/api/v1/cases", bad, key="k-2").status_code == 422
    assert not IdempotentRequest.objects.filter(key="k-2").exists()
    r = _post(api, "/api/v1/cases", bad, key="k-2")
    assert r.status_code == 422 and "Idempotent-Replayed" not in r


def test_a_retried_action_runs_once(api, catalog, cases):
    case_no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    path = f"/api/v1/cases/{case_no}/actions"
    first = _post(api, path, {"action": "accept"}, key="accept-1", who="demo-clerk")
    assert first.status_code == 200 and first.json()["status"] == "in_progress"
    again = _post(api, path, {"action": "accept"}, key="accept-1", who="demo-clerk")
    # without the key a second accept is a 409 (not in 已提交 any more); with it, the first answer
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert _post(api, path, {"action": "accept"}, who="demo-clerk").status_code == 409


@pytest.mark.parametrize("key", ["x" * 256, "键", "a\tb"])
def test_a_malformed_key_is_a_422(api, catalog, cases, key):
    body = _body(api, cases, catalog["licence"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token('demo-citizen')}"}
    r = api.client.post(
        "/api/v1/cases",
        json.dumps(body),
        content_type="application/json",
        headers={"Idempotency-Key": key},
        **headers,
    )
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Case.objects.count() == 0
