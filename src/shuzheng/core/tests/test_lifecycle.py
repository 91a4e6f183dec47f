"""The lifecycle pieces every workflow builds on: a table of transitions and the working-day
clock (2026-10-01…07 is the National Day holiday, 2026-10-10 a 调休 working Saturday)."""

from __future__ import annotations

import datetime as dt

import pytest

from shuzheng.core.lifecycle import Clock, Lifecycle, Transition, pause_length, warning_level

pytestmark = pytest.mark.django_db

TICKET = Lifecycle(
    name="ticket",
    terminal={"closed"},
    transitions=[
        Transition("take", ("new",), "open", ("operator",), "受理", "已受理"),
        Transition(
            "answer",
            ("open",),
            "closed",
            ("operator", "handler"),
            "答复",
            "已答复",
            available=lambda t: bool(t and t.get("reply")),
            staff_label="代为答复",
        ),
    ],
    events={"imported": "从旧系统导入"},
)


def test_allowed_actions_follow_state_role_and_condition():
    assert TICKET.allowed("new", {"operator"}) == ["take"]
    assert TICKET.allowed("new", {"handler"}) == []
    assert TICKET.allowed("open", {"handler"}, {"reply": "已修复"}) == ["answer"]
    assert TICKET.allowed("open", {"handler"}, {"reply": ""}) == []
    assert TICKET.allowed("closed", {"operator", "handler"}) == []
    assert TICKET.is_terminal("closed") and not TICKET.is_terminal("open")


def test_people_read_words_never_codes():
    assert TICKET.label("answer") == "答复" and TICKET.label("answer", staff=True) == "代为答复"
    assert TICKET.label("take", staff=True) == "受理"
    assert TICKET.timeline_label("answer") == "已答复"
    assert TICKET.timeline_label("imported") == "从旧系统导入"
    assert TICKET.timeline_label("some_internal_code") == "办理记录"


def test_an_action_is_one_row():
    row = Transition("take", ("new",), "open", ("operator",), "受理", "受理")
    with pytest.raises(ValueError, match="twice"):
        Lifecycle(name="x", terminal=(), transitions=[row, row])


def test_the_clock_counts_working_days_with_pauses_and_an_extension():
    start = dt.date(2026, 9, 30)  # Wednesday, before the National Day holiday
    assert Clock(started_on=start, limit_days=1).due_date == dt.date(2026, 10, 8)
    assert Clock(started_on=start, limit_days=2, paused_days=1).due_date == dt.date(2026, 10, 10)
    assert Clock(started_on=start, limit_days=2, paused_days=1, extended_days=1).due_date == (
        dt.date(2026, 10, 12)
    )
    assert pause_length(dt.date(2026, 9, 30), dt.date(2026, 10, 8)) == 1
    assert pause_length(dt.date(2026, 10, 9), dt.date(2026, 10, 8)) == 0  # never negative


def test_warnings_turn_yellow_then_red_then_overdue():
    due = dt.date(2026, 11, 27)  # Friday
    levels = {
        day: warning_level(dt.date(2026, 11, day), due, yellow_days=3, red_days=1)
        for day in (20, 24, 26, 27, 30)
    }
    assert levels == {20: "none", 24: "yellow", 26: "red", 27: "red", 30: "overdue"}
