"""弱信号: topics whose volume over the last days rises well above their own baseline.

A topic is whatever key the caller counts tickets by — for 12345 a category at a place (停水 in
one 镇街, 噪声 in one 区县). For each key the detector compares the tickets of the last one and two
days with what the key's own history says to expect, and flags the key when the recent count is
both *improbable* (a tail probability below ``alpha``, see ``surprise``) and *large* (at least
``min_count`` tickets and ``min_ratio`` times the expectation). The first catches bursts in quiet
topics (five 停水 calls from a 小区 that calls twice a month); the second keeps busy topics from
alarming on noise. Expectation = the key's mean over the baseline window (the ``baseline_days``
before the recent window) times the weekday's factor, estimated from all keys together, so
Monday's usual peak is not a signal.

The functions are pure (counts in, signals out): the hotline's selectors count tickets, the bench
(`bench/hotline_signals`) feeds a generated stream with planted bursts, and both use the same code.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

Key = Hashable
Counts = Mapping[Key, Mapping[dt.date, int]]


@dataclass(frozen=True)
class Settings:
    baseline_days: int = 28
    windows: tuple[int, ...] = (1, 2)
    alpha: float = 1e-5
    min_count: int = 4
    min_ratio: float = 3.0
    floor_rate: float = 1 / 56
    """The least daily rate a key is assumed to have: one ticket in eight weeks. A key never seen
    before is not infinitely surprising."""
    max_shape: float = 20.0
    """How sure the detector may be of a busy key's rate (see ``surprise``)."""


DEFAULT = Settings()


@dataclass(frozen=True)
class Signal:
    key: Key
    since: dt.date
    """The first day of the window that fired."""
    count: int
    expected: float
    ratio: float
    p_value: float


def surprise(count: int, *, seen: int, days: float, exposure: float, settings: Settings) -> float:
    """P(at least ``count`` tickets in ``exposure`` average days) for a key that had ``seen``
    tickets in ``days`` days before.

    The key's daily rate is not known, only estimated from what it had: a Gamma(seen + ½, days)
    belief (Jeffreys' prior), so a key seen twice in four weeks is not sure to stay below one a
    week. Its shape is capped at ``max_shape``: even a busy key's rate swings from day to day
    (weather, news), by about 1/√max_shape. The count then follows the negative binomial that
    mixes Poisson counts over that belief."""
    shape = min(seen + 0.5, settings.max_shape)
    rate = max(seen / days, settings.floor_rate)
    beta = shape / rate  # Gamma(shape, beta) has mean ``rate``
    p = beta / (beta + exposure)
    return _negbin_tail(count, shape, p)


def _negbin_tail(k: int, r: float, p: float) -> float:
    """P(X ≥ k) for X ~ NegBin(r, p) (failures before the r-th success, success probability p).

    Each term from the one before, P(i + 1) = P(i) · q · (i + r) / (i + 1), starting at
    P(0) = p^r: two multiplications a term instead of three ``lgamma`` and an ``exp`` — a busy
    key's count is hundreds of terms, summed for every key on every read of the signals."""
    if k <= 0:
        return 1.0
    q = 1.0 - p
    term, below = p**r, 0.0
    for i in range(k):
        below += term
        term *= q * (i + r) / (i + 1)
    if below < 0.999:
        return max(0.0, 1.0 - below)
    # 1 - below loses precision when the tail is tiny: sum the tail itself (from P(k), ``term``
    # now) until it vanishes. Past the mode the terms only fall: one that underflowed to 0 ends
    # the sum (it used to run the 100,000 steps of the guard — for each key far above its own
    # baseline, such as the bench's hundreds of the same 诉求 in a day).
    total, i = 0.0, k
    while True:
        total += term
        if term == 0.0 or term < total * 1e-12 or i > k + 100_000:
            return total
        term *= q * (i + r) / (i + 1)
        i += 1


def weekday_factors(counts: Counts, *, start: dt.date, end: dt.date) -> list[float]:
    """Each weekday's volume over the average day, from all keys in [start, end)."""
    per_day: dict[dt.date, int] = defaultdict(int)
    for series in counts.values():
        for day, n in series.items():
            if start <= day < end:
                per_day[day] += n
    totals, days = [0] * 7, [0] * 7
    day = start
    while day < end:
        totals[day.weekday()] += per_day.get(day, 0)
        days[day.weekday()] += 1
        day += dt.timedelta(days=1)
    overall = sum(totals) / max(1, sum(days))
    if not overall:
        return [1.0] * 7
    # Twenty tickets' worth of "no weekday effect" keep a thin history from inventing one.
    prior = 20
    return [
        (t + prior) / (d * overall + prior) if d else 1.0 for t, d in zip(totals, days, strict=True)
    ]


def detect(counts: Counts, *, today: dt.date, settings: Settings = DEFAULT) -> list[Signal]:
    """The keys whose last days (ending with ``today``) rise well above their own baseline,
    strongest first."""
    longest = max(settings.windows)
    base_end = today - dt.timedelta(days=longest - 1)
    base_start = base_end - dt.timedelta(days=settings.baseline_days)
    factors = weekday_factors(counts, start=base_start, end=base_end)
    found: list[Signal] = []
    for key, series in counts.items():
        seen = sum(n for day, n in series.items() if base_start <= day < base_end)
        rate = max(seen / settings.baseline_days, settings.floor_rate)
        best: Signal | None = None
        for window in settings.windows:
            days = [today - dt.timedelta(days=i) for i in range(window)]
            count = sum(series.get(day, 0) for day in days)
            exposure = sum(factors[day.weekday()] for day in days)
            expected = rate * exposure
            if count < settings.min_count or count < settings.min_ratio * expected:
                continue
            p = surprise(
                count, seen=seen, days=settings.baseline_days, exposure=exposure, settings=settings
            )
            if p < settings.alpha and (best is None or p < best.p_value):
                best = Signal(key, days[-1], count, round(expected, 3), count / expected, p)
        if best is not None:
            found.append(best)
    found.sort(key=lambda s: (s.p_value, -s.count))
    return found


def tally(events: Iterable[tuple[dt.date, Key]]) -> dict[Key, dict[dt.date, int]]:
    """Counts per key and day from (day, key) pairs."""
    out: dict[Key, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for day, key in events:
        out[key][day] += 1
    return {k: dict(v) for k, v in out.items()}


@dataclass(frozen=True)
class Alarm:
    key: Key
    day: dt.date
    """The day the signal was first raised."""
    signal: Signal


def scan(
    counts: Counts,
    *,
    start: dt.date,
    end: dt.date,
    settings: Settings = DEFAULT,
    quiet_days: int = 7,
) -> list[Alarm]:
    """Run ``detect`` as each day of [start, end) closes and keep the alarms a person would see:
    a key that keeps firing raises one alarm, and again only after ``quiet_days`` without firing."""
    alarms: list[Alarm] = []
    last_fired: dict[Key, dt.date] = {}
    day = start
    while day < end:
        for signal in detect(counts, today=day, settings=settings):
            before = last_fired.get(signal.key)
            if before is None or (day - before).days > quiet_days:
                alarms.append(Alarm(signal.key, day, signal))
            last_fired[signal.key] = day
        day += dt.timedelta(days=1)
    return alarms
