"""Django admin in Chinese for platform administrators; every change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from shuzheng.audit.facade import AuditedAdmin
from shuzheng.core import cache, calendar
from shuzheng.core.models import CalendarDay, CalendarYear, OutboxMessage

admin.site.site_header = "数政 · 平台管理"
admin.site.site_title = "数政平台管理"
admin.site.index_title = "平台管理"


def _login_redirect(request: HttpRequest, extra_context: Any = None) -> HttpResponseRedirect:
    """All logins go through the platform's password + SMS code login."""
    target = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(reverse("identity:login") + "?" + urlencode({"next": target}))


admin.site.login = _login_redirect  # type: ignore[method-assign]


class _CalendarAdmin(AuditedAdmin):
    """Changes the working-day calendar: a new version of its cache in the admin's transaction
    (the bulk delete action deletes through ``delete_model``), so every process reloads it on
    its next computation."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        cache.bump(calendar.CALENDAR)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        cache.bump(calendar.CALENDAR)


@admin.register(CalendarDay)
class CalendarDayAdmin(_CalendarAdmin):
    list_display = ("date", "kind", "name", "source", "updated_at")
    list_filter = ("kind", "source")
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(_CalendarAdmin):
    list_display = ("year", "source", "notice", "updated_at")


@admin.register(OutboxMessage)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "body")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
