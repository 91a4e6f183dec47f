"""The main navigation's links by role (issue 17, defect 10: no page is a dead end).

Citizens and enterprise agents: 我的数据 (their 数字空间) and 政策 (免申即享: what they may
enjoy). Staff (after 工作台): 数据管理 (data officers), 决策规则 (every staff
role: how 秒批 and 免申即享 decide) and 免申即享 (the policies and their figures). Anonymous
visitors: 政策 (the published policy texts). ``base.html`` adds these after 首页."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from shuzheng.hotline.facade import is_center as hotline_center
from shuzheng.identity.contracts import HOTLINE_HANDLER_ROLES
from shuzheng.identity.facade import principal_for_request
from shuzheng.knowledge import facade as knowledge
from shuzheng.reporting import facade as reporting

register = template.Library()


def nav_links(request: Any) -> list[dict[str, str]]:
    """(name, url, test id) of the role's extra links, in the order shown."""
    principal = principal_for_request(request)
    links: list[tuple[str, str, str]] = []
    if principal.kind in ("person", "agent"):
        links += [
            (_("我的数据"), reverse("dataspace:home"), "nav-data"),
            (_("政策"), reverse("proactive:mine"), "nav-policies"),
            (_("12345"), reverse("hotline:home"), "nav-hotline"),
        ]
    elif principal.kind == "staff":
        if hotline_center(principal):
            links.append((_("12345话务台"), reverse("hotline:console"), "nav-hotline"))
        elif principal.departments_for(HOTLINE_HANDLER_ROLES):
            links.append((_("12345工单"), reverse("hotline:queue"), "nav-hotline"))
        if principal.has_role("data_officer") or principal.is_platform_admin:
            links.append((_("数据管理"), reverse("dataofficer:home"), "nav-dataofficer"))
        if knowledge.manages(principal):
            links.append((_("知识库"), reverse("knowledge:manage"), "nav-knowledge"))
        if reporting.fills_or_reviews(principal):  # 村/社区 cadres and 镇街 reviewers
            links.append((_("填表报数"), reverse("reporting:home"), "nav-reporting"))
        links += [
            (_("决策规则"), reverse("rules:list"), "nav-rules"),
            (_("免申即享"), reverse("proactive:list"), "nav-policies"),
        ]
    elif not principal.is_authenticated:
        links.append((_("政策"), reverse("proactive:list"), "nav-policies"))
        links.append((_("12345"), reverse("hotline:home"), "nav-hotline"))
    here = request.path
    return [
        {"name": name, "url": url, "testid": testid, "current": here == url}
        for name, url, testid in links
    ]


@register.inclusion_tag("portal/_nav_links.html", takes_context=True)
def main_nav_links(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    return {"links": nav_links(request) if request is not None else []}
