"""The supervision module's public face (other modules import only this and contracts)."""

from __future__ import annotations

from shuzheng.supervision.contracts import TaskMention
from shuzheng.supervision.models import Task


def tasks_mentioning(words: str, *, limit: int = 20) -> list[TaskMention]:
    """Tasks whose text mentions ``words`` (for a 公文's "related tasks"), register order."""
    rows = Task.objects.filter(text__icontains=words).select_related("plan")[:limit]
    return [TaskMention(id=t.pk, plan_title=t.plan.title, title=t.title) for t in rows]
