import datetime as dt

import pytest
import time_machine

from shuzheng.governance.models import Indicator

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=TZ)
SENSORS = "client:demo-city-sensors"  # the center's sensing platform (city.readings, 441200-ZSJ)
CENTER = "demo-hotline"  # hotline_operator of 441200-ZSJ: the 城市运行管理中心
WATER = "demo-handler-sw"  # staff of 市水务局 441200-SWUJ
ECO = "demo-handler-hb"  # staff of 市生态环境局 441200-STHJJ


def iso(t):
    return t.isoformat()


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def river(db):
    """西江水位 at 高要站 (warning 11.0 m is the yellow line here; red 13.0 m)."""
    return Indicator.objects.create(
        code="xijiang-level-gaoyao",
        name="西江水位（高要站）",
        unit="m",
        department="441200-SWUJ",
        function="social",
        source="push",
        frequency="hourly",
        direction="above",
        yellow=11.0,
        red=13.0,
    )


@pytest.fixture
def aqi(db):
    return Indicator.objects.create(
        code="aqi",
        name="空气质量指数",
        unit="",
        department="441200-STHJJ",
        function="ecology",
        source="push",
        frequency="hourly",
        direction="above",
        yellow=100,
        red=150,
        per_district=True,
        precision=0,
    )


@pytest.fixture
def pressure(db):
    return Indicator.objects.create(
        code="water-pressure",
        name="供水管网压力",
        unit="MPa",
        department="441200-SWUJ",
        function="public",
        source="push",
        frequency="hourly",
        direction="below",
        yellow=0.20,
        red=0.16,
        precision=2,
    )


class City:
    def __init__(self, api):
        self.api = api

    def push(self, readings, who=SENSORS):
        return self.api.call(
            "POST", "/api/v1/city/readings", who=who, json_body={"readings": readings}
        )

    def get(self, path, who=CENTER):
        return self.api.call("GET", path, who=who)

    def act(self, alert_id, action, who=CENTER, **extra):
        return self.api.call(
            "POST",
            f"/api/v1/city/alerts/{alert_id}/actions",
            who=who,
            json_body={"action": action, **extra},
        )


@pytest.fixture
def city(api, frozen):
    return City(api)
