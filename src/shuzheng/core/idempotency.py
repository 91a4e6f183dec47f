"""Idempotency keys for submissions (issue 16 item 10).

A client that files a case, loses the connection and sends the same request again must not
file twice. It sends ``Idempotency-Key: <its own unique value>`` (IETF draft
"The Idempotency-Key HTTP Header Field"); the first request with that key runs and its answer is
kept for ``IDEMPOTENCY_TTL_HOURS``; a repeat with the same key and the same body gets the same
answer again (``Idempotent-Replayed: true``) without running; the same key with another body is
a 422 naming ``Idempotency-Key``.

Exactly once under concurrency: the key's row is inserted in the same transaction as the work,
so a second request with the key waits on the unique index until the first commits (then
replays its answer) or rolls back (then runs itself). An error answer is not kept: the work
rolled back, so a retry runs again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzheng.core.errors import ValidationFailed

HEADER = "Idempotency-Key"


class IdempotentRequest(models.Model):
    """One submission made with an idempotency key, and the answer it got."""

    actor = models.CharField(_("调用者"), max_length=128)
    key = models.CharField(_("幂等键"), max_length=255)
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    status = models.PositiveSmallIntegerField(_("响应状态"), default=0)
    response = models.JSONField(_("响应内容"), null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        app_label = "core"
        verbose_name = _("幂等请求")
        verbose_name_plural = _("幂等请求")
        constraints = [
            models.UniqueConstraint(fields=["actor", "key"], name="core_idempotent_actor_key")
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.key}"


def _key(request: HttpRequest) -> str:
    key = request.headers.get(HEADER, "")
    if key and (len(key) > 255 or not key.isascii() or not key.isprintable()):
        raise ValidationFailed.one(HEADER, "幂等键须为 1 至 255 个可打印的 ASCII 字符。")
    return key


def _fingerprint(request: HttpRequest) -> str:
    h = hashlib.sha256()
    h.update(request.method.encode() if request.method else b"")
    h.update(b" " + request.path.encode() + b"\n")
    h.update(request.body)
    return h.hexdigest()


def once(
    request: HttpRequest, actor: str, run: Callable[[], tuple[int, Any]]
) -> tuple[int, Any, bool]:
    """Run ``run`` (returning status and a JSON-able body) at most once per idempotency key of
    the caller ``actor``; returns (status, body, replayed). Without the header, just runs it."""
    key = _key(request)
    if not key:
        status, body = run()
        return status, body, False
    fingerprint = _fingerprint(request)
    expired = timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    with transaction.atomic():
        IdempotentRequest.objects.filter(actor=actor, key=key, created_at__lt=expired).delete()
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    actor=actor, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            prior = IdempotentRequest.objects.get(actor=actor, key=key)
            if prior.fingerprint != fingerprint:
                raise ValidationFailed.one(
                    HEADER, "该幂等键已用于另一个请求，请为新的请求使用新的幂等键。"
                ) from None
            return prior.status, prior.response, True
        status, body = run()
        row.status = status
        row.response = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
        row.save(update_fields=["status", "response"])
        return status, body, False
