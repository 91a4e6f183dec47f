"""Every answer under /api/ is in the platform's error format, in Chinese (issue 16 item 8):
unknown paths for every method (no CSRF page), wrong methods (with Allow), oversized and
malformed bodies, uncaught exceptions (the request id, no traceback); password rules in Chinese
on the API and the page; every operation's error responses in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client, RequestFactory

from shuzheng.core.codes import make_id_number
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ASCII_WORDS = re.compile(r"[A-Za-z]{4,}")


def error_shape(r, status):  # type: ignore[no-untyped-def]
    """The body of an error response ``r``, checked: JSON, the three keys, a Chinese message."""
    assert r.status_code == status, r.content[:300]
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    body = json.loads(r.content.decode("utf-8"))
    assert set(body) >= {"code", "message", "errors"}
    assert isinstance(body["code"], str) and isinstance(body["errors"], list)
    assert CJK.search(body["message"]), body["message"]
    for e in body["errors"]:
        assert set(e) == {"field", "message"} and CJK.search(e["message"])
    return body


@pytest.fixture
def strict_client():  # type: ignore[no-untyped-def]
    """A client that checks CSRF as a browser-less caller meets it, and lets 500s through."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/nothing", "/api/v1/no-such-thing", "/api/v2/cases"])
def test_unknown_api_path_is_json_404_for_every_method(strict_client, method, path):
    r = strict_client.generic(method.upper(), path, "{}", content_type="application/json")
    body = error_shape(r, 404)
    assert body == {"code": "not_found", "message": "接口不存在。", "errors": []}


def test_csrf_failure_under_api_is_json_elsewhere_the_page():
    from shuzheng.core.views import csrf_failure

    api = csrf_failure(RequestFactory().post("/api/v1/future"), reason="CSRF cookie not set.")
    body = error_shape(api, 403)
    assert body["code"] == "csrf_failed"
    page = csrf_failure(RequestFactory().post("/accounts/login/"), reason="CSRF cookie not set.")
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


def test_csrf_failure_view_is_the_configured_one(settings, strict_client):
    assert settings.CSRF_FAILURE_VIEW == "shuzheng.core.views.csrf_failure"
    # a page's form without its token still gets Django's refusal, not a JSON body
    r = strict_client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert r.status_code == 403 and r["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("delete", "/api/v1/me", "GET"),
        ("get", "/api/v1/auth/token", "POST"),
        ("patch", "/api/v1/calendar/days/2026-10-01", {"PUT", "DELETE"}),
    ],
)
def test_wrong_method_is_json_405_with_allow(strict_client, method, path, allow):
    r = getattr(strict_client, method)(path)
    body = error_shape(r, 405)
    assert body["code"] == "method_not_allowed"
    allowed = {m.strip() for m in r["Allow"].split(",")}
    assert allowed == ({allow} if isinstance(allow, str) else allow)
    assert method.upper() in body["message"]
    assert all(m in body["message"] for m in allowed)


