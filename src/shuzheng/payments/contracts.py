"""Plain data payments hands out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderInfo:
    """A fee order as other modules and the API see it (money in 分)."""

    order_no: str
    case_no: str
    item_name: str
    department_code: str
    payee_name: str
    amount_fen: int
    amount_yuan: str  # "120.00"
    basis: str
    status: str  # pending | paid | refunded | closed
    status_name: str  # 待支付 …
    created_at: dt.datetime
    paid_at: dt.datetime | None
    ended_at: dt.datetime | None
    reason: str
    receipt_no: str  # "<票据代码>-<票据号码>" once paid, else ""
