"""代办授权 (帮办代办, issue 17): a relative asks, the principal consents by the code texted to
them or in their own session, revokes; a window clerk records a 帮办员's paper mandate. Every
change audited; bad input names its field in Chinese and changes nothing; another citizen
finds nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.core.errors import Forbidden, NotFound, RateLimited, ValidationFailed
from shuzheng.core.models import OutboxMessage
from shuzheng.identity import facade, mandates, selectors
from shuzheng.identity.models import Mandate, Person, User

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


def me(username: str):
    return selectors.principal_for_user(User.objects.get(username=username))


def person(username: str) -> Person:
    return Person.objects.get(user__username=username)


def ask(agent: str = "demo-citizen", principal: str = "demo-elder", **over):
    p = person(principal)
    args = {
        "principal_name": p.name,
        "principal_id_number": p.id_number,
        "relation": "child",
        "scope": "all",
        "item_codes": [],
        "valid_until": dt.date(2027, 11, 22),
        **over,
    }
    return mandates.mandate_request(principal=me(agent), **args)


def texted_code(phone: str) -> str:
    body = OutboxMessage.objects.filter(recipient=phone).order_by("-id").first().body
    return re.search(r"验证码 (\d{6})", body).group(1)


def test_a_relative_asks_and_the_principal_consents_by_the_texted_code():
    with time_machine.travel(DAY, tick=False):
        m = ask()
        assert m.status == "pending" and m.basis == "relative"
        assert facade.mandates_usable(me("demo-citizen")) == []
        sms = OutboxMessage.objects.filter(recipient="13800000002").order_by("-id").first()
        assert "李明申请代您办理全部政务服务事项" in sms.body
        with pytest.raises(ValidationFailed) as wrong:
            mandates.mandate_confirm_code(
                principal=me("demo-citizen"), mandate_id=m.pk, code="000000"
            )
        assert wrong.value.errors[0].field == "code"
        assert Mandate.objects.get(pk=m.pk).status == "pending"
        mandates.mandate_confirm_code(
            principal=me("demo-citizen"), mandate_id=m.pk, code=texted_code("13800000002")
        )
    m.refresh_from_db()
    assert (m.status, m.confirmed_via) == ("active", "sms")
    with time_machine.travel(DAY + dt.timedelta(days=1), tick=False):
        usable = facade.mandates_usable(me("demo-citizen"))
        assert [u.principal_name for u in usable] == ["陈桂英"]
        assert facade.mandate_check(me("demo-citizen"), person("demo-elder").id_number, ["X1"])
    actions = list(
        AuditRecord.objects.filter(object_type="identity.mandate", object_id=str(m.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "identity.mandate_requested",
        "identity.mandate_code_sent",
        "identity.mandate_code_failed",
        "identity.mandate_confirmed",
    ]


def test_the_principal_consents_or_declines_in_their_own_session():
    with time_machine.travel(DAY, tick=False):
        m = ask()
        # another citizen (not the principal) cannot answer it
        with pytest.raises(NotFound):
            mandates.mandate_answer(principal=me("demo-agent"), mandate_id=m.pk, accept=True)
        mandates.mandate_answer(principal=me("demo-elder"), mandate_id=m.pk, accept=True)
        assert Mandate.objects.get(pk=m.pk).confirmed_via == "session"
        other = ask(agent="demo-agent", relation="other")
        mandates.mandate_answer(principal=me("demo-elder"), mandate_id=other.pk, accept=False)
        assert Mandate.objects.get(pk=other.pk).status == "declined"
        assert facade.mandates_usable(me("demo-agent")) == []


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        (
            {"principal_name": "张三"},
            "principal_id_number",
            "未找到该实名人员，或姓名与公民身份号码不一致。",
        ),
        ({"principal_id_number": "123"}, "principal_id_number", ""),
        ({"relation": "friend"}, "relation", "请选择您与委托人的关系。"),
        ({"scope": "listed", "item_codes": []}, "item_codes", "指定事项时请至少填写一个事项编码。"),
        ({"valid_until": dt.date(2026, 11, 1)}, "valid_until", "授权截止日期不能早于今天。"),
        ({"valid_until": dt.date(2031, 1, 1)}, "valid_until", "授权期限最长三年，请缩短截止日期。"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(over, field, message):
    before = (Mandate.objects.count(), OutboxMessage.objects.count())
    with time_machine.travel(DAY, tick=False), pytest.raises(ValidationFailed) as exc:
        ask(**over)
    errors = {e.field: e.message for e in exc.value.errors}
    assert field in errors
    if message:
        assert errors[field] == message
    assert (Mandate.objects.count(), OutboxMessage.objects.count()) == before


def test_no_mandate_for_oneself_and_staff_may_not_ask():
    with time_machine.travel(DAY, tick=False):
        with pytest.raises(ValidationFailed) as exc:
            ask(agent="demo-elder")
        assert exc.value.errors[0].message == "不能为自己办理代办授权。"
        with pytest.raises(Forbidden):
            ask(agent="demo-clerk")


def test_resending_the_code_waits_for_the_cooldown_said_in_words(settings):
    settings.SMS_COOLDOWN_SECONDS = 60
    with time_machine.travel(DAY, tick=False):
        m = ask()
    with time_machine.travel(DAY + dt.timedelta(seconds=20), tick=False):
        with pytest.raises(RateLimited) as wait:
            mandates.mandate_send_code(principal=me("demo-citizen"), mandate_id=m.pk)
        assert wait.value.message == "验证码已发送，请 40 秒后再重新获取。"
    with time_machine.travel(DAY + dt.timedelta(seconds=61), tick=False):
        mandates.mandate_send_code(principal=me("demo-citizen"), mandate_id=m.pk)
    assert OutboxMessage.objects.filter(recipient="13800000002").count() >= 2


def test_the_principal_revokes_and_the_agent_can_no_longer_use_it():
    daughter = me("demo-daughter")
    (m,) = facade.mandates_usable(daughter)
    with pytest.raises(NotFound):  # another citizen finds nothing to revoke
        mandates.mandate_revoke(principal=me("demo-citizen"), mandate_id=m.id)
    mandates.mandate_revoke(principal=me("demo-elder"), mandate_id=m.id)
    assert facade.mandates_usable(daughter) == []
    assert facade.mandate_ids_usable(daughter) == []
    with pytest.raises(Forbidden):
        facade.mandate_check(daughter, person("demo-elder").id_number, ["X"])
    record = AuditRecord.objects.get(action="identity.mandate_revoked", object_id=str(m.id))
    assert record.actor == "user:demo-elder"
    assert (record.before["status"], record.after["status"]) == ("active", "revoked")


def test_an_expired_mandate_is_not_usable():
    daughter = me("demo-daughter")
    with time_machine.travel(dt.datetime(2030, 1, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        assert facade.mandates_usable(daughter) == []
        given, _held = facade.mandates_of(me("demo-elder"))
        assert [g.status_name for g in given] == ["已过期"]


def test_a_window_clerk_records_a_helpers_paper_mandate():
    args = {
        "principal_id_number": person("demo-elder").id_number,
        "agent_id_number": person("demo-agent").id_number,
        "scope": "listed",
        "item_codes": ["44120030500001000000B"],
        "valid_until": dt.date(2027, 6, 30),
        "paper_ref": "端州帮办〔2026〕12号",
        "paper_seen": True,
    }
    with time_machine.travel(DAY, tick=False):
        with pytest.raises(Forbidden):
            mandates.mandate_record_paper(principal=me("demo-reviewer"), **args)
        with pytest.raises(ValidationFailed) as exc:
            mandates.mandate_record_paper(
                principal=me("demo-clerk"), **{**args, "paper_seen": False}
            )
        assert [e.field for e in exc.value.errors] == ["paper_seen"]
        assert not Mandate.objects.filter(basis="helper").exists()
        m = mandates.mandate_record_paper(principal=me("demo-clerk"), **args)
        (usable,) = facade.mandates_usable(me("demo-agent"))
    assert (m.status, m.confirmed_via, usable.basis_name) == (
        "active",
        "paper",
        "帮办员（书面委托）",
    )
    assert usable.covers("44120030500001000000B") and not usable.covers("OTHER")
    assert AuditRecord.objects.filter(
        action="identity.mandate_recorded", actor="user:demo-clerk"
    ).exists()


# --- pages -----------------------------------------------------------------------------------


def _client(username: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def test_the_pages_of_my_mandates():
    m = Mandate.objects.get(agent__user__username="demo-daughter")
    page = _client("demo-elder").get("/accounts/mandates/").content.decode()
    assert "林晓红 可为我代办" in page and f"/accounts/mandates/{m.pk}/revoke/" in page
    page = _client("demo-daughter").get("/accounts/mandates/").content.decode()
    assert "为 陈桂英 代办" in page
    # another citizen: not found, nothing changed
    assert _client("demo-citizen").post(f"/accounts/mandates/{m.pk}/revoke/").status_code == 404
    assert _client("demo-citizen").get(f"/accounts/mandates/{m.pk}/confirm/").status_code == 404
    assert Mandate.objects.get(pk=m.pk).status == "active"
    # staff: the page is for persons
    assert _client("demo-clerk").get("/accounts/mandates/").status_code == 403
    r = _client("demo-elder").post(f"/accounts/mandates/{m.pk}/revoke/")
    assert r.status_code == 302
    assert Mandate.objects.get(pk=m.pk).status == "revoked"


def test_the_request_page_names_each_bad_field_in_chinese():
    before = Mandate.objects.count()
    with time_machine.travel(DAY, tick=False):
        r = _client("demo-citizen").post(
            "/accounts/mandates/new/",
            {
                "principal_name": "陈桂英",
                "principal_id_number": "44010219440308004X",
                "relation": "child",
                "scope": "all",
                "valid_until": "2099-01-01",
            },
        )
    assert r.status_code == 422
    page = r.content.decode()
    assert "授权期限最长三年，请缩短截止日期。" in page
    assert Mandate.objects.count() == before


def test_asking_is_throttled_so_the_form_is_no_registry_oracle(settings):
    """Each request looks a (name, 公民身份号码) pair up and says whether it is registered: an
    account may ask ``REGISTER_MAX_PER_HOUR`` times an hour, then 429 with nothing looked up."""
    settings.REGISTER_MAX_PER_HOUR = 3
    before = Mandate.objects.count()
    with time_machine.travel(DAY, tick=False):
        for number in ("110101199003077777", "11010119900307001X", "110101199003070011"):
            with pytest.raises(ValidationFailed):
                ask(principal_name="王某", principal_id_number=number)
        with pytest.raises(RateLimited) as exc:
            ask()  # even a real pair: nothing is looked up or filed
        assert exc.value.status == 429 and "请 60 分钟后再试" in exc.value.message
        assert Mandate.objects.count() == before
        client = Client()
        client.force_login(User.objects.get(username="demo-citizen"))
        elder = person("demo-elder")
        r = client.post(
            "/accounts/mandates/new/",
            {
                "principal_name": elder.name,
                "principal_id_number": elder.id_number,
                "relation": "child",
                "scope": "all",
                "valid_until": "2027-11-22",
            },
        )
        assert r.status_code == 429 and "请 60 分钟后再试" in r.content.decode()
        assert Mandate.objects.count() == before
    with time_machine.travel(DAY + dt.timedelta(hours=1, seconds=1), tick=False):
        assert ask().status == Mandate.Status.PENDING  # another hour: asks again


def test_the_principal_is_texted_when_a_paper_mandate_is_recorded_in_their_name():
    """A paper mandate is active at once on a clerk's word: the person it names hears of it at
    their registered phone, so one recorded without them (a forged paper, a clerk's mistake)
    is noticed and revoked in 我的授权."""
    elder = person("demo-elder")
    with time_machine.travel(DAY, tick=False):
        mandates.mandate_record_paper(
            principal=me("demo-clerk"),
            principal_id_number=elder.id_number,
            agent_id_number=person("demo-agent").id_number,
            scope="all",
            item_codes=[],
            valid_until=dt.date(2027, 6, 30),
            paper_ref="端州帮办〔2026〕13号",
            paper_seen=True,
        )
    body = OutboxMessage.objects.filter(recipient=elder.phone).order_by("-id").first().body
    assert person("demo-agent").name in body and "端州帮办〔2026〕13号" in body
    assert "我的授权" in body and elder.id_number not in body
