"""Background tasks (django-tasks): take ids, idempotent, enqueued with on_commit.

``remind`` (催报) is meant to run once a day: ``services.tasks_remind`` sends each unit with an
open task due within three days one message a day.
"""

from __future__ import annotations

from shuzheng.reporting import services


def remind() -> int:
    return services.tasks_remind()
