"""Indicator tiles (latest value and level per district) and series, scoped to the caller."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone

from shuzheng.core.errors import NotFound, ValidationFailed
from shuzheng.governance.contracts import IndicatorInfo, LatestValue, SeriesPoint
from shuzheng.governance.models import CITY, Indicator, IndicatorState, Level, Reading
from shuzheng.governance.selectors.access import Scope, district_of, require_scope
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

MAX_POINTS = 20_000
DEFAULT_SPAN = dt.timedelta(days=7)


def district_label(code: str) -> str:
    from shuzheng.core import codes

    return "全市" if code == CITY else (codes.region_name(code) or code)


def visible_indicators(scope: Scope) -> QuerySet[Indicator]:
    """Indicators the scope sees: all (center), its departments' (owner), or any (a 区县 sees
    every indicator, for its own district only)."""
    qs = Indicator.objects.filter(active=True)
    if scope.all or scope.districts:
        return qs
    return qs.filter(department__in=sorted(scope.departments))


def _info(ind: Indicator, latest: list[LatestValue], names: dict[str, str]) -> IndicatorInfo:
    return IndicatorInfo(
        code=ind.code,
        name=ind.name,
        unit=ind.unit,
        department=ind.department,
        department_name=names.get(ind.department, ind.department),
        function=ind.function,
        function_label=str(ind.get_function_display()),
        source=ind.source,
        frequency=ind.frequency,
        direction=ind.direction,
        yellow=ind.yellow,
        red=ind.red,
        per_district=ind.per_district,
        precision=ind.precision,
        latest=latest,
    )


def _district_filter(scope: Scope, ind: Indicator) -> set[str] | None:
    """Districts of ``ind`` the scope sees (None: all)."""
    if scope.all or ind.department in scope.departments:
        return None
    return set(scope.districts)


def indicators_overview(*, principal: Principal) -> list[IndicatorInfo]:
    scope = require_scope(principal)
    inds = list(visible_indicators(scope))
    states: dict[int, list[IndicatorState]] = defaultdict(list)
    for s in IndicatorState.objects.filter(indicator__in=inds).order_by("district"):
        states[s.indicator_id].append(s)
    names = identity.department_names()
    out = []
    for ind in inds:
        allowed = _district_filter(scope, ind)
        latest = [
            LatestValue(
                district=s.district,
                district_name=district_label(s.district),
                at=s.at,
                value=s.value,
                level=s.level,
                level_label=str(Level(s.level).label),
            )
            for s in states.get(ind.pk, [])
            if allowed is None or s.district in allowed
        ]
        if allowed is not None and not latest and not ind.per_district and not ind.region:
            continue  # a 区县 sees city-wide indicators only of its departments
        out.append(_info(ind, latest, names))
    return out


def indicator_get(*, principal: Principal, code: str) -> IndicatorInfo:
    for info in indicators_overview(principal=principal):
        if info.code == code:
            return info
    raise NotFound("未找到该指标。")


def indicator_series(
    *,
    principal: Principal,
    code: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    district: str = "",
    now: dt.datetime | None = None,
) -> tuple[IndicatorInfo, list[SeriesPoint], bool]:
    """The readings of one indicator between ``start`` and ``end`` (default: the last 7 days to
    now), oldest first, for one district or all the caller sees; truncated at ``MAX_POINTS``."""
    scope = require_scope(principal)
    ind = visible_indicators(scope).filter(code=code).first()
    if ind is None:
        raise NotFound("未找到该指标。")
    allowed = _district_filter(scope, ind)
    if allowed is not None and not (ind.per_district or ind.region):
        raise NotFound("未找到该指标。")
    end = end or now or timezone.now()
    start = start or end - DEFAULT_SPAN
    if start > end:
        raise ValidationFailed.one("from", "开始时间不能晚于结束时间")
    qs = Reading.objects.filter(indicator=ind, at__gte=start, at__lte=end)
    if district:
        if district != CITY and district_of(district) != district:
            raise ValidationFailed.one("district", "区县不是肇庆市的区县行政区划代码")
        if allowed is not None and district not in allowed:
            raise NotFound("未找到该区县的读数。")
        qs = qs.filter(district=district)
    elif allowed is not None:
        qs = qs.filter(district__in=sorted(allowed))
    rows = list(
        qs.order_by("at", "district").values_list("at", "value", "district")[: MAX_POINTS + 1]
    )
    truncated = len(rows) > MAX_POINTS
    points = [SeriesPoint(at=a, value=v, district=d) for a, v, d in rows[:MAX_POINTS]]
    names = identity.department_names()
    return _info(ind, [], names), points, truncated
