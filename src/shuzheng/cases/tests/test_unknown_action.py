"""An action the transition table does not have is a 422 naming ``action`` that lists, in
Chinese words, what the caller may do now (issue 16 item 8); nothing changes."""

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["approve_everything", "", "ACCEPT", "accept "])
def test_unknown_action_is_422_naming_action(catalog, cases, action):
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    cases.api.token("demo-clerk")  # issuing a token is audited: before counting
    before = (CaseEvent.objects.count(), AuditRecord.objects.count())
    r = cases.act("demo-clerk", no, action)
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["code"] == "validation_error"
    [error] = body["errors"]
    assert error["field"] == "action"
    assert error["message"] == body["message"]
    assert f"没有“{action}”这项操作。" in body["message"]
    # the window clerk's actions on a submitted case, by their Chinese names (and codes)
    assert "当前可执行的操作：受理（accept）、不予受理（refuse）" in body["message"]
    assert body["allowed_actions"][:2] == ["accept", "refuse"]
    assert Case.objects.get(case_no=no).status == "submitted"
    assert (CaseEvent.objects.count(), AuditRecord.objects.count()) == before


def test_unknown_action_when_nothing_is_allowed(catalog, cases):
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    assert cases.act("demo-citizen", no, "withdraw").status_code == 200
    r = cases.act("demo-citizen", no, "undo")
    assert r.status_code == 422
    assert r.json()["message"] == "没有“undo”这项操作。当前没有可执行的操作。"
    assert r.json()["allowed_actions"] == []


def test_known_action_not_allowed_now_stays_409(catalog, cases):
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    r = cases.act("demo-citizen", no, "approve")
    assert r.status_code == 409 and r.json()["code"] == "conflict"


def test_unknown_case_stays_404_whatever_the_action(cases):
    r = cases.act("demo-clerk", "BJ441202202601010000099", "no_such_action")
    assert r.status_code == 404
