"""The command dashboard (指挥调度, 挂图作战): the city at a glance for the 城市运行管理中心 and
leaders — indicator tiles by the five functions with their levels, the active alerts newest
first, open events per 区县 (the map), the running 预案 with their checklist progress and 12345
today. One call builds it (the page, its polled fragment and ``GET /api/v1/city/dashboard``);
every part reads a small table or an index (states, active alerts, open events), never the
readings' series.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from shuzheng.core import metrics_registry
from shuzheng.core.errors import Forbidden
from shuzheng.governance.models import Function, Level, Reading
from shuzheng.governance.selectors.access import city_districts, require_scope
from shuzheng.governance.selectors.alerts import alerts_list
from shuzheng.governance.selectors.indicators import indicators_overview
from shuzheng.governance.selectors.plans import runs_list
from shuzheng.governance.services.plans import is_center
from shuzheng.identity.contracts import Principal

ALERTS_SHOWN = 20
SUMMARY_TTL = 30  # seconds today's event counts may lag (the map and alerts never do)
LEVEL_ORDER = {Level.NORMAL: 0, Level.YELLOW: 1, Level.RED: 2}
LEVEL_SYMBOL = {Level.NORMAL: "●", Level.YELLOW: "▲", Level.RED: "◆"}


def require_center(principal: Principal) -> None:
    require_scope(principal)
    if not is_center(principal):
        raise Forbidden("指挥调度仅限城市运行管理中心和领导查看。")


def _events() -> tuple[bool, dict[str, int], dict[str, Any]]:
    """(available, open events per 区县, today's summary) from the events topic — zeros until
    it exists (it is built beside this one). Open events per 区县 are read every time (one
    index scan of the open ones); today's summary counts over the whole table (filed and closed
    today have no index: about 1.5 s at 1 M events on the loaded bench machine), so it is kept
    ``SUMMARY_TTL`` seconds in the process's cache."""
    try:
        from shuzheng.governance.selectors import events as ev
    except ImportError:
        return False, {}, {}
    by_district = getattr(ev, "open_events_by_district", None)
    summary = getattr(ev, "events_summary", None)
    if by_district is None or summary is None:
        return False, {}, {}
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    key = f"governance.dashboard.events_summary:{start.isoformat()}"
    today = cache.get(key)
    if today is None:
        today = dict(summary(start))
        cache.set(key, today, SUMMARY_TTL)
    return True, dict(by_district()), today


SPARK_POINTS = 24  # the last readings a tile's sparkline draws


def sparkline(values: list[float], *, width: int = 100, height: int = 24) -> str:
    """SVG polyline points of ``values`` (oldest first) scaled into ``width`` × ``height``,
    drawn by the server so the tile shows its trend without JavaScript ("" under two points)."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}"
        for i, v in enumerate(values)
    )


def _recent(code: str, district: str, latest: dt.datetime) -> list[float]:
    """The last readings of one indicator in one district, oldest first (the series index).
    Kept in this process under the time of the latest reading: a new reading makes a new key,
    so the line is never older than the tile's value (a reading arriving late, older than the
    latest, shows once the key's ten minutes are up)."""
    key = f"governance.spark:{code}:{district}:{latest.isoformat()}"
    values: list[float] | None = cache.get(key)
    if values is None:
        rows = Reading.objects.filter(indicator__code=code, district=district).order_by("-at")
        values = list(rows.values_list("value", flat=True)[:SPARK_POINTS])[::-1]
        cache.set(key, values, 600)
    return values


def _tile(info: Any) -> dict[str, Any]:
    worst = max(info.latest, key=lambda v: LEVEL_ORDER.get(v.level, 0), default=None)
    level = info.level
    return {
        "spark": sparkline(_recent(info.code, worst.district, worst.at)) if worst else "",
        "code": info.code,
        "name": info.name,
        "unit": info.unit,
        "department_name": info.department_name,
        "level": level,
        "level_label": str(Level(level).label) if worst else "暂无读数",
        "symbol": LEVEL_SYMBOL.get(level, "●"),
        "value": worst.value if worst else None,
        "value_text": f"{worst.value:.{info.precision}f}" if worst else "—",
        "district_name": worst.district_name if worst and info.per_district else "",
        "at": worst.at if worst else None,
        "districts": len(info.latest),
        "yellow": info.yellow,
        "red": info.red,
        "source": info.source,
    }


def _hotline(now: dt.datetime) -> dict[str, Any]:
    volume = metrics_registry.measure("hotline.volume", now)
    rate = metrics_registry.measure("hotline.satisfaction_rate", now)
    return {
        "available": metrics_registry.get("hotline.volume") is not None,
        "volume": int(volume) if isinstance(volume, int | float) else None,
        "satisfaction_rate": rate if isinstance(rate, int | float) else None,
    }


def dashboard(*, principal: Principal, now: dt.datetime | None = None) -> dict[str, Any]:
    require_center(principal)
    now = now or timezone.now()
    tiles: dict[str, list[dict[str, Any]]] = {f.value: [] for f in Function}
    for info in indicators_overview(principal=principal):
        tiles.setdefault(info.function, []).append(_tile(info))
    functions = [
        {
            "function": f.value,
            "label": str(f.label),
            "tiles": tiles[f.value],
            "red": sum(1 for t in tiles[f.value] if t["level"] == Level.RED),
            "yellow": sum(1 for t in tiles[f.value] if t["level"] == Level.YELLOW),
        }
        for f in Function
    ]
    total, alerts = alerts_list(principal=principal, status="active", limit=ALERTS_SHOWN)
    events_ok, by_district, summary = _events()
    districts = [
        {"code": code, "name": name, "open_events": int(by_district.get(code, 0))}
        for code, name in city_districts()
    ]
    runs_total, runs = runs_list(principal=principal, status="active", limit=50)
    return {
        "generated_at": now,
        "functions": functions,
        "alerts_total": total,
        "alerts": [asdict(a) for a in alerts],
        "latest_alert": alerts[0].id if alerts else None,
        "events_available": events_ok,
        "districts": districts,
        "events_today": summary,
        "plans_total": runs_total,
        "plans": runs,
        "hotline_today": _hotline(now),
    }
