"""Alerts: raised once per crossing, escalated yellow → red, cleared when back within; confirm
and clear through the lifecycle (409 with allowed_actions), audited; the owner told."""

import datetime as dt

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.governance.models import Alert
from shuzheng.notify.models import Notification

from .conftest import NOW, iso

pytestmark = pytest.mark.django_db


def at(h):
    return iso(NOW - dt.timedelta(hours=h))


def level(river, value, h):
    return {"indicator": river.code, "value": value, "at": at(h)}


def test_one_alert_per_crossing_escalation_and_auto_clear(
    city, river, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        r = city.push([level(river, 10.5, 6), level(river, 11.2, 5)])
    body = r.json()
    assert [(a["level"], a["value"], a["threshold"], a["status"]) for a in body["alerts"]] == [
        ("yellow", 11.2, 11.0, "open")
    ]
    assert body["alerts"][0]["department_name"] == "肇庆市水务局"
    note = Notification.objects.get(recipient_id="441200-SWUJ")
    assert "黄色预警" in note.title and "11.2m" in note.body
    # still above: no second alert
    assert city.push([level(river, 11.6, 4)]).json()["alerts"] == []
    # red: a new alert, the yellow one superseded
    red = city.push([level(river, 13.1, 3)]).json()["alerts"]
    assert [a["level"] for a in red] == ["red"]
    assert Alert.objects.get(level="yellow").status == "cleared"
    # down to yellow: the red alert stays
    assert city.push([level(river, 12.0, 2)]).json() == {
        "accepted": 1,
        "duplicates": 0,
        "alerts": [],
        "cleared": [],
    }
    # back within: cleared by the system
    r = city.push([level(river, 10.0, 1)]).json()
    assert r["cleared"] == [red[0]["id"]]
    a = Alert.objects.get(pk=red[0]["id"])
    assert a.status == "cleared" and a.cleared_by == "client:demo-city-sensors"
    assert AuditRecord.objects.filter(action="city.alert_raised").count() == 2
    assert AuditRecord.objects.filter(action="city.alert_auto_clear").count() == 2


def test_late_older_reading_does_not_raise(city, river):
    city.push([level(river, 10.0, 1)])
    assert city.push([level(river, 12.0, 5)]).json()["alerts"] == []
    assert not Alert.objects.exists()


def test_below_direction(city, pressure):
    r = city.push([{"indicator": pressure.code, "value": 0.15, "at": at(1), "unit": "MPa"}])
    assert [(a["level"], a["threshold"]) for a in r.json()["alerts"]] == [("red", 0.16)]


def test_confirm_then_clear_with_409s(city, river):
    alert_id = city.push([level(river, 11.5, 1)]).json()["alerts"][0]["id"]
    a = city.get(f"/api/v1/city/alerts/{alert_id}").json()
    assert a["allowed_actions"] == ["confirm", "clear"] and a["status_label"] == "未处理"
    r = city.act(alert_id, "confirm", note="已安排巡堤")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = city.act(alert_id, "confirm")
    assert r.status_code == 409 and r.json()["allowed_actions"] == ["clear"]
    assert city.act(alert_id, "fly").status_code == 422
    assert city.act(alert_id, "auto_clear").status_code == 422
    r = city.act(alert_id, "clear", who="demo-handler-sw")  # the owner department
    assert r.json()["status"] == "cleared" and r.json()["allowed_actions"] == []
    assert city.act(alert_id, "clear").status_code == 409
    actions = list(
        AuditRecord.objects.filter(object_type="governance.alert", object_id=str(alert_id))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["city.alert_raised", "city.alert_confirm", "city.alert_clear"]


def test_alerts_scoped(city, river, aqi):
    r = city.push(
        [
            level(river, 11.5, 1),
            {"indicator": aqi.code, "value": 160, "at": at(1), "district": "441202"},
        ]
    )
    ids = {a["indicator"]: a["id"] for a in r.json()["alerts"]}

    def seen(who):
        return sorted(
            a["indicator"] for a in city.get("/api/v1/city/alerts", who=who).json()["alerts"]
        )

    assert seen("demo-hotline") == ["aqi", river.code]
    assert seen("demo-handler-sw") == [river.code]
    assert seen("demo-handler-hb") == ["aqi"]
    # a department that does not own it: 404, nothing changed
    assert city.get(f"/api/v1/city/alerts/{ids['aqi']}", who="demo-handler-sw").status_code == 404
    assert city.act(ids["aqi"], "clear", who="demo-handler-sw").status_code == 404
    assert Alert.objects.get(pk=ids["aqi"]).status == "open"
    assert city.get("/api/v1/city/alerts", who="demo-citizen").status_code == 403
    assert city.get("/api/v1/city/alerts?status=active").json()["total"] == 2
    assert city.get("/api/v1/city/alerts?status=nope").status_code == 422
