"""代办授权 over the API (帮办代办, issue 17): the routes are thin adapters over
``identity.mandates``; these tests check what the API adds — the answers' shape (masked ID
numbers, the caller's role and allowed actions), 201s, and the error mapping: bad input 422
naming the field in Chinese, another person's mandate 404, a wrong state 409 with the allowed
actions, staff 403 — each refusal changing nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from shuzheng.audit.models import AuditRecord
from shuzheng.core.models import OutboxMessage
from shuzheng.identity.models import Mandate, Person

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
ELDER_PHONE = "13800000002"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(DAY, tick=False) as traveller:
        yield traveller


def person(username: str) -> Person:
    return Person.objects.get(user__username=username)


def ask_body(**over):
    elder = person("demo-elder")
    return {
        "principal_name": elder.name,
        "principal_id_number": elder.id_number,
        "relation": "child",
        "scope": "all",
        "item_codes": [],
        "valid_until": "2027-11-22",
        **over,
    }


def texted_code() -> str:
    body = OutboxMessage.objects.filter(recipient=ELDER_PHONE).order_by("-id").first().body
    return re.search(r"验证码 (\d{6})", body).group(1)


def demo_mandate() -> Mandate:
    return Mandate.objects.get(agent__user__username="demo-daughter")


def test_each_side_lists_the_mandate_with_masked_id_numbers(api):
    m = demo_mandate()
    elder_id, daughter_id = person("demo-elder").id_number, person("demo-daughter").id_number
    r = api.call("GET", "/api/v1/me/mandates", who="demo-daughter")
    assert r.status_code == 200
    (held,) = r.json()["held"]
    assert r.json()["given"] == []
    assert (held["id"], held["role"], held["principal_name"], held["status_name"]) == (
        m.pk,
        "agent",
        "陈桂英",
        "有效",
    )
    assert held["principal_id_number"] == elder_id[:6] + "********" + elder_id[-4:]
    assert held["allowed_actions"] == ["revoke"]
    assert elder_id not in r.content.decode() and daughter_id not in r.content.decode()

    r = api.call("GET", "/api/v1/me/mandates", who="demo-elder")
    (given,) = r.json()["given"]
    assert (given["id"], given["role"], given["agent_name"]) == (m.pk, "principal", "林晓红")
    assert elder_id not in r.content.decode()
    # another citizen sees neither side of it; staff are not persons; anonymous 401
    r = api.call("GET", "/api/v1/me/mandates", who="demo-citizen")
    assert r.json() == {"given": [], "held": []}
    r = api.call("GET", "/api/v1/me/mandates", who="demo-clerk")
    assert r.status_code == 403 and "实名用户" in r.json()["message"]
    assert api.call("GET", "/api/v1/me/mandates").status_code == 401


def test_a_relative_asks_and_confirms_with_the_code_texted_to_the_principal(api):
    r = api.call("POST", "/api/v1/me/mandates", who="demo-citizen", json_body=ask_body())
    assert r.status_code == 201, r.content
    m = r.json()
    assert (m["status"], m["role"], m["basis"], m["relation_name"]) == (
        "pending",
        "agent",
        "relative",
        "子女",
    )
    assert m["allowed_actions"] == ["code", "confirm", "revoke"]
    path = f"/api/v1/me/mandates/{m['id']}/confirm"
    wrong = api.call("POST", path, who="demo-citizen", json_body={"code": "000000"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"field": "code", "message": "验证码错误。"}]
    assert Mandate.objects.get(pk=m["id"]).status == "pending"
    # the principal's own code page is the agent's: the principal confirming by code finds nothing
    r = api.call("POST", path, who="demo-elder", json_body={"code": texted_code()})
    assert r.status_code == 404
    r = api.call("POST", path, who="demo-citizen", json_body={"code": texted_code()})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["confirmed_via"]) == ("active", "sms")
    # confirmed already: a wrong state, with what may still be done
    again = api.call("POST", path, who="demo-citizen", json_body={"code": "123456"})
    assert again.status_code == 409
    body = again.json()
    assert (body["code"], body["status"], body["allowed_actions"]) == (
        "conflict",
        "active",
        ["revoke"],
    )
    assert "不在待确认状态" in body["message"]
    actions = AuditRecord.objects.filter(object_type="identity.mandate", object_id=str(m["id"]))
    assert set(actions.values_list("action", flat=True)) >= {
        "identity.mandate_requested",
        "identity.mandate_code_sent",
        "identity.mandate_code_failed",
        "identity.mandate_confirmed",
    }


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"principal_name": ""}, "principal_name", "请填写委托人姓名"),
        ({"principal_id_number": "123"}, "principal_id_number", "公民身份号码"),
        ({"relation": "friend"}, "relation", "关系"),
        ({"scope": "listed"}, "item_codes", "至少填写一个事项编码"),
        ({"valid_until": "2026-01-01"}, "valid_until", "不能早于今天"),
        ({"valid_until": "明年"}, "valid_until", ""),
    ],
)
def test_bad_input_is_422_naming_the_field_in_chinese_and_files_nothing(api, over, field, words):
    before = Mandate.objects.count()
    r = api.call("POST", "/api/v1/me/mandates", who="demo-citizen", json_body=ask_body(**over))
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert field in [e["field"] for e in errors]
    message = next(e["message"] for e in errors if e["field"] == field)
    assert words in message and re.search(r"[\u4e00-\u9fff]", message)
    assert Mandate.objects.count() == before


def test_the_principal_answers_and_revokes_others_find_nothing(api):
    r = api.call("POST", "/api/v1/me/mandates", who="demo-citizen", json_body=ask_body())
    pk = r.json()["id"]
    base = f"/api/v1/me/mandates/{pk}"
    # the asker cannot answer for the principal; another citizen cannot see or revoke it
    assert (
        api.call("POST", f"{base}/answer", who="demo-citizen", json_body={"accept": True})
    ).status_code == 404
    assert api.call("POST", f"{base}/revoke", who="demo-agent").status_code == 404
    assert api.call("POST", f"{base}/code", who="demo-agent").status_code == 404
    assert api.call("POST", f"{base}/revoke", who="demo-clerk").status_code == 403
    assert Mandate.objects.get(pk=pk).status == "pending"

    r = api.call("POST", f"{base}/answer", who="demo-elder", json_body={"accept": True})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["role"], r.json()["confirmed_via"]) == (
        "active",
        "principal",
        "session",
    )
    r = api.call("POST", f"{base}/answer", who="demo-elder", json_body={"accept": False})
    assert (r.status_code, r.json()["allowed_actions"]) == (409, ["revoke"])
    assert Mandate.objects.get(pk=pk).status == "active"

    r = api.call("POST", f"{base}/revoke", who="demo-elder")
    assert (r.status_code, r.json()["status"], r.json()["allowed_actions"]) == (
        200,
        "revoked",
        [],
    )
    r = api.call("POST", f"{base}/revoke", who="demo-elder")
    assert (r.status_code, r.json()["status"], r.json()["allowed_actions"]) == (409, "revoked", [])
    assert AuditRecord.objects.filter(
        action="identity.mandate_revoked", object_id=str(pk), actor="user:demo-elder"
    ).exists()


def test_texting_the_code_again_waits_for_the_cooldown(api, settings, _frozen):
    settings.SMS_COOLDOWN_SECONDS = 60
    pk = api.call("POST", "/api/v1/me/mandates", who="demo-citizen", json_body=ask_body()).json()[
        "id"
    ]
    sent = OutboxMessage.objects.filter(recipient=ELDER_PHONE).count()
    _frozen.shift(dt.timedelta(seconds=20))
    r = api.call("POST", f"/api/v1/me/mandates/{pk}/code", who="demo-citizen")
    assert r.status_code == 429 and r["Retry-After"] == "40"
    assert "40 秒后" in r.json()["message"]
    _frozen.shift(dt.timedelta(seconds=41))
    r = api.call("POST", f"/api/v1/me/mandates/{pk}/code", who="demo-citizen")
    assert (r.status_code, r.json()["status"]) == (200, "pending")
    assert OutboxMessage.objects.filter(recipient=ELDER_PHONE).count() == sent + 1


def test_a_window_clerk_records_a_paper_mandate_for_a_helper(api):
    body = {
        "principal_id_number": person("demo-elder").id_number,
        "agent_id_number": person("demo-agent").id_number,
        "scope": "listed",
        "item_codes": ["44120030500001000000B"],
        "valid_until": "2027-06-30",
        "paper_ref": "端州帮办〔2026〕12号",
        "paper_seen": True,
    }
    for who in ("demo-citizen", "demo-reviewer"):
        assert api.call("POST", "/api/v1/mandates/paper", who=who, json_body=body).status_code == (
            403
        )
    r = api.call(
        "POST", "/api/v1/mandates/paper", who="demo-clerk", json_body={**body, "paper_seen": False}
    )
    assert r.status_code == 422 and [e["field"] for e in r.json()["errors"]] == ["paper_seen"]
    assert not Mandate.objects.filter(basis="helper").exists()

    r = api.call("POST", "/api/v1/mandates/paper", who="demo-clerk", json_body=body)
    assert r.status_code == 201, r.content
    m = r.json()
    assert (m["status"], m["confirmed_via"], m["basis_name"], m["paper_ref"], m["role"]) == (
        "active",
        "paper",
        "帮办员（书面委托）",
        "端州帮办〔2026〕12号",
        "clerk",
    )
    assert m["allowed_actions"] == []
    # the helper now holds it
    held = api.call("GET", "/api/v1/me/mandates", who="demo-agent").json()["held"]
    assert [h["id"] for h in held] == [m["id"]]
