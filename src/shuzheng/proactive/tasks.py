"""Background tasks of 免申即享 (django-tasks; the database worker runs them)."""

from __future__ import annotations

from django_tasks import task

from shuzheng.core.workers import retry_safe
from shuzheng.proactive import selectors, services


@retry_safe  # matches are unique per (policy, subject, period); grants check status
@task()
def run_policies() -> dict[str, int]:
    """Run every active policy's batch (notify new matches, grant due ones). Idempotent."""
    out: dict[str, int] = {}
    for policy in selectors.policies():
        summary = services.policy_run(code=policy.code, actor="system:proactive_task")
        out[policy.code] = summary.new_matches
    return out


@retry_safe  # each grant locks its match and checks its status; payments keyed
@task()
def grant_due() -> dict[str, int]:
    """Grant matches whose window has passed. Idempotent: safe to run any time."""
    granted, expired = services.grants_due(actor="system:proactive_task")
    return {"granted": granted, "expired": expired}
