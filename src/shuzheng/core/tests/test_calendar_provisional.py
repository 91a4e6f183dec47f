"""Years after the last one ``chinese-calendar`` knows: provisional holidays from the ``holidays``
package (migration core/0006), the status of a year, deadlines that say they are provisional,
the October warning, the calendar API's extended answers and the notice parser."""

import datetime as dt

import pytest
import time_machine

from shuzheng.core import cache, calendar, calendar_notice, calendar_seed, lifecycle
from shuzheng.core.errors import ValidationFailed
from shuzheng.core.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date
SPRING_2027 = [D(2027, 2, 5), D(2027, 2, 8), D(2027, 2, 9), D(2027, 2, 10)]  # weekdays off


def test_2027_new_year_and_spring_festival_are_days_off_after_migrate():
    # the test database is built by the migrations: 0006 added 2027-2030 as provisional
    year = CalendarYear.objects.get(year=2027)
    assert year.status == "provisional" and year.source.startswith("holidays ")
    assert not calendar.is_working_day(D(2027, 1, 1))  # 元旦, a Friday
    for day in SPRING_2027:  # 除夕 (Fri), 春节 and its 补假 (Mon–Wed)
        assert not calendar.is_working_day(day), day
    assert calendar.is_working_day(D(2027, 2, 4)) and calendar.is_working_day(D(2027, 2, 11))
    names = dict(
        CalendarDay.objects.filter(date__in=[D(2027, 1, 1), D(2027, 2, 6)]).values_list(
            "date", "name"
        )
    )
    assert names == {D(2027, 1, 1): "元旦", D(2027, 2, 6): "春节"}
    # no 调休 workday is guessed: only the notice says which weekends are worked
    assert not CalendarDay.objects.filter(date__year=2027, kind="workday").exists()
    assert [calendar.year_status(y) for y in (2026, 2027, 2030, 2031)] == [
        "official",
        "provisional",
        "provisional",
        "estimated",
    ]
    assert not calendar.is_estimated(2027) and calendar.is_provisional(2027)
    assert not calendar.is_provisional(2026)


def test_the_provisional_rows_are_the_holidays_packages():
    rows = calendar_seed.provisional_rows(2027)
    assert [r["date"] for r in rows if r["name"].startswith(("春节", "农历除夕"))] == [
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
        D(2027, 2, 9),
        D(2027, 2, 10),
    ]
    assert set(CalendarDay.objects.filter(date__year=2027).values_list("date", flat=True)) == {
        r["date"] for r in rows
    }


def test_the_seed_is_idempotent_and_keeps_administrators_edits():
    before = cache.versions(calendar.CALENDAR)
    assert calendar_seed.seed(CalendarDay, CalendarYear) == 0
    assert cache.versions(calendar.CALENDAR) == before  # nothing written
    # an administrator's edits in a provisional year: a day changed, a day removed
    CalendarDay.objects.filter(date=D(2027, 2, 10)).update(kind="workday", name="调休上班")
    CalendarDay.objects.filter(date=D(2027, 2, 9)).delete()
    cache.bump(calendar.CALENDAR)
    assert calendar_seed.seed_provisional(CalendarDay, CalendarYear) == 0
    assert CalendarDay.objects.get(date=D(2027, 2, 10)).kind == "workday"
    assert not CalendarDay.objects.filter(date=D(2027, 2, 9)).exists()
    # a year without its row (as before the migration) is seeded; its existing days are kept
    CalendarYear.objects.filter(year=2028).delete()
    CalendarDay.objects.filter(date__year=2028).exclude(date=D(2028, 1, 1)).delete()
    CalendarDay.objects.filter(date=D(2028, 1, 1)).update(name="元旦（本地）")
    added = calendar_seed.seed_provisional(CalendarDay, CalendarYear)
    assert added == len(calendar_seed.provisional_rows(2028)) - 1
    assert CalendarDay.objects.get(date=D(2028, 1, 1)).name == "元旦（本地）"
    assert calendar.year_status(2028) == "provisional"  # the seed bumped the cache


