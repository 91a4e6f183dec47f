"""Background tasks that join modules no lower layer may join (``shuzheng serve`` schedules
them): 证照到期提醒 — licenses decides which licences are due, notify tells the holders."""

from __future__ import annotations

from django_tasks import task

from shuzheng.core.workers import retry_safe
from shuzheng.licenses import facade as licenses
from shuzheng.licenses.contracts import ExpiryReminder
from shuzheng.notify import facade as notify


def _deliver(reminder: ExpiryReminder) -> None:
    """The holder's message (and, for a person, the SMS after commit)."""
    notify.send(
        recipient_kind=reminder.holder_kind,
        recipient_id=reminder.holder_id,
        title=reminder.title,
        body=reminder.body,
        link=reminder.link,
    )


def remind_expiring_licenses_now() -> int:
    return licenses.remind_expiring(_deliver)


@retry_safe  # each reminder's row is unique and written with its message: a rerun sends none
@task()
def remind_expiring_licenses() -> int:
    """证照到期提醒 90 and 30 days before a licence ends (daily). Idempotent."""
    return remind_expiring_licenses_now()
