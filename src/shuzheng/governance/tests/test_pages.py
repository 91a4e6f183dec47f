"""The pages without JavaScript: tiles with the level in words, the series table, the alerts
list with 确认/解除 as plain forms; scoped like the API."""

import datetime as dt

import pytest
from tests.support import DEMO_PASSWORD

from shuzheng.governance.models import Alert

from .conftest import NOW, iso

pytestmark = pytest.mark.django_db


def login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


@pytest.fixture
def seeded(city, river, aqi):
    h = lambda n: iso(NOW - dt.timedelta(hours=n))  # noqa: E731
    r = city.push(
        [{"indicator": river.code, "value": 10 + i / 10, "at": h(20 - i)} for i in range(20)]
        + [
            {"indicator": river.code, "value": 11.4, "at": h(0)},
            {"indicator": aqi.code, "value": 60, "at": h(1), "district": "441202"},
        ]
    )
    return r.json()["alerts"][0]["id"]


def test_indicators_page(client, seeded):
    page = login(client, "demo-hotline").get("/city/").content.decode()
    assert "城市运行体征指标" in page and "西江水位（高要站）" in page
    assert "黄色预警" in page and "11.4" in page  # the level in words, not colour alone
    assert "端州区" in page and "正常" in page
    assert "441202" not in page.replace('value="441202"', "")  # no codes shown
    assert "data-spark" in page


def test_series_page(client, seeded, river):
    page = login(client, "demo-hotline").get(f"/city/indicators/{river.code}/").content.decode()
    assert "共 21 条" in page and "11.4m" in page
    bad = client.get(f"/city/indicators/{river.code}/?from=2026-06-15&to=2026-06-01")
    assert "开始时间不能晚于结束时间" in bad.content.decode()


def test_alert_confirm_and_clear_without_js(client, seeded):
    login(client, "demo-handler-sw")  # the owner department
    page = client.get("/city/alerts/").content.decode()
    assert "确认预警" in page and "未处理" in page
    r = client.post(f"/city/alerts/{seeded}/action/", {"action": "confirm", "note": "已通知巡堤"})
    assert r.status_code == 302
    assert Alert.objects.get(pk=seeded).status == "confirmed"
    r = client.post(f"/city/alerts/{seeded}/action/", {"action": "confirm"})
    assert r.status_code == 409 and "不能确认预警" in r.content.decode()
    r = client.post(f"/city/alerts/{seeded}/action/", {"action": "clear", "next": "list"})
    assert r.status_code == 302 and Alert.objects.get(pk=seeded).status == "cleared"


def test_pages_scoped(client, seeded):
    login(client, "demo-handler-hb")  # 生态环境局: AQI only
    page = client.get("/city/").content.decode()
    assert "空气质量指数" in page and "西江水位" not in page
    assert client.get(f"/city/alerts/{seeded}/").status_code == 404
    assert client.post(f"/city/alerts/{seeded}/action/", {"action": "clear"}).status_code == 404
    assert Alert.objects.get(pk=seeded).status == "open"
    client.logout()
    login(client, "demo-citizen")
    assert client.get("/city/").status_code == 403
