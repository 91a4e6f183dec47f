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

from shuzheng.core import rawsql
from shuzheng.core.models import OutboxMessage

logger = logging.getLogger(__name__)

SmsSender = Callable[[str, str], None]
_REGISTRY: dict[str, SmsSender] = {}
_TRANSACTIONAL: set[str] = set()


def register(name: str, *, transactional: bool = False) -> Callable[[SmsSender], SmsSender]:
    def deco(fn: SmsSender) -> SmsSender:
        _REGISTRY[name] = fn
        (_TRANSACTIONAL.add if transactional else _TRANSACTIONAL.discard)(name)
        return fn

    return deco


@register("outbox", transactional=True)
def _outbox(phone: str, text: str) -> None:
    rawsql.insert(
        OutboxMessage,
        {"channel": "sms", "recipient": phone, "body": text, "created_at": timezone.now()},
    )


@register("console")
def _console(phone: str, text: str) -> None:
    logger.warning("SMS to %s: %s", phone, text)


def _sender() -> tuple[str, SmsSender]:
    name = settings.SMS_BACKEND
    try:
        return name, _REGISTRY[name]
    except KeyError as exc:
        raise RuntimeError(f"unknown SMS backend {name!r}; known: {sorted(_REGISTRY)}") from exc


def send_sms(phone: str, text: str) -> None:
    _sender()[1](phone, text)


def send_sms_after_commit(phone: str, text: str) -> None:
    """Text ``phone`` if and when the current transaction commits (see the module's note)."""
    name, sender = _sender()
    if name in _TRANSACTIONAL:
        sender(phone, text)
    else:
        transaction.on_commit(lambda: sender(phone, text))
