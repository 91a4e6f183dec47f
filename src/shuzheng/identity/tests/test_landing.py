"""After logging in, staff land on their desk and citizens on the home page (issue 17,
defect 10); a safe ``next`` still wins, an unsafe one is ignored."""

from __future__ import annotations

import pytest
from django.test import TestCase

from shuzheng.core.models import OutboxMessage
from shuzheng.identity.models import User

pytestmark = pytest.mark.django_db
on_commit_callbacks = TestCase.captureOnCommitCallbacks


def _web_login(client, username: str, next_url: str = "") -> str:  # type: ignore[no-untyped-def]
    """The two login steps (password, then the texted code); where the code step leads."""
    body = {"username": username, "password": "Demo@12345"}
    if next_url:
        body["next"] = next_url
    with on_commit_callbacks(execute=True):
        r = client.post("/accounts/login/", body)
    assert r.status_code == 302 and r.url == "/accounts/login/code/", r.content[:300]
    phone = User.objects.get(username=username).phone
    sms = OutboxMessage.objects.filter(recipient=phone).first()
    code = sms.body.split("验证码为 ")[1][:6]
    r = client.post("/accounts/login/code/", {"code": code})
    assert r.status_code == 302
    return str(r.url)


@pytest.mark.parametrize(
    ("username", "desk"),
    [
        ("demo-citizen", "/"),  # citizens: the home page
        ("demo-elder", "/"),
        ("demo-agent", "/"),  # an enterprise agent is a citizen too
        ("demo-clerk", "/workbench/"),  # handlers: the queues
        ("demo-reviewer", "/workbench/"),
        ("demo-head", "/workbench/"),
        ("demo-dataofficer", "/data/"),  # a data officer: the 共享审批 desk
        ("demo-hotline", "/workbench/"),  # 12345: 差评整改 in the workbench
        ("demo-admin", "/admin/"),  # the platform administrator: the console
    ],
)
def test_each_role_lands_on_its_desk(client, username: str, desk: str) -> None:  # type: ignore[no-untyped-def]
    assert _web_login(client, username) == desk
    assert client.get(desk).status_code == 200  # and may open it


def test_a_safe_next_wins_over_the_desk(client) -> None:  # type: ignore[no-untyped-def]
    assert _web_login(client, "demo-clerk", "/workbench/metrics/") == "/workbench/metrics/"


def test_an_unsafe_next_leads_to_the_desk(client) -> None:  # type: ignore[no-untyped-def]
    assert _web_login(client, "demo-clerk", "https://evil.example/") == "/workbench/"
