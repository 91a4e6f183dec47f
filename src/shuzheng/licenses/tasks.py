"""Background tasks of the licenses module (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from shuzheng.core.workers import retry_safe
from shuzheng.licenses.services import licenses_expire


@retry_safe  # one transaction over the licences still valid: a rerun converges
@task()
def expire_licenses() -> int:
    """Mark licences past their end date as expired, with history. Idempotent."""
    return licenses_expire()
