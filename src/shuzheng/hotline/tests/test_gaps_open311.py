"""Issue 18 items 1c and 1d: an Idempotency-Key on POST /api/v1/hotline/tickets and on Open311
POST files a retry once; Open311 GeoReport v2 takes ``media_url`` (an http(s) link kept among
the attachments for the center, never published), ``lat``/``long``, ``address_string`` and
``attribute[code]``; ``requests.json`` filters by ``service_request_id``, ``service_code``,
``start_date``, ``end_date`` and ``status`` as the specification says."""

import json
import xml.etree.ElementTree as ET

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.core.idempotency import IdempotentRequest
from shuzheng.hotline.models import Ticket, TicketEvent
from shuzheng.hotline.services.open311 import key_issue
from shuzheng.hotline.tests.conftest import NOISE, OPERATOR, at

pytestmark = pytest.mark.django_db
KEY = "demo-open311-key"
WATER = {
    "api_key": KEY,
    "service_code": "100101",  # 停水与水质
    "lat": "23.0565",
    "long": "112.4720",
    "address_string": "端州区黄岗街道星湖名郡",
    "description": "星湖名郡小区从早上开始停水，没有通知。",
    "phone": "13911223344",
}


@pytest.fixture
def issued():
    from django.db import transaction

    with transaction.atomic():
        key_issue(client_id="demo-open311", actor="system:tests", key=KEY)


def _counts():
    return (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        AuditRecord.objects.filter(action__startswith="hotline.").count(),
        IdempotentRequest.objects.count(),
    )


def _post_ticket(api, key, body):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(OPERATOR)}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return api.client.post(
        "/api/v1/hotline/tickets", json.dumps(body), content_type="application/json", **headers
    )


def test_a_retried_ticket_with_the_same_key_is_filed_once(api):
    with at(2026, 11, 23, 9):
        first = _post_ticket(api, "call-7f3a", NOISE)
        again = _post_ticket(api, "call-7f3a", NOISE)
    assert (first.status_code, again.status_code) == (201, 201), first.content
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert again.json()["ticket_no"] == first.json()["ticket_no"]
    assert Ticket.objects.count() == 1


def test_the_same_key_for_another_ticket_is_refused_and_nothing_changes(api):
    with at(2026, 11, 23, 9):
        assert _post_ticket(api, "call-7f3a", NOISE).status_code == 201
        before = _counts()
        other = _post_ticket(api, "call-7f3a", {**NOISE, "content": NOISE["content"] + "！"})
        assert other.status_code == 422
        assert [e["field"] for e in other.json()["errors"]] == ["Idempotency-Key"]
        assert "幂等键已用于另一个请求" in other.json()["errors"][0]["message"]
        assert _counts() == before


def test_a_refused_ticket_is_not_kept_under_its_key(api):
    with at(2026, 11, 23, 9):
        before = _counts()
        bad = _post_ticket(api, "call-1", {**NOISE, "content": ""})
        assert bad.status_code == 422 and _counts() == before
        good = _post_ticket(api, "call-1", NOISE)
        assert good.status_code == 201 and "Idempotent-Replayed" not in good


def test_an_open311_retry_with_the_same_key_is_filed_once(client, issued):
    with at(2026, 11, 23, 9):
        first = client.post("/open311/v2/requests.json", WATER, HTTP_IDEMPOTENCY_KEY="o-1")
        again = client.post("/open311/v2/requests.json", WATER, HTTP_IDEMPOTENCY_KEY="o-1")
        other = client.post(
            "/open311/v2/requests.json",
            {**WATER, "description": "又停水了"},
            HTTP_IDEMPOTENCY_KEY="o-1",
        )
    assert (first.status_code, again.status_code) == (201, 201), first.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert other.status_code == 400
    assert other.json()[0]["description"].startswith("Idempotency-Key：")
    assert Ticket.objects.filter(channel="open311").count() == 1


