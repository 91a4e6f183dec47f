"""Pluggable SMS backends (a small registry, as Open Forms does for its plugins).

Select with the ``SMS_BACKEND`` setting. ``outbox`` stores messages in ``OutboxMessage`` for the
demo (shown on the outbox page); ``console`` logs them. A real gateway registers itself here.

``send_sms_after_commit`` is what state changes use: a message must go out only if the change
commits. A backend that writes to the database (``transactional=True``, the outbox) does so in
the caller's transaction — the row commits or rolls back with the change, one statement and no
second commit; any other backend runs once the transaction has committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuzheng.core.models import OutboxMessage

logger = logging.getLogger(__name__)

SmsSender = Callable[[str, str], None]
_REGISTRY: dict[str, SmsSender] = {}
_TRANSACTIONAL: set[str] = set()
# optional: a backend's way to send many messages at once (the outbox: one INSERT)
_MANY: dict[str, Callable[[list[tuple[str, str]]], None]] = {}


def register(name: str, *, transactional: bool = False) -> Callable[[SmsSender], SmsSender]:
    def deco(fn: SmsSender) -> SmsSender:
        _REGISTRY[name] = fn
        (_TRANSACTIONAL.add if transactional else _TRANSACTIONAL.discard)(name)
        return fn

    return deco


@register("outbox", transactional=True)
def _outbox(phone: str, text: str) -> None:
    OutboxMessage.objects.create(channel="sms", recipient=phone, body=text)


def _outbox_many(messages: list[tuple[str, str]]) -> None:
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(channel="sms", recipient=p, body=t, created_at=now) for p, t in messages]
    )


_MANY["outbox"] = _outbox_many


@register("console")
def _console(phone: str, text: str) -> None:
    logger.warning("SMS to %s: %s", phone, text)


def _sender() -> tuple[str, SmsSender]:
    name = settings.SMS_BACKEND
    try:
        return name, _REGISTRY[name]
    except KeyError as exc:
        raise RuntimeError(f"unknown SMS backend {name!r}; known: {sorted(_REGISTRY)}") from exc


def signed(text: str) -> str:
    """``text`` with the sender's 【签名】 (``SMS_SIGN_NAME``) in front, as Chinese carriers
    require of every text. Real gateways send the 签名 as a parameter and strip it from the
    text (``notify.sms_gateways``); the outbox and console show it."""
    return f"【{settings.SMS_SIGN_NAME}】{text}"


def send_sms(phone: str, text: str) -> None:
    _sender()[1](phone, text)


def send_sms_after_commit(phone: str, text: str) -> None:
    """Text ``phone`` if and when the current transaction commits (see the module's note)."""
    name, sender = _sender()
    if name in _TRANSACTIONAL:
        sender(phone, text)
    else:
        transaction.on_commit(lambda: sender(phone, text))


def send_many_sms_after_commit(messages: list[tuple[str, str]]) -> None:
    """``send_sms_after_commit`` for many (phone, text) pairs; a backend that can send them
    at once (the outbox: one INSERT) does."""
    if not messages:
        return
    name, sender = _sender()
    many = _MANY.get(name)

    def send_all() -> None:
        if many is not None:
            many(messages)
        else:
            for phone, text in messages:
                sender(phone, text)

    if name in _TRANSACTIONAL:
        send_all()
    else:
        transaction.on_commit(send_all)
