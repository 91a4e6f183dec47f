import datetime as dt

import pytest
import time_machine

from shuzheng.audit.models import AuditRecord
from shuzheng.core import cache, calendar
from shuzheng.core.models import CalendarDay, CalendarYear
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db

BANNER = "工作日历缺少 2031 年的节假日数据"


@time_machine.travel(dt.datetime(2030, 11, 23, 9, 0, tzinfo=dt.UTC))
def test_admin_is_warned_about_years_without_holiday_data(client):
    client.force_login(User.objects.get(username="demo-admin"))
    assert BANNER in client.get("/").content.decode()
    CalendarYear.objects.create(year=2031, source="国办发明电〔2030〕")
    cache.bump(calendar.CALENDAR)  # a direct write bumps the calendar cache itself
    assert BANNER not in client.get("/").content.decode()


@time_machine.travel(dt.datetime(2030, 11, 23, 9, 0, tzinfo=dt.UTC))
def test_citizens_do_not_see_the_calendar_warning(client):
    client.force_login(User.objects.get(username="demo-citizen"))
    assert BANNER not in client.get("/").content.decode()


def test_calendar_edit_in_django_admin_is_audited(client):
    client.force_login(User.objects.get(username="demo-admin"))
    n = AuditRecord.objects.count()
    r = client.post(
        "/admin/core/calendarday/add/",
        {"date": "2031-01-01", "kind": "holiday", "name": "元旦", "source": "admin"},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    assert CalendarDay.objects.filter(date=dt.date(2031, 1, 1), kind="holiday").exists()
    rec = AuditRecord.objects.order_by("-id").first()
    assert AuditRecord.objects.count() == n + 1
    assert (rec.action, rec.object_type, rec.actor) == (
        "admin.add",
        "core.calendarday",
        "user:demo-admin",
    )
    assert rec.after["name"] == "元旦"


def test_admin_login_goes_through_platform_login(client):
    r = client.get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r.url.startswith("/accounts/login/?next=")


def test_admin_is_in_chinese(client):
    client.force_login(User.objects.get(username="demo-admin"))
    html = client.get("/admin/").content.decode()
    assert "数政 · 平台管理" in html and "节假日/调休" in html


def test_bulk_delete_in_admin_is_audited(client):
    client.force_login(User.objects.get(username="demo-admin"))
    rows = list(CalendarDay.objects.filter(date__year=2004).order_by("date")[:2])
    n = AuditRecord.objects.count()
    r = client.post(
        "/admin/core/calendarday/",
        {"action": "delete_selected", "_selected_action": [str(d.pk) for d in rows], "post": "yes"},
    )
    assert r.status_code == 302
    assert not CalendarDay.objects.filter(pk__in=[d.pk for d in rows]).exists()
    assert AuditRecord.objects.count() == n + 2
    assert set(AuditRecord.objects.order_by("-id").values_list("action", flat=True)[:2]) == {
        "admin.delete"
    }
