"""The 12345 center edits its category tree, time limits and settings here (every change audited
by ``AuditedAdmin`` in the admin's transaction)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shuzheng.audit.facade import AuditedAdmin
from shuzheng.core import cache
from shuzheng.hotline.models import Category, HotlineSettings, TimeLimit
from shuzheng.hotline.tree import CATEGORIES_CACHE


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    """A change of the tree: a new version of its cache (``hotline.tree``) in the admin's
    transaction, so every process reads the tree anew."""

    list_display = ("code", "name", "level", "parent", "active")
    list_filter = ("level", "active")
    search_fields = ("code", "name")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        cache.bump(CATEGORIES_CACHE)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        cache.bump(CATEGORIES_CACHE)


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
