"""A bounded schemathesis run against the committed OpenAPI schema (issue 16).

One pytest test per operation of ``docs/openapi.json``; each sends a few generated requests
(valid and invalid, deterministic) to the real Django WSGI application in-process, as an
anonymous caller and with the bearer tokens of a citizen, a window clerk and an administrator.
Every answer must be: no 5xx; a status the schema documents for the operation; a body that
matches the schema documented for that status; every error in the platform's shape
(``code``, a Chinese ``message``, ``errors`` naming fields); 401 for an anonymous caller
wherever a token is required (unless no operation has the path, or the text is unreadable).
Each test's transaction rolls back what its requests wrote. ``SHUZHENG_SCHEMATHESIS_EXAMPLES``
sets the examples per operation (5 in ``make test``: well under a minute on two cores).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.test import Client
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

OPENAPI = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"
ROLES = ("anonymous", "demo-citizen", "demo-clerk", "demo-admin")
PASSWORD = "Demo@12345"
CJK = re.compile(r"[\u4e00-\u9fff]")

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 16,
        "generation": {
            "mode": "all",  # valid and invalid requests
            # a deeper run: SHUZHENG_SCHEMATHESIS_EXAMPLES=50 pytest tests/test_schemathesis.py
            "max-examples": int(os.environ.get("SHUZHENG_SCHEMATHESIS_EXAMPLES", "5")),
            "deterministic": True,
            "database": "none",
            "no-shrink": True,
            "with-security-parameters": False,  # the tokens below, not random ones
        },
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)


class _App:
    """Django's WSGI application, built when first called. The database connection carries
    the module's transaction: as Django's test client does, ``tokens`` keeps requests from
    closing it (no close_old_connections on request start and finish)."""

    handler: WSGIHandler | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.handler is None:
            self.handler = WSGIHandler()
        return self.handler(environ, start_response)


schema = schemathesis.openapi.from_path(OPENAPI, config=CONFIG)
schema.app = _App()

# each operation's test runs in a transaction (a savepoint in the module's) rolled back after it
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tokens(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, str | None]]:
    """The callers' tokens, from ``POST /api/v1/auth/token`` once for the module (a password
    check costs an Argon2 hash), in a transaction rolled back after the module's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        client = Client()
        out: dict[str, str | None] = {"anonymous": None}
        for who in ROLES[1:]:
            r = client.post(
                "/api/v1/auth/token",
                json.dumps({"username": who, "password": PASSWORD}),
                content_type="application/json",
            )
            assert r.status_code == 200, r.content
            out[who] = r.json()["access_token"]
        # after the test client's requests (it connects these again after each one)
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            yield out
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        transaction.set_rollback(True)


def error_shape(ctx: CheckContext, response: Any, case: Any) -> bool | None:
    """An error is JSON with code, a Chinese message and errors naming fields."""
    if response.status_code < 400:
        return None
    where = f"{case.method} {case.formatted_path} → {response.status_code}"
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"{where}: {content_type}"
    body = json.loads(response.content.decode("utf-8"))
    assert isinstance(body, dict) and {"code", "message", "errors"} <= set(body), f"{where}: {body}"
    assert CJK.search(body["message"]), f"{where}: message not in Chinese: {body['message']}"
    for e in body["errors"]:
        assert {"field", "message"} <= set(e) and CJK.search(e["message"]), f"{where}: {e}"
    return True


def refused_before_the_api(response: Any) -> bool:
    """Refused for every caller before the API looks at the token: a path no operation has
    (a typed path parameter that does not parse) or text no field can hold."""
    body = json.loads(response.content.decode("utf-8"))
    if response.status_code == 404:
        return bool(body["message"] == "接口不存在。")
    return response.status_code == 422 and all(
        e["message"] == "含有无法识别的字符，请重新输入。" for e in body["errors"]
    )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@hypothesis.settings(
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_api_operation(case: Any, tokens: dict[str, str | None]) -> None:
    security = case.operation.definition.raw.get("security") or []
    token_required = bool(security) and {} not in security
    for who in ROLES:
        token = tokens[who]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, additional_checks=[error_shape])
        if token_required and token is None:
            assert response.status_code == 401 or refused_before_the_api(response), (
                case.method,
                case.formatted_path,
                response.status_code,
            )
