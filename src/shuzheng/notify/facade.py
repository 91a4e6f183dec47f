"""Notifications: an in-app message, and an SMS to a person's phone if the transaction commits."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from shuzheng.core import rawsql
from shuzheng.core.sms import send_sms_after_commit
from shuzheng.identity import facade as identity
from shuzheng.notify.models import Notification


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
    it commits (``core.sms.send_sms_after_commit``)."""
    rawsql.insert(
        Notification,
        {
            "recipient_kind": recipient_kind,
            "recipient_id": recipient_id,
            "title": title[:200],
            "body": body,
            "link": link,
            "created_at": timezone.now(),
        },
    )
    if sms and recipient_kind == "person":
        phone = identity.person_phone(recipient_id)
        if phone:
            send_sms_after_commit(phone, f"【数政】{body}")


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
