import pytest
from tests.support import DEMO_PASSWORD

from shuzheng.audit.models import AuditRecord
from shuzheng.governance.models import Indicator
from shuzheng.governance.services.indicators import indicator_problems

pytestmark = pytest.mark.django_db

GOOD = {
    "code": "new-one",
    "name": "积水点水深",
    "unit": "cm",
    "department": "441200-SWUJ",
    "function": "social",
    "source": "push",
    "frequency": "realtime",
    "computation": "",
    "formula": "",
    "direction": "above",
    "yellow": "15",
    "red": "30",
    "region": "",
    "precision": "0",
    "description": "",
    "active": "on",
}


def test_indicator_checks():
    assert indicator_problems({**GOOD, "yellow": 15.0, "red": 30.0}) == {}
    assert "red" in indicator_problems({**GOOD, "yellow": 30.0, "red": 15.0})
    assert "red" in indicator_problems({**GOOD, "direction": "below", "yellow": 15.0, "red": 30.0})
    assert indicator_problems({**GOOD, "department": "nowhere"}) == {
        "department": "没有这个部门编码"
    }
    assert "computation" in indicator_problems({**GOOD, "source": "computed"})
    assert "region" in indicator_problems({**GOOD, "region": "440103"})
    assert indicator_problems({**GOOD, "region": "441204"}) == {}


def test_admin_adds_an_indicator_audited_and_refuses_bad_thresholds(client):
    assert client.login(username="demo-admin", password=DEMO_PASSWORD)
    r = client.post("/admin/governance/indicator/add/", {**GOOD, "yellow": "40"})
    assert r.status_code == 200 and "红色阈值应大于黄色阈值" in r.content.decode()
    assert not Indicator.objects.filter(code="new-one").exists()
    r = client.post("/admin/governance/indicator/add/", GOOD)
    assert r.status_code == 302, r.content.decode()[:2000]
    ind = Indicator.objects.get(code="new-one")
    assert AuditRecord.objects.filter(
        action="admin.add", object_type="governance.indicator", object_id=str(ind.pk)
    ).exists()
