"""Scheduled 催办 under frozen time: an open task overdue or due within 5 working days gets one
reminder per ISO week (its lead departments' inbox, a Reminder row, an audit record); a second
run the same week reminds nobody; next week it is reminded again; completed, reported and
far-off tasks and non-working days are left alone."""

import datetime as dt

import pytest
import time_machine

from shuzheng.audit.models import AuditRecord
from shuzheng.notify.models import Notification
from shuzheng.supervision.models import Plan, Reminder, Task, TaskStatus
from shuzheng.supervision.tasks import send_reminders

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2022, 7, 4, 9, 0, tzinfo=TZ)  # a working day


def at(when):
    return time_machine.travel(when, tick=False)


@pytest.fixture
def tasks():
    with at(MONDAY):
        plan = Plan.objects.create(title="工作要点", year=2022, created_by="t", created_at=MONDAY)

        def task(order, due, status=TaskStatus.OPEN, depts=("441200-ZSJ",)):
            return Task.objects.create(
                plan=plan, order=order, path=[str(order)], title=f"任务{order}",
                lead_departments=list(depts), due_date=due, status=status,
            )  # fmt: skip

        return {
            "late": task(1, dt.date(2022, 6, 30), depts=("441200-ZSJ", "441200-GAJ")),
            "near": task(2, dt.date(2022, 7, 8)),  # 4 working days ahead
            "far": task(3, dt.date(2022, 12, 31)),
            "done": task(4, dt.date(2022, 6, 1), status=TaskStatus.DONE),
            "reported": task(5, dt.date(2022, 6, 1), status=TaskStatus.REPORTED),
        }


def run(when, capture):
    with at(when), capture(execute=True):
        return send_reminders.call()


def test_reminded_once_per_week(tasks, django_capture_on_commit_callbacks):
    assert run(MONDAY, django_capture_on_commit_callbacks) == 2
    reminded = set(Reminder.objects.values_list("task_id", flat=True))
    assert reminded == {tasks["late"].pk, tasks["near"].pk}
    late = Reminder.objects.get(task=tasks["late"])
    assert (late.period, late.overdue) == ("2022-W27", True)
    inbox = Notification.objects.filter(title="催办：任务1")
    assert sorted(inbox.values_list("recipient_id", flat=True)) == ["441200-GAJ", "441200-ZSJ"]
    assert "已超过完成时限（2022年6月30日）4 天" in inbox.first().body
    assert "将于 2022年7月8日 到期" in Notification.objects.get(title="催办：任务2").body
    audits = AuditRecord.objects.filter(action="supervision.reminded")
    assert audits.count() == 2
    assert {a.actor for a in audits} == {"system:supervision"}

    # later the same week: nobody twice, the inbox unchanged
    assert run(MONDAY + dt.timedelta(days=3), django_capture_on_commit_callbacks) == 0
    assert Reminder.objects.count() == 2 and audits.count() == 2
    assert Notification.objects.filter(title__startswith="催办").count() == 3

    # Saturday: not a working day
    assert run(MONDAY + dt.timedelta(days=5), django_capture_on_commit_callbacks) == 0

    # next week: reminded again; a task completed meanwhile is not
    Task.objects.filter(pk=tasks["near"].pk).update(status=TaskStatus.DONE)
    assert run(MONDAY + dt.timedelta(days=7), django_capture_on_commit_callbacks) == 1
    assert list(Reminder.objects.filter(period="2022-W28").values_list("task_id", flat=True)) == [
        tasks["late"].pk
    ]


def test_task_page_lists_the_reminders(tasks, client, django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    run(MONDAY, django_capture_on_commit_callbacks)
    with at(MONDAY):
        client.force_login(get_user_model().objects.get(username="demo-head"))
        page = client.get(f"/supervision/tasks/{tasks['late'].pk}/").content.decode()
    assert "自动催办" in page and "2022年7月4日：已逾期，已催办" in page
