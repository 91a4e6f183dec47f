import datetime as dt
import json

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.test import TestCase

from shuzheng.audit.models import AuditRecord
from shuzheng.core.codes import gb11643_check_char, make_id_number
from shuzheng.core.models import OutboxMessage
from shuzheng.identity.models import Person, User

pytestmark = pytest.mark.django_db
on_commit_callbacks = TestCase.captureOnCommitCallbacks

VALID_ID = make_id_number("441202", dt.date(1995, 7, 1), 123)


def _register(client, **over):
    body = {
        "name": "赵新",
        "id_number": VALID_ID,
        "phone": "13912345678",
        "password": "Xy@2026pass",
    }
    body.update(over)
    return client.post(
        "/api/v1/accounts/register", json.dumps(body), content_type="application/json"
    )


def test_register_creates_person_and_account_with_argon2(client):
    r = _register(client)
    assert r.status_code == 201, r.content
    assert r.json() == {
        "username": VALID_ID,
        "kind": "person",
        "name": "赵新",
        "message": "注册申请已受理，请用用户名和密码登录。"
        "如该公民身份号码此前已注册，本次注册不生效，请用原账号登录。",
    }
    user = User.objects.get(username=VALID_ID)
    assert user.password.startswith("argon2")
    assert check_password("Xy@2026pass", user.password)
    person = Person.objects.get(user=user)
    assert (person.birth_date, person.sex, person.hukou_region.code) == (
        dt.date(1995, 7, 1),
        "M",
        "441202",
    )
    assert (
        AuditRecord.objects.filter(action="identity.account_register", object_id=VALID_ID).count()
        == 1
    )


def test_register_accepts_region_code_newer_than_birth_date(client):
    # 441202 端州区 dates from 1988; python-stdnum would reject a 1950 birth there
    id_number = make_id_number("441202", dt.date(1950, 1, 2), 88)
    assert _register(client, id_number=id_number).status_code == 201


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "id_number",
            VALID_ID[:-1] + ("0" if VALID_ID[-1] != "0" else "1"),
            "公民身份号码校验码错误",
        ),
        (
            "id_number",
            "44120219950230123" + gb11643_check_char("44120219950230123"),
            "公民身份号码出生日期无效",
        ),
        ("phone", "12345", "手机号码应为11位中国大陆手机号。"),
        ("name", "", "请填写姓名（不超过64个字）。"),
    ],
)
def test_register_bad_input_names_field_and_changes_nothing(client, field, value, message):
    users, people, audits = (
        User.objects.count(),
        Person.objects.count(),
        AuditRecord.objects.count(),
    )
    r = _register(client, **{field: value})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0] == {"field": field, "message": message}
    assert (User.objects.count(), Person.objects.count(), AuditRecord.objects.count()) == (
        users,
        people,
        audits,
    )


def test_register_weak_password_and_duplicate(client):
    r = _register(client, password="12345678")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "password"
    first = _register(client)
    assert first.status_code == 201
    # a duplicate is answered like the first (issue 16 item 6: registration is not revealed)
    r = _register(client)
    assert (r.status_code, r.json()) == (201, first.json())
    assert User.objects.filter(username=VALID_ID).count() == 1


def test_register_missing_fields_error_format(client):
    r = client.post(
        "/api/v1/accounts/register", json.dumps({"name": "x"}), content_type="application/json"
    )
    assert r.status_code == 422
    body = r.json()
    assert [e["field"] for e in body["errors"]] == ["id_number", "phone", "password"]
    assert body["errors"][0]["message"] == "此字段必填。"


def _token(client, username, password="Demo@12345"):
    return client.post(
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
    )


def test_token_and_me_for_each_kind(client):
    expected = {
        "demo-citizen": "person",
        "demo-elder": "person",
        "demo-agent": "agent",
        "demo-clerk": "staff",
        "demo-reviewer": "staff",
        "demo-dataofficer": "staff",
        "demo-admin": "staff",
    }
    for username, kind in expected.items():
        r = _token(client, username)
        assert r.status_code == 200, (username, r.content)
        tok = r.json()
        assert tok["token_type"] == "Bearer" and tok["expires_in"] == 3600
        me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {tok['access_token']}").json()
        assert (me["username"], me["kind"]) == (username, kind)
    elder = client.get(
        "/api/v1/me",
        HTTP_AUTHORIZATION=f"Bearer {_token(client, 'demo-elder').json()['access_token']}",
    ).json()
    assert elder["id_number"][6:10] == "1944" and elder["hukou_region"].startswith("4412")
    admin = client.get(
        "/api/v1/me",
        HTTP_AUTHORIZATION=f"Bearer {_token(client, 'demo-admin').json()['access_token']}",
    ).json()
    assert "platform_admin" in admin["roles"] and admin["id_number"] is None


def test_client_credentials(client):
    for cid, kind in (("demo-mz-system", "government"), ("demo-bank", "outside")):
        r = client.post(
            "/api/v1/auth/token",
            json.dumps({"client_id": cid, "client_secret": "Demo@12345"}),
            content_type="application/json",
        )
        assert r.status_code == 200
        me = client.get(
            "/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {r.json()['access_token']}"
        ).json()
        assert (me["kind"], me["username"], me["client_kind"]) == ("client", cid, kind)
    bad = client.post(
        "/api/v1/auth/token",
        json.dumps({"client_id": "demo-bank", "client_secret": "nope"}),
        content_type="application/json",
    )
    assert bad.status_code == 401
    assert bad.json() == {
        "code": "unauthenticated",
        "message": "客户端标识或密钥错误。",
        "errors": [],
    }


