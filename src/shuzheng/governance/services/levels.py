"""The level of a value against an indicator's thresholds (pure; also used by the seed)."""

from __future__ import annotations

from typing import Any

from shuzheng.governance.models import Direction, Level

_RANK = {Level.NORMAL: 0, Level.YELLOW: 1, Level.RED: 2}


def rank(level: str) -> int:
    return _RANK.get(level, 0)  # type: ignore[call-overload]


def beyond(direction: str, value: float, threshold: float | None) -> bool:
    if threshold is None:
        return False
    return value >= threshold if direction == Direction.ABOVE else value <= threshold


def level_of(indicator: Any, value: float) -> str:
    """red when the value reaches the red threshold in the indicator's direction, yellow when
    it reaches the yellow one, normal otherwise."""
    if beyond(indicator.direction, value, indicator.red):
        return str(Level.RED)
    if beyond(indicator.direction, value, indicator.yellow):
        return str(Level.YELLOW)
    return str(Level.NORMAL)


def threshold_of(indicator: Any, level: str) -> float:
    t = indicator.red if level == Level.RED else indicator.yellow
    return float(t) if t is not None else 0.0
