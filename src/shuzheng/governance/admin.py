"""Administrators define indicators here (every change audited by ``AuditedAdmin`` in the
admin's transaction); alerts are listed read-only (they change through their lifecycle)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from shuzheng.audit.facade import AuditedAdmin
from shuzheng.governance.models import Alert, Indicator
from shuzheng.governance.services.indicators import indicator_problems


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name",
        "unit",
        "department",
        "function",
        "source",
        "yellow",
        "red",
        "active",
    )
    list_filter = ("function", "source", "active")
    search_fields = ("code", "name", "department")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        class Checked(form):  # type: ignore[misc,valid-type]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                problems = indicator_problems(data)
                if problems:
                    raise ValidationError({k: v for k, v in problems.items()})
                return data

        return Checked


@admin.register(Alert)
class AlertAdmin(AuditedAdmin):
    list_display = ("indicator", "district", "level", "value", "threshold", "status", "raised_at")
    list_filter = ("status", "level")
    readonly_fields = [f.name for f in Alert._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
