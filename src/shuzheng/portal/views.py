"""Citizen and enterprise portal pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shuzheng.cases import facade as cases
from shuzheng.catalog import facade as catalog
from shuzheng.core.context_processors import ELDER_COOKIE
from shuzheng.core.errors import NotFound
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import (
    ROLE_NAMES,
    department_names,
    mandates_of,
    person_own,
    principal_for_request,
)
from shuzheng.licenses import facade as licenses
from shuzheng.notify import facade as notify

LIFE_EVENTS = [
    (_("生育"), _("出生医学证明、新生儿落户、医保参保")),
    (_("教育"), _("入学、学籍、资助")),
    (_("就业"), _("就业登记、社保、人才引进")),
    (_("婚姻"), _("结婚登记、离婚登记")),
    (_("养老"), _("退休、高龄津贴、养老保险")),
    (_("残疾"), _("残疾人证、两项补贴")),
    (_("住房"), _("公积金、不动产登记")),
    (_("户籍"), _("户口登记、居住证、户口迁移")),
    (_("社保"), _("社保卡、参保、医保")),
]
ENTERPRISE_STAGES = [
    (_("开办"), _("设立登记、刻章、税务、社保一次办")),
    (_("经营"), _("许可、备案、惠企政策")),
    (_("变更"), _("名称、地址、经营范围变更")),
    (_("注销"), _("简易注销、一般注销")),
]


# 长辈版 home: the services elders use first — the catalog's 养老 items (高龄津贴 first, then
# 秒批 ones: pensions, retirees' 医保), a few only — then 亮证, 办件进度 and the 12345 hotline.
ELDER_THEME = "养老"
ELDER_FIRST = "高龄津贴"
ELDER_ITEMS = 4


def elder_services() -> list[catalog.ItemView]:
    items = catalog.items_of_theme(ELDER_THEME, applicant_type="person")
    return sorted(items, key=lambda v: ELDER_FIRST not in v.name)[:ELDER_ITEMS]


def home(request: HttpRequest) -> HttpResponse:
    elder_mode = request.COOKIES.get(ELDER_COOKIE) == "1"
    return render(
        request,
        "portal/home.html",
        {
            "life_events": LIFE_EVENTS,
            "enterprise_stages": ENTERPRISE_STAGES,
            "bundles": [] if elder_mode else catalog.bundles(),
            "elder_services": elder_services() if elder_mode else [],
            "elder_theme": ELDER_THEME,
        },
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    person = None
    if principal.person_id:
        try:
            person = person_own(principal)
        except NotFound:
            person = None
    names = department_names()
    roles = [  # 窗口受理人员（肇庆市民政局）, never the codes window_clerk@441200-MZJ
        f"{ROLE_NAMES.get(r, r)}（{names.get(d, d)}）" for r, d in principal.staff_roles
    ]
    return render(
        request,
        "portal/me.html",
        {
            "principal": principal,
            "person": person,
            "roles": roles,
            # 帮办代办: window clerks record a 帮办员's signed paper mandate
            "is_clerk": principal.has_role("window_clerk"),
            **(_personal_home(principal) if principal.kind in ("person", "agent") else {}),
        },
    )


HOME_ROWS = 5


def _personal_home(principal: Principal) -> dict[str, object]:
    """个人主页: 我的办件 (the latest), 我的证照, 消息 (the unread count), 我的授权 (帮办代办)."""
    rows, total = cases.case_list(principal, limit=HOME_ROWS)
    wallet = licenses.wallet_refs(principal)
    ids = [i for i in (principal.id_number, *principal.enterprises) if i]
    given, held = mandates_of(principal)
    return {
        "home": True,
        "cases": rows,
        "cases_total": total,
        "licences": wallet[:HOME_ROWS],
        "licences_total": len(wallet),
        "unread": notify.unread_count(recipient_ids=ids),
        "mandates_given": [m for m in given if m.status in ("pending", "active")],
        "mandates_held": [m for m in held if m.status in ("pending", "active")],
        "mandates_waiting": sum(1 for m in given if m.status == "pending"),
    }


@require_POST
def elder(request: HttpRequest) -> HttpResponse:
    """Switch 长辈版 (large type) on or off; works without JavaScript."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("portal:home")
    response = HttpResponseRedirect(target)
    if request.POST.get("on") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 86400, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response