def test_wrong_password_401_and_lockout_after_five(client):
    for _ in range(4):
        r = _token(client, "demo-citizen", "wrong")
        assert r.status_code == 401 and r.json()["message"] == "用户名或密码错误。"
    r = _token(client, "demo-citizen", "wrong")
    assert r.status_code == 401
    assert r.json()["message"] == "用户名或密码错误。失败次数过多，请 15 分钟后再试。"
    # even the right password is refused while locked: 429 with Retry-After
    r = _token(client, "demo-citizen")
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert 0 < int(r["Retry-After"]) <= 15 * 60
    assert AuditRecord.objects.filter(
        action="identity.account_locked", object_id="demo-citizen"
    ).exists()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        assert _token(client, "demo-citizen").status_code == 200
    assert User.objects.get(username="demo-citizen").failed_logins == 0


def test_expired_and_garbage_tokens(client):
    tok = _token(client, "demo-citizen").json()["access_token"]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        r = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {tok}")
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 401


def _web_login(client, username, password="Demo@12345"):
    with on_commit_callbacks(execute=True):  # the SMS is sent after the transaction commits
        r = client.post("/accounts/login/", {"username": username, "password": password})
    assert r.status_code == 302 and r.url == "/accounts/login/code/"
    body = (
        OutboxMessage.objects.filter(recipient=User.objects.get(username=username).phone)
        .first()
        .body
    )
    code = body.split("验证码为 ")[1][:6]
    return client.post("/accounts/login/code/", {"code": code})


def test_web_login_needs_password_and_sms_code(client):
    r = client.get("/me/")
    assert r.status_code == 302 and r.url.startswith("/accounts/login/")
    r = _web_login(client, "demo-citizen")
    assert r.status_code == 302 and r.url == "/"
    page = client.get("/me/")
    assert page.status_code == 200 and "demo-citizen" in page.content.decode()
    assert AuditRecord.objects.filter(action="identity.login", object_id="demo-citizen").exists()


def test_web_login_wrong_code_then_right_code(client):
    client.post("/accounts/login/", {"username": "demo-elder", "password": "Demo@12345"})
    r = client.post("/accounts/login/code/", {"code": "000000"})
    assert r.status_code == 200 and "验证码错误" in r.content.decode()
    assert client.get("/me/").status_code == 302


def test_web_login_code_expires(client):
    with on_commit_callbacks(execute=True):
        client.post("/accounts/login/", {"username": "demo-elder", "password": "Demo@12345"})
    code = OutboxMessage.objects.first().body.split("验证码为 ")[1][:6]
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=6)):
        r = client.post("/accounts/login/code/", {"code": code})
    assert client.get("/me/").status_code == 302
    assert r.status_code in (200, 302)


def test_code_page_without_password_step_redirects(client):
    r = client.get("/accounts/login/code/")
    assert r.status_code == 302 and r.url == "/accounts/login/"


def test_open_redirect_refused(client):
    with on_commit_callbacks(execute=True):
        client.post(
            "/accounts/login/?next=https://evil.example/",
            {"username": "demo-citizen", "password": "Demo@12345", "next": "https://evil.example/"},
        )
    code = OutboxMessage.objects.first().body.split("验证码为 ")[1][:6]
    r = client.post("/accounts/login/code/", {"code": code})
    assert r.status_code == 302 and r.url == "/"


def test_session_cookie_is_httponly_and_rotated(client):
    client.get("/accounts/login/")
    before = client.cookies.get("sz_session")
    _web_login(client, "demo-citizen")
    after = client.cookies["sz_session"]
    assert after["httponly"]
    assert after["samesite"] == "Lax"
    assert before is None or before.value != after.value


def test_principal_cache_keeps_revocation_and_deactivation_immediate(client, settings, monkeypatch):
    """The principal behind a token is cached for a few seconds; the token is not."""
    from shuzheng.identity import selectors, services
    from shuzheng.identity.models import Department, StaffRole

    settings.IDENTITY_PRINCIPAL_CACHE_SECONDS = 5
    selectors.principal_cache_clear()
    now = [1000.0]
    monkeypatch.setattr(selectors, "_clock", lambda: now[0])
    tok = _token(client, "demo-citizen").json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tok}"}
    assert client.get("/api/v1/me", **auth).json()["roles"] == []
    user = User.objects.get(username="demo-citizen")
    role = StaffRole.objects.create(
        user=user, role="reviewer", department=Department.objects.order_by("code").first()
    )
    # within the cache time the old principal answers; after it, the new role is seen
    assert client.get("/api/v1/me", **auth).json()["roles"] == []
    now[0] += 6
    assert "reviewer" in client.get("/api/v1/me", **auth).json()["roles"]
    role.delete()
    # deactivating the user refuses the (cached) token at once
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert client.get("/api/v1/me", **auth).status_code == 401
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert client.get("/api/v1/me", **auth).status_code == 200
    # revoking it too
    services.token_revoke(raw=tok)
    assert client.get("/api/v1/me", **auth).status_code == 401
    selectors.principal_cache_clear()
