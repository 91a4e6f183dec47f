"""Writes that race: every write to a case starts from the case read under its lock (no lost
update), and a 一件事's parent is locked before its sub-cases whichever side acts (no deadlock)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections

from shuzheng.cases.models import Case
from shuzheng.cases.services import actions, results
from shuzheng.cases.tests.test_instant import _apply, real_catalog  # noqa: F401 - fixture
from shuzheng.identity.models import User
from shuzheng.identity.selectors import principal_for_user


def _principal(username: str):  # type: ignore[no-untyped-def]
    return principal_for_user(User.objects.get(username=username))


def _clerk_of(case: Case) -> str:
    """A window clerk of the case's department (demo data)."""
    for user in User.objects.filter(is_active=True).order_by("id"):
        p = principal_for_user(user)
        if p.kind == "staff" and ("window_clerk", case.department_code) in p.staff_roles:
            return user.username
    raise AssertionError(f"no window clerk in {case.department_code}")


@pytest.mark.django_db
def test_an_assign_while_the_rules_decide_is_kept(api, cases, real_catalog, monkeypatch):  # noqa: F811
    """秒批 runs the rules and signs the licence after the submission commits; a clerk's
    ``assign`` that lands meanwhile must survive the decision's save (it was reverted when the
    decision saved the whole case from the copy read before)."""
    real_issue = results.issue_result
    assigned: list[str] = []

    def issue_while_a_clerk_assigns(case, spec, *, actor):  # type: ignore[no-untyped-def]
        clerk = _clerk_of(case)
        actions.case_act(
            principal=_principal(clerk), case_no=case.case_no, action="assign", assignee=clerk
        )
        assigned.append(clerk)
        return real_issue(case, spec, actor=actor)

    monkeypatch.setattr(results, "issue_result", issue_while_a_clerk_assigns)
    r = _apply(api, cases, "demo-elder")
    assert r.status_code == 201, r.content
    case = Case.objects.get(case_no=r.json()["case_no"])
    assert case.status == "closed" and case.decision == "approve"  # the rules' decision
    assert assigned and case.assignee == assigned[0]  # and the clerk's assignment
    assert r.json()["assignee"] == assigned[0]


@pytest.mark.django_db(transaction=True)
def test_a_sub_case_action_and_the_withdrawal_of_its_bundle_do_not_deadlock(
    api, cases, catalog, monkeypatch
):
    """Two connections: a clerk accepts a sub-case while the applicant withdraws the whole
    一件事. The clerk's action is held after taking its locks until the withdrawal is waiting;
    with the sub-case locked before the parent on one side and the parent before the sub-cases
    on the other, PostgreSQL found a deadlock and failed one of them."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: SQLite serialises writers, so the two never interleave")
    from shuzheng.notify import facade as notify

    r = cases.apply_bundle("demo-citizen", catalog["bundle"])
    assert r.status_code == 201, r.content
    parent = r.json()
    child_no = parent["children"][0]["case_no"]
    held = threading.Event()
    real_send = notify.send

    def send_then_hold(**kw):  # type: ignore[no-untyped-def]
        if threading.current_thread().name == "clerk" and not held.is_set():
            held.set()  # the clerk's transaction holds its locks now
            time.sleep(1.5)  # > PostgreSQL's deadlock_timeout (1 s)
        return real_send(**kw)

    monkeypatch.setattr(notify, "send", send_then_hold)
    clerk, citizen = _principal("demo-clerk"), _principal("demo-citizen")
    errors: list[BaseException] = []

    def run(fn):  # type: ignore[no-untyped-def]
        def target() -> None:
            try:
                fn()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        return target

    accept = threading.Thread(
        name="clerk",
        target=run(lambda: actions.case_act(principal=clerk, case_no=child_no, action="accept")),
    )

    def withdraw() -> None:
        assert held.wait(10)
        actions.case_act(principal=citizen, case_no=parent["case_no"], action="withdraw")

    withdrawal = threading.Thread(name="citizen", target=run(withdraw))
    accept.start()
    withdrawal.start()
    accept.join(30)
    withdrawal.join(30)
    assert not errors, errors
    statuses = dict(
        Case.objects.filter(case_no__in=[parent["case_no"], child_no]).values_list(
            "case_no", "status"
        )
    )
    assert statuses == {parent["case_no"]: "withdrawn", child_no: "withdrawn"}


def test_the_case_number_serial_equals_a_read_of_its_row(db):
    """The serial is the one statement of the case path left in SQL (an upsert that returns
    the new value): each call gives the row's value as the ORM reads it, one more each time,
    and a new prefix starts at 1."""
    from shuzheng.cases.models import CaseSequence
    from shuzheng.cases.services import records

    got = [records.next_serial("441200T20261123") for _ in range(3)]
    assert got == [1, 2, 3]
    assert CaseSequence.objects.get(prefix="441200T20261123").last == 3
    assert records.next_serial("441200T20261124") == 1
    assert records.next_case_no("441200", dt.date(2026, 11, 23)).startswith("BJ44120020261123")
