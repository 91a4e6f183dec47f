"""Reads of the 12345 analysis side (总参谋, issue 18 item 7): 热点 by category, district and
period with the change against the previous period, the daily trend, volumes by 区县 for the map
and by 诉求类型 — scoped like every hotline read (``selectors.visible_tickets``: the center all,
a department its own tickets). Counting is done by the database (``GROUP BY``), so a dashboard
over a million tickets reads a few hundred rows.

Periods: ``day``, ``week`` (ISO, Monday first) or ``month``. Without a range, the period that
contains ``today``; with ``start``/``end`` (inclusive), that range. The previous period is the
range of the same length just before (a month: the calendar month before).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_noop

from shuzheng.core.errors import ValidationFailed
from shuzheng.core.zhdate import zh_date
from shuzheng.hotline import places, selectors
from shuzheng.hotline.models import Category, Ticket, TicketType
from shuzheng.identity.contracts import Principal

PERIODS = {"day": gettext_noop("日"), "week": gettext_noop("周"), "month": gettext_noop("月")}
LEVELS = (1, 2, 3)
MAX_DAYS = 400


@dataclass(frozen=True)
class Range:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_range(period: str, today: dt.date) -> Range:
    """The day, ISO week or calendar month containing ``today``."""
    if period == "day":
        return Range(today, today)
    if period == "week":
        start = today - dt.timedelta(days=today.weekday())
        return Range(start, start + dt.timedelta(days=6))
    start = today.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return Range(start, nxt - dt.timedelta(days=1))


def previous_range(period: str, r: Range) -> Range:
    if period == "month" and r.start.day == 1 and (r.end + dt.timedelta(days=1)).day == 1:
        end = r.start - dt.timedelta(days=1)
        return Range(end.replace(day=1), end)
    return Range(r.start - dt.timedelta(days=r.days), r.start - dt.timedelta(days=1))


def parse_range(
    period: str, start: dt.date | None, end: dt.date | None, today: dt.date
) -> tuple[Range, Range]:
    """(this range, the previous one); bad input → ``ValidationFailed`` naming the field."""
    if period not in PERIODS:
        raise ValidationFailed.one("period", _t("统计周期只能是日、周或月。"))
    if start is None and end is None:
        r = period_range(period, today)
    else:
        r = Range(start or end or today, end or start or today)
    if r.start > r.end:
        raise ValidationFailed.one("from", _t("开始日期不能晚于结束日期。"))
    if r.days > MAX_DAYS:
        raise ValidationFailed.one("from", _t("统计区间不能超过 400 天。"))
    return r, previous_range(period, r)


def _bounds(r: Range) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(r.start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(r.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _in(qs: QuerySet[Ticket], r: Range) -> QuerySet[Ticket]:
    lo, hi = _bounds(r)
    return qs.filter(created_at__gte=lo, created_at__lt=hi)


def category_ancestors(level: int) -> dict[int, Category]:
    """{category id: its ancestor at ``level`` (itself when it is at or above it)}."""
    rows = {c.pk: c for c in Category.objects.all()}
    out: dict[int, Category] = {}
    for pk, c in rows.items():
        node = c
        while node.level > level and node.parent_id in rows:
            node = rows[node.parent_id]
        out[pk] = node
    return out


def _path(c: Category, rows: dict[int, Category]) -> list[str]:
    names: list[str] = []
    node: Category | None = c
    while node is not None:
        names.insert(0, node.name)
        node = rows.get(node.parent_id) if node.parent_id else None
    return names


def _change(now: int, before: int) -> dict[str, Any]:
    return {
        "count": now,
        "previous": before,
        "change": now - before,
        "change_rate": round((now - before) / before, 4) if before else None,
    }


def hotspots(
    principal: Principal,
    *,
    period: str = "week",
    start: dt.date | None = None,
    end: dt.date | None = None,
    level: int = 2,
    limit: int = 10,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """热点: the categories (at tree ``level``) and districts with the most tickets in the
    range, ranked by count, each with the previous period's count and the change; a category's
    top districts; the 诉求类型 split; the trend over the range per day (per ISO week beyond
    92 days)."""
    if level not in LEVELS:
        raise ValidationFailed.one("level", _t("分类层级只能是 1、2 或 3。"))
    today = today or timezone.localdate()
    r, prev = parse_range(period, start, end, today)
    base = selectors.visible_tickets(principal).order_by()
    ancestors = category_ancestors(level)
    all_cats = {c.pk: c for c in ancestors.values()}
    all_cats.update({c.pk: c for c in Category.objects.filter(level__lt=level)})

    types: dict[str, int] = defaultdict(int)

    def by_cat_region(rng: Range, *, with_types: bool = False) -> dict[tuple[int | None, str], int]:
        out: dict[tuple[int | None, str], int] = defaultdict(int)
        for cat, region, kind, n in (
            _in(base, rng)
            .values_list("category_id", "region_code", "ticket_type")
            .annotate(n=Count("*"))
            .values_list("category_id", "region_code", "ticket_type", "n")
        ):
            top = ancestors[cat].pk if cat in ancestors else None
            out[(top, region)] += n
            if with_types:
                types[kind] += n
        return out

    now, before = by_cat_region(r, with_types=True), by_cat_region(prev)
    cats_now: dict[int | None, int] = defaultdict(int)
    cats_before: dict[int | None, int] = defaultdict(int)
    regions_now: dict[str, int] = defaultdict(int)
    regions_before: dict[str, int] = defaultdict(int)
    cat_regions: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (cat, region), n in now.items():
        cats_now[cat] += n
        regions_now[region] += n
        cat_regions[cat][region] += n
    for (cat, region), n in before.items():
        cats_before[cat] += n
        regions_before[region] += n

    def cat_row(cat: int | None) -> dict[str, Any]:
        c = all_cats.get(cat) if cat is not None else None
        regions = sorted(cat_regions[cat].items(), key=lambda x: (-x[1], x[0]))[:3]
        return {
            "code": c.code if c else "",
            "name": c.name if c else _t("未分类"),
            "path": _path(c, all_cats) if c else [_t("未分类")],
            **_change(cats_now.get(cat, 0), cats_before.get(cat, 0)),
            "districts": [
                {"code": code, "name": places.county_name(code) or _t("其他"), "count": n}
                for code, n in regions
            ],
        }

    ranked = sorted(
        set(cats_now) | {c for c, n in cats_before.items() if n},
        key=lambda c: (-cats_now.get(c, 0), -cats_before.get(c, 0), str(c)),
    )
    counties = places.counties()
    district_rows = [
        {
            "code": code,
            "name": name,
            **_change(regions_now.get(code, 0), regions_before.get(code, 0)),
        }
        for code, name in counties.items()
    ]
    others = {k: v for k, v in regions_now.items() if k not in counties}
    if others or any(k not in counties for k in regions_before):
        district_rows.append(
            {
                "code": "",
                "name": _t("全市其他"),
                **_change(
                    sum(others.values()),
                    sum(v for k, v in regions_before.items() if k not in counties),
                ),
            }
        )
    district_rows.sort(key=lambda d: (-d["count"], d["code"] or "z"))
    return {
        "period": period,
        "period_name": _t(PERIODS[period]),
        "from": r.start.isoformat(),
        "to": r.end.isoformat(),
        "previous": {"from": prev.start.isoformat(), "to": prev.end.isoformat()},
        "level": level,
        "total": _change(sum(cats_now.values()), sum(cats_before.values())),
        "categories": [cat_row(c) for c in ranked[:limit]],
        "districts": district_rows,
        "types": [
            {"code": v, "name": str(label), "count": types.get(v, 0)}
            for v, label in TicketType.choices
        ],
        "trend_bucket": "day" if r.days <= 92 else "week",
        "trend": trend(principal, r, bucket="day" if r.days <= 92 else "week"),
    }


def trend(principal: Principal, r: Range, *, bucket: str = "day") -> list[dict[str, Any]]:
    """Tickets per day (or per ISO week / month, labelled by its first day) over ``r``."""
    rows = dict(
        _in(selectors.visible_tickets(principal).order_by(), r)
        .annotate(d=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("d")
        .annotate(n=Count("*"))
        .values_list("d", "n")
    )
    out: dict[dt.date, int] = {}
    day = r.start
    while day <= r.end:
        key = _bucket(day, bucket)
        out[key] = out.get(key, 0) + rows.get(day, 0)
        day += dt.timedelta(days=1)
    return [{"date": k.isoformat(), "count": n} for k, n in out.items()]


def _bucket(day: dt.date, bucket: str) -> dt.date:
    if bucket == "week":
        return day - dt.timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def iso_week(value: str) -> Range:
    """``YYYY-Www`` → Monday..Sunday; bad input → ``ValidationFailed`` naming ``week``."""
    try:
        year, week = value.strip().upper().split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except (ValueError, AttributeError):
        raise ValidationFailed.one("week", _t("周次格式应为“2026-W49”（年-W周）。")) from None
    return Range(monday, monday + dt.timedelta(days=6))


def week_label(r: Range) -> str:
    year, week, _ = r.start.isocalendar()
    return _t("%(y)s 年第 %(w)s 周（%(a)s 至 %(b)s）") % {
        "y": year,
        "w": week,
        "a": zh_date(r.start, year=False),
        "b": zh_date(r.end, year=False),
    }
