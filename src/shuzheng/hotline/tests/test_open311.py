"""Open311 GeoReport v2: services, a request posted with the demo client's api_key and read back
(JSON and XML), public fields only, confidential tickets never listed, errors as Open311 says."""

import xml.etree.ElementTree as ET

import pytest

from shuzheng.hotline.models import Ticket
from shuzheng.hotline.services.open311 import key_issue
from shuzheng.hotline.tests.conftest import NOISE, at

pytestmark = pytest.mark.django_db
KEY = "demo-open311-key"


@pytest.fixture
def issued():
    from django.db import transaction

    with transaction.atomic():
        key_issue(client_id="demo-open311", actor="system:tests", key=KEY)


def test_services_in_json_and_xml(client):
    r = client.get("/open311/v2/services.json")
    assert r.status_code == 200
    services = r.json()
    noise = next(s for s in services if s["service_code"] == "020202")
    assert noise["service_name"] == "社会生活噪声与治安秩序" and noise["group"] == "公共安全"
    assert noise["metadata"] is False and noise["type"] == "realtime"
    x = client.get("/open311/v2/services.xml")
    assert x["Content-Type"].startswith("text/xml")
    root = ET.fromstring(x.content)
    assert root.tag == "services" and len(root.findall("service")) == len(services)


def test_an_open311_app_posts_and_follows_a_request(client, issued):
    with at(2026, 11, 23, 9):
        r = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": KEY,
                "service_code": "100101",  # 停水
                "lat": "23.0565",
                "long": "112.4720",
                "address_string": "端州区黄岗街道星湖名郡",
                "description": "星湖名郡小区从早上开始停水，没有通知。",
                "phone": "13911223344",
                "first_name": "陈",
            },
        )
        assert r.status_code == 201, r.content
        no = r.json()[0]["service_request_id"]
        one = client.get(f"/open311/v2/requests/{no}.json")
        listed = client.get("/open311/v2/requests.json", {"status": "open"})
        xml = client.get(f"/open311/v2/requests/{no}.xml")
    t = Ticket.objects.get(ticket_no=no)
    assert (t.channel, t.created_by, t.category.code) == (
        "open311",
        "client:demo-open311",
        "100101",
    )
    assert (t.region_code, t.town_code) == ("441202", "441202005")
    body = one.json()[0]
    assert body["status"] == "open" and body["service_name"] == "停水与水质"
    assert body["address"] == "端州区 黄岗街道"
    text = one.content.decode()
    assert "星湖名郡" not in text and "13911223344" not in text and "没有通知" not in text
    assert no in [x["service_request_id"] for x in listed.json()]
    assert ET.fromstring(xml.content).find("request/status").text == "open"


def test_open311_errors(client, issued, hotline):
    with at(2026, 11, 23, 9):
        bad_key = client.post(
            "/open311/v2/requests.json", {"api_key": "nope", "service_code": "100101"}
        )
        no_place = client.post(
            "/open311/v2/requests.json",
            {"api_key": KEY, "service_code": "100101", "description": "停水"},
        )
        unknown = client.post(
            "/open311/v2/requests.xml",
            {"api_key": KEY, "service_code": "999999", "address_string": "端州区"},
        )
        elsewhere = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": KEY,
                "service_code": "100101",
                "address_string": "广州市天河区",
                "description": "停水",
            },
        )
        secret = hotline.create(**{**NOISE, "type": "举报"}).json()["ticket_no"]
        hidden = client.get(f"/open311/v2/requests/{secret}.json")
    assert bad_key.status_code == 403 and bad_key.json()[0]["code"] == 403
    assert no_place.status_code == 400 and "address_string" in no_place.json()[0]["description"]
    assert unknown.status_code == 400
    assert "999999" in ET.fromstring(unknown.content).find("error/description").text
    assert elsewhere.status_code == 400 and "不在肇庆市" in elsewhere.json()[0]["description"]
    assert hidden.status_code == 404
    assert Ticket.objects.filter(channel="open311").count() == 0
