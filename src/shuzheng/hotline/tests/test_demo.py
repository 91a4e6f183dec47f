"""The demo tickets: run through the real services, idempotent, the planted 停水 burst is the
弱信号 the detector finds, and the Open311 demo key works."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.hotline import facade
from shuzheng.hotline.demo import OPEN311_KEY, seed_hotline
from shuzheng.hotline.models import Ticket
from shuzheng.hotline.services.open311 import principal_for_key
from shuzheng.hotline.tests.conftest import at

pytestmark = pytest.mark.django_db


def test_seed_hotline(hotline):
    with at(2026, 11, 23, 15):
        counts = seed_hotline(months=1, per_day=(1, 2))
        again = seed_hotline(months=1, per_day=(1, 2))
        found = facade.signals(None)
        panel = hotline.api.call("GET", "/api/v1/hotline/signals", who="demo-hotline-lead")
        refused = hotline.api.call("GET", "/api/v1/hotline/signals", who="demo-handler-sw")
    assert counts["created"] >= 40 and again["created"] == 0
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert {"closed", "registered"} <= statuses and len(statuses) >= 3
    assert Ticket.objects.filter(closed_how="direct").exists()
    assert AuditRecord.objects.filter(action="hotline.answer").exists()
    assert Ticket.objects.filter(reporter_id_number__startswith="441202", channel="web").exists()
    top = found[0]
    assert (top["category"]["name"], top["place"]["name"]) == ("停水与水质", "黄岗街道")
    assert top["count"] >= 4 and len(top["samples"]) == 5
    assert all(
        "星湖名郡" in Ticket.objects.get(ticket_no=s["ticket_no"]).content for s in top["samples"]
    )
    assert principal_for_key(OPEN311_KEY).client_id == "demo-open311"
    assert panel.status_code == 200 and panel.json()[0]["place"]["code"] == "441202005"
    assert refused.status_code == 403
