import datetime as dt

import pytest
import time_machine

TZ = dt.timezone(dt.timedelta(hours=8))
VILLAGE, TOWN, ISSUER = "demo-village", "demo-town", "demo-head"
TIANNING, CHENGDONG = "441202001001", "441202001"


def at(y, m, d, h=10):
    return time_machine.travel(dt.datetime(y, m, d, h, 0, tzinfo=TZ), tick=False)


class Reports:
    def __init__(self, api):
        self.api = api

    def task_id(self, code, unit=TIANNING, period="2026-11"):
        from shuzheng.reporting.models import ReportTask

        return ReportTask.objects.get(definition__code=code, unit__code=unit, period=period).pk

    def get(self, who, task_id):
        return self.api.call("GET", f"/api/v1/reports/tasks/{task_id}", who=who)

    def submit(self, who, task_id, values, draft=False):
        return self.api.call(
            "POST",
            f"/api/v1/reports/tasks/{task_id}/submit",
            who=who,
            json_body={"values": values, "draft": draft},
        )

    def act(self, who, task_id, action, reason=""):
        return self.api.call(
            "POST",
            f"/api/v1/reports/tasks/{task_id}/actions",
            who=who,
            json_body={"action": action, "reason": reason},
        )

    def fields(self, who, task_id):
        r = self.get(who, task_id)
        assert r.status_code == 200, r.content
        return {f["name"]: f for f in r.json()["fields"]}


@pytest.fixture
def reports(api):
    """The demo reports on Thursday 3 December 2026 (November's reports open until the 10th),
    October of 高龄津贴 and 独居老人探访 filled and approved by every village."""
    from shuzheng.reporting.demo import fill_history, seed_reporting

    with at(2026, 12, 3):
        seed_reporting(history=False)
        fill_history(codes=("GLJT", "DJTF"))
        yield Reports(api)
