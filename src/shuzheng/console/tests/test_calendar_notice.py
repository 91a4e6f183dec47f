"""The one screen where a platform administrator enters a year's holiday notice (paste or upload,
preview, save as official, audited), who may use it, and the October warning that sends them
there (issue 17, defect 11)."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.core import calendar
from shuzheng.core.models import CalendarDay, CalendarYear
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db
URL = "/admin/core/calendaryear/notice/"
TZ = dt.timezone(dt.timedelta(hours=8))
D = dt.date
NOTICE = """2027-01-01 元旦
2027-02-06 至 2027-02-12 春节
2027-02-14 上班
2027-02-20 上班
2027-04-05 清明节
2027-05-01 至 2027-05-05 劳动节
2027-06-09 端午节
2027-09-15 中秋节
2027-09-26 上班
2027-10-01 至 2027-10-07 国庆节
2027-10-09 上班
"""
WARNING = "2027 年的调休安排（国务院办公厅节假日通知）尚未录入"


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _state():
    """Everything the screen may change, to show a refused or failed request changed nothing."""
    return (
        list(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind", "name")),
        list(CalendarYear.objects.filter(year=2027).values_list("status", "source", "notice")),
        AuditRecord.objects.count(),
    )


def test_preview_then_save_makes_the_year_official_and_moves_the_workdays():
    admin = login("demo-admin")
    assert admin.get(URL).status_code == 200
    before = _state()
    r = admin.post(URL, {"year": "2027", "notice": "国办发明电〔2026〕7号", "text": NOTICE})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="notice-preview"' in html and "2027-02-14" in html
    # added: 2-11, 2-12, 5-5, 10-6, 10-7 and the four 调休 workdays; renamed: the provisional
    # 补假 days (2-9, 2-10, 5-3, 5-4, 10-4, 10-5); removed: 2-5 (除夕), not a day off in it
    assert "通知共 27 天；新增 9 天，修改 6 天，删除 1 天" in html
    assert _state() == before  # a preview writes nothing
    assert not calendar.is_working_day(D(2027, 2, 5))

    r = admin.post(
        URL,
        {
            "year": "2027",
            "notice": "国办发明电〔2026〕7号",
            "text": r.context["form"]["text"],
            "save": "1",
        },
    )
    assert r.status_code == 302 and r.url == "/admin/core/calendaryear/"
    year = CalendarYear.objects.get(year=2027)
    assert (year.status, year.notice) == ("official", "国办发明电〔2026〕7号")
    assert not calendar.is_provisional(2027)
    assert calendar.is_working_day(D(2027, 2, 14)) and calendar.is_working_day(D(2027, 2, 20))
    assert calendar.is_working_day(D(2027, 2, 5))  # the provisional 除夕 day off is gone
    assert not calendar.is_working_day(D(2027, 2, 11))
    assert CalendarDay.objects.get(date=D(2027, 2, 14)).name == "春节调休上班"
    rec = AuditRecord.objects.filter(action="core.calendar_notice_import").get()
    assert (rec.actor, rec.object_id, rec.before["status"], rec.after["status"]) == (
        "user:demo-admin",
        "2027",
        "provisional",
        "official",
    )
    assert {"date": "2027-02-14", "kind": "workday", "name": "春节调休上班"} in rec.after["days"]
    assert len(rec.before["days"]) == 19 and len(rec.after["days"]) == 27


def test_an_uploaded_csv_is_previewed_and_saved_through_its_lines():
    admin = login("demo-admin")
    csv = (
        "日期,结束日期,类型,名称\n"
        "2027-01-01,,放假,元旦\n2027-02-06,2027-02-12,放假,春节\n2027-02-14,,上班,\n"
    )
    upload = SimpleUploadedFile("2027.csv", csv.encode("utf-8-sig"), "text/csv")
    r = admin.post(URL, {"year": "2027", "text": "", "file": upload})
    assert r.status_code == 200, r.content.decode()[:2000]
    text = r.context["form"]["text"]
    assert text.splitlines()[-1] == "2027-02-14 春节调休上班"
    r = admin.post(URL, {"year": "2027", "text": text, "save": "1"})
    assert r.status_code == 302
    assert calendar.year_status(2027) == "official" and calendar.is_working_day(D(2027, 2, 14))


@pytest.mark.parametrize("button", [{}, {"save": "1"}])
def test_bad_lines_are_named_in_chinese_and_nothing_changes(button):
    admin = login("demo-admin")
    before = _state()
    text = "2027-01-01 元旦\n2027-02-30 春节\n2027-02-15 上班\n"
    r = admin.post(URL, {"year": "2027", "text": text, **button})
    assert r.status_code == 422
    html = r.content.decode()
    assert "第 2 行：日期“2027-02-30”不存在。" in html
    assert "第 3 行：2027-02-15 是周一，本来就是工作日" in html
    assert 'data-testid="notice-preview"' not in html
    assert _state() == before


def test_an_empty_notice_or_a_bad_year_is_refused():
    admin = login("demo-admin")
    before = _state()
    r = admin.post(URL, {"year": "2027", "text": "  ", "save": "1"})
    assert r.status_code == 422 and "请粘贴通知中的放假和调休上班日期" in r.content.decode()
    r = admin.post(URL, {"year": "二〇二七", "text": NOTICE, "save": "1"})
    assert r.status_code == 422 and "请填写四位数字的年份" in r.content.decode()
    assert _state() == before


def test_only_platform_administrators_may_use_the_screen():
    before = _state()
    # anonymous and staff without the admin site: to the platform login
    for client in (Client(), login("demo-clerk"), login("demo-citizen")):
        r = client.post(URL, {"year": "2027", "text": NOTICE, "save": "1"})
        assert r.status_code == 302 and "login" in r.url, r
    # an admin-site user who may edit the calendar but holds no platform_admin role
    editor = User.objects.create(username="calendar-editor", kind="staff", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_calendarday", "change_calendaryear"])
    )
    client = Client()
    client.force_login(editor)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"year": "2027", "text": NOTICE, "save": "1"}).status_code == 403
    assert _state() == before


def test_the_changelist_links_to_the_screen():
    html = login("demo-admin").get("/admin/core/calendaryear/").content.decode()
    assert URL in html and "录入调休通知" in html and "暂定（未录入调休通知）" in html


@pytest.mark.parametrize(("day", "warned"), [(30, False), (1, True)])
def test_the_october_warning_on_the_admin_index_and_the_workbench(day, warned):
    month = 9 if day == 30 else 10
    with time_machine.travel(dt.datetime(2026, month, day, 9, 0, tzinfo=TZ), tick=False):
        admin = login("demo-admin")
        for path in ("/admin/", "/workbench/"):
            html = admin.get(path).content.decode()
            assert (WARNING in html) is warned, path
            assert (URL in html) is warned, path
        # staff who cannot change the calendar are not told
        assert WARNING not in login("demo-clerk").get("/workbench/").content.decode()


def test_the_warning_ends_once_the_notice_is_entered():
    with time_machine.travel(dt.datetime(2026, 10, 8, 9, 0, tzinfo=TZ), tick=False):
        admin = login("demo-admin")
        assert WARNING in admin.get("/workbench/").content.decode()
        r = admin.post(URL, {"year": "2027", "text": NOTICE, "save": "1"})
        assert r.status_code == 302
        assert WARNING not in admin.get("/workbench/").content.decode()


def test_the_calendar_status_command(capsys):
    with time_machine.travel(dt.datetime(2026, 9, 30, 9, 0, tzinfo=TZ), tick=False):
        call_command("calendar_status", "--check")
    out = capsys.readouterr().out
    assert "2027 年：暂定（未录入调休通知）" in out and "工作日历无需处理。" in out
    with (
        time_machine.travel(dt.datetime(2026, 10, 1, 9, 0, tzinfo=TZ), tick=False),
        pytest.raises(SystemExit) as exc,
    ):
        call_command("calendar_status", "--check")
    assert exc.value.code == 1
    assert "警告：2027 年的调休安排" in capsys.readouterr().out


def test_the_provisional_command_loads_a_later_year_once():
    assert calendar.year_status(2031) == "estimated"
    call_command("calendar_provisional", "2031")
    assert calendar.year_status(2031) == "provisional"
    assert not calendar.is_working_day(D(2031, 1, 1))
    rec = AuditRecord.objects.filter(action="core.calendar_provisional_load").get()
    assert rec.after["years"] == [2031]
    call_command("calendar_provisional", "2031")  # nothing more, no second record
    assert AuditRecord.objects.filter(action="core.calendar_provisional_load").count() == 1