def test_an_open311_app_posts_media_and_attributes_and_reads_its_status(client, api, issued):
    with at(2026, 11, 23, 9):
        r = client.post(
            "/open311/v2/requests.xml",
            {
                **WATER,
                "media_url": "https://img.example.org/p/7781.jpg",
                "attribute[WATER_SINCE]": "早上7点",
                "attribute[FLOORS]": ["3", "5"],
            },
        )
        assert r.status_code == 201, r.content
        no = ET.fromstring(r.content).find("request/service_request_id").text
        as_json = client.get(f"/open311/v2/requests/{no}.json")
        as_xml = client.get(f"/open311/v2/requests/{no}.xml")
        center = api.call("GET", f"/api/v1/hotline/tickets/{no}", who=OPERATOR).json()
    t = Ticket.objects.get(ticket_no=no)
    assert (float(t.lat), float(t.lng), t.address) == (23.0565, 112.472, WATER["address_string"])
    assert t.attachments == [
        {"url": "https://img.example.org/p/7781.jpg", "name": "图片链接", "kind": "link"}
    ]
    assert center["attachments"] == t.attachments
    assert center["attributes"] == {"WATER_SINCE": "早上7点", "FLOORS": ["3", "5"]}
    body = as_json.json()[0]
    assert (body["service_request_id"], body["status"], body["status_notes"]) == (
        no,
        "open",
        "待派单",
    )
    assert "img.example.org" not in as_json.content.decode()  # never published
    root = ET.fromstring(as_xml.content)
    assert root.tag == "service_requests"
    assert (root.find("request/status").text, root.find("request/service_code").text) == (
        "open",
        "100101",
    )


def test_the_attributes_are_the_centers_only(hotline, client, issued):
    with at(2026, 11, 23, 9):
        r = client.post("/open311/v2/requests.json", {**WATER, "attribute[X]": "1"})
        no = r.json()[0]["service_request_id"]
        hotline.act(OPERATOR, no, "dispatch", department="441200-SWUJ")
        handler = hotline.get("demo-handler-sw", no).json()
    assert handler["attributes"] == {}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"media_url": "ftp://img.example.org/a.jpg"}, "media_url：图片链接应为以 http://"),
        ({"media_url": "javascript:alert(1)"}, "media_url：图片链接应为以 http://"),
        ({"media_url": "https://x.org/" + "a" * 500}, "media_url：图片链接应为"),
        ({"lat": "north", "address_string": ""}, "lat：坐标应为数字"),
        ({"long": "east", "address_string": ""}, "long：坐标应为数字"),
        ({"description": ""}, "description：请填写诉求内容"),
        ({"attribute[NOTE]": "长" * 201}, "attribute[NOTE]：附加信息的每一项不能超过 200 个字"),
    ],
)
def test_bad_open311_input_is_refused_naming_the_field(client, issued, change, words):
    with at(2026, 11, 23, 9):
        before = _counts()
        r = client.post("/open311/v2/requests.json", {**WATER, **change})
        assert r.status_code == 400, r.content
        assert any(e["description"].startswith(words) for e in r.json()), r.json()
        assert _counts() == before


def test_requests_filters_as_the_specification_says(client, issued, hotline):
    with at(2026, 11, 20, 9):
        water = client.post("/open311/v2/requests.json", WATER).json()[0]["service_request_id"]
    with at(2026, 11, 23, 9):
        noise = hotline.noise()
        closed = hotline.noise(content="端州区城东街道天宁北路烧烤档油烟很大，请问归哪个部门管？")
        hotline.act(OPERATOR, closed, "answer_direct", answer="已告知由城管部门处理。")
    with at(2026, 11, 24, 9):

        def ids(**params):
            r = client.get("/open311/v2/requests.json", params)
            assert r.status_code == 200, r.content
            return sorted(x["service_request_id"] for x in r.json())

        assert ids() == sorted([water, noise, closed])
        assert ids(status="open") == sorted([water, noise])
        assert ids(status="closed") == [closed]
        assert ids(status="open,closed") == sorted([water, noise, closed])
        assert ids(service_code="100101") == [water]
        assert ids(service_code="100101,020202") == sorted([water, noise, closed])
        assert ids(start_date="2026-11-21") == sorted([noise, closed])
        assert ids(end_date="2026-11-20") == [water]
        assert ids(
            start_date="2026-11-20T00:00:00+08:00", end_date="2026-11-20T23:59:59+08:00"
        ) == [water]
        # service_request_id: the other parameters are ignored
        assert ids(service_request_id=f"{water},{closed}", status="open") == sorted([water, closed])
        for params, field in (
            ({"start_date": "yesterday"}, "start_date"),
            ({"end_date": "2026-13-01"}, "end_date"),
            ({"start_date": "2026-11-23", "end_date": "2026-11-20"}, "start_date"),
            ({"status": "pending"}, "status"),
        ):
            bad = client.get("/open311/v2/requests.json", params)
            assert bad.status_code == 400
            assert bad.json()[0]["description"].startswith(field)
        xml = client.get("/open311/v2/requests.xml", {"status": "closed"})
        assert [
            e.text for e in ET.fromstring(xml.content).findall("request/service_request_id")
        ] == [closed]
