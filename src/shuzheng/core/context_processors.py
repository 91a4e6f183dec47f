"""Values every page of the shell needs: elder mode, calendar warnings for administrators."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from shuzheng.core.calendar import estimated_years

ELDER_COOKIE = "sz_elder"


def shell(request: HttpRequest) -> dict[str, Any]:
    ctx: dict[str, Any] = {"elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1"}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("core.change_calendarday"):
        this_year = timezone.localdate().year
        ctx["calendar_estimated_years"] = estimated_years(range(this_year, this_year + 2))
    return ctx
