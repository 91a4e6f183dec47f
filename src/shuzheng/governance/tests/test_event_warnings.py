"""处置时限预警: the scheduled job tells the department and the center once per level."""

import datetime as dt

from shuzheng.audit.models import AuditRecord
from shuzheng.governance.models import CityEvent, EventStep, EventWarning
from shuzheng.governance.services.event_warnings import warn_events
from shuzheng.governance.tests.test_events import act, members, report  # noqa: F401
from shuzheng.notify.models import Notification

WATER, CENTER_DEPT = "441200-SWUJ", "441200-ZSJ"


def _warned(dept: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient_id=dept, title__startswith="事件处置")
        .order_by("id")
        .values_list("title", flat=True)
    )


def _dispatched(api) -> str:
    no = report(api).json()["event_no"]
    act(api, no, "file")
    assert act(api, no, "dispatch").json()["department"] == WATER  # 24 hours from now
    return no


def test_yellow_then_red_each_told_once(api, members, frozen):  # noqa: F811
    no = _dispatched(api)
    assert warn_events() == 0
    frozen.shift(dt.timedelta(hours=18))  # 6 of 24 hours left: below 30 %
    assert warn_events() == 1
    assert warn_events() == 0  # never twice
    assert _warned(WATER) == [f"事件处置黄色预警：{no}"]
    assert _warned(CENTER_DEPT) == [f"事件处置黄色预警：{no}"]
    frozen.shift(dt.timedelta(hours=4))  # 2 hours left: below 10 %
    assert warn_events() == 1
    frozen.shift(dt.timedelta(hours=5))  # overdue: red was told already
    assert warn_events() == 0
    assert _warned(WATER) == [f"事件处置黄色预警：{no}", f"事件处置红色预警：{no}"]
    assert len(_warned(CENTER_DEPT)) == 2
    event = CityEvent.objects.get(event_no=no)
    assert sorted(EventWarning.objects.filter(event=event).values_list("level", flat=True)) == [
        "red",
        "yellow",
    ]
    steps = EventStep.objects.filter(event=event, action="warning").values_list("note", flat=True)
    assert [s[:8] for s in steps] == ["处置时限黄色预警", "处置时限红色预警"]
    audits = AuditRecord.objects.filter(action="city.event_warning", object_id=no)
    assert [a.after["warning"] for a in audits.order_by("id")] == ["yellow", "red"]
    assert {a.actor for a in audits} == {"system:一网统管预警"}


def test_found_overdue_only_red_and_nothing_for_events_not_in_handling(api, members, frozen):  # noqa: F811
    no = _dispatched(api)
    filed = report(api).json()["event_no"]
    act(api, filed, "file")  # not dispatched: no time limit running
    frozen.shift(dt.timedelta(hours=30))
    assert warn_events() == 1
    assert _warned(WATER) == [f"事件处置红色预警：{no}"]
    assert not EventWarning.objects.filter(event__event_no=filed).exists()
