"""All writes of payments: typed keyword-only functions, each in one transaction with its
audit record (``payments.<action>``, the order as object).

- ``order_open``: when a case that charges a fee is accepted (受理), in the case's transaction.
  The moment follows the 政务服务网 practice: the fee is paid after 受理 and before 出证 (the
  department has checked the application first; a case it refuses costs nothing).
- ``order_checkout``: the payer goes to the backend's cashier (the order's backend is chosen).
- ``callback_receive``: a backend's verified notification moves the order 待支付 → 已支付 and
  issues the 财政电子票据; the same notification again changes nothing (idempotent). A payment
  reported for an order already closed is refunded through the backend (``refund_late``). A
  秒批 case waiting only for its fee is then closed (``cases.facade.close_paid_instant``).
- ``order_end_for_case``: a case refused, denied or withdrawn: a paid order is refunded through
  its backend (已退款), an unpaid one closed (已关闭); the payer is told.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.cases import facade as cases
from shuzheng.cases.contracts import CaseRef
from shuzheng.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.notify import facade as notify
from shuzheng.payments import backends, fees, selectors, transitions
from shuzheng.payments.backends import Checkout
from shuzheng.payments.models import ExtraPayment, Order, Receipt, ReceiptSequence
from shuzheng.payments.models import OrderStatus as S

# 财政电子票据 票据代码: 监管机构区划 (广东 44) + 分类 (01 非税收入) + 种类 (01 非税收入统一票据)
# + 年度 (two digits of the year)
RECEIPT_PREFIX = "440101"


def _snapshot(order: Order) -> dict[str, Any]:
    return {
        "status": order.status,
        "amount_fen": order.amount_fen,
        "backend": order.backend,
        "trade_no": order.trade_no,
        "refund_no": order.refund_no,
    }


def _audit(order: Order, *, actor: str, action: str, before: Any, **extra: Any) -> None:
    audit.record(
        actor=actor,
        action=f"payments.{action}",
        object_type="payments.order",
        object_id=order.order_no,
        before=before,
        after={**_snapshot(order), "case_no": order.case_no, **extra},
    )


def _tell(order: Order, text: str) -> None:
    notify.send(
        recipient_kind=order.payer_kind,
        recipient_id=order.payer_id,
        title=order.item_name,
        body=f"{order.item_name}（{order.case_no}）{text}",
        link=f"/payments/orders/{order.order_no}/",
    )


def _move(order: Order, action: str) -> str:
    """Check the action against the table and move the status; returns the old status."""
    row = transitions.ORDER[action]
    if order.status not in row.sources:
        raise Conflict(
            f"订单当前状态为“{S(order.status).label}”，不能{row.label}。",
            extra={"allowed_actions": []},
        )
    before = order.status
    assert row.target is not None
    order.status = row.target
    return before


def _new_order_no(today: Any) -> str:
    return f"JF{today:%Y%m%d}{secrets.randbelow(10**10):010d}"


# --- opening an order (cases' listener, in the case's transaction) ---------------------------


def order_open(*, case: CaseRef, actor: str) -> Order | None:
    """The fee order of a case just accepted, when its item charges one (None otherwise)."""
    fee = fees.fee_of(case.item_code, case.extra.get("item_version"))
    if fee is None:
        return None
    existing = Order.objects.filter(case_no=case.case_no).first()
    if existing is not None:
        return existing  # one order per case (a case accepted again never pays twice)
    payer_name = case.extra.get("applicant_name") or case.applicant_id
    order = Order.objects.create(
        order_no=_new_order_no(timezone.localdate()),
        case_no=case.case_no,
        item_code=case.item_code,
        item_name=case.item_name,
        department_code=case.department_code,
        payer_kind=case.applicant_kind,
        payer_id=case.applicant_id,
        payer_name=payer_name,
        amount_fen=fee.amount_fen,
        basis=fee.basis,
        backend=backends.default_name(),
    )
    _audit(order, actor=actor, action="open", before=None)
    _tell(order, f"已受理，请缴纳费用 {fees.yuan(order.amount_fen)} 元，缴费后办结出证。")
    return order


# --- paying -----------------------------------------------------------------------------------


def order_checkout(*, principal: Principal, order_no: str, backend: str | None = None) -> str:
    """The cashier address of the backend for an order the caller pays (its payer)."""
    name = (backend or "").strip() or backends.default_name()
    if name not in backends.available():
        raise ValidationFailed.one(
            "backend", f"支付渠道“{name[:20]}”不存在，可选：{'、'.join(backends.available())}。"
        )
    with transaction.atomic():
        order = selectors.order_for(principal, order_no, lock=True)
        if not selectors.is_payer(principal, order):
            raise Forbidden("只有缴款人本人可以缴费。")
        if order.status != S.PENDING:
            raise Conflict(
                f"订单当前状态为“{S(order.status).label}”，无需缴费。",
                extra={"allowed_actions": []},
            )
        if order.backend != name:
            before = _snapshot(order)
            order.backend = name
            order.save(update_fields=["backend"])
            _audit(order, actor=principal.actor, action="checkout", before=before)
    return backends.get(name).cashier_url(
        Checkout(
            order_no=order.order_no,
            amount_fen=order.amount_fen,
            item_name=order.item_name,
            payee_name=selectors.payee_name(order),
            return_path=f"/payments/orders/{order.order_no}/",
        )
    )


def callback_receive(*, backend: str, body: bytes, headers: Mapping[str, str]) -> Order:
    """A backend's notification that an order was paid: verified by the backend (``Forbidden``
    when it does not verify), then 待支付 → 已支付 with its receipt, audited. The same
    notification again returns the order unchanged.

    Once the payment has committed, a 秒批 case held back only by its fee is closed and its
    result issued (``cases.facade.close_paid_instant``; any other case is left to staff). Should
    that fail, the payment stands and the gateway's repeated notification closes it."""
    order = _callback_record(backend=backend, body=body, headers=headers)
    if order.status == S.PAID:
        cases.close_paid_instant(order.case_no)
    return order


