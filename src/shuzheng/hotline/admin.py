"""The 12345 center edits its category tree, time limits and settings here (every change audited
by ``AuditedAdmin`` in the admin's transaction)."""

from __future__ import annotations

from django.contrib import admin

from shuzheng.audit.facade import AuditedAdmin
from shuzheng.hotline.models import Category, HotlineSettings, TimeLimit


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "parent", "active")
    list_filter = ("level", "active")
    search_fields = ("code", "name")


@admin.register(TimeLimit)
class TimeLimitAdmin(AuditedAdmin):
    list_display = ("ticket_type", "urgency", "sign_minutes", "amount", "unit", "source")
    list_filter = ("ticket_type", "urgency")


@admin.register(HotlineSettings)
class HotlineSettingsAdmin(AuditedAdmin):
    list_display = (
        "__str__",
        "max_reopen",
        "dispute_after_returns",
        "merge_window_days",
        "yellow_percent",
        "red_percent",
    )
