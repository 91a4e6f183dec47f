"""The public face of payments: with contracts.py, the only things other modules import.

Wired from ``apps.ready``: ``on_case_action`` (cases tells payments of every action, in its
transaction) and ``close_gate`` (cases asks before 办结/出证)."""

from __future__ import annotations

from shuzheng.cases.contracts import CaseRef
from shuzheng.identity.contracts import Principal
from shuzheng.payments import fees, selectors, services
from shuzheng.payments.contracts import OrderInfo
from shuzheng.payments.models import Order, OrderStatus

__all__ = ["OrderInfo", "close_gate", "info", "on_case_action", "order_of_case"]


def info(order: Order) -> OrderInfo:
    receipt = getattr(order, "receipt", None) if order.status != OrderStatus.PENDING else None
    return OrderInfo(
        order_no=order.order_no,
        case_no=order.case_no,
        item_name=order.item_name,
        department_code=order.department_code,
        payee_name=selectors.payee_name(order),
        amount_fen=order.amount_fen,
        amount_yuan=fees.yuan(order.amount_fen),
        basis=order.basis,
        status=order.status,
        status_name=str(OrderStatus(order.status).label),
        created_at=order.created_at,
        paid_at=order.paid_at,
        ended_at=order.ended_at,
        reason=order.reason,
        receipt_no=f"{receipt.code}-{receipt.number}" if receipt else "",
    )


def on_case_action(case: CaseRef, action: str, actor: str) -> None:
    """受理 opens the fee order of an item that charges one; 不予受理, 不予许可 and 撤回 refund a
    paid order or close an unpaid one. In the case action's transaction."""
    if action == "accept":
        services.order_open(case=case, actor=actor)
    elif action in services.ENDING:
        services.order_end_for_case(case=case, action=action, actor=actor)


def close_gate(case: CaseRef) -> str | None:
    """Why a case may not be closed (办结/出证) yet: its fee is unpaid."""
    order = selectors.pending_for_case(case.case_no)
    if order is None:
        return None
    return (
        f"申请人尚未缴纳{order.item_name}费用 {fees.yuan(order.amount_fen)} 元"
        f"（订单号 {order.order_no}），缴费后才能办结出证。"
    )


def order_of_case(principal: Principal, case_no: str) -> OrderInfo | None:
    """The fee order of a case the caller sees (None: no fee, or not theirs)."""
    order = selectors.order_of_case(principal, case_no)
    return info(order) if order else None
