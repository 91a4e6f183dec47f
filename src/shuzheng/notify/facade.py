"""Notifications: an in-app message, and an SMS to a person's phone if the transaction commits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.sms import send_many_sms_after_commit, send_sms_after_commit, signed
from shuzheng.identity import facade as identity
from shuzheng.notify import sms_gateways
from shuzheng.notify.models import Notification, SmsDelivery


@dataclass(frozen=True)
class Message:
    id: int
    title: str
    body: str
    link: str
    created_at: str
    read: bool


def send(
    *,
    recipient_kind: str,
    recipient_id: str,
    title: str,
    body: str,
    link: str = "",
    sms: bool = True,
) -> None:
    """Store the in-app message now (in the caller's transaction); text the person if and when
    it commits (``core.sms.send_sms_after_commit``) — with ``NOTIFY_SMS = "deferred"`` the
    message is only marked, and ``dispatch_sms`` texts it shortly after the commit."""
    texted = sms and recipient_kind == "person"
    later = texted and sms_deferred()
    Notification.objects.create(
        recipient_kind=recipient_kind,
        recipient_id=recipient_id,
        title=title[:200],
        body=body,
        link=link,
        sms_pending=later,
    )
    if texted and not later:
        phone = identity.person_phone(recipient_id)
        if phone:
            send_sms_after_commit(phone, signed(body))


def sms_deferred() -> bool:
    """Whether notifications are texted by ``dispatch_sms`` (``NOTIFY_SMS = "deferred"``)."""
    return bool(settings.NOTIFY_SMS == "deferred")


def dispatch_sms(*, batch: int = 500) -> int:
    """Text the people whose committed messages wait for their SMS, oldest first; returns how
    many messages were handled (those of people without a phone are cleared unsent). Per
    batch: one read (rows locked; on PostgreSQL other dispatchers skip them), one phone
    lookup, the backend's send (the outbox: one INSERT), one UPDATE. ``shuzheng serve`` runs
    it every half second."""
    handled = 0
    skip_locked = connection.features.has_select_for_update_skip_locked
    while True:
        with transaction.atomic():
            pending = Notification.objects.filter(sms_pending=True).order_by("id")
            if skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            rows = list(pending.values_list("id", "recipient_id", "body")[:batch])
            if not rows:
                return handled
            phones = identity.person_phones([who for _, who, _ in rows])
            send_many_sms_after_commit(
                [(phones[who], signed(body)) for _, who, body in rows if who in phones]
            )
            Notification.objects.filter(id__in=[i for i, _, _ in rows]).update(sms_pending=False)
        handled += len(rows)
        if len(rows) < batch:
            return handled


def inbox(*, recipient_kind: str, recipient_ids: list[str], limit: int = 50) -> list[Message]:
    rows = Notification.objects.filter(recipient_id__in=recipient_ids)[: max(1, min(limit, 200))]
    return [
        Message(
            id=r.id,
            title=r.title,
            body=r.body,
            link=r.link,
            created_at=r.created_at.isoformat(),
            read=r.read_at is not None,
        )
        for r in rows
    ]


def unread_count(*, recipient_ids: list[str]) -> int:
    """How many of these recipients' messages are unread (the badge of 消息)."""
    if not recipient_ids:
        return 0
    return Notification.objects.filter(recipient_id__in=recipient_ids, read_at__isnull=True).count()


def mark_read(*, recipient_ids: list[str], message_ids: list[int], actor: str) -> int:
    """Mark these messages of these recipients read (the inbox was opened); the number newly
    marked. Audited as one record when any changed."""
    if not recipient_ids or not message_ids:
        return 0
    with transaction.atomic():
        rows = Notification.objects.filter(
            recipient_id__in=recipient_ids, id__in=message_ids, read_at__isnull=True
        )
        ids = sorted(rows.values_list("id", flat=True))
        if not ids:
            return 0
        Notification.objects.filter(id__in=ids).update(read_at=timezone.now())
        audit.record(
            actor=actor,
            action="notify.messages_read",
            object_type="notify.notification",
            object_id=str(ids[0]),
            after={"messages": [str(i) for i in ids]},
        )
    return len(ids)


def purge_sms_deliveries(*, now: dt.datetime | None = None, actor: str = "system:notify") -> int:
    """Delete the records of texts sent through a real gateway (``SmsDelivery``: phone number
    and text, a login code among them) older than ``SMS_RETENTION_DAYS`` — kept long enough to
    answer "did my text arrive?" and to reconcile the provider's bill, not for ever. Audited
    with the count and the cut-off. The scheduler runs it daily (``notify.purge_sms``)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.SMS_RETENTION_DAYS)
    with transaction.atomic():
        deleted, _ = SmsDelivery.objects.filter(created_at__lt=cutoff).delete()
        if deleted:
            audit.record(
                actor=actor,
                action="notify.sms_purged",
                object_type="sms_delivery",
                object_id="",
                after={"deleted": deleted, "before": cutoff.isoformat()},
            )
    return deleted


def resend_failed_sms(*, now: dt.datetime | None = None) -> int:
    """Try again the notices a real gateway failed to take on a transient error (down,
    throttling) once their time has come (``sms_gateways.resend_due``); returns how many were
    tried. The scheduler runs it every five minutes (``notify.resend_sms``)."""
    return sms_gateways.resend_due(now=now)


def sms_backlog() -> int:
    """Messages whose SMS waits for ``dispatch_sms`` (``/metrics``; a partial index answers)."""
    return Notification.objects.filter(sms_pending=True).count()
