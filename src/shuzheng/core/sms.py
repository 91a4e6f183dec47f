"""Pluggable SMS backends (a small registry, as Open Forms does for its plugins).

Select with the ``SMS_BACKEND`` setting. ``outbox`` stores messages in ``OutboxMessage`` for the
demo (shown on the outbox page); ``console`` logs them. A real gateway registers itself here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings

from shuzheng.core.models import OutboxMessage

logger = logging.getLogger(__name__)

SmsSender = Callable[[str, str], None]
_REGISTRY: dict[str, SmsSender] = {}


def register(name: str) -> Callable[[SmsSender], SmsSender]:
    def deco(fn: SmsSender) -> SmsSender:
        _REGISTRY[name] = fn
        return fn

    return deco


@register("outbox")
def _outbox(phone: str, text: str) -> None:
    OutboxMessage.objects.create(channel="sms", recipient=phone, body=text)


@register("console")
def _console(phone: str, text: str) -> None:
    logger.warning("SMS to %s: %s", phone, text)


def send_sms(phone: str, text: str) -> None:
    name = settings.SMS_BACKEND
    try:
        sender = _REGISTRY[name]
    except KeyError as exc:
        raise RuntimeError(f"unknown SMS backend {name!r}; known: {sorted(_REGISTRY)}") from exc
    sender(phone, text)