def test_a_deadline_across_the_2027_spring_festival_skips_it_and_is_provisional():
    # accepted Monday 2027-02-01, five working days: 2, 3, 4, then 11 and 12 February
    due = lifecycle.Clock(started_on=D(2027, 2, 1), limit_days=5).deadline
    assert due == calendar.Deadline(date=D(2027, 2, 12), provisional=True)
    # Monday–Friday would have said 2027-02-08
    assert calendar.deadline(D(2026, 12, 1), 5) == calendar.Deadline(D(2026, 12, 8), False)
    # crossing into a provisional year is provisional too
    assert calendar.deadline(D(2026, 12, 28), 5).provisional


def test_an_official_year_makes_its_deadlines_official():
    CalendarYear.objects.filter(year=2027).update(status="official")
    cache.bump(calendar.CALENDAR)
    assert calendar.deadline(D(2027, 2, 1), 5) == calendar.Deadline(D(2027, 2, 12), False)


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (D(2026, 9, 30), []),  # next year provisional: not yet
        (D(2026, 10, 1), [(2027, "provisional")]),
        (D(2026, 12, 31), [(2027, "provisional")]),
        (D(2027, 3, 1), [(2027, "provisional")]),  # this year provisional: all year
        (D(2030, 9, 30), [(2030, "provisional"), (2031, "estimated")]),  # no data: all year
    ],
)
def test_the_notice_warning_starts_on_october_1(today, years):
    assert [(w.year, w.status) for w in calendar.notice_warnings(today)] == years


def test_the_warning_ends_when_next_year_is_official():
    CalendarYear.objects.filter(year=2027).update(status="official")
    cache.bump(calendar.CALENDAR)
    assert calendar.notice_warnings(D(2026, 10, 1)) == []


def test_the_calendar_api_says_provisional(client):
    body = client.get("/api/v1/calendar/years/2027").json()
    assert (body["status"], body["provisional"], body["estimated"]) == (
        "provisional",
        True,
        False,
    )
    assert {"date": "2027-02-06", "kind": "holiday", "name": "春节"} in body["days"]
    body = client.get("/api/v1/calendar/years/2026").json()
    assert (body["status"], body["provisional"], body["estimated"]) == ("official", False, False)
    body = client.get("/api/v1/calendar/years/2031").json()
    assert (body["status"], body["provisional"], body["estimated"]) == ("estimated", True, True)
    body = client.get("/api/v1/calendar/add-working-days?start=2027-02-01&days=5").json()
    assert body == {"date": "2027-02-12", "estimated": False, "provisional": True}
    body = client.get("/api/v1/calendar/add-working-days?start=2026-09-29&days=5").json()
    assert body == {"date": "2026-10-12", "estimated": False, "provisional": False}
    body = client.get(
        "/api/v1/calendar/working-days-between?start=2027-02-01&end=2027-02-12"
    ).json()
    assert body == {"working_days": 5, "estimated": False, "provisional": True}


def test_healthz_reports_the_calendar_from_october_1(client):
    with time_machine.travel(dt.datetime(2026, 9, 30, 9, 0, tzinfo=dt.UTC), tick=False):
        body = client.get("/healthz").json()
    assert body["checks"]["calendar"] == {
        "status": "ok",
        "years": {"2026": "official", "2027": "provisional", "2028": "provisional"},
        "warnings": [],
    }
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        body = client.get("/healthz").json()
    check = body["checks"]["calendar"]
    assert check["status"] == "warning"
    assert [(w["year"], w["status"]) for w in check["warnings"]] == [(2027, "provisional")]
    assert "2027 年的调休安排" in check["warnings"][0]["message"]
    assert body["status"] in ("ok", "degraded")  # the calendar does not take the node out


# --- the notice parser ------------------------------------------------------------------------

NOTICE = """# 国务院办公厅关于2027年部分节假日安排的通知
2027-01-01 元旦
2027-02-06 至 2027-02-12 春节
2027-02-14 上班
2027年2月20日 补班
4月5日 清明节
5月1日至5日 劳动节
"""


