"""The lifecycle of a fee order (缴费订单), one row per action (docs/style.md habit 11).

待支付 → 已支付 (the payment backend's verified callback), 已支付 → 已退款 (the case refused
after payment: 不予受理, 不予许可, 撤回), 待支付 → 已关闭 (the case ended before payment). Labels,
the order page's words and the audit actions (``payments.<action>``) are read from here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shuzheng.core.lifecycle import Lifecycle, Transition
from shuzheng.payments.models import OrderStatus as S

GATEWAY = "gateway"  # the payment backend's verified callback
SYSTEM = "system"  # the case's outcome (cases' action listener)

T = Transition
# fmt: off
ROWS = [
    T("pay", (S.PENDING,), S.PAID, (GATEWAY,), _("支付"), _("缴费成功，已开具财政电子票据")),
    T("refund", (S.PAID,), S.REFUNDED, (SYSTEM,), _("退款"), _("办件未获办理，费用已原路退回")),
    T("close", (S.PENDING,), S.CLOSED, (SYSTEM,), _("关闭订单"), _("办件已终止，订单关闭")),
]
# fmt: on

ORDER = Lifecycle(
    name="payment_order",
    transitions=ROWS,
    terminal=(S.REFUNDED, S.CLOSED),
    events={
        "open": _("受理后生成缴费订单"),
        "checkout": _("前往收银台"),
        "refund_late": _("订单关闭后到账的款项已原路退回"),
        "refund_extra": _("重复缴纳的款项已原路退回"),
    },
)
