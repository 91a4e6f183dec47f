"""忘记密码 and 重发验证码 (issue 17): a new password by the code texted to the registered phone,
throttled like a login, the same answer for unknown accounts, audited; a new login code within
the SMS cooldown, the wait said in words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.core.models import OutboxMessage
from shuzheng.identity.models import ApiToken, OtpChallenge, User

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
NEW = "Xin#Mima2026"


def _code(phone: str = "13800000001") -> str:
    body = OutboxMessage.objects.filter(recipient=phone).order_by("-id").first().body
    assert "重置密码验证码" in body, body
    return re.search(r"验证码为 (\d{6})", body).group(1)


def _ask(client: Client, username: str) -> object:
    return client.post("/accounts/password/reset/", {"username": username})


def _confirm(client: Client, code: str, password: str = NEW, password2: str = NEW) -> object:
    return client.post(
        "/accounts/password/reset/code/",
        {"code": code, "new_password": password, "new_password2": password2},
    )


def test_a_citizen_resets_the_password_with_the_texted_code():
    client = Client()
    with time_machine.travel(DAY, tick=False):
        r = _ask(client, "demo-citizen")
        assert r.status_code == 302 and r.url == "/accounts/password/reset/code/"
        r = _confirm(client, _code())
        assert r.status_code == 302 and r.url == "/accounts/login/"
    user = User.objects.get(username="demo-citizen")
    assert check_password(NEW, user.password)
    record = AuditRecord.objects.get(action="identity.password_reset")
    assert record.object_id == "demo-citizen"
    assert "password" not in str(record.after)  # no secret in the log
    # the code is used up; a login code cannot stand in for a reset code
    assert not OtpChallenge.objects.filter(user=user, purpose="reset", used_at__isnull=True)


def test_the_id_number_finds_the_account_too():
    user = User.objects.get(username="demo-elder")
    client = Client()
    with time_machine.travel(DAY, tick=False):
        _ask(client, user.person.id_number)
        assert _confirm(client, _code("13800000002")).status_code == 302
    assert check_password(NEW, User.objects.get(pk=user.pk).password)


def test_an_unknown_account_gets_the_same_answer_and_no_sms():
    sms = OutboxMessage.objects.count()
    known, unknown = Client(), Client()
    with time_machine.travel(DAY, tick=False):
        a = _ask(known, "demo-citizen")
        b = _ask(unknown, "nobody-here")
        assert (a.status_code, a.url) == (b.status_code, b.url)
        page_a = known.get(a.url).content.decode()
        page_b = unknown.get(b.url).content.decode()
        strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
        assert strip.sub("", page_a) == strip.sub("", page_b)
        assert OutboxMessage.objects.count() == sms + 1  # only the real account's code
        r = _confirm(unknown, "123456")
        assert r.status_code == 422
        assert "验证码错误或已过期，请重新获取。" in r.content.decode()
    assert AuditRecord.objects.filter(
        action="identity.password_reset_failed", object_id="nobody-here"
    ).exists()


def test_bad_input_names_the_field_and_changes_nothing():
    user = User.objects.get(username="demo-citizen")
    before = user.password
    client = Client()
    with time_machine.travel(DAY, tick=False):
        _ask(client, "demo-citizen")
        code = _code()
        r = _confirm(client, code, NEW, NEW + "x")
        assert r.status_code == 422
        assert "两次输入的新密码不一致。" in r.content.decode()
        r = _confirm(client, code, "123", "123")
        assert r.status_code == 422
        assert "new_password_error" in r.content.decode()  # the field's own message
        r = _confirm(client, "000000")
        assert "验证码错误或已过期，请重新获取。" in r.content.decode()
    assert User.objects.get(pk=user.pk).password == before


def test_resets_are_throttled_like_logins(settings):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    with time_machine.travel(DAY, tick=False):
        _ask(client, "demo-citizen")
        for _ in range(3):
            assert _confirm(client, "000000").status_code == 422
        r = _confirm(client, "000001")
        assert r.status_code == 429
        assert "找回密码的请求过于频繁，请 15 分钟后再试。" in r.content.decode()
        assert r.headers["Retry-After"] == "900"


def test_a_reset_revokes_the_accounts_api_tokens(api):
    api.token("demo-citizen")
    assert ApiToken.objects.filter(user__username="demo-citizen", revoked_at__isnull=True)
    client = Client()
    _ask(client, "demo-citizen")
    _confirm(client, _code())
    assert not ApiToken.objects.filter(user__username="demo-citizen", revoked_at__isnull=True)


def test_resending_a_reset_code_within_the_cooldown_says_how_long(settings):
    settings.SMS_COOLDOWN_SECONDS = 60
    client = Client()
    with time_machine.travel(DAY, tick=False):
        _ask(client, "demo-citizen")
    with time_machine.travel(DAY + dt.timedelta(seconds=15), tick=False):
        r = client.post("/accounts/password/reset/resend/")
        assert r.status_code == 429
        assert "验证码已发送，请 45 秒后再重新获取。" in r.content.decode()
    with time_machine.travel(DAY + dt.timedelta(seconds=61), tick=False):
        r = client.post("/accounts/password/reset/resend/")
        assert r.status_code == 200
        assert _confirm(client, _code()).status_code == 302


def test_the_login_code_page_resends_within_the_cooldown(settings):
    settings.SMS_COOLDOWN_SECONDS = 60
    client = Client()
    with time_machine.travel(DAY, tick=False):
        client.post("/accounts/login/", {"username": "demo-citizen", "password": "Demo@12345"})
        page = client.get("/accounts/login/code/").content.decode()
        assert "1 分钟后可重新获取验证码。" in page
    with time_machine.travel(DAY + dt.timedelta(seconds=20), tick=False):
        r = client.post("/accounts/login/code/resend/")
        assert r.status_code == 302
        page = client.get("/accounts/login/code/").content.decode()
        assert "验证码已发送，请 40 秒后再重新获取。" in page
    sent = OutboxMessage.objects.filter(recipient="13800000001").count()
    with time_machine.travel(DAY + dt.timedelta(seconds=70), tick=False):
        client.post("/accounts/login/code/resend/")
        assert "新的验证码已发送" in client.get("/accounts/login/code/").content.decode()
    assert OutboxMessage.objects.filter(recipient="13800000001").count() == sent + 1
    # without a password step, the resend leads back to the login page and sends nothing
    r = Client().post("/accounts/login/code/resend/")
    assert r.status_code == 302 and r.url == "/accounts/login/"


def test_resending_does_not_tell_a_known_account_from_an_unknown_one(settings):
    """A reset asked for, then 重发验证码 at once: the known account is within its SMS cooldown
    (429 with the wait); an unknown account must answer the same, or the resend button tells
    anyone which names and ID numbers are registered."""
    settings.SMS_COOLDOWN_SECONDS = 60
    known, unknown = Client(), Client()
    with time_machine.travel(DAY, tick=False):
        _ask(known, "demo-citizen")
        _ask(unknown, "nobody-here")
    with time_machine.travel(DAY + dt.timedelta(seconds=15), tick=False):
        a = known.post("/accounts/password/reset/resend/")
        b = unknown.post("/accounts/password/reset/resend/")
        assert (a.status_code, a.headers.get("Retry-After")) == (429, "45")
        assert (b.status_code, b.headers.get("Retry-After")) == (429, "45")
        strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
        assert strip.sub("", a.content.decode()) == strip.sub("", b.content.decode())
    with time_machine.travel(DAY + dt.timedelta(seconds=61), tick=False):
        assert known.post("/accounts/password/reset/resend/").status_code == 200
        assert unknown.post("/accounts/password/reset/resend/").status_code == 200
