"""The 12345 figures other modules may show without importing ``hotline``: registered in
``core.metrics_registry`` by ``HotlineConfig.ready`` (一网统管's computed 城市体征指标 read them by
key: ``hotline.volume``, ``hotline.satisfaction_rate``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from shuzheng.core import metrics_registry
from shuzheng.hotline.models import Satisfaction, Ticket

GOOD = (Satisfaction.SATISFIED, Satisfaction.BASIC)
RATED = (*GOOD, Satisfaction.UNSATISFIED)
SATISFACTION_WINDOW = dt.timedelta(days=30)


def volume(now: dt.datetime) -> float:
    """12345 来电量: the tickets accepted since the local midnight of ``now`` (every channel)."""
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return float(Ticket.objects.filter(created_at__gte=start, created_at__lt=now).count())


def satisfaction_rate(now: dt.datetime) -> float | None:
    """12345 满意率 (%): 满意 and 基本满意 of the rated tickets accepted in the last 30 days (the
    dashboard's definition); None while none was rated."""
    c = Ticket.objects.filter(
        created_at__gte=now - SATISFACTION_WINDOW, created_at__lt=now
    ).aggregate(
        rated=Count("id", filter=Q(satisfaction__in=RATED)),
        good=Count("id", filter=Q(satisfaction__in=GOOD)),
    )
    return round(100.0 * c["good"] / c["rated"], 2) if c["rated"] else None


def register() -> None:
    metrics_registry.register("hotline.volume", volume, label="12345 当日受理量")
    metrics_registry.register(
        "hotline.satisfaction_rate", satisfaction_rate, label="12345 满意率（近 30 日）"
    )
