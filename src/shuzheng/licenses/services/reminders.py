"""到期提醒: a licence with an end date is announced to its holder 90 and 30 days before it
ends, once per threshold. The daily task passes a ``send`` that delivers the words (notify's
message and SMS: this module may not import notify, a higher layer); the reminder row, the
audit record and whatever ``send`` writes share one transaction, so a reminder is either
recorded and sent or neither."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.zhdate import zh_date
from shuzheng.licenses.contracts import ExpiryReminder
from shuzheng.licenses.models import License, LicenseReminder, LicenseStatus

REMINDER_DAYS = (90, 30)
ACTOR = "system:licenses"


def _reminder(lic: License, *, days_left: int, days_before: int) -> ExpiryReminder:
    assert lic.valid_until is not None
    whose = "您的" if lic.holder_kind == "person" else f"{lic.holder_name}的"
    when = "今天" if days_left == 0 else f"{zh_date(lic.valid_until)}（还有 {days_left} 天）"
    name = lic.license_type.name
    return ExpiryReminder(
        holder_kind=lic.holder_kind,
        holder_id=lic.holder_id,
        license_id=lic.license_id,
        type_name=name,
        valid_until=lic.valid_until,
        days_left=days_left,
        days_before=days_before,
        title=f"{name}即将到期",
        # no licence number: a 居民身份证's number is the holder's ID number, and this is texted
        body=f"{whose}{name}将于{when}到期，请及时办理换领或延续。详见电子证照夹。",
        link=f"/licenses/{lic.license_id}/",
    )


def licenses_remind_expiring(
    *, send: Callable[[ExpiryReminder], None], today: dt.date | None = None
) -> int:
    """Remind the holders of valid licences that end within 90 days: the nearest threshold
    reached (90 or 30 days before) that was not yet reminded for this end date — a licence
    first seen 20 days before its end gets the 30-day reminder only. Idempotent: the
    reminder's row is unique, and a run that loses a race to another sends nothing. Returns
    how many reminders were sent."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    due = (
        License.objects.select_related("license_type")
        .filter(status=LicenseStatus.VALID, valid_until__gte=today, valid_until__lte=horizon)
        .order_by("valid_until", "id")
    )
    sent = 0
    for lic in due:
        assert lic.valid_until is not None
        days_left = (lic.valid_until - today).days
        days_before = min(d for d in REMINDER_DAYS if days_left <= d)
        if LicenseReminder.objects.filter(
            license=lic, valid_until=lic.valid_until, days_before__lte=days_before
        ).exists():
            continue  # this threshold (or a nearer one) was reminded for this end date
        with transaction.atomic():
            _row, created = LicenseReminder.objects.get_or_create(
                license=lic,
                days_before=days_before,
                valid_until=lic.valid_until,
                defaults={"sent_at": timezone.now()},
            )
            if not created:
                continue
            send(_reminder(lic, days_left=days_left, days_before=days_before))
            audit.record(
                actor=ACTOR,
                action="licenses.remind_expiry",
                object_type="licenses.license",
                object_id=lic.license_id,
                after={
                    "days_before": days_before,
                    "days_left": days_left,
                    "valid_until": lic.valid_until.isoformat(),
                },
            )
        sent += 1
    return sent
