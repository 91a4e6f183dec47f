"""All reads of payments, scoped to the caller: the payer (a person, or an enterprise's 经办人)
sees their orders; staff see the orders of the departments where they handle cases; anyone
else finds nothing (404, as if there were none)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shuzheng.core.errors import Forbidden, NotFound
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import CASE_ROLES, Principal
from shuzheng.payments.models import Order, OrderStatus, Receipt


def _scope(principal: Principal) -> Q | None:
    if principal.kind in ("person", "agent"):
        q = Q(payer_kind="person", payer_id=principal.id_number) if principal.id_number else Q()
        if principal.enterprises:
            q |= Q(payer_kind="enterprise", payer_id__in=principal.enterprises)
        return q if q else None
    if principal.kind == "staff":
        departments = principal.departments_for(tuple(CASE_ROLES))
        return Q(department_code__in=departments) if departments else None
    return None


def visible_orders(principal: Principal) -> QuerySet[Order]:
    scope = _scope(principal)
    return Order.objects.filter(scope) if scope is not None else Order.objects.none()


def orders_mine(principal: Principal, *, limit: int = 50) -> list[Order]:
    """The caller's orders, newest first (persons and agents: their own; staff: their
    departments'). API clients have no orders (403)."""
    if principal.kind not in ("person", "agent", "staff"):
        raise Forbidden("缴费订单仅供缴款人和办理部门查询。")
    return list(visible_orders(principal).select_related("receipt")[:limit])


def order_for(principal: Principal, order_no: str, *, lock: bool = False) -> Order:
    qs = visible_orders(principal).filter(order_no=str(order_no)[:24])
    if lock:
        qs = qs.select_for_update()
    order = qs.first()
    if order is None:
        raise NotFound("未找到该缴费订单。")
    return order


def is_payer(principal: Principal, order: Order) -> bool:
    if principal.kind not in ("person", "agent"):
        return False
    if order.payer_kind == "person":
        return order.payer_id == principal.id_number
    return order.payer_id in principal.enterprises


def receipt_for(principal: Principal, order_no: str) -> Receipt | None:
    """The receipt of an order the caller sees (NotFound otherwise; None when not paid)."""
    order = order_for(principal, order_no)
    return Receipt.objects.filter(order=order).select_related("order").first()


def receipts_mine(principal: Principal) -> list[Receipt]:
    """The payer's own receipts (the wallet's 票据 section), newest first."""
    if principal.kind not in ("person", "agent"):
        return []
    scope = _scope(principal)
    if scope is None:
        return []
    return list(
        Receipt.objects.filter(order__in=Order.objects.filter(scope))
        .select_related("order")
        .order_by("-issued_at", "-id")[:50]
    )


def pending_for_case(case_no: str) -> Order | None:
    """The unpaid order of a case (what holds back its 办结), if any."""
    return Order.objects.filter(case_no=case_no, status=OrderStatus.PENDING).first()


def order_of_case(principal: Principal, case_no: str) -> Order | None:
    """The order of a case, when the caller sees it."""
    return visible_orders(principal).filter(case_no=case_no).select_related("receipt").first()


def payee_name(order: Order) -> str:
    return identity.department_names().get(order.department_code) or order.department_code
