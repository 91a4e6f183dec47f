"""What an item charges, and money as words.

The catalog already records 收费 for each item version (``spec.fee``: ``charged``, ``basis`` —
the 收费依据 — and ``amount_yuan``), so payments keeps no fee table of its own; an order charges
the fee of the version in force when it is opened. Amounts become integers of 分 here and stay
integers. The demo catalog's fees follow the published 收费标准:

- 普通护照 120 元/本: 《国家发展改革委 财政部关于降低部分行政事业性收费标准的通知》
  （发改价格〔2019〕914号）;
- 不动产登记 住宅类 80 元/件 (含第一本证书工本费), 非住宅类 550 元/件: 《国家发展改革委
  财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）and
  财税〔2016〕79号.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import cn2an

from shuzheng.catalog import facade as catalog
from shuzheng.core.errors import NotFound


@dataclass(frozen=True)
class Fee:
    amount_fen: int
    basis: str


def to_fen(yuan: object) -> int:
    """An amount in 元 (number or text) as whole 分 (rounded half up); 0 for no amount."""
    try:
        value = Decimal(str(yuan))
    except (InvalidOperation, ValueError):
        return 0
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fee_of(item_code: str, item_version: int | None = None) -> Fee | None:
    """The fee of an item; None when it charges nothing. The fee charged is the one in force
    when the order is opened (a fee is charged under the 收费标准 of the day it is charged):
    the version in force today, else the version the case was filed under (``item_version``)
    when the item has none in force any more."""
    if not item_code:
        return None
    try:
        item = catalog.item(item_code)
    except NotFound:
        if item_version is None:
            return None
        try:
            item = catalog.item_version(item_code, item_version)
        except NotFound:
            return None
    fee = item.spec.get("fee") or {}
    amount = to_fen(fee.get("amount_yuan")) if fee.get("charged") else 0
    return Fee(amount_fen=amount, basis=str(fee.get("basis") or "")) if amount > 0 else None


def yuan(fen: int) -> str:
    """120.00"""
    return f"{fen // 100}.{fen % 100:02d}"


def in_words(fen: int) -> str:
    """The amount in 大写 as a 票据 prints it (壹佰贰拾元整)."""
    return str(cn2an.an2cn(yuan(fen), "rmb"))
