"""城市管理事件: intake, the closed loop over the API, access, bad input, the aggregates."""

import datetime as dt

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.files import facade as files
from shuzheng.files.tests.samples import pdf, png
from shuzheng.governance.models import CityEvent, EventStep, GridCell, GridMember
from shuzheng.governance.selectors import events as selectors
from shuzheng.governance.tests.conftest import CENTER, NOW, SENSORS
from shuzheng.notify.models import Notification

GRID, GRID2 = "demo-grid", "demo-grid2"
CG = "demo-handler-cg"  # staff of 市城市管理和综合执法局 441200-CGJ
SW = "demo-handler-sw"  # staff of 市水务局 441200-SWUJ
CELL = "441202001001"  # 城东街道第1网格 (端州区)


@pytest.fixture
def members(db):
    cell = GridCell.objects.get(code=CELL)
    a = GridMember.objects.create(
        username=GRID, name="李网格", phone="13800000041", district="441202"
    )
    b = GridMember.objects.create(
        username=GRID2, name="赵巡查", phone="13800000042", district="441202"
    )
    a.cells.add(cell)
    b.cells.add(cell)
    return a, b


def photo(who: str) -> str:
    return files.file_store(actor=f"user:{who}", name="现场.png", data=png()).file_id


def report(api, who=GRID, **extra):
    body = {
        "category": "BJ-0102",
        "description": "天宁北路12号门前污水井盖缺失",
        "grid": CELL,
        "photos": [photo(who)],
        **extra,
    }
    return api.call("POST", "/api/v1/city/events", who=who, json_body=body)


def act(api, no, action, who=CENTER, **params):
    return api.call(
        "POST", f"/api/v1/city/events/{no}/actions", who=who, json_body={"action": action, **params}
    )


def test_the_whole_loop_over_the_api(api, members, frozen):
    r = report(api)
    assert r.status_code == 201, r.content
    no = r.json()["event_no"]
    assert r.json()["status"] == "reported"
    assert r.json()["district"] == "441202"
    assert selectors.open_events_by_district() == {"441202": 1}

    assert act(api, no, "file").json()["status"] == "filed"
    got = act(api, no, "dispatch").json()
    assert (got["status"], got["department"]) == ("dispatched", "441200-SWUJ")
    # 污水井盖: 24 hours from 派遣
    assert dt.datetime.fromisoformat(got["due_at"]) == NOW + dt.timedelta(hours=24)
    assert got["allowed_actions"] == ["urge", "supervise", "escalate", "hand_down"]

    # the department handles it with an after-photo; the other 网格员 is given the 核查
    assert act(api, no, "feedback", who=SW, note="已更换井盖").status_code == 422
    got = act(api, no, "feedback", who=SW, note="已更换井盖", photos=[photo(SW)]).json()
    assert (got["status"], got["checker"]) == ("checking", GRID2)
    assert Notification.objects.filter(recipient_id=f"grid:{GRID2}").count() == 1

    # the reporter may not check their own report
    assert act(api, no, "check_pass", who=GRID).status_code == 409
    got = act(api, no, "check_fail", who=GRID2, reason="井盖尺寸不符，仍有缝隙").json()
    assert (got["status"], got["rework_count"]) == ("dispatched", 1)
    act(api, no, "feedback", who=SW, note="已重新安装", photos=[photo(SW)])
    assert act(api, no, "check_pass", who=GRID2).json()["status"] == "checked"
    assert act(api, no, "close").json()["status"] == "closed"
    got = act(api, no, "rate", rating="satisfied").json()
    assert got["rating"] == "satisfied" and got["allowed_actions"] == []
    assert selectors.open_events_by_district() == {}

    steps = [
        s["action"] for s in api.call("GET", f"/api/v1/city/events/{no}", who=GRID).json()["steps"]
    ]
    assert steps == [
        "reported", "file", "dispatch", "feedback", "check_fail", "feedback", "check_pass",
        "close", "rate",
    ]  # fmt: skip
    audited = AuditRecord.objects.filter(object_type="governance.event", object_id=no)
    assert audited.count() == len(steps)
    summary = selectors.events_summary(NOW - dt.timedelta(days=1), now=NOW)
    assert (summary["reported"], summary["closed"], summary["open"]) == (1, 1, 0)
    perf = selectors.performance(NOW - dt.timedelta(days=1), by="department")
    assert perf == [
        {"key": "441200-SWUJ", "reported": 1, "filing_rate": 100.0, "on_time_rate": 100.0,
         "check_pass_rate": 100.0, "rework_rate": 100.0}
    ]  # fmt: skip