def _callback_record(*, backend: str, body: bytes, headers: Mapping[str, str]) -> Order:
    gateway = backends.get(backend)
    try:
        paid = gateway.verify_callback(body, headers)
    except backends.CallbackRejected as exc:
        raise Forbidden(f"支付通知无效：{exc}") from None
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(order_no=paid.order_no).first()
        if order is None:
            raise NotFound("未找到该订单。")
        if order.trade_no == paid.trade_no:
            return order  # the gateway repeats its notification until it is answered
        if order.trade_no:
            # the order was paid already (or a late payment refunded): this one is extra
            return _refund_extra(order, gateway, backend=backend, paid=paid)
        if paid.amount_fen != order.amount_fen:
            raise ValidationFailed.one(
                "amount_fen",
                f"支付金额 {fees.yuan(max(paid.amount_fen, 0))} 元与订单金额 "
                f"{fees.yuan(order.amount_fen)} 元不符。",
            )
        if order.backend and order.backend != backend:
            raise Forbidden("支付通知无效：订单不是通过该支付渠道支付的。")
        if order.status == S.CLOSED:
            return _refund_late(order, gateway, backend=backend, trade_no=paid.trade_no)
        before = _snapshot(order)
        _move(order, "pay")
        order.trade_no = paid.trade_no
        order.paid_at = timezone.now()
        order.save(update_fields=["status", "trade_no", "paid_at"])
        receipt = _receipt_issue(order)
        _audit(
            order,
            actor=f"payment:{backend}",
            action="pay",
            before=before,
            receipt=f"{receipt.code}-{receipt.number}",
        )
        _tell(order, f"已缴费 {fees.yuan(order.amount_fen)} 元，财政电子票据已存入您的证照夹。")
    return order


