"""个人主页 (我的, issue 17): 我的办件, 我的证照, 消息 with an unread badge (read once the inbox is
opened, audited), 我的授权 — each the caller's own."""

from __future__ import annotations

import pytest
from django.test import Client

from shuzheng.audit.models import AuditRecord
from shuzheng.identity.models import User
from shuzheng.notify import facade as notify
from shuzheng.notify.models import Notification

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


def _id(username: str) -> str:
    return User.objects.get(username=username).person.id_number


def test_the_home_shows_my_messages_unread_until_the_inbox_is_opened():
    for title in ("补领婚姻登记证", "高龄津贴申领"):
        notify.send(
            recipient_kind="person", recipient_id=_id("demo-elder"), title=title, body="已受理。"
        )
    client = _client("demo-elder")
    page = client.get("/me/").content.decode()
    assert 'data-testid="unread-badge">2 条未读' in page
    assert "您有 2 条未读消息。" in page
    assert "林晓红 可为我代办" in page  # 我的授权 (the demo mandate)
    # another citizen's home does not count them
    assert 'data-testid="unread-badge"' not in _client("demo-citizen").get("/me/").content.decode()
    inbox = client.get("/cases/messages/").content.decode()
    assert inbox.count('data-testid="unread"') == 2  # shown as new this once
    assert not Notification.objects.filter(recipient_id=_id("demo-elder"), read_at__isnull=True)
    assert AuditRecord.objects.filter(actor="user:demo-elder", action="notify.messages_read")
    page = client.get("/me/").content.decode()
    assert 'data-testid="unread-badge"' not in page and "没有未读消息。" in page


def test_the_home_lists_my_cases_and_licences_only():
    page = _client("demo-daughter").get("/me/").content.decode()
    for section in ("home-cases", "home-licences", "home-messages", "home-mandates"):
        assert f'data-testid="{section}"' in page
    assert "我为 陈桂英 代办" in page
    # staff have no personal home sections
    page = _client("demo-clerk").get("/me/").content.decode()
    assert 'data-testid="home-cases"' not in page
    assert 'href="/accounts/mandates/paper/"' in page  # a window clerk records paper mandates
    assert "/accounts/mandates/paper/" not in _client("demo-reviewer").get("/me/").content.decode()


def test_mark_read_touches_only_the_recipients_messages():
    notify.send(recipient_kind="person", recipient_id=_id("demo-citizen"), title="t", body="b")
    mine = Notification.objects.get(recipient_id=_id("demo-citizen"), title="t")
    changed = notify.mark_read(
        recipient_ids=[_id("demo-elder")], message_ids=[mine.pk], actor="user:demo-elder"
    )
    assert changed == 0
    assert Notification.objects.get(pk=mine.pk).read_at is None
