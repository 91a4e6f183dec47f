"""Tickets per day and key for 弱信号: a key is (category, 镇街) or (category, 区县), so a ticket
counts in two keys (``facade.signals``).

A closed day's counts never change (a ticket's day, category and place are fixed at intake; a
ticket filed for a past day — the demo's seed — un-stores that day, ``forget``), so
``refresh`` (the scheduled job ``hotline.day_counts``) stores them once in ``DayCount`` and marks
the day in ``CountedDay``; ``DayCounts`` reads those stored days and counts the rest live —
today, and any day the job has not stored yet — so the answer is the same whether the job ran or
not.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator

from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from shuzheng.hotline.analysis.signals import DEFAULT
from shuzheng.hotline.models import CountedDay, DayCount, Ticket

Key = tuple[int, str]
WINDOW_DAYS = DEFAULT.baseline_days + 3
"""The days before today that 弱信号 reads (its baseline, its windows and a margin)."""


def first_day(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=WINDOW_DAYS)


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _tickets(since: dt.date, until: dt.date) -> QuerySet[Ticket]:
    """The categorised tickets created on the days [since, until)."""
    return Ticket.objects.filter(
        created_at__gte=_start(since), created_at__lt=_start(until), category__isnull=False
    ).order_by()


def _live_rows(tickets: QuerySet[Ticket]) -> Iterator[tuple[dt.date, Key, int]]:
    """(local day, key, count) of the tickets: each counted in its 镇街's key and its 区县's."""
    for day, cat, town, region, n in (
        tickets.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "category_id", "town_code", "region_code")
        .annotate(n=Count("*"))
    ):
        for place in (town, region):
            if place:
                yield day, (cat, place), n


def refresh(*, today: dt.date | None = None) -> int:
    """Store the counts of every closed day of 弱信号's window not stored yet, and drop the days
    before the window. Idempotent; returns the number of days stored."""
    today = today or timezone.localdate()
    since = first_day(today)
    stored = set(CountedDay.objects.filter(day__gte=since).values_list("day", flat=True))
    days = 0
    day = since
    while day < today:
        if day not in stored:
            with transaction.atomic():
                tickets = _tickets(day, day + dt.timedelta(days=1))
                per_key: dict[Key, int] = defaultdict(int)
                for _, key, n in _live_rows(tickets):  # a 区县 key comes once per 镇街
                    per_key[key] += n
                DayCount.objects.filter(day=day).delete()
                DayCount.objects.bulk_create(
                    DayCount(day=day, category_id=cat, place=place, n=n)
                    for (cat, place), n in per_key.items()
                )
                CountedDay.objects.update_or_create(
                    day=day, defaults={"volume": sum(per_key.values())}
                )
            days += 1
        day += dt.timedelta(days=1)
    DayCount.objects.filter(day__lt=since).delete()
    CountedDay.objects.filter(day__lt=since).delete()
    return days


def forget(day: dt.date) -> None:
    """A ticket was filed for ``day`` after it closed (only the demo's seed does): its counts are
    read live again until ``refresh`` stores them anew."""
    CountedDay.objects.filter(day=day).delete()


class DayCounts:
    """The counts of the days [first_day(today), today]: stored days up to the first day not
    stored, the rest (normally today alone) counted live once, every key."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.since = first_day(today)
        stored = dict(
            CountedDay.objects.filter(day__gte=self.since, day__lt=today).values_list(
                "day", "volume"
            )
        )
        self.live_from = self.since
        while self.live_from in stored:
            self.live_from += dt.timedelta(days=1)
        self.stored_volume = {d: v for d, v in stored.items() if d < self.live_from}
        self.live: dict[Key, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
        for day, key, n in _live_rows(_tickets(self.live_from, today + dt.timedelta(days=1))):
            self.live[key][day] += n

    def by_key(
        self, *, since: dt.date, keys: Collection[Key] | None = None
    ) -> dict[Key, dict[dt.date, int]]:
        """Per key, its count per day from ``since`` to today (only ``keys`` if given)."""
        out: dict[Key, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
        if since < self.live_from:
            stored = DayCount.objects.filter(day__gte=since, day__lt=self.live_from)
            if keys is not None:  # their categories and places: two array tests, not an OR per key
                stored = stored.filter(
                    category_id__in={cat for cat, _ in keys},
                    place__in={place for _, place in keys},
                )
            for day, cat, place, n in stored.values_list("day", "category_id", "place", "n"):
                out[(cat, place)][day] += n
        for key, days in self.live.items():
            for day, n in days.items():
                if day >= since:
                    out[key][day] += n
        if keys is not None:
            return {key: out[key] for key in keys}
        return out

    def volume(self) -> dict[dt.date, int]:
        """Per day, the count of all keys together."""
        out = defaultdict(int, self.stored_volume)
        for days in self.live.values():
            for day, n in days.items():
                out[day] += n
        return out

    def at_least(self, n: int, *, since: dt.date) -> set[Key]:
        """The keys with at least ``n`` tickets from ``since`` to today."""
        return {k for k, days in self.by_key(since=since).items() if sum(days.values()) >= n}
