"""The analysis side (issue 18 item 7): 热点 ranked with the change against the previous period,
弱信号 keyed by (category, 镇街) and (category, 区县), the 周报 files, the dashboard page."""

import io

import pytest
from openpyxl import load_workbook

from shuzheng.audit.models import AuditRecord
from shuzheng.hotline import facade
from shuzheng.hotline.models import Category
from shuzheng.hotline.tests.conftest import CG, LEAD, NOISE, OPERATOR, at
from shuzheng.identity.demo import DEMO_PASSWORD
from shuzheng.seals import facade as seals

pytestmark = pytest.mark.django_db
WATER = {
    "type": "求助",
    "category": "100101",  # 停水与水质
    "caller_name": "张三",
}


def _water(hotline, address, n, phone0=13700000000):
    for i in range(n):
        r = hotline.create(
            **WATER,
            content=f"{address}从早上开始停水，到现在还没有来水，第{i + 1}户反映。",
            address=address,
            caller_phone=str(phone0 + i),
        )
        assert r.status_code == 201, r.content


def test_hotspots_rank_categories_and_districts_with_the_change(hotline):
    with at(2026, 11, 25):  # the week before: one noise complaint
        hotline.noise()
    with at(2026, 12, 2):  # this week (Mon 30 Nov – Sun 6 Dec): three noise, one water
        for i in range(3):
            hotline.noise(caller_phone=f"1380000001{i}")
        _water(hotline, "四会市大旺高新区迎宾大道8号", 1)
        url = "/api/v1/hotline/hotspots?period=week&level=2"
        r = hotline.api.call("GET", url, who=LEAD)
        ranged = hotline.api.call(
            "GET",
            "/api/v1/hotline/hotspots?period=day&from=2026-12-02&to=2026-12-02&level=3",
            who=OPERATOR,
        )
        dept = hotline.api.call("GET", url, who=CG)
        citizen = hotline.api.call("GET", url, who="demo-citizen")
        anonymous = hotline.api.call("GET", url)
        bad_period = hotline.api.call("GET", "/api/v1/hotline/hotspots?period=year", who=LEAD)
        bad_level = hotline.api.call("GET", "/api/v1/hotline/hotspots?level=7", who=LEAD)
        bad_range = hotline.api.call(
            "GET", "/api/v1/hotline/hotspots?from=2026-12-05&to=2026-12-01", who=LEAD
        )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["from"], body["to"]) == ("2026-11-30", "2026-12-06")
    assert body["previous"] == {"from": "2026-11-23", "to": "2026-11-29"}
    assert body["total"] == {"count": 4, "previous": 1, "change": 3, "change_rate": 3.0}
    noise_parent = Category.objects.get(code=NOISE["category"]).parent
    top = body["categories"][0]
    assert (top["code"], top["count"], top["previous"], top["change_rate"]) == (
        noise_parent.code,
        3,
        1,
        2.0,
    )
    assert top["districts"] == [{"code": "441202", "name": "端州区", "count": 3}]
    water = body["categories"][1]
    assert water["name"] == "供水" and water["count"] == 1 and water["change_rate"] is None
    districts = {d["name"]: d for d in body["districts"]}
    assert districts["端州区"]["count"] == 3 and districts["四会市"]["count"] == 1
    assert len(districts) == 8 and body["districts"][0]["name"] == "端州区"
    assert {t["name"]: t["count"] for t in body["types"]}["投诉"] == 3
    assert [t["count"] for t in body["trend"]] == [0, 0, 4, 0, 0, 0, 0]
    # level 3, one day: the leaf itself
    leaf = ranged.json()["categories"][0]
    assert leaf["code"] == NOISE["category"] and ranged.json()["total"]["count"] == 4
    # a department sees the tickets dispatched to it: none yet
    assert dept.status_code == 200 and dept.json()["total"]["count"] == 0
    assert citizen.status_code == 403 and anonymous.status_code == 401
    for bad, field in ((bad_period, "period"), (bad_level, "level"), (bad_range, "from")):
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == field