def test_oversized_body_is_json_413_naming_body(strict_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    big = json.dumps({"username": "demo-citizen", "password": "x" * 2000})
    r = strict_client.post("/api/v1/auth/token", big, content_type="application/json")
    body = error_shape(r, 413)
    assert body["code"] == "payload_too_large"
    assert body["errors"][0]["field"] == "body"
    assert "1024 字节" in body["message"]
    assert "Request body exceeded" not in r.content.decode()


def test_body_django_refuses_itself_is_json_400(strict_client, settings, api):
    """A form Django refuses while reading it (too many fields) is a bare HTML 400 from Django;
    under /api/ it is the JSON shape."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    r = strict_client.post(
        "/api/v1/files",
        "&".join(f"f{i}=1" for i in range(10)),
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"Bearer {api.token('demo-citizen')}",
    )
    body = error_shape(r, 400)
    assert body["code"] == "bad_request"


@pytest.mark.parametrize("raw", [b"{not json", b'{"username": "a",}', b"\xff\xfe\x00"])
def test_malformed_json_is_422_naming_body(strict_client, raw):
    r = strict_client.post("/api/v1/auth/token", raw, content_type="application/json")
    body = error_shape(r, 422)
    assert body["code"] == "validation_error"
    assert body["errors"] == [{"field": "body", "message": "请求体不是有效的 JSON。"}]
    assert "Cannot parse" not in r.content.decode()


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("GET", "/api/v1/cases?q=%00", None, "q"),
        ("GET", "/api/v1/exchange/requests?box=docs&status=a%00b", None, "status"),
        ("GET", "/api/v1/catalog/items/44%00", None, "path"),
        ("POST", "/api/v1/cases", '{"item_code": "x", "form": {"name": "a\\u0000"}}', "form.name"),
        ("POST", "/api/v1/cases", '{"materials": [{"file_id": "\\ud800"}]}', "materials.0.file_id"),
    ],
)
def test_text_no_field_can_hold_is_422_naming_the_field(api, method, path, body, field):
    """NUL (refused by PostgreSQL) and lone surrogates (stored by neither database) were 500s."""
    from shuzheng.cases.models import Case

    n_cases = Case.objects.count()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token('demo-clerk')}"}
    if body is None:
        r = api.client.generic(method, path, **headers)
    else:
        r = api.client.generic(method, path, body, content_type="application/json", **headers)
    body_out = error_shape(r, 422)
    assert body_out["errors"] == [{"field": field, "message": "含有无法识别的字符，请重新输入。"}]
    assert Case.objects.count() == n_cases


def test_missing_token_is_401_with_www_authenticate(strict_client):
    r = strict_client.get("/api/v1/me")
    body = error_shape(r, 401)
    assert body["code"] == "unauthenticated"
    assert r["WWW-Authenticate"] == "Bearer"


def test_uncaught_exception_is_json_500_with_request_id(strict_client, monkeypatch):
    from shuzheng.core import api as core_api

    def broken():  # type: ignore[no-untyped-def]
        raise RuntimeError("secret detail /srv/shuzheng/settings.py")

    monkeypatch.setattr(core_api.calendar, "snapshot", broken)
    r = strict_client.get(
        "/api/v1/calendar/add-working-days?start=2026-09-29&days=5",
        HTTP_X_REQUEST_ID="probe-500-request",
    )
    body = error_shape(r, 500)
    assert body["code"] == "server_error"
    assert body["request_id"] == "probe-500-request" == r["X-Request-ID"]
    assert "probe-500-request" in body["message"]
    text = r.content.decode()
    assert "RuntimeError" not in text and "secret detail" not in text and "Traceback" not in text


def test_pages_keep_their_html_error_pages(strict_client):
    r = strict_client.get("/no-such-page/")
    assert r.status_code == 404 and r["Content-Type"].startswith("text/html")


# --- passwords --------------------------------------------------------------------------------

WEAK = [
    ("Ab1", "密码太短，至少需要 8 个字符。"),
    ("password", "密码过于常见，容易被猜中，请换一个。"),
    ("31415926535", "密码不能全是数字。"),
    ("1234", "密码太短，至少需要 8 个字符。密码过于常见，容易被猜中，请换一个。密码不能全是数字。"),
]


def _person(n: int) -> dict[str, str]:
    return {
        "name": "钱多多",
        "id_number": make_id_number("441202", dt.date(1990, 3, 4), 500 + n),
        "phone": "13912340000",
    }


@pytest.mark.parametrize(("password", "message"), WEAK)
def test_password_rules_speak_chinese_on_the_api(client, password, message):
    n_users = User.objects.count()
    r = client.post(
        "/api/v1/accounts/register",
        json.dumps({**_person(1), "password": password}),
        content_type="application/json",
    )
    body = error_shape(r, 422)
    [error] = [e for e in body["errors"] if e["field"] == "password"]
    assert message in error["message"] and "。；" not in error["message"]
    assert not ASCII_WORDS.search(error["message"]), error["message"]
    assert User.objects.count() == n_users


def test_password_rules_speak_chinese_on_the_page(client):
    r = client.post("/accounts/register/", {**_person(2), "password": "12345"})
    assert r.status_code == 422
    page = r.content.decode()
    assert "密码太短，至少需要 8 个字符。" in page and "密码不能全是数字。" in page
    assert "too short" not in page and "entirely numeric" not in page


def test_password_rules_in_english_for_english_visitors(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.post(
        "/api/v1/accounts/register",
        json.dumps({**_person(3), "password": "12345"}),
        content_type="application/json",
    )
    [error] = [e for e in r.json()["errors"] if e["field"] == "password"]
    assert "at least 8 characters" in error["message"]


# --- the OpenAPI schema -----------------------------------------------------------------------


def test_every_operation_documents_its_errors():
    from shuzheng.api.management.commands.export_openapi import generated

    schema = json.loads(generated())  # what `make openapi` writes to docs/openapi.json
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message", "errors"]
    ref = {"$ref": "#/components/schemas/Error"}
    checked = 0
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            responses = op["responses"]
            want: set[str] = set()
            if op.get("security"):
                want |= {"401", "403"}
            if "{" in path:
                want.add("404")
            if op.get("parameters") or "requestBody" in op:
                want.add("422")
            assert want <= set(responses), (method, path, sorted(responses))
            for status in want:
                shared = schema["components"]["responses"][f"Error{status}"]
                assert responses[status] == {"$ref": f"#/components/responses/Error{status}"}
                assert shared["content"]["application/json"]["schema"] == ref
            checked += 1
    assert checked > 80
    token = schema["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert {"401", "422", "429"} <= set(token)
    verify = schema["paths"]["/api/v1/licenses/verify"]["post"]
    assert verify["security"][0] == {}  # a token is optional there
