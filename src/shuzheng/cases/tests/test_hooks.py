"""cases.hooks: a module above cases hears every action in its transaction (and can veto it)
and may hold back 办结 with a reason the refused ``close`` gives."""

from __future__ import annotations

import pytest

from shuzheng.cases import hooks
from shuzheng.cases.models import Case, CaseEvent
from shuzheng.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def test_a_listener_hears_each_action_with_the_case(catalog, cases, monkeypatch):
    heard = []
    monkeypatch.setattr(
        hooks, "_LISTENERS", [lambda ref, action, actor: heard.append((ref, action, actor))]
    )
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    assert cases.act("demo-clerk", no, "accept").status_code == 200
    ((ref, action, actor),) = heard
    assert (ref.case_no, ref.status, action, actor) == (
        no,
        "in_progress",
        "accept",
        "user:demo-clerk",
    )
    assert ref.extra["applicant_name"] == Case.objects.get(case_no=no).applicant_name


def test_a_listener_that_refuses_rolls_the_action_back(catalog, cases, monkeypatch):
    def veto(ref, action, actor):
        raise ValidationFailed.one("action", "演示：不允许受理。")

    monkeypatch.setattr(hooks, "_LISTENERS", [veto])
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    events = CaseEvent.objects.filter(case__case_no=no).count()
    r = cases.act("demo-clerk", no, "accept")
    assert r.status_code == 422 and r.json()["message"] == "演示：不允许受理。"
    assert Case.objects.get(case_no=no).status == "submitted"
    assert CaseEvent.objects.filter(case__case_no=no).count() == events


def test_a_gate_holds_back_close_and_says_why(catalog, cases, api, monkeypatch):
    monkeypatch.setattr(hooks, "_GATES", [lambda ref: "尚有费用未缴纳。"])
    no = cases.apply("demo-citizen", catalog["licence"]).json()["case_no"]
    assert cases.act("demo-clerk", no, "accept").status_code == 200
    assert cases.act("demo-reviewer", no, "approve").status_code == 200
    detail = api.call("GET", f"/api/v1/cases/{no}", who="demo-reviewer").json()
    assert "close" not in detail["allowed_actions"]
    r = cases.act("demo-reviewer", no, "close", delivery="electronic")
    assert r.status_code == 409 and r.json()["message"] == "尚有费用未缴纳。"
    assert Case.objects.get(case_no=no).status == "approved"
    monkeypatch.setattr(hooks, "_GATES", [lambda ref: None])
    assert cases.act("demo-reviewer", no, "close", delivery="electronic").status_code == 200


def test_withdrawing_a_bundle_tells_the_listener_of_each_sub_case(catalog, cases, monkeypatch):
    """A 一件事's sub-cases are withdrawn with it: each is an action a module above must hear
    (payments closes or refunds the fee order of a sub-case — 二手房交易一件事's 转移登记
    charges one), else a paid fee is never refunded."""
    heard = []
    monkeypatch.setattr(
        hooks, "_LISTENERS", [lambda ref, action, actor: heard.append((ref.case_no, action))]
    )
    parent = cases.apply_bundle("demo-citizen", catalog["bundle"]).json()
    first, second = (c["case_no"] for c in parent["children"])
    assert cases.act("demo-clerk", first, "accept").status_code == 200
    heard.clear()
    assert cases.act("demo-citizen", parent["case_no"], "withdraw").status_code == 200
    assert sorted(heard) == sorted(
        [(parent["case_no"], "withdraw"), (first, "withdraw"), (second, "withdraw")]
    )
