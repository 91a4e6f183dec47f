"""弱信号 detector: bursts in quiet and busy topics, weekday peaks, one alarm per burst."""

import datetime as dt
import math

import pytest

from shuzheng.hotline.analysis import signals

MONDAY = dt.date(2027, 3, 1)


def steady(per_day: list[int], *, end: dt.date, days: int = 35) -> dict[dt.date, int]:
    """A series repeating ``per_day`` (Monday first) for ``days`` days ending the day before end."""
    first = end - dt.timedelta(days=days)
    return {
        first + dt.timedelta(days=i): per_day[(first + dt.timedelta(days=i)).weekday()]
        for i in range(days)
    }


def test_a_burst_in_a_quiet_topic_is_flagged_the_day_it_starts():
    # given 停水 in one 镇街: one call a fortnight, then six calls today
    today = MONDAY + dt.timedelta(days=2)
    series = {today - dt.timedelta(days=14 * i): 1 for i in range(1, 3)}
    series[today] = 6
    # when
    found = signals.detect({("停水", "441202001"): series}, today=today)
    # then
    assert [(s.key, s.since, s.count) for s in found] == [(("停水", "441202001"), today, 6)]
    assert found[0].p_value < signals.DEFAULT.alpha


def test_a_busy_topic_swinging_as_usual_is_not_flagged():
    today = MONDAY + dt.timedelta(days=3)
    series = steady([12, 9, 11, 10, 13, 8, 7], end=today)
    series[today] = 16  # a busy Thursday, well within the usual swing
    assert signals.detect({("噪声", "441202"): series}, today=today) == []


def test_mondays_usual_peak_is_not_a_signal():
    # given every topic peaks on Mondays (the weekday factor is learnt from all keys)
    keys = {(f"类{i}", "441203"): steady([8, 4, 4, 4, 4, 2, 2], end=MONDAY) for i in range(10)}
    for series in keys.values():
        series[MONDAY] = 8
    assert signals.detect(keys, today=MONDAY) == []


def test_fewer_than_min_count_is_never_a_signal():
    today = MONDAY
    series = {today: signals.DEFAULT.min_count - 1}
    assert signals.detect({("路灯", "441226101"): series}, today=today) == []


def test_the_two_day_window_catches_a_burst_that_grows():
    # given a 小区 with about one 停电 call a week: 3 calls yesterday and 5 today
    today = MONDAY + dt.timedelta(days=1)
    series = {today - dt.timedelta(days=7 * i): 1 for i in range(2, 6)}
    series[today - dt.timedelta(days=1)] = 3
    series[today] = 5
    found = signals.detect({("停电", "441284002"): series}, today=today)
    assert [(s.since, s.count) for s in found] == [(today - dt.timedelta(days=1), 8)]


def test_scan_raises_one_alarm_per_burst_and_again_after_a_quiet_spell():
    start = MONDAY
    series = {start + dt.timedelta(days=d): n for d, n in [(3, 6), (4, 7), (5, 6), (20, 9)]}
    alarms = signals.scan({"k": series}, start=start, end=start + dt.timedelta(days=25))
    assert [a.day for a in alarms] == [start + dt.timedelta(days=3), start + dt.timedelta(days=20)]


@pytest.mark.parametrize(("k", "r", "p"), [(0, 2, 0.5), (3, 2, 0.9), (5, 4, 0.7), (12, 1, 0.95)])
def test_negative_binomial_tail_equals_its_definition(k, r, p):
    # NegBin(r, p) with integer r: P(X = i) = C(i + r - 1, i) p^r (1 - p)^i
    below = sum(math.comb(i + r - 1, i) * p**r * (1 - p) ** i for i in range(k))
    assert signals._negbin_tail(k, r, p) == pytest.approx(1 - below, rel=1e-9, abs=1e-15)


def test_a_tiny_tail_is_summed_not_subtracted():
    tail = signals._negbin_tail(40, 5.0, 0.99)
    assert 0 < tail < 1e-40


def test_tally_counts_per_key_and_day():
    d = MONDAY
    assert signals.tally([(d, "a"), (d, "a"), (d, "b")]) == {"a": {d: 2}, "b": {d: 1}}


def _tail_by_logs(k: int, r: float, p: float) -> float:
    """P(X ≥ k) with each term from its log-gamma definition, summed whichever way is exact."""
    log_pmf = lambda i: (  # noqa: E731
        math.lgamma(i + r) - math.lgamma(r) - math.lgamma(i + 1) + r * math.log(p)
        + i * math.log1p(-p)
    )  # fmt: skip
    below = sum(math.exp(log_pmf(i)) for i in range(k))
    if below < 0.999:
        return 1 - below
    return sum(math.exp(log_pmf(i)) for i in range(k, k + 5000))


@pytest.mark.parametrize(
    ("k", "r", "p"),
    [(4, 0.5, 0.966), (6, 2.5, 0.9), (30, 20.0, 0.5), (120, 20.0, 0.33), (400, 20.0, 0.08),
     (900, 17.5, 0.02), (60, 0.5, 0.999)],
)  # fmt: skip
def test_the_tail_by_ratios_equals_the_tail_by_log_gamma(k, r, p):
    """Busy keys' counts (hundreds) and quiet keys' (a few), fractional shapes: the terms taken
    from one another give the same tail as each term from its definition."""
    assert signals._negbin_tail(k, r, p) == pytest.approx(_tail_by_logs(k, r, p), rel=1e-9)


def test_a_tail_below_the_smallest_float_ends_at_once():
    """319 tickets where 0.02 were expected: P(X ≥ 319) underflows. The sum stops at the first
    zero term instead of running its 100,000-step guard."""
    import time

    started = time.thread_time()  # this thread's CPU: not xdist's I/O thread, not waiting
    assert signals._negbin_tail(319, 0.5, 0.965) == 0.0
    assert time.thread_time() - started < 0.01
