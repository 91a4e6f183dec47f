"""Payment backends: a small registry, as Open Forms keeps its payment plugins (docs/style.md
habit 6). A backend sends the payer to its cashier, verifies its own callbacks and refunds.

``SHUZHENG_PAYMENTS_BACKEND`` (settings ``PAYMENTS_BACKEND``) names the one new orders use
(``demo`` by default). A real gateway (a 统一公共支付平台, 银联, a bank) registers itself
with ``@register("name")`` in a module imported by ``PaymentsConfig.ready``; the demo backend
is ``payments/demo.py``. A backend's refund must be idempotent for the same payment (the refund
request number is derived from the payment's trade number: an order paid twice has its second
payment refunded apart from the first), so a retried or rolled-back refund never pays twice.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from shuzheng.core.errors import NotFound


@dataclass(frozen=True)
class Checkout:
    """What a backend needs to take a payment."""

    order_no: str
    amount_fen: int
    item_name: str
    payee_name: str
    return_path: str  # where the payer goes back to (the order page)


@dataclass(frozen=True)
class Paid:
    """A verified notification from a backend: this order was paid."""

    order_no: str
    trade_no: str
    amount_fen: int


class CallbackRejected(Exception):
    """A callback whose signature or content does not verify (nothing is changed)."""


class PaymentBackend(Protocol):
    name: str
    label: str

    def cashier_url(self, checkout: Checkout) -> str:
        """Where the payer pays (a page of the gateway)."""

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> Paid:
        """The payment a callback reports, once its signature checks (``CallbackRejected``)."""

    def refund(self, *, order_no: str, trade_no: str, amount_fen: int, reason: str) -> str:
        """Refund the whole payment; returns the refund's reference."""


_REGISTRY: dict[str, Callable[[], PaymentBackend]] = {}
# a backend that exists only when its condition holds (the demo cashier: demo, debug, tests)
_ENABLED: dict[str, Callable[[], bool]] = {}


def register(
    name: str, *, enabled: Callable[[], bool] | None = None
) -> Callable[[Callable[[], PaymentBackend]], Callable[[], PaymentBackend]]:
    def deco(factory: Callable[[], PaymentBackend]) -> Callable[[], PaymentBackend]:
        _REGISTRY[name] = factory
        if enabled is not None:
            _ENABLED[name] = enabled
        return factory

    return deco


def _on(name: str) -> bool:
    check = _ENABLED.get(name)
    return check is None or bool(check())


def available() -> list[str]:
    return sorted(n for n in _REGISTRY if _on(n))


def get(name: str) -> PaymentBackend:
    if name not in _REGISTRY or not _on(name):
        raise NotFound("未找到该支付渠道。")
    return _REGISTRY[name]()


def default_name() -> str:
    return str(getattr(settings, "PAYMENTS_BACKEND", "") or "demo")


# --- signing callbacks (HMAC-SHA256 over the raw body) ---------------------------------------


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_ok(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature.strip().lower())
