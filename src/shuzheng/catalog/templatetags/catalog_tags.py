"""Template helpers of the catalog's words, for every module's pages."""

from __future__ import annotations

from typing import Any

from django import template

from shuzheng.catalog.timelimits import promised_time_of

register = template.Library()


@register.filter
def promised_time(obj: Any, variant: str = "") -> str:
    """``{{ item|promised_time }}`` (after 承诺办结时限) or ``{{ item|promised_time:"short" }}``
    (in a list of results): 即办 and 秒批 in words, never "0 个工作日"."""
    return promised_time_of(obj, short=variant == "short")
