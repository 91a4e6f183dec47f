"""The ratings module's public face."""

from __future__ import annotations

from typing import Any

from shuzheng.ratings import selectors

__all__ = ["stats"]


def stats(department: str | None = None) -> list[dict[str, Any]]:
    return selectors.stats(department=department)
