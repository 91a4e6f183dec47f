"""帮办代办 (issue 17): a person applies for someone who authorised them (identity's 代办授权).

The demo daughter (demo-daughter, 林晓红, 54) holds an active mandate of her mother demo-elder
(陈桂英, 82) for all items. The case is the mother's: the rules decide on the mother's facts,
both see it, the timeline says who filed it; without a valid mandate nothing is filed, and a
revoked mandate hides the case from the agent (not from the applicant)."""

from __future__ import annotations

import pytest
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.models import Case
from shuzheng.catalog.demo import seed_catalog
from shuzheng.identity.models import Mandate, Person

pytestmark = pytest.mark.django_db
GAOLING = "44120030500001000000B"  # 高龄津贴申领 (秒批: 年满80周岁)
PASSWORD = "Demo@12345"


@pytest.fixture
def real_catalog():
    from shuzheng.rules.services import rule_sets_seed

    seed_catalog()
    rule_sets_seed()


def _id(username: str) -> str:
    return Person.objects.get(user__username=username).id_number


def _mandate() -> Mandate:
    return Mandate.objects.get(agent__user__username="demo-daughter")


def _apply_for_mother(api, cases, who="demo-daughter", represented=None):
    # the form as the mother's own data fills it (her prepare), the files the agent's uploads
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={GAOLING}", who="demo-elder").json()
    form = dict(prep["prefill"])
    form.setdefault("bank_account", "6217002870012345678")
    mats = [
        {"material_code": m["material_code"], "file_id": cases.upload(who)}
        for m in prep["materials"]
        if m["required"]
    ]
    return api.call(
        "POST",
        "/api/v1/cases",
        who=who,
        json_body={
            "item_code": GAOLING,
            "form": form,
            "materials": mats,
            "represented_id_number": represented or _id("demo-elder"),
        },
    )


def test_the_daughter_files_her_mothers_application_and_both_see_it(api, cases, real_catalog):
    r = _apply_for_mother(api, cases)
    assert r.status_code == 201, r.content
    case = Case.objects.get(case_no=r.json()["case_no"])
    # the applicant is the mother; the daughter is recorded as the agent, under her mandate
    assert (case.applicant_kind, case.applicant_id, case.applicant_name) == (
        "person",
        _id("demo-elder"),
        "陈桂英",
    )
    assert (case.agent_id, case.agent_name, case.agent_mandate) == (
        _id("demo-daughter"),
        "林晓红",
        _mandate().pk,
    )
    assert case.submitted_by == "user:demo-daughter"
    # 秒批 ran on the mother's facts (82): approved — the daughter (54) would not qualify
    assert case.decision == "approve", case.rule_decision
    submit = case.events.get(action="submit")
    assert submit.data["agent"] == "林晓红"
    record = AuditRecord.objects.get(action="cases.submit", object_id=case.case_no)
    assert record.actor == "user:demo-daughter"
    assert record.after["agent"] == "林晓红"
    assert record.after["mandate"] == _mandate().pk
    for who in ("demo-elder", "demo-daughter"):
        got = api.call("GET", f"/api/v1/cases/{case.case_no}", who=who)
        assert got.status_code == 200, (who, got.content)
        listed = api.call("GET", "/api/v1/cases", who=who).json()
        assert case.case_no in [c["case_no"] for c in listed["items"]], who
    # another citizen does not find it
    assert api.call("GET", f"/api/v1/cases/{case.case_no}", who="demo-citizen").status_code == 404


def test_the_case_page_says_who_filed_it(api, cases, real_catalog):
    no = _apply_for_mother(api, cases).json()["case_no"]
    for who in ("demo-elder", "demo-daughter"):
        client = Client()
        client.force_login(Person.objects.get(user__username=who).user)
        page = client.get(f"/cases/{no}/").content.decode()
        assert "由 林晓红 代办" in page, who
        assert "由 林晓红 代办" in client.get("/cases/").content.decode(), who