def test_a_wrong_state_is_409_with_the_allowed_actions_and_changes_nothing(api, members, frozen):
    no = report(api).json()["event_no"]
    r = act(api, no, "close")
    assert r.status_code == 409
    assert r.json()["allowed_actions"] == ["file", "reject"]
    assert "待立案" in r.json()["message"]
    r = act(api, no, "fly")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "action"
    r = act(api, no, "reject")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    assert CityEvent.objects.get(event_no=no).status == "reported"
    assert EventStep.objects.filter(event__event_no=no).count() == 1


def test_bad_input_names_the_field_and_stores_nothing(api, members, frozen):
    not_image = files.file_store(actor=f"user:{GRID}", name="a.pdf", data=pdf()).file_id
    cases = [
        ({"photos": [not_image]}, "photos[0]", "不是图片"),
        ({"grid": "", "lat": 39.9, "lng": 116.4}, "lat", "不在肇庆市范围内"),
        ({"grid": "", "lat": "north", "lng": 112}, "lat", "数字"),
        ({"grid": "999"}, "grid", "网格"),
        ({"category": "XX"}, "category", "类别"),
        ({"description": " "}, "description", "描述"),
        ({"photos": ["00000000-0000-0000-0000-000000000000"]}, "photos[0]", "不是您上传"),
    ]
    for extra, field, words in cases:
        r = report(api, **extra)
        assert r.status_code == 422, extra
        err = next(e for e in r.json()["errors"] if e["field"] == field)
        assert words in err["message"], (extra, err)
    assert not CityEvent.objects.exists()


def test_a_place_from_the_phone_finds_the_nearest_grid(api, members, frozen):
    r = report(api, grid="", lat="23.0501", lng="112.4521")
    assert r.status_code == 201
    assert (r.json()["grid"], r.json()["district"]) == ("441202003001", "441202")


def test_who_sees_what(api, members, frozen):
    no = report(api).json()["event_no"]
    get = lambda who: api.call("GET", f"/api/v1/city/events/{no}", who=who).status_code  # noqa: E731
    # the reporter and the center; not the other 网格员, another department or a citizen
    assert (get(GRID), get(CENTER), get(GRID2), get(CG), get("demo-citizen")) == (
        200, 200, 404, 404, 404,
    )  # fmt: skip
    assert api.call("GET", "/api/v1/city/events", who="demo-citizen").status_code == 403
    assert api.call("GET", "/api/v1/city/events", who=GRID2).json()["total"] == 0
    act(api, no, "file")
    act(api, no, "dispatch", department="441200-CGJ")
    assert get(CG) == 200 and get(SW) == 404
    # a citizen may not report; an API client with the sensing scope may
    assert report(api, who="demo-citizen").status_code == 403
    sent = api.call(
        "POST", "/api/v1/city/events", who=SENSORS,
        json_body={"category": "SJ-0404", "description": "下水道液位超限", "lat": 23.05,
                   "lng": 112.47, "source": "sensor", "external_ref": "WL-0007"},
    )  # fmt: skip
    assert sent.status_code == 201 and sent.json()["source"] == "sensor"


def test_time_warnings_and_urging(api, members, frozen):
    no = report(api).json()["event_no"]
    act(api, no, "file")
    act(api, no, "dispatch")
    assert api.call("GET", f"/api/v1/city/events/{no}", who=CENTER).json()["warning"] == "none"
    frozen.shift(dt.timedelta(hours=20))  # 4 of 24 hours left: below 30 %
    api._tokens.clear()  # the tokens of the morning have expired
    assert api.call("GET", f"/api/v1/city/events/{no}", who=CENTER).json()["warning"] == "yellow"
    frozen.shift(dt.timedelta(hours=5))
    api._tokens.clear()
    got = act(api, no, "urge", reason="已超时，请立即处置").json()
    assert (got["warning"], got["urge_count"]) == ("overdue", 1)
    assert Notification.objects.filter(
        recipient_id="441200-SWUJ", title__startswith="催办"
    ).exists()


def test_escalation_records_the_level(api, members, frozen):
    no = report(api).json()["event_no"]
    act(api, no, "file")
    assert act(api, no, "escalate", level=7, reason="x").status_code == 422
    got = act(api, no, "escalate", level=2, reason="井盖缺失致行人坠落").json()
    assert got["level"] == 2 and "escalate" not in got["allowed_actions"]
