"""Django admin in Chinese for platform administrators; every change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from shuzheng.audit.facade import AuditedAdmin
from shuzheng.core import cache, calendar
from shuzheng.core.errors import DomainError, FieldError, ValidationFailed
from shuzheng.core.models import CalendarDay, CalendarYear, OutboxMessage
from shuzheng.identity.facade import principal_for_request

admin.site.site_header = "数政 · 平台管理"
admin.site.site_title = "数政平台管理"
admin.site.index_title = "平台管理"
# the index warns while a year's holidays are missing or next year's 调休 notice is not in
admin.site.index_template = "console/admin_index.html"
MAX_NOTICE_FILE = 256 * 1024


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
    list_display = ("year", "status", "source", "notice", "updated_at")
    list_filter = ("status",)
    change_list_template = "console/calendaryear_change_list.html"

    def get_urls(self) -> list[URLPattern]:
        notice = path(
            "notice/",
            self.admin_site.admin_view(self.notice_view),
            name="core_calendaryear_notice",
        )
        return [notice, *super().get_urls()]

    def notice_view(self, request: HttpRequest) -> HttpResponse:
        """One screen to enter a year's notice (国务院办公厅关于节假日安排的通知): paste its dates
        or upload a CSV/JSON file, preview what changes, save the year as official. Platform
        administrators only (the role, and the right to change the calendar)."""
        principal = principal_for_request(request)
        if not (principal.is_platform_admin and self.has_change_permission(request)):
            raise PermissionDenied("仅平台管理员可以录入节假日通知。")
        from shuzheng.console import services

        form = {
            "year": str(timezone.localdate().year + 1),
            "notice": "",
            "text": "",
        }
        errors: list[FieldError] = []
        preview = None
        status = 200
        if request.method == "POST":
            form = {k: str(request.POST.get(k, ""))[:20000] for k in form}
            upload = request.FILES.get("file")
            try:
                year = _year(form["year"])
                content = None
                if upload is not None:
                    if upload.size is not None and upload.size > MAX_NOTICE_FILE:
                        raise ValidationFailed.one("file", "文件不超过 256 KB。")
                    content = upload.read()
                file_name = (upload.name or "") if upload is not None else ""
                if "save" in request.POST:
                    result = services.calendar_notice_import(
                        actor=principal.actor,
                        year=year,
                        notice=form["notice"],
                        text=form["text"],
                        file_name=file_name,
                        file_content=content,
                    )
                    messages.success(
                        request,
                        f"已将 {result.year} 年的节假日安排保存为正式日历："
                        f"放假 {result.holidays} 天，调休上班 {result.workdays} 天；"
                        f"重新计算了 {result.cases_recomputed} 件办件的承诺办结日期。",
                    )
                    return HttpResponseRedirect(reverse("admin:core_calendaryear_changelist"))
                preview = services.calendar_notice_preview(
                    year=year, text=form["text"], file_name=file_name, file_content=content
                )
                form["text"] = _canonical(preview.days)  # what the save button sends back
            except DomainError as exc:
                errors = exc.errors or [FieldError("", exc.message)]
                status = 422
        context = {
            **self.admin_site.each_context(request),
            "title": "录入国务院办公厅节假日通知",
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
            "preview": preview,
            "status_names": {
                calendar.OFFICIAL: "正式",
                calendar.PROVISIONAL: "暂定（未录入调休）",
                calendar.ESTIMATED: "无数据（按周一至周五计算）",
            },
        }
        return render(request, "console/calendar_notice.html", context, status=status)


def _year(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValidationFailed.one("year", "请填写四位数字的年份，例如 2027。") from None


def _canonical(days: list[Any]) -> str:
    """The parsed days as the notice's line format (read again when saved)."""
    return "\n".join(f"{d.date.isoformat()} {d.name}" for d in days)


@admin.register(OutboxMessage)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient", "body")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
