"""The command dashboard (page, live fragment, API) for the center; the platform's own indicators
through ``core.metrics_registry`` (12345 figures registered by hotline, open events by 区县)."""

import datetime as dt

import pytest

from shuzheng.core import metrics_registry
from shuzheng.governance.models import Indicator, Reading
from shuzheng.governance.services.computed import computed_run

from .conftest import CENTER, NOW, WATER, iso

pytestmark = pytest.mark.django_db


def test_dashboard_api_for_the_center_only(city, river):
    city.push([{"indicator": river.code, "value": 13.2, "at": iso(NOW)}])
    d = city.get("/api/v1/city/dashboard").json()
    assert [f["label"] for f in d["functions"]] == [
        "经济调节", "市场监管", "社会管理", "公共服务", "生态环境保护"
    ]  # fmt: skip
    social = next(f for f in d["functions"] if f["function"] == "social")
    tile = next(t for t in social["tiles"] if t["code"] == river.code)
    assert (tile["level"], tile["value_text"], social["red"]) == ("red", "13.2", 1)
    assert d["alerts_total"] == 1 and d["alerts"][0]["indicator"] == river.code
    assert len(d["districts"]) == 8 and d["districts"][0]["name"] == "端州区"
    assert d["hotline_today"] == {"available": True, "volume": 0, "satisfaction_rate": None}
    assert d["plans"] == []
    for who in (WATER, "demo-citizen", "client:demo-city-sensors"):
        assert city.get("/api/v1/city/dashboard", who=who).status_code == 403, who


def test_command_page_and_live_fragment(client, city, river):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=CENTER))
    page = client.get("/city/command/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "指挥调度" in html and "目前没有未解除的预警" in html and 'hx-trigger="every 5s"' in html
    stamp = page.context["stamp"]
    # nothing changed: 204, htmx keeps what it shows
    assert client.get(f"/city/command/live/?stamp={stamp}").status_code == 204
    city.push([{"indicator": river.code, "value": 13.2, "at": iso(NOW)}])
    live = client.get(f"/city/command/live/?stamp={stamp}")
    assert live.status_code == 200 and "西江水位" in live.content.decode()
    assert live.context["stamp"] != stamp
    client.force_login(get_user_model().objects.get(username=WATER))
    assert client.get("/city/command/").status_code == 403


def test_platform_indicators_from_the_registry(frozen, monkeypatch):
    volume = Indicator.objects.create(
        code="hl-volume", name="12345 来电量", unit="件/日", department="441200-ZSJ",
        function="public", source="computed", computation="hotline.volume", frequency="hourly",
        yellow=4000, red=5000,
    )  # fmt: skip
    events = Indicator.objects.create(
        code="open-events", name="在办事件", unit="件", department="441200-CGJ",
        function="social", source="computed", computation="governance.open_events",
        frequency="hourly", per_district=True, yellow=30, red=60,
    )  # fmt: skip
    # hotline registered its providers in AppConfig.ready; governance never imports hotline
    assert {"hotline.volume", "hotline.satisfaction_rate"} <= {
        k for k, _ in metrics_registry.registered()
    }
    monkeypatch.setattr(
        "shuzheng.governance.services.computed.open_events_by_district", lambda: {"441202": 7}
    )
    computed_run(now=NOW)
    assert Reading.objects.get(indicator=volume).value == 0
    got = dict(Reading.objects.filter(indicator=events).values_list("district", "value"))
    assert len(got) == 8 and got["441202"] == 7 and got["441284"] == 0


def test_a_tile_draws_its_trend_without_javascript(client, city, river):
    """Each tile carries a sparkline of its worst district's last readings, drawn by the server
    as SVG points: the rise of the river shows as a line that ends at the top."""
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from shuzheng.governance.selectors.dashboard import sparkline

    cache.clear()  # lines are kept per latest reading; an earlier test's rolled-back one too
    city.push(
        [
            {"indicator": river.code, "value": v, "at": iso(NOW - dt.timedelta(hours=3 - i))}
            for i, v in enumerate((10.0, 11.0, 12.0, 13.2))
        ]
    )
    client.force_login(get_user_model().objects.get(username=CENTER))
    html = client.get("/city/command/").content.decode()
    points = sparkline([10.0, 11.0, 12.0, 13.2])
    assert f'<polyline points="{points}">' in html
    first, last = points.split()[0].split(","), points.split()[-1].split(",")
    assert float(first[1]) > float(last[1])  # SVG y grows downwards: the line rises
    assert sparkline([5.0]) == "" and sparkline([]) == ""
