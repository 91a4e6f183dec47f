"""Indicators the platform computes itself, keyed like ``Indicator.computation``. ``computed_run``
stores one reading per computed indicator (per 区县 for a per-district one), stamped at the hour
(a second run within the hour is a duplicate), through the same path as pushed readings, so
thresholds and alerts work the same.

Where a figure comes from:

- ``cases.on_time_rate`` (按期办结率) and ``exchange.calls`` (数据共享调用量): ``cases`` and
  ``exchange`` sit below ``governance``, read through their facades;
- ``governance.open_events`` (在办事件数, per 区县): this module's own events
  (``selectors.events.open_events_by_district``; zeros until the events topic exists);
- anything else — ``hotline.volume`` (12345 来电量), ``hotline.satisfaction_rate`` (12345
  满意率) — from ``core.metrics_registry``, where the providing module registered it in its
  ``AppConfig.ready``: ``hotline`` is a sibling of ``governance`` in the same layer and neither
  may import the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from django.utils import timezone

from shuzheng.cases import facade as cases
from shuzheng.core import metrics_registry
from shuzheng.exchange import facade as exchange
from shuzheng.governance.models import CITY, Indicator, Source
from shuzheng.governance.selectors.access import district_of
from shuzheng.governance.services.readings import IngestResult, _Row, readings_store

Computation = Callable[[dt.datetime], metrics_registry.MetricValue]


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


def open_events_by_district() -> dict[str, int]:
    """在办事件 per 区县 from the events topic; every 区县 zero until that topic exists (it is
    built beside this one: the import is guarded so either may land first)."""
    try:
        from shuzheng.governance.selectors import events as event_selectors
    except ImportError:
        return {}
    fn = getattr(event_selectors, "open_events_by_district", None)
    return dict(fn()) if fn is not None else {}


def _open_events(now: dt.datetime) -> dict[str, float]:
    from shuzheng.governance.selectors.access import city_districts

    counts = open_events_by_district()
    return {code: float(counts.get(code, 0)) for code, _ in city_districts()}


REGISTRY: dict[str, Computation] = {
    "cases.on_time_rate": _on_time_rate,
    "exchange.calls": _exchange_calls,
    "governance.open_events": _open_events,
}


def computation_of(key: str) -> Computation | None:
    """This module's computations first, then what other modules registered."""
    return REGISTRY.get(key) or metrics_registry.get(key)


def computation_keys() -> list[str]:
    return sorted(set(REGISTRY) | {k for k, _ in metrics_registry.registered()})


def _rows(ind: Indicator, at: dt.datetime, value: metrics_registry.MetricValue) -> list[_Row]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        if not ind.per_district:  # a per-district figure for a city-wide indicator: the sum
            return [_Row(ind, ind.region or CITY, at, float(sum(value.values())), "platform")]
        return [
            _Row(ind, d, at, float(v), "platform")
            for d, v in sorted(value.items())
            if district_of(d) == d and (not ind.region or d == ind.region)
        ]
    return [_Row(ind, ind.region or CITY, at, float(value), "platform")]


def computed_run(*, now: dt.datetime | None = None) -> IngestResult:
    """Compute every active computed indicator once and store the values (one transaction)."""
    now = now or timezone.now()
    at = now.replace(minute=0, second=0, microsecond=0)
    rows = []
    for ind in Indicator.objects.filter(active=True, source=Source.COMPUTED):
        fn = computation_of(ind.computation)
        if fn is None:
            continue
        rows += _rows(ind, at, fn(now))
    if not rows:
        return IngestResult()
    return readings_store(rows=rows, actor="system:city_compute", now=now)