def test_without_a_mandate_nothing_is_filed(api, cases, real_catalog):
    before = Case.objects.count()
    r = _apply_for_mother(api, cases, who="demo-citizen")
    assert r.status_code == 403, r.content
    assert "有效代办授权" in r.json()["message"]
    assert Case.objects.count() == before


def test_a_mandate_for_other_items_does_not_cover_this_one(api, cases, real_catalog):
    Mandate.objects.filter(pk=_mandate().pk).update(scope="listed", item_codes=["441200XYZ"])
    before = Case.objects.count()
    r = _apply_for_mother(api, cases)
    assert r.status_code == 403, r.content
    assert Case.objects.count() == before


def test_a_revoked_mandate_hides_the_case_from_the_agent_only(api, cases, real_catalog):
    no = _apply_for_mother(api, cases).json()["case_no"]
    Mandate.objects.filter(pk=_mandate().pk).update(status="revoked")
    assert api.call("GET", f"/api/v1/cases/{no}", who="demo-daughter").status_code == 404
    listed = api.call("GET", "/api/v1/cases", who="demo-daughter").json()
    assert no not in [c["case_no"] for c in listed["items"]]
    assert api.call("GET", f"/api/v1/cases/{no}", who="demo-elder").status_code == 200
    # and she may no longer apply for her mother
    assert _apply_for_mother(api, cases).status_code == 403


def test_the_apply_page_offers_to_apply_for_the_mother(real_catalog):
    client = Client()
    client.force_login(Person.objects.get(user__username="demo-daughter").user)
    page = client.get(f"/cases/apply/{GAOLING}/").content.decode()
    assert 'data-testid="agent-choice"' in page
    assert "为他人办理：陈桂英" in page
    m = _mandate()
    page = client.get(f"/cases/apply/{GAOLING}/?for={m.pk}").content.decode()
    assert "您正在为 陈桂英 代办" in page
    assert f'name="for" value="{m.pk}"' in page
    assert _id("demo-elder") in page  # the form is prefilled from the mother's record
    # a mandate that is not the caller's: nothing filed, said in Chinese
    before = Case.objects.count()
    r = client.post(f"/cases/apply/{GAOLING}/", {"for": "999999", "bank_account": "1"})
    assert r.status_code == 403
    assert "您没有该申请人对本事项的有效代办授权。" in r.content.decode()
    assert Case.objects.count() == before


def test_a_citizen_without_mandates_sees_no_choice(real_catalog):
    client = Client()
    client.force_login(Person.objects.get(user__username="demo-citizen").user)
    page = client.get(f"/cases/apply/{GAOLING}/").content.decode()
    assert 'data-testid="agent-choice"' not in page


def test_the_agent_saves_a_draft_and_submits_it_later(api, cases, real_catalog):
    prep = api.call("GET", f"/api/v1/cases/prepare?item_code={GAOLING}", who="demo-elder").json()
    body = {
        "item_code": GAOLING,
        "form": dict(prep["prefill"]),
        "materials": [],
        "submit": False,
        "represented_id_number": _id("demo-elder"),
    }
    r = api.call("POST", "/api/v1/cases", who="demo-daughter", json_body=body)
    assert r.status_code == 201, r.content
    no = r.json()["case_no"]
    assert "submit" in r.json()["allowed_actions"]  # the agent acts as the applicant
    form = {**prep["prefill"], "bank_account": "6217002870012345678"}
    mats = [
        {"material_code": m["material_code"], "file_id": cases.upload("demo-daughter")}
        for m in prep["materials"]
        if m["required"]
    ]
    r = cases.act("demo-daughter", no, "submit", form=form, materials=mats)
    assert r.status_code == 200, r.content
    assert Case.objects.get(case_no=no).decision == "approve"
    # a second application for her mother: one person, one benefit, told as the applicant's
    again = _apply_for_mother(api, cases)
    assert again.status_code == 409, again.content
    assert again.json()["message"].startswith("申请人")
