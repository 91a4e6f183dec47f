"""Masking (脱敏) of field values by classification (GB/T 43697), personal flag and purpose.

``must_mask`` decides whether a field is masked for a call; ``mask`` applies the field's rule.
Decision (就高从严):

- 核心数据: always masked.
- 本人授权 (consent) or the 监管执法 purpose: everything else plain.
- 政务服务 purpose: 重要 personal fields masked, the rest plain.
- 公共服务 / 统计分析 purposes: every personal field and every 重要 field masked.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Final

HIDDEN: Final = "******"
_ADDRESS_HEAD: Final = re.compile(
    r"^((?:[^省]{2,7}省)?(?:[^市]{2,7}市)?(?:[^区县市省]{1,7}[区县市])?)"
)
AMOUNT_BANDS: Final = (
    (Decimal(3000), "3000以下"),
    (Decimal(5000), "3000-5000"),
    (Decimal(8000), "5000-8000"),
    (Decimal(12000), "8000-12000"),
)


def must_mask(*, classification: str, personal: bool, basis: str, purpose: str) -> bool:
    if classification == "core":
        return True
    if basis == "consent" or purpose == "supervision":
        return False
    if purpose == "service":
        return classification == "important" and personal
    return personal or classification == "important"


def _mask_text(rule: str, text: str) -> str:
    if not text:
        return text
    if rule == "name":
        return text[:1] + "*" * max(1, len(text) - 1)
    if rule == "id_number":
        return text[:6] + "*" * 8 + text[-4:] if len(text) == 18 else HIDDEN
    if rule == "phone":
        return text[:3] + "****" + text[-4:] if len(text) >= 7 else HIDDEN
    if rule == "address":  # keep 省/市/县区, drop the street and number
        m = _ADDRESS_HEAD.match(text)
        return ((m.group(1) if m else "") or text[:3]) + "****"
    if rule == "date":
        return text[:4] + "-**-**" if len(text) >= 4 else HIDDEN
    if rule == "partial":
        return text[:2] + "*" * max(2, len(text) - 4) + text[-2:] if len(text) > 4 else HIDDEN
    if rule == "amount":
        try:
            value = Decimal(text)
        except InvalidOperation:
            return HIDDEN
        for limit, band in AMOUNT_BANDS:
            if value < limit:
                return band
        return "12000以上"
    return HIDDEN


def mask(rule: str, value: Any) -> Any:
    """The masked form of ``value`` under ``rule`` (lists element by element; None stays)."""
    if value is None:
        return None
    if isinstance(value, list):
        return [mask(rule, v) for v in value]
    if isinstance(value, dict):
        return {k: mask(rule, v) for k, v in value.items()}
    if isinstance(value, bool):
        return HIDDEN
    if rule == "none":
        return HIDDEN  # a field that must be masked but has no rule is withheld
    return _mask_text(rule, str(value))