def test_signals_count_towns_and_counties(hotline):
    with at(2026, 12, 2, 9):
        # 3 + 3 calls from two 镇街 of 端州区: neither 镇街 reaches the least count, the 区县 does
        _water(hotline, "端州区天宁北路12号", 3, 13700000000)
        _water(hotline, "端州区端州路8号", 3, 13700000100)
        spread = facade.signals(None)
    with at(2026, 12, 3, 9):
        # six more from one 小区 in 黄岗: the 镇街 fires, its 区县 (the same burst) is said once
        _water(hotline, "端州区黄岗星湖名郡5栋", 6, 13700000200)
        burst = facade.signals(None)
    assert [(s["category"]["name"], s["place"]["name"], s["place"]["level"]) for s in spread] == [
        ("停水与水质", "端州区", "county")
    ]
    assert spread[0]["count"] == 6 and len(spread[0]["samples"]) == 5
    town = [s for s in burst if s["place"]["level"] == "town"]
    assert [(s["place"]["name"], s["count"]) for s in town] == [("黄岗街道", 6)]
    assert all("星湖名郡" in t["title"] or "黄岗" in t["title"] for t in town[0]["samples"]) or all(
        t["ticket_no"].startswith("12345-20261203") for t in town[0]["samples"]
    )
    # 端州区 over both days is 12, of which the 黄岗 burst is 6 (half): the county is not repeated
    assert not [s for s in burst if s["place"]["level"] == "county"]


def test_weekly_report_as_excel_and_sealed_pdf(hotline):
    with at(2026, 12, 2, 9):
        for i in range(2):
            hotline.noise(caller_phone=f"1380000002{i}")
        _water(hotline, "端州区黄岗星湖名郡5栋", 5)
    with at(2026, 12, 7, 9):
        x = hotline.api.call("GET", "/api/v1/hotline/reports/weekly.xlsx?week=2026-W49", who=LEAD)
        p = hotline.api.call("GET", "/api/v1/hotline/reports/weekly.pdf?week=2026-W49", who=LEAD)
        bad = hotline.api.call("GET", "/api/v1/hotline/reports/weekly.xlsx?week=49", who=LEAD)
        other = hotline.api.call(
            "GET", "/api/v1/hotline/reports/weekly.doc?week=2026-W49", who=LEAD
        )
        dept = hotline.api.call("GET", "/api/v1/hotline/reports/weekly.pdf?week=2026-W49", who=CG)
    assert x.status_code == 200, x.content
    assert "attachment" in x["Content-Disposition"]
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == [
        "概况",
        "按诉求类型",
        "热点诉求（二级分类）",
        "按区县",
        "承办单位三率及其他指标",
        "本周弱信号",
    ]
    summary = [[v for v in row if v is not None] for row in wb["概况"].iter_rows(values_only=True)]
    assert summary[0] == ["12345 政务服务便民热线周报"] and "2026 年第 49 周" in summary[1][0]
    assert [7, 0, 7, "新增"] in summary
    types = {row[0].value: row[1].value for row in wb["按诉求类型"].iter_rows(min_row=2)}
    assert types["投诉"] == 2 and types["求助"] == 5
    signal_rows = list(wb["本周弱信号"].iter_rows(min_row=2, values_only=True))
    assert signal_rows[0][1:4] == ("停水与水质", "黄岗街道", 5)
    rates = list(wb["承办单位三率及其他指标"].iter_rows(values_only=True))
    assert rates[0][:3] == ("承办单位", "工单", "响应率") and rates[-1][:2] == ("合计", 7)
    assert p.status_code == 200 and p.content.startswith(b"%PDF")
    assert seals.verify_pdf(p.content).valid
    assert AuditRecord.objects.filter(action="hotline.weekly_report").count() == 2
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "week"
    assert other.status_code == 404
    assert dept.status_code == 403


def _login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)


