"""A lifecycle as one table of transitions, and the working-day clock (docs/style.md habit 11).

办件 (cases) today; 12345 工单, city events, report tasks and supervision tasks tomorrow: each is
an object in a state, moved by actions. Each action is one row — who may do it, from which
states, to which state, the words a person reads on its button and in the timeline, and the
function that does its work — so labels, queues and timelines are read from the table, never
copied. The deadline clock counts working days from a start, pauses while waiting on the
applicant or a special procedure, extends once when allowed, and warns yellow/red before it
runs out.

Nothing here knows about cases; a module builds its own ``Lifecycle`` from its own states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

from shuzheng.core import calendar

Label = str | Promise
"""Words a person reads (a lazily translated string in the tables)."""


@dataclass(frozen=True)
class Transition:
    """One action of a lifecycle.

    ``target`` None: the handler decides where the object goes (补正后重新提交 returns to where
    it was). ``available`` is a further condition on the object (one 补正 per case, say);
    ``handler`` does the action's own work on the locked object, whatever it is given;
    ``staff_label`` names the action on a staff desk when staff do it on someone's behalf."""

    action: str
    sources: tuple[str, ...]
    target: str | None
    who: tuple[str, ...]
    label: Label
    timeline: Label
    handler: Callable[..., None] | None = None
    available: Callable[[Any], bool] | None = None
    staff_label: Label | None = None


class Lifecycle:
    """The transitions of one kind of object, and the timeline words of its other events (those
    not caused by an action: saved as a draft, decided by the rules, synchronised …)."""

    def __init__(
        self,
        *,
        name: str,
        transitions: Iterable[Transition],
        terminal: Iterable[str],
        events: Mapping[str, Label] | None = None,
        unknown_event: Label = "办理记录",
    ) -> None:
        self.name = name
        self.transitions: dict[str, Transition] = {}
        for t in transitions:
            if t.action in self.transitions:
                raise ValueError(f"{name}: action {t.action} is in the table twice")
            self.transitions[t.action] = t
        self.terminal = frozenset(terminal)
        self.events = dict(events or {})
        self.unknown_event = unknown_event

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __contains__(self, action: object) -> bool:
        return action in self.transitions

    def allowed(self, state: str, roles: Iterable[str], obj: Any = None) -> list[str]:
        """The actions someone with ``roles`` may take on an object in ``state``, table order."""
        mine = set(roles)
        return [
            t.action
            for t in self.transitions.values()
            if state in t.sources
            and mine.intersection(t.who)
            and (t.available is None or t.available(obj))
        ]

    def label(self, action: str, *, staff: bool = False) -> Label:
        """The name of an action on its button (``staff``: at a staff desk, acting on someone's
        behalf); the timeline's words when it has no row."""
        t = self.transitions.get(action)
        if t is None:
            return self.timeline_label(action)
        return (t.staff_label or t.label) if staff else t.label

    def timeline_label(self, action: str) -> Label:
        """What a person reads in the timeline for an event: never its code."""
        t = self.transitions.get(action)
        if t is not None:
            return t.timeline
        return self.events.get(action, self.unknown_event)

    def is_terminal(self, state: str) -> bool:
        return state in self.terminal


# --- the working-day clock --------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """A time limit in working days: started on ``started_on`` with ``limit_days``, plus the
    working days spent paused and the days of an approved extension."""

    started_on: dt.date
    limit_days: int
    paused_days: int = 0
    extended_days: int = 0

    @property
    def due_date(self) -> dt.date:
        return self.deadline.date

    @property
    def deadline(self) -> calendar.Deadline:
        """The due date, and whether it was counted across a year whose holidays are not
        official yet (``provisional``: the date may move when the year's notice is entered)."""
        total = self.limit_days + self.paused_days + self.extended_days
        return calendar.deadline(self.started_on, total)


def pause_length(started_on: dt.date, ended_on: dt.date) -> int:
    """Working days a pause lasted (what is added to the clock when it ends)."""
    return max(0, calendar.working_days_between(started_on, ended_on))


NONE, YELLOW, RED, OVERDUE = "none", "yellow", "red", "overdue"


def warning_level(
    today: dt.date,
    due_date: dt.date,
    *,
    yellow_days: int,
    red_days: int,
    cal: Any = None,
) -> str:
    """none / yellow / red / overdue: red within ``red_days`` working days of the due date,
    yellow within ``yellow_days``, overdue after it. ``cal``: a ``calendar.snapshot()`` when
    many are checked at once."""
    if today > due_date:
        return OVERDUE
    left = (cal or calendar).working_days_between(today, due_date)
    if left <= red_days:
        return RED
    if left <= yellow_days:
        return YELLOW
    return NONE


# --- time limits in hours or working days (12345 工单, city events) -------------------------------

HOURS, WORKING_DAYS = "hours", "working_days"


@dataclass(frozen=True)
class TimeLimit:
    """A limit counted in clock hours (紧急诉求: 2 小时, 24 小时) or in working days (一般诉求);
    ``due_at`` is the moment it runs out: ``started_at`` plus the hours, or the end of the
    working day ``amount`` working days after the start's local date (the start day is not
    counted, as for cases)."""

    amount: int
    unit: str = WORKING_DAYS

    def due_at(self, started_at: dt.datetime, *, extra: int = 0) -> dt.datetime:
        """``extra``: more of the same unit (an approved extension)."""
        total = self.amount + extra
        if self.unit == HOURS:
            return started_at + dt.timedelta(hours=total)
        day = calendar.add_working_days(timezone.localtime(started_at).date(), total)
        end = dt.datetime.combine(day, dt.time(23, 59, 59))
        return timezone.make_aware(end, timezone.get_current_timezone())


def warning_at(
    now: dt.datetime, started_at: dt.datetime, due_at: dt.datetime, *, yellow: float, red: float
) -> str:
    """none / yellow / red / overdue for an hour-precise limit: red when less than ``red`` of
    the whole span is left, yellow below ``yellow`` (fractions, e.g. 0.3 and 0.1)."""
    if now > due_at:
        return OVERDUE
    span = max((due_at - started_at).total_seconds(), 1.0)
    left = (due_at - now).total_seconds() / span
    if left <= red:
        return RED
    if left <= yellow:
        return YELLOW
    return NONE
