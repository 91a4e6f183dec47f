"""Fee orders: opened on 受理, paid through the demo backend's verified callback (once), the
case held back from 办结 until paid, refunded or closed when the case is refused, and the
receipt's sealed PDF — each change audited, each read scoped."""

from __future__ import annotations

import json

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.notify.models import Notification
from shuzheng.payments import fees
from shuzheng.payments.models import ExtraPayment, Order, Receipt
from shuzheng.seals import facade as seals

pytestmark = pytest.mark.django_db


def _audits(order_no):
    return list(
        AuditRecord.objects.filter(object_type="payments.order", object_id=order_no)
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_money_is_whole_fen_and_reads_in_capitals():
    assert fees.to_fen("120") == 12000
    assert fees.to_fen(80) == 8000
    assert fees.to_fen("0.005") == 1
    assert fees.to_fen(None) == 0
    assert fees.yuan(12000) == "120.00"
    assert fees.yuan(8005) == "80.05"
    assert fees.in_words(12000) == "壹佰贰拾元整"
    assert fees.in_words(8000) == "捌拾元整"


def test_the_catalog_fee_of_the_demo_items(fee_catalog):
    transfer = fees.fee_of(fee_catalog["transfer"], 1)
    passport = fees.fee_of(fee_catalog["passport"], 1)
    assert transfer is not None and transfer.amount_fen == 8000
    assert "发改价格规〔2016〕2559号" in transfer.basis
    assert passport is not None and passport.amount_fen == 12000
    assert "发改价格〔2019〕914号" in passport.basis
    assert fees.fee_of(fee_catalog["reissue"], 1) is None


def test_acceptance_opens_an_order_for_an_item_that_charges(pay, api):
    case_no = pay.file()
    assert not Order.objects.filter(case_no=case_no).exists()  # nothing before 受理
    case_no, order_no = pay.accepted()
    order = Order.objects.get(order_no=order_no)
    assert (order.case_no, order.status, order.amount_fen) == (case_no, "pending", 8000)
    assert (order.payer_kind, order.payer_name, order.department_code) == (
        "person",
        "李明",
        "441200-BDCDJZX",
    )
    assert _audits(order_no) == ["payments.open"]
    told = Notification.objects.filter(link=f"/payments/orders/{order_no}/").get()
    assert "80.00 元" in told.body
    got = api.call("GET", f"/api/v1/payments/orders/{order_no}", who="demo-citizen").json()
    assert got["status_name"] == "待支付" and got["amount_yuan"] == "80.00"
    assert got["receipt_url"] is None


def test_an_item_without_a_fee_gets_no_order(pay, fee_catalog):
    case_no, order_no = pay.accepted(fee_catalog["reissue"])
    assert order_no is None
    assert not Order.objects.filter(case_no=case_no).exists()


def test_the_case_cannot_be_closed_until_paid(pay, api):
    case_no, order_no = pay.accepted()
    assert pay.act("demo-reviewer", case_no, "approve").status_code == 200
    detail = api.call("GET", f"/api/v1/cases/{case_no}", who="demo-reviewer").json()
    assert "close" not in detail["allowed_actions"]
    r = pay.act("demo-reviewer", case_no, "close", delivery="window")
    assert r.status_code == 409
    assert "尚未缴纳" in r.json()["message"] and order_no in r.json()["message"]
    assert (
        api.call("GET", f"/api/v1/cases/{case_no}", who="demo-reviewer").json()["status"]
        == "approved"
    )
    # paid: the case may be closed
    order = Order.objects.get(order_no=order_no)
    assert pay.callback(pay.paid_body(order_no, order.amount_fen)).status_code == 200
    detail = api.call("GET", f"/api/v1/cases/{case_no}", who="demo-reviewer").json()
    assert "close" in detail["allowed_actions"]
    assert pay.act("demo-reviewer", case_no, "close", delivery="window").status_code == 200


def test_pay_returns_the_cashier_and_the_callback_pays_once(pay, api):
    _, order_no = pay.accepted()
    r = pay.pay(order_no)
    assert r.status_code == 200, r.content
    assert r.json()["cashier_url"].endswith(f"/payments/cashier/demo/{order_no}/")
    body = pay.paid_body(order_no, 8000, trade_no="DEMO42")
    r = pay.callback(body)
    assert r.status_code == 200 and r.json() == {
        "code": "ok",
        "order_no": order_no,
        "status": "paid",
    }
    order = Order.objects.get(order_no=order_no)
    assert (order.status, order.trade_no) == ("paid", "DEMO42")
    receipt = Receipt.objects.get(order=order)
    assert receipt.code == "44010126" and receipt.number == "0000000001"
    assert len(receipt.check_code) == 6
    assert (receipt.amount_words, receipt.payer_name, receipt.payee_name) == (
        "捌拾元整",
        "李明",
        "肇庆市不动产登记中心",
    )
    assert _audits(order_no) == ["payments.open", "payments.pay"]
    # the gateway repeats its notification: nothing changes, nothing is written
    again = pay.callback(body)
    assert again.status_code == 200 and again.json()["status"] == "paid"
    assert Receipt.objects.filter(order=order).count() == 1
    assert _audits(order_no) == ["payments.open", "payments.pay"]
    # a paid order is not paid again
    r = pay.pay(order_no)
    assert r.status_code == 409 and "已支付" in r.json()["message"]


def test_a_callback_that_does_not_verify_changes_nothing(pay):
    _, order_no = pay.accepted()
    body = pay.paid_body(order_no, 8000)
    r = pay.callback(body, signature="0" * 64)
    assert r.status_code == 403 and "签名校验失败" in r.json()["message"]
    tampered = json.loads(body) | {"amount_fen": 1}
    r = pay.callback(json.dumps(tampered).encode(), signature=pay_signature(body))
    assert r.status_code == 403
    r = pay.callback(pay.paid_body(order_no, 1))  # signed, but not the order's amount
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount_fen"
    assert "金额" in r.json()["message"]
    assert pay.callback(body, backend="nosuch").status_code == 404
    assert Order.objects.get(order_no=order_no).status == "pending"
    assert not Receipt.objects.exists()
    assert _audits(order_no) == ["payments.open"]


def pay_signature(body):
    from shuzheng.payments import demo

    return demo.signed_headers(body)[demo.SIGNATURE_HEADER]


def test_a_bad_backend_is_named(pay):
    _, order_no = pay.accepted()
    r = pay.api.call(
        "POST", f"/api/v1/payments/orders/{order_no}/pay?backend=bitcoin", who="demo-citizen"
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "backend" and "支付渠道" in r.json()["message"]
    assert Order.objects.get(order_no=order_no).backend == "demo"


def test_denial_after_payment_refunds_and_tells_the_payer(pay):
    case_no, order_no = pay.accepted()
    pay.callback(pay.paid_body(order_no, 8000))
    r = pay.act("demo-reviewer", case_no, "deny", note="权属存在争议")
    assert r.status_code == 200, r.content
    order = Order.objects.get(order_no=order_no)
    assert (order.status, order.refund_no, order.reason) == (
        "refunded",
        "RFDEMO0001",
        "不予许可",
    )
    assert _audits(order_no) == ["payments.open", "payments.pay", "payments.refund"]
    told = Notification.objects.filter(link=f"/payments/orders/{order_no}/").order_by("id")
    assert "已原路退回" in told.last().body
    # the denied case is closed without payment
    assert pay.act("demo-reviewer", case_no, "close", delivery="window").status_code == 200


def test_withdrawal_before_payment_closes_the_order(pay):
    case_no, order_no = pay.accepted()
    assert pay.act("demo-citizen", case_no, "withdraw").status_code == 200
    order = Order.objects.get(order_no=order_no)
    assert (order.status, order.reason) == ("closed", "申请已撤回")
    assert _audits(order_no) == ["payments.open", "payments.close"]
    r = pay.pay(order_no)
    assert r.status_code == 409


def test_a_payment_made_after_the_order_closed_is_refunded(pay):
    """The payer had the gateway's cashier open when the case ended: the gateway took the money
    and reports it. The order stays closed, but the payment is refunded through the backend
    (once, however often the gateway repeats itself), audited, and the payer told — refusing
    the notification would keep their money."""
    case_no, order_no = pay.accepted()
    assert pay.act("demo-citizen", case_no, "withdraw").status_code == 200
    body = pay.paid_body(order_no, 8000, trade_no="DEMOLATE")
    r = pay.callback(body)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    order = Order.objects.get(order_no=order_no)
    assert (order.status, order.trade_no, order.refund_no) == (
        "closed",
        "DEMOLATE",
        "RFDEMOLATE",
    )
    assert not Receipt.objects.filter(order=order).exists()
    assert _audits(order_no) == ["payments.open", "payments.close", "payments.refund_late"]
    told = Notification.objects.filter(link=f"/payments/orders/{order_no}/").order_by("-id")[0]
    assert "原路退回" in told.body
    assert pay.callback(body).status_code == 200  # repeated: nothing more
    assert _audits(order_no) == ["payments.open", "payments.close", "payments.refund_late"]
    # a second payment after the late one is refunded on its own
    assert pay.callback(pay.paid_body(order_no, 8000, trade_no="DEMOX")).status_code == 200
    assert ExtraPayment.objects.get(order__order_no=order_no).refund_no == "RFDEMOX"


def test_an_order_paid_twice_keeps_one_payment_and_refunds_the_other(pay):
    """The payer paid in two tabs: the gateway reports two payments of one order. The first
    pays it; the second is refunded through the backend (its own refund reference), once
    however often the gateway repeats it, audited, and the payer told — the old answer, a 409,
    left the money with the government."""
    _, order_no = pay.accepted()
    assert pay.callback(pay.paid_body(order_no, 8000, trade_no="DEMOTAB1")).status_code == 200
    second = pay.paid_body(order_no, 8000, trade_no="DEMOTAB2")
    r = pay.callback(second)
    assert r.status_code == 200 and r.json()["status"] == "paid"
    order = Order.objects.get(order_no=order_no)
    assert (order.status, order.trade_no, order.refund_no) == ("paid", "DEMOTAB1", "")
    extra = ExtraPayment.objects.get(order=order)
    assert (extra.trade_no, extra.amount_fen, extra.refund_no) == ("DEMOTAB2", 8000, "RFDEMOTAB2")
    assert Receipt.objects.filter(order=order).count() == 1
    assert _audits(order_no) == ["payments.open", "payments.pay", "payments.refund_extra"]
    told = Notification.objects.filter(link=f"/payments/orders/{order_no}/").order_by("-id")[0]
    assert "重复缴纳的 80.00 元已原路退回" in told.body
    assert pay.callback(second).status_code == 200  # repeated: nothing more
    assert ExtraPayment.objects.filter(order=order).count() == 1
    assert _audits(order_no) == ["payments.open", "payments.pay", "payments.refund_extra"]


def test_reads_are_scoped(pay, api):
    _, order_no = pay.accepted()
    # another citizen: as if there were none
    assert (
        api.call("GET", f"/api/v1/payments/orders/{order_no}", who="demo-elder").status_code == 404
    )
    assert api.call("GET", "/api/v1/payments/orders", who="demo-elder").json() == []
    assert pay.pay(order_no, who="demo-elder").status_code == 404
    r = api.call("GET", f"/api/v1/payments/receipts/{order_no}.pdf", who="demo-elder")
    assert r.status_code == 404
    # the department's clerk sees it but does not pay it
    assert (
        api.call("GET", f"/api/v1/payments/orders/{order_no}", who="demo-clerk").status_code == 200
    )
    assert pay.pay(order_no, who="demo-clerk").status_code == 403
    # an API client has no orders
    assert api.call("GET", "/api/v1/payments/orders", who="client:demo-bank").status_code == 403
    assert api.call("GET", "/api/v1/payments/orders").status_code == 401


def test_the_receipt_is_a_sealed_pdf_for_the_payer(pay, api):
    _, order_no = pay.accepted()
    r = api.call("GET", f"/api/v1/payments/receipts/{order_no}.pdf", who="demo-citizen")
    assert r.status_code == 409 and "尚未缴费" in r.json()["message"]
    pay.callback(pay.paid_body(order_no, 8000))
    r = api.call("GET", f"/api/v1/payments/receipts/{order_no}.pdf", who="demo-citizen")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    verdict = seals.verify_pdf(r.content)
    assert verdict.valid, verdict
    assert "payments.receipt_pdf" in _audits(order_no)


def test_passport_fee_is_120_yuan(pay, fee_catalog):
    # 普通护照: the provincial department's clerk — demo-clerk handles level-3 departments only,
    # so the order is opened by the service directly from the accepted case's data
    from shuzheng.cases.contracts import CaseRef
    from shuzheng.payments import services

    ref = CaseRef(
        case_no="BJ44000020261206000001",
        item_code=fee_catalog["passport"],
        item_name="普通护照签发",
        department_code="440000-GAT",
        applicant_kind="person",
        applicant_id="440102199001011234",
        submitted_by="demo-citizen",
        status="in_progress",
        channel="online",
        assignee="",
        closed=False,
        extra={"applicant_name": "李明", "item_version": 1},
    )
    from django.db import transaction

    with transaction.atomic():
        order = services.order_open(case=ref, actor="user:demo-clerk")
    assert order is not None and order.amount_fen == 12000
