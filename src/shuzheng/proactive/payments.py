"""Payment backends for granted benefits (a small registry, like ``core.sms``).

``SHUZHENG_PAYMENT_BACKEND`` picks one; ``demo`` (default) records a ``PaymentInstruction``
row and pays nothing. A real backend (a bank or treasury interface) registers under its own
name and must be idempotent by ``reference``: granting retries with the same reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings

from shuzheng.proactive.models import PaymentInstruction


@dataclass(frozen=True)
class Receipt:
    reference: str
    backend: str
    status: str


class PaymentBackend(Protocol):
    name: str

    def instruct(
        self,
        *,
        reference: str,
        payee_kind: str,
        payee_id: str,
        payee_name: str,
        amount: Decimal,
        purpose: str,
    ) -> Receipt: ...


_BACKENDS: dict[str, Callable[[], PaymentBackend]] = {}


def register(name: str) -> Callable[[Callable[[], PaymentBackend]], Callable[[], PaymentBackend]]:
    def deco(factory: Callable[[], PaymentBackend]) -> Callable[[], PaymentBackend]:
        _BACKENDS[name] = factory
        return factory

    return deco


def backend() -> PaymentBackend:
    name = getattr(settings, "SHUZHENG_PAYMENT_BACKEND", "") or "demo"
    if name not in _BACKENDS:
        raise RuntimeError(f"unknown SHUZHENG_PAYMENT_BACKEND {name!r}; have {sorted(_BACKENDS)}")
    return _BACKENDS[name]()


class DemoBackend:
    """Records the instruction (in the caller's transaction) and reports it as instructed."""

    name = "demo"

    def instruct(
        self,
        *,
        reference: str,
        payee_kind: str,
        payee_id: str,
        payee_name: str,
        amount: Decimal,
        purpose: str,
    ) -> Receipt:
        row, _ = PaymentInstruction.objects.get_or_create(
            reference=reference,
            defaults={
                "backend": self.name,
                "payee_kind": payee_kind,
                "payee_id": payee_id,
                "payee_name": payee_name,
                "amount": amount,
                "purpose": purpose[:200],
            },
        )
        return Receipt(reference=row.reference, backend=row.backend, status=row.status)


register("demo")(DemoBackend)
