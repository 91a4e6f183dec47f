"""Per-village statistics (分村统计): registered with 秒享 grants for 填表报数, published by the
source systems, read only under a valid grant (every call logged and audited), and corrected
through 数据纠错."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from shuzheng.audit import facade as audit
from shuzheng.core.errors import ValidationFailed
from shuzheng.exchange import facade
from shuzheng.exchange.models import DataCall, QualityIssue, RegionFigure, ShareGrant

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))
CLIENT = "shuzheng-reporting"
ELDER = "201001/000102"  # 分村（社区）高龄老人统计
VILLAGE = "441202001001"


@pytest.fixture
def published():
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, tzinfo=TZ), tick=False):
        made = facade.region_catalog_seed()
        facade.region_figures_publish(
            actor="system:mzj-gaoling",
            resource_code=ELDER,
            period="2026-11",
            rows={VILLAGE: {"village.over80": 95, "village.over100": 1}},
        )
        yield made


def _read(keys=("village.over80", "village.over100", "village.population"), region=VILLAGE):
    return facade.region_figures(
        client_id=CLIENT,
        purpose="statistics",
        keys=list(keys),
        region=region,
        period="2026-11",
        actor="user:demo-village",
    )


def test_registered_once_with_instant_grants(published):
    assert published == {"resources": 5, "grants": 5}
    assert facade.region_catalog_seed() == {"resources": 0, "grants": 0}  # idempotent
    grants = ShareGrant.objects.filter(consumer_client=CLIENT)
    assert grants.count() == 5 and all(g.request.instant for g in grants)
    items = facade.region_items()
    assert items["village.over80"].registry == "高龄"
    assert items["village.over80"].department == "441200-MZJ"
    assert items["village.population"].resource_name == "分村（社区）人口统计"


def test_read_under_grant_logged_and_audited(published):
    with time_machine.travel(dt.datetime(2026, 12, 4, 9, tzinfo=TZ), tick=False):
        answer = _read()
    assert answer.values == {"village.over80": 95, "village.over100": 1}  # nothing published
    assert set(answer.sources) == {"village.over80", "village.over100", "village.population"}
    assert answer.refused == {}
    calls = DataCall.objects.filter(consumer=CLIENT).order_by("resource_code")
    assert [
        (c.resource_code, c.subject_kind, c.subject_id, c.outcome, c.status) for c in calls
    ] == [
        ("101001/000101", "region", VILLAGE, "ok", 404),
        (ELDER, "region", VILLAGE, "ok", 200),
    ]
    (entry,) = audit.entries_for("exchange.call", str(min(c.pk for c in calls)))
    assert (entry.action, entry.actor) == ("exchange.region_read", f"client:{CLIENT}")
    assert entry.after["on_behalf_of"] == "user:demo-village"
    assert entry.after["period"] == "2026-11"


def test_revoked_grant_refuses_those_items_and_is_recorded(published):
    ShareGrant.objects.filter(consumer_client=CLIENT, resource__code=ELDER).update(
        revoked_at=dt.datetime(2026, 12, 3, 11, tzinfo=TZ)
    )
    with time_machine.travel(dt.datetime(2026, 12, 4, 9, tzinfo=TZ), tick=False):
        answer = _read()
    assert answer.values == {}
    assert set(answer.refused) == {"village.over80", "village.over100"}
    assert "已被数据提供部门撤销" in answer.refused["village.over80"]
    refused = DataCall.objects.get(consumer=CLIENT, resource_code=ELDER)
    assert (refused.outcome, refused.status) == ("refused", 403)
    (entry,) = audit.entries_for(
        "exchange.call", str(min(DataCall.objects.values_list("pk", flat=True)))
    )
    assert entry.action == "exchange.region_refused"


def test_bad_input_names_the_field_and_changes_nothing(published):
    calls = DataCall.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        _read(keys=["village.nothing"])
    assert exc.value.errors[0].field == "keys" and "village.nothing" in exc.value.errors[0].message
    with pytest.raises(ValidationFailed) as exc:
        _read(region="44120")
    assert exc.value.errors[0].field == "region"
    assert DataCall.objects.count() == calls
    with pytest.raises(ValidationFailed) as exc:
        facade.region_figures_publish(
            actor="system:x", resource_code=ELDER, period="2026-12",
            rows={VILLAGE: {"village.population": 1}},
        )  # fmt: skip
    assert exc.value.errors[0].field == f"rows.{VILLAGE}.village.population"
    assert not RegionFigure.objects.filter(period="2026-12").exists()


def test_correction_is_a_quality_issue_for_the_source_department(published):
    with time_machine.travel(dt.datetime(2026, 12, 4, 9, tzinfo=TZ), tick=False):  # a Friday
        kwargs = {
            "client_id": CLIENT,
            "actor": "user:demo-village",
            "key": "village.over80",
            "region": VILLAGE,
            "period": "2026-11",
            "current": 95,
            "proposed": 96,
            "reason": "天宁社区核实多一位高龄老人",
        }
        first = facade.region_correction(**kwargs)
        assert facade.region_correction(**kwargs) == first  # not filed twice
    issue = QualityIssue.objects.get(pk=first)
    assert (issue.department, issue.subject_kind, issue.subject_id) == (
        "441200-MZJ",
        "region",
        VILLAGE,
    )
    assert (issue.current_value, issue.proposed_value) == (95, "96")
    assert issue.reason.startswith("2026-11期")
    assert issue.due_date == dt.date(2026, 12, 11)  # 5 工作日
    assert issue.get_subject_kind_display() == "行政区划（分村统计）"
    (entry,) = audit.entries_for("exchange.issue", str(first))
    assert entry.after["via"] == f"client:{CLIENT}"


def test_source_officer_corrects_the_figure_and_the_next_read_has_it(published):
    from shuzheng.exchange import services
    from shuzheng.identity.contracts import Principal

    officer = Principal(
        kind="staff", username="demo-dataofficer", staff_roles=(("data_officer", "441200-MZJ"),)
    )
    with time_machine.travel(dt.datetime(2026, 12, 4, 9, tzinfo=TZ), tick=False):
        pk = facade.region_correction(
            client_id=CLIENT, actor="user:demo-village", key="village.over80", region=VILLAGE,
            period="2026-11", current=95, proposed=96, reason="核实多一位",
        )  # fmt: skip
        with pytest.raises(ValidationFailed) as exc:
            services.correction_resolve(
                principal=officer, issue_id=pk, decision="correct", note="已核实", value="九十六"
            )
        assert exc.value.errors[0].field == "value"
        issue = services.correction_resolve(
            principal=officer, issue_id=pk, decision="correct", note="已在救助系统更正"
        )
        assert issue.status == "corrected"
        assert _read().values["village.over80"] == 96
    figure = RegionFigure.objects.get(resource__code=ELDER, region=VILLAGE, period="2026-11")
    assert figure.data == {"village.over80": 96, "village.over100": 1}
    (entry,) = [
        e for e in audit.entries_for("exchange.issue", str(pk)) if e.action.endswith("resolved")
    ]
    assert (entry.actor, entry.before["village.over80"], entry.after["village.over80"]) == (
        "user:demo-dataofficer",
        95,
        96,
    )


def test_http_api_answers_a_government_system_under_its_grants_only(published, api):
    from shuzheng.exchange import services
    from shuzheng.identity.contracts import Principal

    url = f"/api/v1/exchange/regions/{VILLAGE}/figures?period=2026-11&items=village.over80"
    with time_machine.travel(dt.datetime(2026, 12, 4, 9, tzinfo=TZ), tick=False):
        r = api.call("GET", url, who="client:demo-mz-system")
        assert r.status_code == 200, r.content
        assert r.json()["values"] == {} and "village.over80" in r.json()["refused"]
        assert api.call("GET", url, who="client:demo-bank").status_code == 403
        assert api.call("GET", url, who="demo-dataofficer").status_code == 403
        bad = api.call("GET", url + "&purpose=fun", who="client:demo-mz-system")
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "purpose"
        system = Principal(
            kind="client",
            client_id="demo-mz-system",
            client_kind="government",
            client_department="441200-MZJ",
        )
        services.request_submit(
            principal=system, resource_code=ELDER, fields=["village.over80"],
            purpose="statistics", scenario="高龄津贴统计分析", legal_basis="《广东省高龄津贴制度》",
            days=30,
        )  # fmt: skip
        r = api.call("GET", url, who="client:demo-mz-system")
    body = r.json()
    assert (body["values"], body["refused"]) == ({"village.over80": 95}, {})
    assert body["sources"][0]["department_name"] == "肇庆市民政局"
    assert DataCall.objects.filter(consumer="demo-mz-system", outcome="ok").count() == 1
