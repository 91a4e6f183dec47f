"""Values every page of the shell needs: elder mode, calendar warnings for administrators."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from shuzheng.core.calendar import ESTIMATED, notice_warnings

ELDER_COOKIE = "sz_elder"


def shell(request: HttpRequest) -> dict[str, Any]:
    ctx: dict[str, Any] = {"elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1"}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("core.change_calendarday"):
        # this year and next without data (all year), next year's notice from October 1
        warnings = notice_warnings(timezone.localdate())
        ctx["calendar_estimated_years"] = [w.year for w in warnings if w.status == ESTIMATED]
        ctx["calendar_provisional_years"] = [w.year for w in warnings if w.status != ESTIMATED]
    return ctx
