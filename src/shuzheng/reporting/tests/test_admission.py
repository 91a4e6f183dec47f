"""准入: a report repeating one in force is flagged and cannot be issued until admitted."""

import pytest

from shuzheng.core.errors import Conflict
from shuzheng.identity.contracts import Principal
from shuzheng.reporting import services
from shuzheng.reporting.demo import REPORTS

from .conftest import ISSUER

pytestmark = pytest.mark.django_db


def test_duplicate_flagged_then_admitted(reports):
    gljt = next(r for r in REPORTS if r["code"] == "GLJT")
    spec = {"fields": [dict(f, name=f"x_{f['name']}") for f in gljt["fields"][:5]]}
    r = reports.api.call(
        "POST",
        "/api/v1/reports/definitions",
        who=ISSUER,
        json_body={
            "code": "GLTJ2",
            "name": "高龄老人情况统计表",
            "owner_department": "441200-MZJ",
            "frequency": "monthly",
            "spec": spec,
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "flagged"
    assert body["overlaps"][0]["code"] == "GLJT" and body["overlaps"][0]["share"] == 1.0
    head = Principal(
        kind="staff", username=ISSUER, staff_roles=(("department_head", "441200-ZSJ"),)
    )
    with pytest.raises(Conflict):
        services.definition_issue(principal=head, code="GLTJ2", period="2026-12")
    page = reports.api.client.get("/reports/register/")
    assert "高龄老人情况统计表" not in page.content.decode()
    services.definition_admit(principal=head, code="GLTJ2", approve=True)
    assert (
        services.definition_issue(principal=head, code="GLTJ2", period="2026-12") == 25
    )  # 20 villages, 4 towns, 1 county


def test_new_report_without_overlap_in_force_and_listed(reports):
    r = reports.api.call(
        "POST",
        "/api/v1/reports/definitions",
        who=ISSUER,
        json_body={
            "code": "TEST1",
            "name": "婚姻登记窗口月报",
            "owner_department": "441200-MZJ",
            "frequency": "monthly",
            "spec": {"fields": [{"name": "a", "title": "结婚登记对数", "type": "integer"}]},
        },
    )
    assert r.json()["status"] == "in_force"
    listed = reports.api.call("GET", "/api/v1/reports/register").json()
    row = next(x for x in listed if x["code"] == "TEST1")
    assert (row["owner"], row["frequency"]) == ("肇庆市民政局", "月报")


def test_other_department_may_not_design_for_mzj(reports):
    r = reports.api.call(
        "POST",
        "/api/v1/reports/definitions",
        who="demo-clerk",
        json_body={
            "code": "X",
            "name": "x",
            "owner_department": "441200-MZJ",
            "frequency": "monthly",
            "spec": {"fields": [{"name": "a", "title": "a"}]},
        },
    )
    assert r.status_code == 403
