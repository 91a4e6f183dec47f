"""Due dates counted on a provisional calendar say so (``due_date_provisional`` in the API, the
words on the case pages), and entering the year's notice recounts them (issue 17, defect 11)."""

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))
NOTICE_2027 = "2027-01-01 元旦\n2027-02-06 至 2027-02-12 春节\n2027-02-14 上班\n"


def at(y, m, d):
    return time_machine.travel(dt.datetime(y, m, d, 10, 0, tzinfo=TZ), tick=False)


def _accepted(cases, code):
    r = cases.apply("demo-citizen", code)
    assert r.status_code == 201, r.content
    no = r.json()["case_no"]
    r = cases.act("demo-clerk", no, "accept")
    assert r.status_code == 200, r.content
    return no, r.json()


def _page(username, path):
    client = Client()
    client.force_login(User.objects.get(username=username))
    r = client.get(path)
    assert r.status_code == 200
    return r.content.decode()


def test_a_deadline_across_spring_festival_2027_skips_it_and_says_provisional(catalog, cases, api):
    with at(2027, 2, 1):  # a Monday; the licence item promises 5 working days
        no, body = _accepted(cases, catalog["licence"])
        # 2, 3, 4 February, then 除夕 and 春节 with its 补假 (5–10 February) are skipped
        assert body["due_date"] == "2027-02-12"  # Monday–Friday would say 2027-02-08
        assert body["due_date_provisional"] is True
        listed = api.call("GET", "/api/v1/cases?queue=in_progress", who="demo-clerk").json()
        row = next(c for c in listed["items"] if c["case_no"] == no)
        assert row["due_date_provisional"] is True
        assert "承诺办结日期（按暂定日历计算）" in _page("demo-citizen", f"/cases/{no}/")
        assert "承诺办结日期（按暂定日历计算）" in _page("demo-clerk", f"/workbench/cases/{no}/")


def test_a_deadline_on_an_official_calendar_is_not_provisional(catalog, cases):
    with at(2026, 11, 2):
        no, body = _accepted(cases, catalog["licence"])
        assert (body["due_date"], body["due_date_provisional"]) == ("2026-11-09", False)
        assert "按暂定日历计算" not in _page("demo-citizen", f"/cases/{no}/")


def test_entering_the_notice_recounts_the_due_date_onto_the_new_workday(catalog, cases, api):
    with at(2027, 2, 1):
        no, _ = _accepted(cases, catalog["licence"])
        n = AuditRecord.objects.count()
        admin = Client()
        admin.force_login(User.objects.get(username="demo-admin"))
        r = admin.post(
            "/admin/core/calendaryear/notice/",
            {"year": "2027", "notice": "国办发明电〔2026〕", "text": NOTICE_2027, "save": "1"},
            follow=True,
        )
        assert "重新计算了 1 件办件的承诺办结日期" in r.content.decode()
        body = api.call("GET", f"/api/v1/cases/{no}", who="demo-citizen").json()
        # 2, 3, 4, 5 February, then the 调休 Sunday 14 February is the fifth working day
        assert (body["due_date"], body["due_date_provisional"]) == ("2027-02-14", False)
        assert "按暂定日历计算" not in _page("demo-citizen", f"/cases/{no}/")
    records = list(AuditRecord.objects.order_by("id")[n:].values_list("action", "object_id"))
    assert records == [
        ("core.calendar_notice_import", "2027"),
        ("cases.due_date_recomputed", no),
    ]
    rec = AuditRecord.objects.get(action="cases.due_date_recomputed", object_id=no)
    assert rec.before == {"due_date": "2027-02-12", "provisional": True}
    assert rec.after == {"due_date": "2027-02-14", "provisional": False, "calendar_year": 2027}


def test_the_migration_marks_unfinished_cases_counted_across_a_provisional_year(catalog, cases):
    with at(2026, 11, 2):
        _accepted(cases, catalog["licence"])  # due 2026-11-09: inside 2026, not marked
        across, _ = _accepted(cases, catalog["licence"])
    # as counted before the provisional years existed: across the new year, not marked
    Case.objects.filter(case_no=across).update(
        accepted_on=dt.date(2026, 12, 28), due_date=dt.date(2027, 1, 4)
    )
    assert not Case.objects.filter(due_date_provisional=True).exists()
    migration = importlib.import_module("shuzheng.cases.migrations.0006_case_due_date_provisional")
    migration.mark_provisional(django_apps, None)
    marked = set(Case.objects.filter(due_date_provisional=True).values_list("case_no", flat=True))
    assert marked == {across}
