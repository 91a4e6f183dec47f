"""秒批 does not bypass payment (issue 17): an item that is both 秒批 and charges a fee — here
高龄津贴申领 given a 10 元 fee in a catalog version built by the test — is approved by the
rules and accepted (payments opens its order), then waits 准予许可 without its result licence
until paid; the payment closes it through the ``close`` row as ``system:秒批`` and issues the
licence. Without a fee the same item is still closed at once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case, CaseEvent
from shuzheng.catalog import services as catalog_services
from shuzheng.identity.models import User
from shuzheng.licenses.models import License
from shuzheng.notify.models import Notification
from shuzheng.payments.models import Order

pytestmark = pytest.mark.django_db
GAOLING = "44120030500001000000B"  # 高龄津贴申领: 秒批 (rules), no fee in the demo catalog
LICENCE = "高龄津贴资格确认书"


def _import_gaoling(fee_yuan: int | None) -> None:
    from shuzheng.catalog.demo import CONTENT
    from shuzheng.rules.services import rule_sets_seed

    doc = json.loads(CONTENT.read_text("utf-8"))
    (item,) = [i for i in doc["items"] if i["implementation_code"] == GAOLING]
    assert item["instant_approval"] is True
    if fee_yuan is not None:
        item["fee"] = {"charged": True, "basis": "测试收费依据", "amount_yuan": fee_yuan}
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        catalog_services.catalog_import(
            actor="system:seed_demo", doc={"items": [item], "bundles": []}, publish=True
        )
        rule_sets_seed()


def _apply(pay, who="demo-elder"):
    api = pay.api
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={GAOLING}", who=who).json()
    schema = prep["form_schema"]
    form = dict(prep["prefill"])
    for name, prop in schema["properties"].items():
        if name in form or name not in schema.get("required", []):
            continue
        if "enum" in prop:
            form[name] = prop["enum"][0]
        elif prop.get("type") == "boolean":
            form[name] = True
        else:
            form[name] = "测试"
    mats = [
        {"material_code": m["material_code"], "license_id": m["satisfied_by"][0]}
        if m["satisfied_by"]
        else {"material_code": m["material_code"], "file_id": pay.upload(who)}
        for m in prep["materials"]
        if m["required"]
    ]
    r = api.call(
        "POST",
        "/api/v1/cases",
        who=who,
        json_body={"item_code": GAOLING, "form": form, "materials": mats, "submit": True},
    )
    assert r.status_code == 201, r.content
    return r.json()


def _case_audits(case_no):
    return list(
        AuditRecord.objects.filter(object_type="cases.case", object_id=case_no)
        .order_by("id")  # seq is set by the chain sealer: empty until then on PostgreSQL
        .values_list("action", "actor")
    )


def _page(case_no: str, who: str = "demo-elder") -> str:
    client = Client()
    client.force_login(User.objects.get(username=who))
    r = client.get(f"/cases/{case_no}/")
    assert r.status_code == 200
    return r.content.decode()


def _licences() -> int:
    return License.objects.filter(license_type__name=LICENCE).count()


def test_an_instant_item_with_a_fee_waits_for_payment_then_closes(pay, frozen):
    _import_gaoling(10)
    licences = _licences()
    body = _apply(pay)
    case_no = body["case_no"]
    case = Case.objects.get(case_no=case_no)
    # approved by the rules and accepted; not closed, no licence signed
    assert (case.status, case.decision, case.accepted_by) == ("approved", "approve", "system:秒批")
    assert body["decision"]["outcome"] == "approve"
    assert not (case.result or {}).get("license_id") and case.closed_at is None
    assert _licences() == licences
    order = Order.objects.get(case_no=case_no)
    assert (order.status, order.amount_fen) == ("pending", 1000)
    assert _case_audits(case_no)[-2:] == [
        ("cases.accept", "system:秒批"),
        ("cases.rules_approve", "system:秒批"),
    ]
    assert AuditRecord.objects.filter(
        action="payments.open", object_id=order.order_no, actor="system:秒批"
    ).exists()
    told = " ".join(
        Notification.objects.filter(body__contains=case_no).values_list("body", flat=True)
    )
    assert "已秒批通过" in told and "请缴纳费用" in told and "10.00 元" in told
    events = list(
        CaseEvent.objects.filter(case=case).order_by("id").values_list("action", flat=True)
    )
    assert events[-2:] == ["accept", "rules_approve"]
    page = _page(case_no)
    assert "秒批通过，缴费后即办结。" in page and 'data-testid="payment"' in page
    # staff cannot close it either while unpaid (the gate says what is owed)
    r = pay.act("demo-reviewer", case_no, "close", delivery="electronic")
    assert r.status_code == 409 and "10.00 元" in r.json()["message"]

    # paid: closed through the close row by the 秒批 actor, the licence issued and in the wallet
    paid = pay.paid_body(order.order_no, 1000, trade_no="DEMO-IF-1")
    assert pay.callback(paid).status_code == 200
    case.refresh_from_db()
    assert (case.status, case.delivery) == ("closed", "electronic")
    license_id = case.result["license_id"]
    assert License.objects.get(license_id=license_id).holder_id == case.applicant_id
    wallet = pay.api.call("GET", "/api/v1/licenses", who="demo-elder").json()
    items = wallet["items"] if isinstance(wallet, dict) else wallet
    assert license_id in [x["license_id"] for x in items]
    assert _case_audits(case_no)[-1] == ("cases.close", "system:秒批")
    assert "秒批通过，已办结。" in _page(case_no)
    assert Order.objects.get(pk=order.pk).status == "paid"
    # the gateway repeats its notification: nothing more happens
    assert pay.callback(paid).status_code == 200
    closes = CaseEvent.objects.filter(case=case, action="close")
    assert [(e.actor, e.data.get("license_id")) for e in closes] == [("system:秒批", license_id)]
    assert [a for a, _ in _case_audits(case_no)].count("cases.close") == 1


def test_without_a_fee_the_instant_item_still_closes_at_once(pay, frozen):
    _import_gaoling(None)
    body = _apply(pay)
    case = Case.objects.get(case_no=body["case_no"])
    assert case.status == "closed" and case.result.get("license_id")
    assert not Order.objects.filter(case_no=case.case_no).exists()
    assert [a for a, _ in _case_audits(case.case_no)][-1] == "cases.rules_approve"