def test_the_dashboard_page_for_the_center_and_a_department(hotline, client):
    with at(2026, 12, 3, 9):
        hotline.noise()
        _water(hotline, "端州区黄岗星湖名郡5栋", 5)
        _login(client, LEAD)
        lead = client.get("/hotline/dashboard/")
        week = client.get("/hotline/dashboard/?period=week&level=3&from=2026-12-05&to=2026-12-01")
        xlsx = client.get("/hotline/dashboard/reports/weekly.xlsx?week=2026-W49")
        badweek = client.get("/hotline/dashboard/reports/weekly.xlsx?week=W49")
        client.logout()
        _login(client, CG)
        dept = client.get("/hotline/dashboard/")
        dept_report = client.get("/hotline/dashboard/reports/weekly.pdf?week=2026-W49")
        client.logout()
        _login(client, "demo-citizen")
        citizen = client.get("/hotline/dashboard/")
        client.logout()
        anonymous = client.get("/hotline/dashboard/")
    html = lead.content.decode()
    assert lead.status_code == 200
    assert 'data-testid="hl-signals"' in html and "停水与水质 · 黄岗街道" in html
    assert 'id="hl-chart-data"' in html and "端州区" in html and "满意率" in html
    assert "441202" not in html.replace('"441202', "")  # no 区县 code in the text
    assert "2026-W49" in html
    assert week.status_code == 200 and "开始日期不能晚于结束日期" in week.content.decode()
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    assert badweek.status_code == 422 and "周次格式" in badweek.content.decode()
    dept_html = dept.content.decode()
    assert dept.status_code == 200 and 'data-testid="hl-signals"' not in dept_html
    assert 'data-testid="hl-reports"' not in dept_html
    assert dept_report.status_code == 403
    assert citizen.status_code == 403
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_signals_are_those_of_the_detector_over_every_key(hotline):
    """The facade tests only the keys that can fire (the rest summed into one key): the same
    signals as the detector over every (category, 镇街) and (category, 区县) key, whether the closed
    days are read from the stored counts (``daycounts``), counted live, or both."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shuzheng.hotline import daycounts
    from shuzheng.hotline.analysis import signals as detector
    from shuzheng.hotline.demo import seed_hotline
    from shuzheng.hotline.models import CountedDay, DayCount, Ticket

    with at(2026, 11, 23, 15):
        seed_hotline(months=1, per_day=(3, 6))
    with at(2026, 11, 22, 15):  # a burst over two days: yesterday's part read from the counts
        _water(hotline, "端州区睦岗街道宋城路2号", 2)
    with at(2026, 11, 23, 15):
        _water(hotline, "端州区睦岗街道宋城路2号", 3, phone0=13710000000)
        _water(hotline, "四会市大旺高新区迎宾大道8号", 4)  # a second burst, in another 区县
        live = facade.signals(None)  # no day stored: every day counted live
        assert not DayCount.objects.exists()
        assert daycounts.refresh() == daycounts.WINDOW_DAYS and daycounts.refresh() == 0
        with CaptureQueriesContext(connection) as read:
            found = facade.signals(None)  # the closed days read from the stored counts
        # the stored days, today's tickets, the stored counts of the last days and of the keys
        # that can fire, the category tree's version, and each signal's five samples
        assert len(found) >= 2 and len(read) == 5 + len(found), [q["sql"] for q in read]
        CountedDay.objects.filter(day=dt.date(2026, 11, 10)).delete()
        gap = facade.signals(None)  # from a day not stored on, counted live
        today = timezone.localdate()
    assert found == live == gap
    events = []
    for created, cat, town, region in Ticket.objects.exclude(category=None).values_list(
        "created_at", "category_id", "town_code", "region_code"
    ):
        day = timezone.localtime(created).date()
        if day <= today:
            events += [(day, (cat, town))] if town else []
            events += [(day, (cat, region))] if region else []
    full = detector.detect(detector.tally(events), today=today)
    assert today == dt.date(2026, 11, 23) and len(full) >= 2
    towns = {s.key: s.count for s in full if len(s.key[1]) == 9}
    expected = {
        (s.key[1], s.count)
        for s in full
        if not any(
            k[0] == s.key[0] and k[1].startswith(s.key[1]) and 2 * n >= s.count
            for k, n in towns.items()
            if len(s.key[1]) == 6
        )
    }
    assert {(s["place"]["code"], s["count"]) for s in found} == expected
    assert {s["place"]["name"] for s in found} >= {"黄岗街道", "睦岗街道"}
