"""Indicators the platform computes itself, from other modules' facades only (a registry of
computations keyed like ``Indicator.computation``). ``computed_run`` stores one reading per
computed indicator, stamped at the hour (a second run within the hour is a duplicate), through
the same path as pushed readings, so thresholds and alerts work the same.

12345 来电量 and 满意率 are not here: ``hotline`` sits in the same layer as ``governance`` and the
two are independent (import-linter forbids either importing the other), so a 12345 figure would
need a registry below both, or the hotline pushing its figures over the API — left for the
events work; the demo keeps 12345 来电量 as a pushed indicator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from shuzheng.cases import facade as cases
from shuzheng.exchange import facade as exchange
from shuzheng.governance.models import CITY, Indicator, Source
from shuzheng.governance.services.readings import IngestResult, _Row, readings_store

Computation = Callable[[dt.datetime], float | None]


def _on_time_rate(now: dt.datetime) -> float | None:
    """按期办结率 (%) of the cases closed so far: closed on or before their due date / closed."""
    rows = cases.metrics_rows()
    closed = sum(int(r.get("closed", 0) or 0) for r in rows)  # type: ignore[call-overload]
    on_time = sum(int(r.get("on_time", 0) or 0) for r in rows)  # type: ignore[call-overload]
    return round(100.0 * on_time / closed, 2) if closed else None


def _exchange_calls(now: dt.datetime) -> float | None:
    """数据共享调用量 of the local day so far."""
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return float(exchange.calls_between(start, now))


REGISTRY: dict[str, Computation] = {
    "cases.on_time_rate": _on_time_rate,
    "exchange.calls": _exchange_calls,
}


def computed_run(*, now: dt.datetime | None = None) -> IngestResult:
    """Compute every active computed indicator once and store the values (one transaction)."""
    now = now or timezone.now()
    at = now.replace(minute=0, second=0, microsecond=0)
    rows = []
    for ind in Indicator.objects.filter(active=True, source=Source.COMPUTED):
        fn = REGISTRY.get(ind.computation)
        if fn is None:
            continue
        value = fn(now)
        if value is not None:
            rows.append(_Row(ind, ind.region or CITY, at, value, "platform"))
    if not rows:
        return IngestResult()
    return readings_store(rows=rows, actor="system:city_compute", now=now)
