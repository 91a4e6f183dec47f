"""The demo events go through the loop's services: closed ones were checked by the other
网格员, open ones wait at every step, all of it audited."""

from shuzheng.audit.models import AuditRecord
from shuzheng.governance.demo_events import seed_events
from shuzheng.governance.models import CityEvent, GridMember
from shuzheng.governance.tests.conftest import NOW


def test_demo_events(db, frozen):
    assert seed_events(now=NOW, count=14) == 14
    assert seed_events(now=NOW, count=14) == 0  # idempotent
    assert set(GridMember.objects.values_list("username", flat=True)) == {"demo-grid", "demo-grid2"}
    statuses = set(CityEvent.objects.values_list("status", flat=True))
    assert {"closed", "rejected"} <= statuses and statuses & {"reported", "filed", "dispatched"}
    closed = CityEvent.objects.filter(status="closed")
    assert all(e.checker == "user:demo-grid2" and e.reporter == "user:demo-grid" for e in closed)
    assert CityEvent.objects.filter(rework_count__gt=0).exists()
    assert AuditRecord.objects.filter(object_type="governance.event").count() >= 14 * 2
