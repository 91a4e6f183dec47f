"""Notifications and their SMS: inline (in the notifying transaction) and deferred
(``NOTIFY_SMS = "deferred"``: marked, then texted by ``dispatch_sms``)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings

from shuzheng.core.models import OutboxMessage
from shuzheng.notify import facade as notify
from shuzheng.notify.models import Notification

pytestmark = pytest.mark.django_db

CITIZEN = "441202199005120317"  # demo-citizen, phone 13800000001


def _send(recipient_id: str = CITIZEN, *, kind: str = "person", body: str = "您的申请已受理。"):
    notify.send(recipient_kind=kind, recipient_id=recipient_id, title="办件", body=body)


def _texts() -> list[tuple[str, str]]:
    return list(OutboxMessage.objects.order_by("id").values_list("recipient", "body"))


@override_settings(NOTIFY_SMS="inline")
def test_inline_texts_in_the_notifying_transaction():
    assert not notify.sms_deferred()
    with transaction.atomic():
        _send()
        assert _texts() == [("13800000001", "【数政】您的申请已受理。")]
    assert not Notification.objects.filter(sms_pending=True).exists()


@override_settings(NOTIFY_SMS="deferred")
def test_deferred_marks_the_message_and_dispatch_texts_it_once():
    with transaction.atomic():
        _send(body="第一条")
        _send(body="第二条")
    assert _texts() == []  # nothing texted yet, no phone looked up
    assert Notification.objects.filter(sms_pending=True).count() == 2
    assert notify.dispatch_sms() == 2
    assert _texts() == [("13800000001", "【数政】第一条"), ("13800000001", "【数政】第二条")]
    assert not Notification.objects.filter(sms_pending=True).exists()
    assert notify.dispatch_sms() == 0
    assert len(_texts()) == 2  # not texted twice


@override_settings(NOTIFY_SMS="deferred")
def test_deferred_dispatch_works_in_batches_in_order():
    for i in range(5):
        _send(body=f"消息{i}")
    assert notify.dispatch_sms(batch=2) == 5
    assert [b for _, b in _texts()] == [f"【数政】消息{i}" for i in range(5)]


@override_settings(NOTIFY_SMS="deferred")
def test_deferred_people_without_a_phone_and_non_persons_get_no_text():
    _send("110101199003074578")  # no such person on record
    _send("91441200MA4UU0001X", kind="enterprise")
    enterprise = Notification.objects.get(recipient_kind="enterprise")
    assert enterprise.sms_pending is False  # only people are texted
    assert notify.dispatch_sms() == 1
    assert _texts() == []
    assert not Notification.objects.filter(sms_pending=True).exists()


@override_settings(NOTIFY_SMS="deferred")
def test_deferred_a_rolled_back_notification_is_never_texted():
    with pytest.raises(RuntimeError), transaction.atomic():
        _send()
        raise RuntimeError("the change failed")
    assert notify.dispatch_sms() == 0
    assert _texts() == []


@override_settings(NOTIFY_SMS="deferred", SMS_BACKEND="console")
def test_deferred_a_non_transactional_backend_sends_after_the_dispatch_commits(
    caplog, django_capture_on_commit_callbacks
):
    _send(body="控制台")
    with caplog.at_level("WARNING", logger="shuzheng.core.sms"):
        with django_capture_on_commit_callbacks() as hooks:
            assert notify.dispatch_sms() == 1
        assert "控制台" not in caplog.text  # not before the commit
        for hook in hooks:
            hook()
    assert "SMS to 13800000001: 【数政】控制台" in caplog.text
    assert _texts() == []


@override_settings(NOTIFY_SMS="deferred", SMS_SIGN_NAME="肇庆政务")
def test_every_text_carries_the_configured_sign_name():
    """The 【签名】 is the deployment's (``SHUZHENG_SMS_SIGN_NAME``), not the project's name:
    notifications (inline and dispatched) and login codes alike."""
    from django.contrib.auth import get_user_model

    from shuzheng.identity import services as identity_services

    with override_settings(NOTIFY_SMS="inline"), transaction.atomic():
        _send(body="即时")
    _send(body="稍后")
    notify.dispatch_sms()
    user = get_user_model().objects.get(username="demo-citizen")
    with transaction.atomic():
        identity_services.otp_send(user=user, purpose="login")
    bodies = [b for _, b in _texts()]
    assert bodies[:2] == ["【肇庆政务】即时", "【肇庆政务】稍后"]
    assert bodies[2].startswith("【肇庆政务】您的登录验证码为 ") and len(bodies) == 3
    assert not any("【数政】" in b for b in bodies)
