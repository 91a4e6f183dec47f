"""The public face: with contracts.py, the only module other modules may import."""

from __future__ import annotations

from shuzheng.identity.contracts import Principal
from shuzheng.reporting import selectors

__all__ = ["fills_or_reviews"]


def fills_or_reviews(principal: Principal) -> bool:
    """Whether the caller fills a 村/社区's reports or reviews a 镇街's (the site's menu shows
    them 填表报数)."""
    return bool(selectors.member_units(principal))
