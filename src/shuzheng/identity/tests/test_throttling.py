"""Login throttling (issue 16 item 6): per client IP and per account, client secrets locking
like passwords, the same work and answers for unknown names, neutral registration, the login
SMS cooldown."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

import pytest
import time_machine
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password
from django.test import RequestFactory, TestCase

from shuzheng.audit.models import AuditRecord
from shuzheng.core.codes import make_id_number
from shuzheng.core.errors import RateLimited
from shuzheng.core.models import OutboxMessage
from shuzheng.identity import services, throttle
from shuzheng.identity.models import ApiClient, AuthThrottle, OtpChallenge, Person, User

pytestmark = pytest.mark.django_db
on_commit_callbacks = TestCase.captureOnCommitCallbacks

DAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
PASSWORD = "Demo@12345"


def _token(client: Any, ip: str = "10.0.0.1", **body: str) -> Any:
    return client.post(
        "/api/v1/auth/token", json.dumps(body), content_type="application/json", REMOTE_ADDR=ip
    )


def _answer(r: Any) -> tuple[int, dict[str, Any], str | None]:
    return r.status_code, r.json(), r.headers.get("Retry-After")


# --- per client IP, across usernames -----------------------------------------------------------


def test_the_ip_is_refused_after_n_failures_across_usernames(client, settings):
    settings.LOGIN_IP_MAX_FAILURES = 3
    settings.LOGIN_IP_LOCKOUT_MINUTES = 15
    with time_machine.travel(DAY, tick=False):
        names = ["demo-citizen", "nobody-1", "demo-elder"]
        for name in names:
            r = _token(client, username=name, password="Wrong@pass1")
            assert r.status_code == 401, r.content
        # the 4th attempt from that IP — another name, even the right password — is refused
        status, body, retry = _answer(_token(client, username="demo-clerk", password=PASSWORD))
        assert status == 429
        assert body["code"] == "rate_limited" and body["retry_after"] == 15 * 60
        assert body["message"] == "登录尝试过于频繁，请 15 分钟后再试。"
        assert retry == str(15 * 60)
        # client credentials from that IP too
        r = _token(client, client_id="demo-bank", client_secret=PASSWORD)
        assert r.status_code == 429
        # another IP is not affected
        r = _token(client, "10.0.0.2", username="demo-clerk", password=PASSWORD)
        assert r.status_code == 200
        locks = AuditRecord.objects.filter(action="identity.ip_locked", object_id="10.0.0.1")
        assert locks.count() == 1
    with time_machine.travel(DAY + dt.timedelta(minutes=15, seconds=1), tick=False):
        assert _token(client, username="demo-clerk", password=PASSWORD).status_code == 200


def test_successes_do_not_use_up_the_ip_limit(client, settings):
    settings.LOGIN_IP_MAX_FAILURES = 2
    with time_machine.travel(DAY, tick=False):
        for _ in range(5):
            assert _token(client, username="demo-citizen", password=PASSWORD).status_code == 200
        assert _token(client, username="demo-elder", password="Wrong@pass1").status_code == 401
        assert _token(client, username="demo-elder", password=PASSWORD).status_code == 200


def test_web_login_is_refused_per_ip_with_a_chinese_429_page(client, settings):
    settings.LOGIN_IP_MAX_FAILURES = 2
    with time_machine.travel(DAY, tick=False):
        for name in ("demo-citizen", "nobody-2"):
            r = client.post("/accounts/login/", {"username": name, "password": "Wrong@pass1"})
            assert r.status_code == 422
            assert "用户名或密码错误" in r.content.decode()
        r = client.post("/accounts/login/", {"username": "demo-elder", "password": PASSWORD})
        assert r.status_code == 429
        assert r["Retry-After"] == str(15 * 60)
        assert "登录尝试过于频繁，请 15 分钟后再试。" in r.content.decode()
        assert not OtpChallenge.objects.filter(user__username="demo-elder").exists()


# --- per account, across IPs -------------------------------------------------------------------


def _failures_from_many_ips(client: Any, name: str, count: int) -> list[tuple[int, str]]:
    out = []
    for i in range(count):
        r = _token(client, f"10.1.0.{i + 1}", username=name, password=f"Wrong@pass{i}")
        out.append((r.status_code, r.json()["message"]))
    return out


def test_an_account_locks_after_n_failures_from_different_ips(client, settings):
    settings.LOGIN_MAX_FAILURES = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15
    with time_machine.travel(DAY, tick=False):
        answers = _failures_from_many_ips(client, "demo-citizen", 5)
        assert answers[:4] == [(401, "用户名或密码错误。")] * 4
        assert answers[4] == (401, "用户名或密码错误。失败次数过多，请 15 分钟后再试。")
        # the 6th attempt, from yet another IP, with the right password: refused
        status, body, retry = _answer(
            _token(client, "10.9.9.9", username="demo-citizen", password=PASSWORD)
        )
        assert (status, body["code"], retry) == (429, "rate_limited", str(15 * 60))
        user = User.objects.get(username="demo-citizen")
        assert user.locked_until == DAY + dt.timedelta(minutes=15)
        assert AuditRecord.objects.filter(
            action="identity.account_locked", object_id="demo-citizen"
        ).exists()
    with time_machine.travel(DAY + dt.timedelta(minutes=16), tick=False):
        assert _token(client, username="demo-citizen", password=PASSWORD).status_code == 200
        user.refresh_from_db()
        assert (user.failed_logins, user.locked_until) == (0, None)


def test_an_unknown_name_is_answered_exactly_like_a_real_one(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    with time_machine.travel(DAY, tick=False):
        real = _failures_from_many_ips(client, "demo-elder", 4)
        unknown = _failures_from_many_ips(client, "nobody-at-all", 4)
        inactive = User.objects.get(username="demo-agent")
        User.objects.filter(pk=inactive.pk).update(is_active=False)
        deactivated = _failures_from_many_ips(client, "demo-agent", 4)
    assert real == unknown == deactivated
    assert [s for s, _ in real] == [401, 401, 401, 429]


def test_web_login_locks_the_account_too(client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    with time_machine.travel(DAY, tick=False):
        for i in range(2):
            client.post(
                "/accounts/login/",
                {"username": "demo-citizen", "password": "Wrong@pass1"},
                REMOTE_ADDR=f"10.2.0.{i}",
            )
        r = client.post(
            "/accounts/login/",
            {"username": "demo-citizen", "password": PASSWORD},
            REMOTE_ADDR="10.2.0.9",
        )
        assert r.status_code == 429 and "登录尝试过于频繁" in r.content.decode()


# --- client secrets lock like passwords ----------------------------------------------------------


def test_a_client_secret_locks_after_n_failures(client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15
    with time_machine.travel(DAY, tick=False):
        statuses = []
        for i in range(3):
            r = _token(client, f"10.3.0.{i}", client_id="demo-bank", client_secret="nope")
            statuses.append(r.status_code)
        assert statuses == [401, 401, 401]
        assert r.json()["message"] == "客户端标识或密钥错误。失败次数过多，请 15 分钟后再试。"
        status, body, retry = _answer(
            _token(client, "10.3.0.99", client_id="demo-bank", client_secret=PASSWORD)
        )
        assert (status, body["code"], retry) == (429, "rate_limited", str(15 * 60))
        assert AuditRecord.objects.filter(
            action="identity.client_locked", object_id="demo-bank"
        ).exists()
        # another client is not affected
        r = _token(client, "10.3.0.99", client_id="demo-mz-system", client_secret=PASSWORD)
        assert r.status_code == 200
        # an unknown client id locks alike (the answers do not tell it from a real one)
        unknown = [
            _token(client, f"10.4.0.{i}", client_id="no-such", client_secret="x").status_code
            for i in range(4)
        ]
        assert unknown == [401, 401, 401, 429]
    with time_machine.travel(DAY + dt.timedelta(minutes=16), tick=False):
        r = _token(client, client_id="demo-bank", client_secret=PASSWORD)
        assert r.status_code == 200


def test_login_unlock_lifts_a_lock(client, settings):
    settings.LOGIN_MAX_FAILURES = 1
    with time_machine.travel(DAY, tick=False):
        _token(client, username="demo-citizen", password="Wrong@pass1")
        assert _token(client, username="demo-citizen", password=PASSWORD).status_code == 429
        services.login_unlock(actor="system:tests", username="demo-citizen")
        assert _token(client, username="demo-citizen", password=PASSWORD).status_code == 200
        assert AuditRecord.objects.filter(action="identity.login_unlocked").exists()


# --- the same work for unknown names -------------------------------------------------------------


class CountingArgon2(Argon2PasswordHasher):
    """Argon2 that records each hash it computes."""

    calls: ClassVar[list[str]] = []

    def encode(self, password: str, salt: str) -> str:
        CountingArgon2.calls.append("encode")
        return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        CountingArgon2.calls.append("verify")
        return super().verify(password, encoded)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["shuzheng.identity.tests.test_throttling.CountingArgon2"]
    CountingArgon2.calls.clear()
    return CountingArgon2.calls


@pytest.mark.parametrize(
    "body",
    [
        {"username": "demo-citizen", "password": "Wrong@pass1"},  # a real user, wrong password
        {"username": "nobody-here", "password": "Wrong@pass1"},  # unknown
        {"username": "inactive", "password": PASSWORD},  # inactive (right password)
        {"client_id": "demo-bank", "client_secret": "nope"},  # a real client, wrong secret
        {"client_id": "no-such-client", "client_secret": "nope"},  # unknown client
        {"client_id": "inactive-client", "client_secret": PASSWORD},  # inactive client
    ],
    ids=[
        "wrong",
        "unknown-user",
        "inactive-user",
        "wrong-secret",
        "unknown-client",
        "inactive-client",
    ],
)
def test_every_failure_computes_exactly_one_password_hash(client, counting_hasher, body):
    inactive = User.objects.get(username="demo-agent")
    User.objects.filter(pk=inactive.pk).update(is_active=False, username="inactive")
    ApiClient.objects.filter(client_id="demo-mz-system").update(
        is_active=False, client_id="inactive-client"
    )
    r = _token(client, **body)
    assert r.status_code == 401
    assert len(counting_hasher) == 1, counting_hasher


def test_web_login_of_an_unknown_name_computes_a_hash(client, counting_hasher):
    r = client.post("/accounts/login/", {"username": "nobody-here", "password": "Wrong@pass1"})
    assert r.status_code == 422 and "用户名或密码错误" in r.content.decode()
    assert counting_hasher == ["encode"]


# --- login SMS cooldown --------------------------------------------------------------------------


def _password_step(client: Any, name: str = "demo-citizen") -> Any:
    with on_commit_callbacks(execute=True):
        return client.post("/accounts/login/", {"username": name, "password": PASSWORD})


def _sms_to(name: str) -> int:
    return OutboxMessage.objects.filter(recipient=User.objects.get(username=name).phone).count()


def test_a_second_password_step_within_the_cooldown_sends_no_new_sms(client, settings):
    settings.SMS_COOLDOWN_SECONDS = 60
    with time_machine.travel(DAY, tick=False):
        r = _password_step(client)
        assert r.status_code == 302 and _sms_to("demo-citizen") == 1
        code = OutboxMessage.objects.first().body.split("验证码为 ")[1][:6]
    with time_machine.travel(DAY + dt.timedelta(seconds=20), tick=False):
        r = _password_step(client)
        # no new SMS; the code page opens and says when a new code may be asked for
        assert r.status_code == 302 and r.url == "/accounts/login/code/"
        assert _sms_to("demo-citizen") == 1
        page = client.get("/accounts/login/code/").content.decode()
        assert "验证码已发送，请 40 秒后再重新获取。" in page
        # the code sent before still logs in
        r = client.post("/accounts/login/code/", {"code": code})
        assert r.status_code == 302 and r.url == "/"
    with time_machine.travel(DAY + dt.timedelta(seconds=61), tick=False):
        _password_step(client)
        assert _sms_to("demo-citizen") == 2


def test_signing_in_again_right_after_signing_in_sends_a_new_code(client, settings):
    """The cooldown holds back a second SMS while the first code is unused; once it was used,
    the person signed in and may sign in again at once (logout, another browser)."""
    settings.SMS_COOLDOWN_SECONDS = 60
    with time_machine.travel(DAY, tick=False):
        _password_step(client)
        code = OutboxMessage.objects.first().body.split("验证码为 ")[1][:6]
        assert client.post("/accounts/login/code/", {"code": code}).status_code == 302
        client.post("/accounts/logout/")
    with time_machine.travel(DAY + dt.timedelta(seconds=10), tick=False):
        r = _password_step(client)
        assert r.status_code == 302 and _sms_to("demo-citizen") == 2


def test_otp_send_has_a_cooldown_and_an_hourly_cap(settings):
    settings.SMS_COOLDOWN_SECONDS = 60
    settings.SMS_MAX_PER_HOUR = 3
    user = User.objects.get(username="demo-citizen")
    for minute in range(3):
        with time_machine.travel(DAY + dt.timedelta(minutes=minute), tick=False):
            services.otp_send(user=user)
    with (
        time_machine.travel(DAY + dt.timedelta(minutes=2, seconds=30), tick=False),
        pytest.raises(RateLimited) as cooldown,
    ):
        services.otp_send(user=user)
    assert cooldown.value.message == "验证码已发送，请 30 秒后再重新获取。"
    assert cooldown.value.extra["retry_after"] == 30
    with (
        time_machine.travel(DAY + dt.timedelta(minutes=10), tick=False),
        pytest.raises(RateLimited) as cap,
    ):
        services.otp_send(user=user)
    assert cap.value.message == "短信验证码发送次数过多，请 50 分钟后再试。"
    assert OtpChallenge.objects.filter(user=user).count() == 3
    with time_machine.travel(DAY + dt.timedelta(minutes=61), tick=False):
        services.otp_send(user=user)
    assert OtpChallenge.objects.filter(user=user).count() == 4


def test_web_login_at_the_sms_cap_without_a_valid_code_says_when_to_retry(client, settings):
    settings.SMS_MAX_PER_HOUR = 1
    with time_machine.travel(DAY, tick=False):
        _password_step(client)
    with time_machine.travel(DAY + dt.timedelta(minutes=6), tick=False):  # the code expired
        r = _password_step(client)
        assert r.status_code == 429
        assert r["Retry-After"] == str(54 * 60)
        assert "短信验证码发送次数过多，请 54 分钟后再试。" in r.content.decode()
        assert _sms_to("demo-citizen") == 1


# --- neutral registration ------------------------------------------------------------------------

NEW_ID = make_id_number("441202", dt.date(1991, 3, 4), 215)
OTHER = dt.date(1990, 1, 1)


def _register(client: Any, ip: str = "10.5.0.1", **over: str) -> Any:
    body = {"name": "钱新", "id_number": NEW_ID, "phone": "13912340001", "password": "Xy@2026pass"}
    body.update(over)
    return client.post(
        "/api/v1/accounts/register",
        json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def test_registering_a_registered_id_number_answers_like_a_new_one(client):
    with time_machine.travel(DAY, tick=False):
        first = _register(client)
        assert first.status_code == 201, first.content
        user = User.objects.get(username=NEW_ID)
        with on_commit_callbacks(execute=True):
            again = _register(client, phone="13800001111", password="Other@2026pass")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert "如该公民身份号码此前已注册" in first.json()["message"]
    # nothing changed: one account, its password and phone kept
    assert User.objects.filter(username=NEW_ID).count() == 1
    user.refresh_from_db()
    assert check_password("Xy@2026pass", user.password) and user.phone == "13912340001"
    # the holder is told, on the phone on file (not the one just given)
    notice = OutboxMessage.objects.get(recipient="13912340001")
    assert "有人使用您的公民身份号码申请注册" in notice.body
    assert not OutboxMessage.objects.filter(recipient="13800001111").exists()
    assert AuditRecord.objects.filter(action="identity.register_existing").count() == 1


def test_a_registered_demo_person_gets_the_same_answer_as_a_new_person(client):
    citizen = Person.objects.get(user__username="demo-citizen")
    new_id = make_id_number("441202", dt.date(1988, 8, 8), 337)
    answers = []
    for id_number, name in ((citizen.id_number, citizen.name), (new_id, citizen.name)):
        r = _register(client, id_number=id_number, name=name)
        body = r.json()
        answers.append((r.status_code, body.pop("username") == id_number, body))
    assert answers[0] == answers[1]
    assert not User.objects.filter(username=citizen.id_number).exists()


def _main(r: Any) -> str:
    page = r.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def test_the_web_registration_page_is_the_same_for_a_registered_id_number(client):
    form = {"name": "钱新", "id_number": NEW_ID, "phone": "13912340001", "password": "Xy@2026pass"}
    first = client.post("/accounts/register/", form)
    again = client.post("/accounts/register/", {**form, "password": "Other@2026pass"})
    assert first.status_code == again.status_code == 200
    assert _main(first) == _main(again)  # the page around it carries per-request tokens
    assert "注册申请已提交" in _main(first)
    assert User.objects.filter(username=NEW_ID).count() == 1


def test_someone_elses_id_number_is_not_a_username(client):
    citizen = Person.objects.get(user__username="demo-citizen")
    r = _register(client, username=citizen.id_number)
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {"field": "username", "message": "用户名不能使用他人的公民身份号码。"}
    ]


def test_registration_is_limited_per_ip(client, settings):
    settings.REGISTER_MAX_PER_HOUR = 2
    with time_machine.travel(DAY, tick=False):
        assert _register(client, phone="1").status_code == 422  # a refused one counts too
        assert _register(client).status_code == 201
        status, body, retry = _answer(
            _register(client, id_number=make_id_number("441202", OTHER, 11))
        )
        assert (status, body["code"], retry) == (429, "rate_limited", "3600")
        assert body["message"] == "注册请求过于频繁，请 60 分钟后再试。"
        other_ip = _register(client, "10.5.0.2", id_number=make_id_number("441202", OTHER, 11))
        assert other_ip.status_code == 201


# --- the client's address ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ("", "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # no proxy trusted: header ignored
        ("10.0.0.0/8", "10.0.0.5", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.0/8", "10.0.0.5", "6.6.6.6, 198.51.100.1, 10.0.0.9", "198.51.100.1"),
        ("10.0.0.0/8", "203.0.113.7", "198.51.100.1", "203.0.113.7"),  # not from the proxy
        ("", "2001:db8:1:2:3:4:5:6", "", "2001:db8:1:2::/64"),
        ("", "::ffff:192.0.2.1", "", "192.0.2.1"),
    ],
)
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert throttle.client_ip(request) == expected


def test_old_counters_are_purged_when_a_new_key_is_counted(client):
    with time_machine.travel(DAY, tick=False):
        _token(client, "10.6.0.1", username="nobody-old", password="x")
    assert AuthThrottle.objects.filter(key="nobody-old").exists()
    with time_machine.travel(DAY + dt.timedelta(days=2), tick=False):
        _token(client, "10.6.0.2", username="nobody-new", password="x")
    assert not AuthThrottle.objects.filter(key="nobody-old").exists()
    assert AuthThrottle.objects.filter(key="nobody-new").exists()
