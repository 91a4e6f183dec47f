"""``{% linked_objects kind object_id staff=False %}``: what other modules linked to an object
(``core.links``), and for staff the buttons they offer on it."""

from __future__ import annotations

from typing import Any

from django import template

from shuzheng.core import links

register = template.Library()


@register.inclusion_tag("core/_linked.html", takes_context=True)
def linked_objects(
    context: dict[str, Any], kind: str, object_id: str, staff: bool = False
) -> dict[str, Any]:
    request = context.get("request")
    return {
        "items": links.related(kind, str(object_id)),
        "actions": links.actions(kind, request, str(object_id)) if staff and request else [],
        "staff": staff,
        "csrf_token": context.get("csrf_token"),
    }