def test_the_notice_is_read_line_by_line():
    days = calendar_notice.parse_text(NOTICE, 2027)
    assert [(d.date, d.kind, d.name, d.line) for d in days[:3]] == [
        (D(2027, 1, 1), "holiday", "元旦", 2),
        (D(2027, 2, 6), "holiday", "春节", 3),
        (D(2027, 2, 7), "holiday", "春节", 3),
    ]
    workdays = [(d.date, d.name) for d in days if d.kind == "workday"]
    assert workdays == [(D(2027, 2, 14), "春节调休上班"), (D(2027, 2, 20), "春节调休上班")]
    assert len(days) == 1 + 7 + 2 + 1 + 5


def test_every_bad_line_is_named_in_chinese():
    text = (
        "2027-02-30 春节\n"
        "2027-01-01 元旦\n"
        "2027-01-01 元旦\n"
        "hello\n"
        "2027-02-15 上班\n"
        "2026-05-01 劳动节\n"
        "2027-02-10 至 2027-02-01 春节\n"
        "2027-03-01\n"
    )
    with pytest.raises(ValidationFailed) as exc:
        calendar_notice.parse_text(text, 2027)
    messages = [e.message for e in exc.value.errors]
    assert messages == [
        "第 1 行：日期“2027-02-30”不存在。",
        "第 4 行：无法识别“hello”。请写作“2027-01-01 元旦”、“2027-02-06 至 2027-02-12 春节”"
        "或“2027-02-14 上班”。",
        "第 5 行：2027-02-15 是周一，本来就是工作日，调休上班日应是周六或周日。",
        "第 6 行：2026-05-01 不属于 2027 年（可含上一年 12 月）。",
        "第 7 行：结束日期 2027-02-01 早于开始日期 2027-02-10。",
        "第 8 行：请写明节日名称，例如“2027-01-01 元旦”。",
        "第 3 行：2027-01-01 已在第 2 行写过，同一天只能出现一次。",
    ]
    assert {e.field for e in exc.value.errors} == {"text"}


def test_a_notice_may_start_in_the_previous_december():
    days = calendar_notice.parse_text("2018-12-30 至 2019-01-01 元旦\n2018-12-29 上班", 2019)
    assert [(d.date, d.kind) for d in days] == [
        (D(2018, 12, 29), "workday"),
        (D(2018, 12, 30), "holiday"),
        (D(2018, 12, 31), "holiday"),
        (D(2019, 1, 1), "holiday"),
    ]


def test_csv_and_json_files():
    csv = (
        "日期,结束日期,类型,名称\n"
        "2027-01-01,,放假,元旦\n2027-02-06,2027-02-12,放假,春节\n2027-02-14,,上班,\n"
    )
    days = calendar_notice.parse_file("notice.csv", csv.encode("utf-8-sig"), 2027)
    assert len(days) == 9 and days[-1].name == "春节调休上班"
    js = b'[{"date": "2027-01-01", "kind": "holiday", "name": "\\u5143\\u65e6"}]'
    assert [d.name for d in calendar_notice.parse_file("n.json", js, 2027)] == ["元旦"]
    with pytest.raises(ValidationFailed) as exc:
        calendar_notice.parse_file(
            "n.csv", "2027-01-01,放假,元旦\n2027-01-02,请假,x\n".encode(), 2027
        )
    assert [e.message for e in exc.value.errors] == ["第 2 行：类型“请假”应为“放假”或“上班”。"]
    with pytest.raises(ValidationFailed) as exc:
        calendar_notice.parse_file(
            "n.json", b'[{"date": "2027-13-01", "kind": "holiday", "name": "x"}, 3]', 2027
        )
    assert [e.message for e in exc.value.errors] == [
        "第 1 项：日期“2027-13-01”不存在。",
        "第 2 项：应是含 date、kind、name 的对象。",
    ]
