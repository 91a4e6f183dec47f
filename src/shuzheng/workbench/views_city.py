"""A 12345 ticket of a city-management category becomes a 城市管理事件 with one click (issue 19
item 1). ``hotline`` and ``governance`` are siblings in one layer and may not import each other;
the workbench sits above both: it reads the ticket through ``hotline.facade`` (so only who may
see the ticket may convert it) and files the event through ``governance.facade``. The button is
offered on the ticket's page through ``core.links`` (``ticket_actions``); the event is shown back
on the ticket — to the citizen too, with its outcome once closed — by governance's
``core.links`` provider."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_POST

from shuzheng.core import links
from shuzheng.core.errors import DomainError, NotFound
from shuzheng.governance import facade as governance
from shuzheng.hotline import facade as hotline
from shuzheng.identity.facade import principal_for_request


def _category_names(ticket: dict[str, Any]) -> str:
    category = ticket.get("category") or {}
    return str(category.get("name", "")) if isinstance(category, dict) else ""


def ticket_actions(request: HttpRequest, ticket_no: str) -> list[links.LinkAction]:
    """``core.links`` actions on ``"hotline.ticket"``: 转为城市管理事件 for the center, when the
    ticket's category maps to an event class and no event was made from it yet."""
    principal = principal_for_request(request)
    if principal.kind != "staff" or not hotline.is_center(principal):
        return []
    if links.related("hotline.ticket", ticket_no):
        return []
    try:
        ticket = hotline.ticket_detail(principal, ticket_no)
    except NotFound:
        return []
    found = governance.event_class_for_hotline(_category_names(ticket))
    if found is None:
        return []
    return [
        links.LinkAction(
            label=_t("转为城市管理事件（%(name)s）") % {"name": found[1]},
            url=reverse("workbench:city_from_ticket", args=[ticket_no]),
            testid="to-city-event",
        )
    ]


@login_required
@require_POST
def city_from_ticket(request: HttpRequest, ticket_no: str) -> HttpResponse:
    principal = principal_for_request(request)
    if principal.kind != "staff" or not hotline.is_center(principal):
        raise PermissionDenied(_t("只有12345中心可以把工单转为城市管理事件。"))
    try:
        ticket = hotline.ticket_detail(principal, ticket_no)
    except NotFound as e:
        raise Http404(e.message) from e
    found = governance.event_class_for_hotline(_category_names(ticket))
    if found is None:
        raise Http404(_t("该工单的诉求分类不属于城市管理事件。"))
    try:
        event = governance.event_from_ticket(
            principal=principal,
            ticket_no=ticket_no,
            category=found[0],
            description=str(ticket.get("content") or ticket.get("title") or "")[:1000],
            address=str(ticket.get("address") or "")[:200],
            district=str(ticket.get("region_code") or ""),
            town_code=str(ticket.get("town_code") or ""),
        )
    except DomainError as e:
        raise Http404(e.message) from e
    return HttpResponseRedirect(
        reverse("governance:event", args=[event.event_no]) + "?done=from_hotline"
    )
