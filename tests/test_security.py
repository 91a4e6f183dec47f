"""CSRF, XSS, injection and header checks across the shell."""

import datetime as dt
import json

import pytest
from django.test import Client

from shuzheng.core.codes import make_id_number
from shuzheng.core.models import OutboxMessage
from shuzheng.identity.models import Department, Person, User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/login/", {"username": "demo-citizen", "password": "Demo@12345"}),
        ("/accounts/register/", {"name": "x", "id_number": "1", "phone": "1", "password": "x"}),
        ("/elder/", {"on": "1", "next": "/"}),
        ("/accounts/logout/", {}),
    ],
)
def test_forms_require_csrf_token(path, data):
    client = Client(enforce_csrf_checks=True)
    before = (User.objects.count(), OutboxMessage.objects.count())
    r = client.post(path, data)
    assert r.status_code == 403
    assert (User.objects.count(), OutboxMessage.objects.count()) == before


def test_api_bearer_endpoints_are_not_cookie_authenticated(client):
    # a logged-in browser session must not authorise API calls (no CSRF exposure)
    user = User.objects.get(username="demo-admin")
    client.force_login(user)
    assert client.get("/api/v1/audit/records").status_code == 401


def test_xss_in_registered_name_is_escaped(client):
    evil = "<script>alert(1)</script>"
    id_number = make_id_number("441202", dt.date(1990, 1, 1), 777)
    r = client.post(
        "/api/v1/accounts/register",
        json.dumps(
            {
                "name": evil,
                "id_number": id_number,
                "phone": "13911112222",
                "password": "Xy@2026pass",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201
    client.force_login(User.objects.get(username=id_number))
    html = client.get("/me/").content.decode()
    assert evil not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_xss_in_form_echo_is_escaped(client):
    r = client.post(
        "/accounts/register/",
        {
            "name": '"><img src=x onerror=alert(1)>',
            "id_number": "bad",
            "phone": "1",
            "password": "x",
        },
    )
    html = r.content.decode()
    assert r.status_code == 422
    assert "<img src=x onerror=alert(1)>" not in html


@pytest.mark.parametrize(
    "q",
    [
        "' OR 1=1 --",
        "%' UNION SELECT username FROM identity_user --",
        "民政'; DROP TABLE identity_department; --",
    ],
)
def test_sql_injection_in_search_is_inert(client, q):
    n = Department.objects.count()
    r = client.get("/api/v1/identity/departments", {"q": q})
    assert r.status_code == 200 and r.json() == []
    assert Department.objects.count() == n


def test_injection_in_path_parameter(api):
    r = api.call("GET", "/api/v1/identity/persons/1' OR '1'='1", who="demo-clerk")
    assert r.status_code == 404
    assert Person.objects.count() > 0


def test_security_headers_on_pages(client):
    r = client.get("/")
    assert "script-src 'self'" in r["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in r["Content-Security-Policy"]
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert len(r["X-Request-ID"]) >= 8


def test_request_id_is_recorded_in_audit(client):
    from shuzheng.audit.models import AuditRecord

    client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "demo-citizen", "password": "Demo@12345"}),
        content_type="application/json",
        HTTP_X_REQUEST_ID="req-test-12345",
    )
    rec = AuditRecord.objects.filter(action="identity.token_issued").order_by("-id").first()
    assert rec.request_id == "req-test-12345"


def test_outbox_hidden_outside_demo(client, settings):
    settings.SHOW_OUTBOX = False
    assert client.get("/accounts/outbox/").status_code == 403


def test_elder_toggle_rejects_offsite_redirect(client):
    r = client.post("/elder/", {"on": "1", "next": "https://evil.example/"})
    assert r.status_code == 302 and r.url == "/"
    assert r.cookies["sz_elder"].value == "1"


def test_pages_render_in_both_languages(client):
    # Chinese by default, even for a browser that prefers English
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-Hans"' in html and "一网通办" in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert 'lang="en"' in html and "Home" in html and "All services, one place" in html


# --- issue 16 item 10: caching of personal answers, HSTS ------------------------------------


def test_answers_to_a_signed_in_caller_are_not_stored_by_caches(api, client):
    """A bearer call and a signed-in page may hold personal data: ``Cache-Control: no-store``.
    Public answers to anonymous callers keep their own caching (the seal's public key)."""
    me = api.call("GET", "/api/v1/me", who="demo-citizen")
    assert me.status_code == 200 and me["Cache-Control"] == "no-store"
    refused = api.client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer sz_wrong")
    assert refused.status_code == 401 and refused["Cache-Control"] == "no-store"
    client.force_login(User.objects.get(username="demo-citizen"))
    page = client.get("/me/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    from shuzheng.seals import facade as seals

    seals.seal_for("441200-MZJ")  # the department's seal exists once it signs
    anonymous = Client().get("/api/v1/seals/441200-MZJ/public-key")
    assert anonymous.status_code == 200 and anonymous["Cache-Control"].startswith(
        "public, max-age="
    )
    assert "no-store" not in Client().get("/").get("Cache-Control", "")


def test_https_answers_carry_hsts_in_production(settings):
    """Production's default is a year of Strict-Transport-Security on every HTTPS answer; behind
    a TLS proxy, X-Forwarded-Proto is trusted only when the operator says so."""
    settings.SECURE_HSTS_SECONDS = 31536000
    r = Client().get("/", secure=True)
    assert r["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in Client().get("/")  # not over plain HTTP
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    r = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert r["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_is_on_by_default_outside_demo_and_tests(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SHUZHENG_TESTING": "",
        "SHUZHENG_DEMO": "",
        "SHUZHENG_DEBUG": "",
        "SHUZHENG_SECRET_KEY": "x" * 50,
        "SHUZHENG_ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'shuzheng.settings'; "
        "django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["31536000", "True"]
