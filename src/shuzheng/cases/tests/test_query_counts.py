"""The statements of a case's lifecycle over the API, pinned: a change that adds a query to
every submission or action fails here, not months later in a benchmark
(bench/case_lifecycle measures the time). Counts include the bearer-token check, the audit
append and the notification with its text message (inline in tests)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shuzheng.core import calendar

pytestmark = pytest.mark.django_db

# statements per request: submission (one item, three uploaded materials), then each action,
# with the audit record chained and the text sent in the action's transaction (inline)
INLINE = {
    "submit": 22,  # one person, one benefit: the applicant's live entitlement of the item
    "accept": 18,  # payments: the fee of the item (the catalog's cache versions)
    # one person, one benefit: a benefit the applicant received meanwhile; payments: the
    # answer's allowed actions ask whether an unpaid fee holds back 办结
    "approve": 18,
    # the result licence: the item, its licence type, the new entity's code …; payments: an
    # unpaid fee
    "close": 31,
}
# deferred (PostgreSQL's production default): the audit head's read and update and the phone
# look-up and outbox insert leave the action for ``shuzheng serve``'s batches
DEFERRED = {action: n - 4 for action, n in INLINE.items()}


@pytest.mark.parametrize("mode", ["inline", "deferred"])
def test_the_lifecycle_of_a_case_runs_a_fixed_number_of_statements(
    catalog, cases, api, settings, mode
):
    settings.AUDIT_CHAIN = settings.NOTIFY_SMS = mode
    prep = api.call(
        "GET", f"/api/v1/cases/prepare?item_code={catalog['licence']}", who="demo-citizen"
    ).json()
    form = {**prep["prefill"], "enterprise_name": "肇庆市星湖味道餐饮有限公司"}
    form = {k: v for k, v in form.items() if k in prep["form_schema"]["properties"]}
    mats = [
        {"material_code": m["material_code"], "file_id": cases.upload("demo-citizen")}
        for m in prep["materials"]
        if m["required"]
    ]
    for who in ("demo-clerk", "demo-reviewer"):
        api.token(who)
    # the working-day calendar is a per-process memo: warm it for the deadlines counted below,
    # so the counts do not depend on which test ran before (one that bumped the calendar in a
    # rolled-back transaction leaves the memo to reload its years: two statements each)
    calendar.add_working_days(timezone.localdate(), 60)
    counts = {}
    with CaptureQueriesContext(connection) as q:
        r = api.call(
            "POST",
            "/api/v1/cases",
            who="demo-citizen",
            json_body={"item_code": catalog["licence"], "form": form, "materials": mats},
        )
    assert r.status_code == 201, r.content
    counts["submit"] = len(q.captured_queries)
    no = r.json()["case_no"]
    for who, action, body in [
        ("demo-clerk", "accept", {}),
        ("demo-reviewer", "approve", {}),
        ("demo-reviewer", "close", {"delivery": "electronic"}),
    ]:
        with CaptureQueriesContext(connection) as q:
            r = cases.act(who, no, action, **body)
        assert r.status_code == 200, r.content
        counts[action] = len(q.captured_queries)
    assert counts == (INLINE if mode == "inline" else DEFERRED)
