"""POST /api/v1/city/readings: stored once per key, all or nothing, Chinese errors naming
``readings[i].<field>``; GET indicators and series."""

import datetime as dt

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.governance.models import Alert, IndicatorState, Reading

from .conftest import NOW, iso

pytestmark = pytest.mark.django_db


def hours(n):
    return NOW - dt.timedelta(hours=n)


def test_readings_stored_once_and_duplicates_counted(city, river):
    batch = [
        {"indicator": river.code, "value": 8.0 + i / 10, "at": iso(hours(3 - i))} for i in range(3)
    ]
    r = city.push([*batch, batch[0]])  # the first reading twice in one call
    assert r.status_code == 200, r.content
    assert r.json() == {"accepted": 3, "duplicates": 1, "alerts": [], "cleared": []}
    r = city.push(batch)  # the same call again
    assert r.json()["accepted"] == 0 and r.json()["duplicates"] == 3
    assert Reading.objects.filter(indicator=river).count() == 3
    state = IndicatorState.objects.get(indicator=river)
    assert (state.value, state.level, state.at) == (8.2, "normal", hours(1))
    assert AuditRecord.objects.filter(action="city.readings_received").count() == 2


@pytest.mark.parametrize(
    "bad, field, words",
    [
        ({"indicator": "no-such"}, "indicator", "指标编码不存在"),
        ({"unit": "cm"}, "unit", "计量单位应为「m」"),
        ({"value": "高"}, "value", "数值必须是数字"),
        ({"value": None}, "value", "数值必须是数字"),
        ({"value": True}, "value", "数值必须是数字"),
        ({"at": "昨天"}, "at", "ISO 8601"),
        ({"at": iso(NOW + dt.timedelta(minutes=6))}, "at", "晚于当前时间"),
        ({"at": iso(NOW - dt.timedelta(days=366))}, "at", "早于一年前"),
        ({"district": "441202"}, "district", "全市指标"),
    ],
)
def test_bad_reading_names_field_and_index_and_stores_nothing(city, river, bad, field, words):
    good = {"indicator": river.code, "value": 8.1, "at": iso(hours(2)), "unit": "m"}
    r = city.push([good, {**good, "at": iso(hours(1)), **bad}])
    assert r.status_code == 422, r.content
    errors = r.json()["errors"]
    assert errors[0]["field"] == f"readings[1].{field}"
    assert errors[0]["message"].startswith("第 2 条读数：") and words in errors[0]["message"]
    assert "均未保存" in r.json()["message"]
    assert not Reading.objects.exists() and not IndicatorState.objects.exists()


def test_five_minutes_ahead_is_accepted(city, river):
    r = city.push([{"indicator": river.code, "value": 8, "at": iso(NOW + dt.timedelta(minutes=4))}])
    assert r.json()["accepted"] == 1


def test_per_district_indicator_needs_a_district_of_the_city(city, aqi):
    r = city.push([{"indicator": aqi.code, "value": 50, "at": iso(hours(1))}])
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "readings[0].district"
    r = city.push([{"indicator": aqi.code, "value": 50, "at": iso(hours(1)), "district": "440103"}])
    assert r.status_code == 422 and "肇庆市的区县" in r.json()["errors"][0]["message"]
    r = city.push([{"indicator": aqi.code, "value": 50, "at": iso(hours(1)), "district": "441204"}])
    assert r.status_code == 200 and r.json()["accepted"] == 1
    assert Reading.objects.get().district == "441204"


def test_too_many_readings(city, river):
    many = [{"indicator": river.code, "value": 1, "at": iso(hours(1))}] * 10_001
    r = city.push(many)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "readings"
    assert not Reading.objects.exists()


def test_department_client_pushes_only_its_own_indicators(city, api, river, aqi):
    from shuzheng.identity.models import ApiClient, Department

    ApiClient.objects.create(
        client_id="test-water",
        name="水情系统",
        kind="government",
        department=Department.objects.get(code="441200-SWUJ"),
        secret_hash=ApiClient.objects.get(client_id="demo-mz-system").secret_hash,
        scopes=["city.readings"],
    )
    r = city.push(
        [
            {"indicator": river.code, "value": 9, "at": iso(hours(1))},
            {"indicator": aqi.code, "value": 50, "at": iso(hours(1)), "district": "441202"},
        ],
        who="client:test-water",
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "readings[1].indicator"
    assert "无权上报" in r.json()["errors"][0]["message"]
    assert not Reading.objects.exists()
    r = city.push(
        [{"indicator": river.code, "value": 9, "at": iso(hours(1))}], who="client:test-water"
    )
    assert r.json()["accepted"] == 1


@pytest.mark.parametrize("who", ["client:demo-mz-system", "client:demo-bank", "demo-citizen"])
def test_others_may_not_push(city, river, who):
    r = city.push([{"indicator": river.code, "value": 9, "at": iso(hours(1))}], who=who)
    assert r.status_code == 403
    assert not Reading.objects.exists()


def test_indicators_and_series(city, river, aqi):
    city.push(
        [{"indicator": river.code, "value": 9 + h / 10, "at": iso(hours(5 - h))} for h in range(5)]
        + [
            {"indicator": aqi.code, "value": 120, "at": iso(hours(1)), "district": "441202"},
            {"indicator": aqi.code, "value": 40, "at": iso(hours(1)), "district": "441204"},
        ]
    )
    tiles = {t["code"]: t for t in city.get("/api/v1/city/indicators").json()}
    assert tiles[river.code]["latest"][0]["value"] == 9.4
    assert tiles[river.code]["level"] == "normal"
    assert tiles[aqi.code]["level"] == "yellow"  # the worst district
    assert [(v["district_name"], v["level_label"]) for v in tiles[aqi.code]["latest"]] == [
        ("端州区", "黄色预警"),
        ("高要区", "正常"),
    ]
    r = city.get(
        f"/api/v1/city/indicators/{river.code}/series?from={iso(hours(3))}".replace("+", "%2B")
    )
    assert [p["value"] for p in r.json()["points"]] == [9.2, 9.3, 9.4]
    r = city.get(f"/api/v1/city/indicators/{aqi.code}/series?district=441204")
    assert [p["value"] for p in r.json()["points"]] == [40]
    assert city.get("/api/v1/city/indicators/nothing/series").status_code == 404


def test_scope_department_and_district(city, river, aqi):
    city.push(
        [
            {"indicator": river.code, "value": 9, "at": iso(hours(1))},
            {"indicator": aqi.code, "value": 120, "at": iso(hours(1)), "district": "441202"},
            {"indicator": aqi.code, "value": 40, "at": iso(hours(1)), "district": "441204"},
        ]
    )
    # 市水务局 staff: its own indicator only
    codes = [t["code"] for t in city.get("/api/v1/city/indicators", who="demo-handler-sw").json()]
    assert codes == [river.code]
    assert (
        city.get(f"/api/v1/city/indicators/{aqi.code}/series", who="demo-handler-sw").status_code
        == 404
    )
    # a citizen: 403
    assert city.get("/api/v1/city/indicators", who="demo-citizen").status_code == 403
    assert Alert.objects.count() == 1
