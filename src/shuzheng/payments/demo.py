"""The demo payment backend: a fake cashier page of this site (pay / cancel) that calls back
like a gateway, with a body signed by HMAC-SHA256.

Its cashier lets the payer mark the order paid, so it exists only in the demo, debug and tests
(``enabled``): elsewhere it is not a backend at all (checkout 422, cashier and callback 404),
whatever the environment says. The secret comes from the environment
(``SHUZHENG_PAYMENTS_DEMO_SECRET``), else a fixed one.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from shuzheng.payments import backends
from shuzheng.payments.backends import Checkout, Paid

SIGNATURE_HEADER = "X-Shuzheng-Signature"
DEFAULT_SECRET = "shuzheng-demo-payments-secret"  # demo, debug and tests only


def enabled() -> bool:
    """Whether the demo backend exists: in the demo, debug and tests only."""
    return bool(settings.DEMO or settings.DEBUG or settings.TESTING)


def secret() -> str:
    if not enabled():
        raise ImproperlyConfigured("The demo payment backend exists only in demo, debug and tests.")
    return os.environ.get("SHUZHENG_PAYMENTS_DEMO_SECRET", "") or DEFAULT_SECRET


def callback_body(*, order_no: str, amount_fen: int, trade_no: str | None = None) -> bytes:
    """What the demo gateway posts when the payer presses 确认支付."""
    trade = trade_no or "DEMO" + secrets.token_hex(8).upper()
    payload = {
        "order_no": order_no,
        "trade_no": trade,
        "amount_fen": amount_fen,
        "status": "SUCCESS",
    }
    return json.dumps(payload, separators=(",", ":")).encode()


def signed_headers(body: bytes) -> dict[str, str]:
    return {SIGNATURE_HEADER: backends.sign(secret(), body)}


class DemoBackend:
    name = "demo"
    label = "演示收银台"

    def cashier_url(self, checkout: Checkout) -> str:
        return reverse("payments:demo_cashier", args=[checkout.order_no])

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> Paid:
        signature = headers.get(SIGNATURE_HEADER) or headers.get(SIGNATURE_HEADER.lower()) or ""
        if not signature or not backends.signature_ok(secret(), body, signature):
            raise backends.CallbackRejected("签名校验失败。")
        try:
            data = json.loads(body)
            order_no, trade_no = str(data["order_no"]), str(data["trade_no"])
            amount = data["amount_fen"]
        except (ValueError, KeyError, TypeError):
            raise backends.CallbackRejected("通知内容不完整。") from None
        if data.get("status") != "SUCCESS" or not isinstance(amount, int) or not trade_no:
            raise backends.CallbackRejected("通知内容不完整。")
        return Paid(order_no=order_no, trade_no=trade_no[:64], amount_fen=amount)

    def refund(self, *, order_no: str, trade_no: str, amount_fen: int, reason: str) -> str:
        # the demo gateway refunds at once; the same payment always gets the same reference
        return f"RF{trade_no}"


@backends.register("demo", enabled=enabled)
def _demo() -> DemoBackend:
    return DemoBackend()
