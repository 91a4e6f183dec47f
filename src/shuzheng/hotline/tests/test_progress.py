"""诉求进度 without logging in: by ticket number and the phone given; one 404 for an unknown
number and a wrong phone; 422 naming the field; 429 past the hourly lookups; audited masked."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.hotline.tests.conftest import CG, CG_CODE, OPERATOR, at

pytestmark = pytest.mark.django_db
URL = "/api/v1/hotline/progress"


def test_progress_by_number_and_phone(hotline, client):
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        hotline.act(OPERATOR, no, "dispatch", department=CG_CODE)
        hotline.act(CG, no, "sign")
        r = client.get(URL, {"ticket_no": no, "phone": "138 0000 0001"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["status"], body["status_name"]) == ("handling", "办理中")
    assert body["summary"] == "承办单位正在办理。"
    assert [s["text"] for s in body["steps"]] == [
        "受理诉求，登记工单",
        "派单至承办单位",
        "承办单位签收",
    ]
    text = r.content.decode()
    assert "李明" not in text and "天宁北路" not in text and "13800000001" not in text
    rec = AuditRecord.objects.get(action="hotline.progress_read", object_id=no)
    assert rec.after["phone"] == "138****0001"
    assert r["Cache-Control"] == "no-store"


def test_unknown_and_wrong_phone_answer_alike(hotline, client):
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        wrong = client.get(URL, {"ticket_no": no, "phone": "13900000000"})
        unknown = client.get(URL, {"ticket_no": "12345-20261123-009999", "phone": "13800000001"})
        bad = client.get(URL, {"ticket_no": "abc", "phone": "1"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"ticket_no", "phone"}


def test_lookups_are_throttled_per_address(hotline, client, settings):
    settings.PROGRESS_MAX_PER_HOUR = 2
    with at(2026, 11, 23, 9):
        no = hotline.noise()
        codes = [
            client.get(URL, {"ticket_no": no, "phone": "13800000001"}).status_code for _ in range(3)
        ]
        last = client.get(URL, {"ticket_no": no, "phone": "13800000001"})
    assert codes == [200, 200, 429]
    assert last.status_code == 429 and int(last["Retry-After"]) > 0