def _refund_extra(
    order: Order, gateway: backends.PaymentBackend, *, backend: str, paid: backends.Paid
) -> Order:
    """A second payment of an order (the payer paid twice): the order keeps its first payment
    and this one goes back through the backend — once, however often the gateway repeats its
    notification — audited, and the payer told."""
    extra = order.extra_payments.filter(trade_no=paid.trade_no).first()
    if extra is not None:
        return order  # refunded when first reported
    before = _snapshot(order)
    refund_no = gateway.refund(
        order_no=order.order_no,
        trade_no=paid.trade_no,
        amount_fen=paid.amount_fen,
        reason="重复缴费",
    )[:64]
    ExtraPayment.objects.create(
        order=order,
        backend=backend,
        trade_no=paid.trade_no,
        amount_fen=paid.amount_fen,
        refund_no=refund_no,
    )
    _audit(
        order,
        actor=f"payment:{backend}",
        action="refund_extra",
        before=before,
        trade_no=paid.trade_no,
        amount_fen=paid.amount_fen,
        refund_no=refund_no,
    )
    _tell(order, f"您重复缴纳的 {fees.yuan(paid.amount_fen)} 元已原路退回。")
    return order


def _refund_late(
    order: Order, gateway: backends.PaymentBackend, *, backend: str, trade_no: str
) -> Order:
    """A payment reported for an order closed before it was paid (the payer was at the
    gateway's cashier when the case ended): the order stays closed and the money goes back
    through the backend, once — the gateway repeats its notification until answered."""
    before = _snapshot(order)
    order.trade_no = trade_no
    order.refund_no = gateway.refund(
        order_no=order.order_no,
        trade_no=trade_no,
        amount_fen=order.amount_fen,
        reason=order.reason or "订单已关闭",
    )[:64]
    order.save(update_fields=["trade_no", "refund_no"])
    _audit(order, actor=f"payment:{backend}", action="refund_late", before=before)
    _tell(order, f"订单已关闭，到账的 {fees.yuan(order.amount_fen)} 元已原路退回。")
    return order


def _check_code(code: str, number: str, amount_fen: int, issued: str) -> str:
    """校验码: six characters a verifier recomputes from the 票据's own numbers."""
    message = f"{code}|{number}|{amount_fen}|{issued}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return digest[:6].upper()


def _receipt_issue(order: Order) -> Receipt:
    now = timezone.now()
    code = f"{RECEIPT_PREFIX}{timezone.localdate(now):%y}"
    seq, _ = ReceiptSequence.objects.select_for_update().get_or_create(code=code)
    seq.last += 1
    seq.save(update_fields=["last"])
    number = f"{seq.last:010d}"
    return Receipt.objects.create(
        order=order,
        code=code,
        number=number,
        check_code=_check_code(code, number, order.amount_fen, now.isoformat()),
        amount_fen=order.amount_fen,
        amount_words=fees.in_words(order.amount_fen),
        payer_name=order.payer_name,
        payee_name=selectors.payee_name(order),
        item_name=order.item_name,
        issued_at=now,
    )


# --- the case ends without a result ----------------------------------------------------------

ENDING = {
    "refuse": "不予受理",
    "deny": "不予许可",
    "withdraw": "申请已撤回",
}


def order_end_for_case(*, case: CaseRef, action: str, actor: str) -> Order | None:
    """Refund a paid order (through its backend) or close an unpaid one, when the case was
    refused, denied or withdrawn. In the case's transaction; audited; the payer is told."""
    order = Order.objects.select_for_update().filter(case_no=case.case_no).first()
    if order is None or order.status not in (S.PENDING, S.PAID):
        return None
    why = ENDING[action]
    before = _snapshot(order)
    if order.status == S.PAID:
        _move(order, "refund")
        order.refund_no = backends.get(order.backend or backends.default_name()).refund(
            order_no=order.order_no,
            trade_no=order.trade_no,
            amount_fen=order.amount_fen,
            reason=why,
        )[:64]
        order.reason = why
        order.ended_at = timezone.now()
        order.save(update_fields=["status", "refund_no", "reason", "ended_at"])
        _audit(order, actor=actor, action="refund", before=before, reason=why)
        _tell(order, f"{why}，已缴纳的 {fees.yuan(order.amount_fen)} 元已原路退回。")
    else:
        _move(order, "close")
        order.reason = why
        order.ended_at = timezone.now()
        order.save(update_fields=["status", "reason", "ended_at"])
        _audit(order, actor=actor, action="close", before=before, reason=why)
        _tell(order, f"{why}，缴费订单已关闭，无需缴费。")
    return order
