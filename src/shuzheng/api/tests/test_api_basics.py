import json

import pytest

pytestmark = pytest.mark.django_db


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["tasks"]["status"] == "ok"


def test_add_working_days_contract(client):
    assert client.get("/api/v1/calendar/add-working-days?start=2026-09-29&days=5").json() == {
        "date": "2026-10-12",
        "estimated": False,
        "provisional": False,
    }
    assert (
        client.get("/api/v1/calendar/add-working-days?start=2026-02-13&days=1").json()["date"]
        == "2026-02-14"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-13-01&days=1", "start"),
        ("start=2026-09-29&days=abc", "days"),
        ("days=1", "start"),
        ("start=2026-09-29&days=99999", "days"),
    ],
)
def test_bad_query_names_field_in_chinese(client, query, field):
    r = client.get(f"/api/v1/calendar/add-working-days?{query}")
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "validation_error"
    assert body["errors"][0]["field"] == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["errors"][0]["message"])


def test_unknown_api_path_is_json_404(client):
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "接口不存在。", "errors": []}


def test_malformed_json_body(client):
    r = client.post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    assert set(r.json()) >= {"code", "message", "errors"}


def test_token_without_credentials(client):
    r = client.post("/api/v1/auth/token", json.dumps({}), content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "username"


def test_openapi_and_docs(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/accounts/register",
        "/api/v1/calendar/add-working-days",
    ):
        assert path in schema["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # the Swagger UI assets are served locally (no CDN is reachable in government networks)
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css"):
        assert asset in docs.content.decode()
        from django.templatetags.static import static

        assert client.get(static(asset)).status_code == 200


def test_responses_are_utf8_not_escaped(client):
    r = client.get("/api/v1/identity/departments?q=民政")
    assert r.status_code == 200
    assert "肇庆市民政局" in r.content.decode("utf-8")


@pytest.mark.parametrize("path", ["/static/css/shuzheng.css", "/static/vendor/htmx.min.js"])
def test_shell_static_assets_are_served(client, path):
    from django.templatetags.static import static

    r = client.get(static(path.removeprefix("/static/")))
    assert r.status_code == 200
    assert b"".join(r.streaming_content if r.streaming else [r.content])
