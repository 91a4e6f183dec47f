"""Revoking bearer tokens (issue 16 item 10): POST /api/v1/auth/revoke and web logout."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shuzheng.audit.models import AuditRecord
from shuzheng.identity.models import ApiToken, User

pytestmark = pytest.mark.django_db

PASSWORD = "Demo@12345"


def _token(client: Any, **body: str) -> str:
    r = client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()["access_token"]


def _user_token(client: Any, who: str = "demo-citizen") -> str:
    return _token(client, username=who, password=PASSWORD)


def _me(client: Any, token: str) -> int:
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def _revoke(client: Any, token: str, body: dict[str, Any] | None = None) -> Any:
    if body is None:  # no body at all, as curl -X POST sends it
        return client.generic(
            "POST", "/api/v1/auth/revoke", b"", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
    return client.post(
        "/api/v1/auth/revoke",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_revoked_token_gets_401(client):
    token, other = _user_token(client), _user_token(client)
    assert _me(client, token) == 200
    r = _revoke(client, token)
    assert r.status_code == 204 and r.content == b""
    assert _me(client, token) == 401
    assert _me(client, other) == 200  # only the presented token
    # a second call with the revoked token is refused like any call with it
    assert _revoke(client, token).status_code == 401
    assert (
        AuditRecord.objects.filter(
            action="identity.token_revoked", actor="user:demo-citizen"
        ).count()
        == 1
    )


def test_revoking_a_token_named_in_the_body_keeps_the_presented_one(client):
    token, old = _user_token(client), _user_token(client)
    assert _revoke(client, token, {"token": old}).status_code == 204
    assert (_me(client, old), _me(client, token)) == (401, 200)
    # idempotent: the same request again is a 204 and changes nothing
    before = AuditRecord.objects.count()
    assert _revoke(client, token, {"token": old}).status_code == 204
    assert AuditRecord.objects.count() == before


def test_someone_elses_token_is_not_revoked_and_the_answer_is_the_same(client):
    mine, theirs = _user_token(client), _user_token(client, "demo-elder")
    assert _revoke(client, mine, {"token": theirs}).status_code == 204
    assert _me(client, theirs) == 200 and _me(client, mine) == 200
    client_token = _token(client, client_id="demo-bank", client_secret=PASSWORD)
    assert _revoke(client, client_token, {"token": mine}).status_code == 204
    assert _me(client, mine) == 200


def test_revoke_all_my_tokens(client):
    tokens = [_user_token(client) for _ in range(3)]
    elder = _user_token(client, "demo-elder")
    assert _revoke(client, tokens[0], {"all": True}).status_code == 204
    assert [_me(client, t) for t in tokens] == [401, 401, 401]
    assert _me(client, elder) == 200
    record = AuditRecord.objects.get(action="identity.tokens_revoked")
    assert record.actor == "user:demo-citizen" and len(record.after["tokens"]) == 3


def test_a_client_revokes_its_own_tokens(client):
    first = _token(client, client_id="demo-bank", client_secret=PASSWORD)
    second = _token(client, client_id="demo-bank", client_secret=PASSWORD)
    other = _token(client, client_id="demo-mz-system", client_secret=PASSWORD)
    assert _revoke(client, first, {"token": second}).status_code == 204
    assert (_me(client, first), _me(client, second)) == (200, 401)
    assert _revoke(client, first, {"all": True}).status_code == 204
    assert (_me(client, first), _me(client, other)) == (401, 200)


def test_revoke_needs_a_token(client):
    r = client.generic("POST", "/api/v1/auth/revoke", b"")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_web_logout_revokes_the_users_tokens(client):
    token, elder = _user_token(client), _user_token(client, "demo-elder")
    client.force_login(User.objects.get(username="demo-citizen"))
    r = client.post("/accounts/logout/")
    assert r.status_code == 302
    assert (_me(client, token), _me(client, elder)) == (401, 200)
    assert not ApiToken.objects.filter(
        user__username="demo-citizen", revoked_at__isnull=True
    ).exists()
