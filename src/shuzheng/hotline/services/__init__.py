"""All writes of the hotline, in topics (docs/style.md habit 2): ``intake`` (受理 from every
channel), ``actions`` (the lifecycle's one save path, escalation and warnings), ``handlers`` (each
action's work), ``records`` (numbers, timeline, notifications), ``notices`` (督办通知 PDF),
``open311`` (api keys)."""

from shuzheng.hotline.services.actions import (
    allowed_actions,
    escalate_overdue,
    roles_on,
    ticket_act,
    warnings_refresh,
)
from shuzheng.hotline.services.intake import TicketInput, ticket_create, type_code

__all__ = [
    "TicketInput",
    "allowed_actions",
    "escalate_overdue",
    "roles_on",
    "ticket_act",
    "ticket_create",
    "type_code",
    "warnings_refresh",
]
