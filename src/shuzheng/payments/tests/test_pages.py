"""The pages: the guide's 在线缴费, the case page's 缴费 section with 去缴费, the demo cashier
(cancel keeps the order waiting; pay calls back and pays once), the order page, the wallet's
电子票据 and the receipt download — each scoped like the API."""

from __future__ import annotations

import pytest
from django.test import Client

from shuzheng.identity.models import User
from shuzheng.payments.models import Order

pytestmark = pytest.mark.django_db


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_guide_says_how_the_fee_is_paid(pay, fee_catalog):
    page = Client().get(f"/services/item/{fee_catalog['transfer']}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "在线缴费" in text and "本事项收费 80.00 元，受理后在线缴纳" in text
    free = Client().get(f"/services/item/{fee_catalog['reissue']}/").content.decode()
    assert "在线缴费" not in free


def test_the_citizen_pays_through_the_demo_cashier(pay):
    case_no, order_no = pay.accepted()
    citizen = login("demo-citizen")
    case_page = citizen.get(f"/cases/{case_no}/").content.decode()
    assert 'data-testid="payment"' in case_page and "去缴费（80.00 元）" in case_page

    r = citizen.post(f"/payments/orders/{order_no}/pay/")
    assert r.status_code == 302 and r["Location"] == f"/payments/cashier/demo/{order_no}/"
    cashier = citizen.get(r["Location"]).content.decode()
    assert "¥80.00 元" in cashier and "肇庆市不动产登记中心" in cashier

    r = citizen.post(f"/payments/cashier/demo/{order_no}/", {"choice": "cancel"})
    assert r.status_code == 302 and r["Location"] == f"/payments/orders/{order_no}/"
    assert Order.objects.get(order_no=order_no).status == "pending"
    assert "已取消支付" in citizen.get(r["Location"]).content.decode()

    r = citizen.post(f"/payments/cashier/demo/{order_no}/", {"choice": "pay"})
    assert r.status_code == 302
    order = Order.objects.get(order_no=order_no)
    assert order.status == "paid" and order.trade_no.startswith("DEMO")
    page = citizen.get(f"/payments/orders/{order_no}/").content.decode()
    assert "缴费成功" in page and "已支付" in page and "去缴费" not in page
    # pressing pay again (an old tab) pays nothing more
    citizen.post(f"/payments/cashier/demo/{order_no}/", {"choice": "pay"})
    assert Order.objects.get(order_no=order_no).trade_no == order.trade_no

    wallet = citizen.get("/licenses/").content.decode()
    assert 'data-testid="wallet-receipts"' in wallet
    assert f"票据代码 {order.receipt.code} 号码 {order.receipt.number}" in wallet
    pdf = citizen.get(f"/payments/receipts/{order_no}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    listing = citizen.get("/payments/").content.decode()
    assert order_no in listing


def test_pages_are_scoped(pay):
    _, order_no = pay.accepted()
    elder = login("demo-elder")
    for path in (
        f"/payments/orders/{order_no}/",
        f"/payments/cashier/demo/{order_no}/",
        f"/payments/receipts/{order_no}.pdf",
    ):
        assert elder.get(path).status_code == 404, path
    assert elder.post(f"/payments/orders/{order_no}/pay/").status_code == 404
    assert order_no not in elder.get("/payments/").content.decode()
    clerk = login("demo-clerk")
    assert clerk.get(f"/payments/orders/{order_no}/").status_code == 200
    assert clerk.get(f"/payments/cashier/demo/{order_no}/").status_code == 403
    assert clerk.post(f"/payments/cashier/demo/{order_no}/", {"choice": "pay"}).status_code == 403
    assert Order.objects.get(order_no=order_no).status == "pending"
    assert Client().get("/payments/").status_code == 302  # to the login page


def test_an_unpaid_receipt_sends_back_to_the_order(pay):
    _, order_no = pay.accepted()
    citizen = login("demo-citizen")
    r = citizen.get(f"/payments/receipts/{order_no}.pdf")
    assert r.status_code == 302 and r["Location"] == f"/payments/orders/{order_no}/"
    assert "尚未缴费" in citizen.get(r["Location"]).content.decode()


def test_the_workbench_says_why_the_case_is_not_closed_yet(pay):
    case_no, order_no = pay.accepted()
    assert pay.act("demo-reviewer", case_no, "approve").status_code == 200
    reviewer = login("demo-reviewer")
    page = reviewer.get(f"/workbench/cases/{case_no}/").content.decode()
    assert 'data-testid="close-held"' in page
    assert f"尚未缴纳不动产登记（转移登记）费用 80.00 元（订单号 {order_no}）" in page
    assert 'data-testid="action-close"' not in page
    pay.callback(pay.paid_body(order_no, 8000))
    page = reviewer.get(f"/workbench/cases/{case_no}/").content.decode()
    assert 'data-testid="close-held"' not in page and 'data-testid="action-close"' in page


class _Bank:
    """A real gateway stand-in: its cashier is elsewhere, its callbacks never verify here."""

    name, label = "bank", "银行"

    def cashier_url(self, checkout):
        return "https://pay.example.invalid/"

    def verify_callback(self, body, headers):
        from shuzheng.payments.backends import CallbackRejected

        raise CallbackRejected("签名校验失败。")

    def refund(self, **kw):
        return "RF"


def test_the_demo_cashier_cannot_pay_an_order_in_production(pay, settings, monkeypatch):
    """Outside demo, debug and tests the demo backend does not exist — not even when its secret
    is set (as the old error told operators): the payer could otherwise switch their order to
    it and press 确认支付 on its cashier, paying nothing."""
    from shuzheng.payments import backends, demo

    monkeypatch.setitem(backends._REGISTRY, "bank", _Bank)
    settings.PAYMENTS_BACKEND = "bank"
    _case_no, order_no = pay.accepted()
    assert Order.objects.get(order_no=order_no).backend == "bank"
    monkeypatch.setenv("SHUZHENG_PAYMENTS_DEMO_SECRET", "an-operator-set-this")
    settings.DEMO = settings.DEBUG = settings.TESTING = False
    citizen = login("demo-citizen")

    r = pay.api.call(
        "POST", f"/api/v1/payments/orders/{order_no}/pay?backend=demo", who="demo-citizen"
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "backend"
    assert citizen.get(f"/payments/cashier/demo/{order_no}/").status_code == 404
    assert citizen.post(f"/payments/cashier/demo/{order_no}/", {"choice": "pay"}).status_code == 404
    body = demo.callback_body(order_no=order_no, amount_fen=8000)
    signed = backends.sign("an-operator-set-this", body)
    assert pay.callback(body, signature=signed).status_code == 404
    order = Order.objects.get(order_no=order_no)
    assert (order.status, order.backend) == ("pending", "bank")
    assert "demo" not in backends.available()
