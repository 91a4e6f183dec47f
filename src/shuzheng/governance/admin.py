"""Administrators define indicators here (every change audited by ``AuditedAdmin`` in the
admin's transaction); alerts are listed read-only (they change through their lifecycle)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shuzheng.audit.facade import AuditedAdmin
from shuzheng.governance.models import Alert, CityEvent, EventClass, GridCell, GridMember, Indicator
from shuzheng.governance.services.indicators import indicator_problems
from shuzheng.identity import facade as identity


def _department_name(code: str) -> str:
    return identity.department_names().get(code, code)


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = (
        "code",
        "name",
        "unit",
        "department_name",
        "function",
        "source",
        "yellow",
        "red",
        "active",
    )
    list_filter = ("function", "source", "active")
    search_fields = ("code", "name", "department")

    @admin.display(description=_("责任部门"), ordering="department")
    def department_name(self, obj: Indicator) -> str:
        return _department_name(obj.department)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "department":  # chosen by name, never typed as a code
            names = sorted(identity.department_names().items(), key=lambda kv: kv[0])
            return forms.ChoiceField(
                label=_("责任部门"), choices=[("", "---------"), *[(c, n) for c, n in names]]
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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
    exclude = ("department",)
    readonly_fields = [
        *(f.name for f in Alert._meta.fields if f.name != "department"),
        "department_name",
    ]

    @admin.display(description=_("责任部门"))
    def department_name(self, obj: Alert) -> str:
        return _department_name(obj.department)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- 城市管理事件: classes, grid cells and 网格员 are configured here; events are read-only ------


def _department_field(label: Any) -> forms.ChoiceField:
    names = sorted(identity.department_names().items(), key=lambda kv: kv[0])
    return forms.ChoiceField(label=label, choices=[("", "---------"), *list(names)])


@admin.register(EventClass)
class EventClassAdmin(AuditedAdmin):
    list_display = (
        "code",
        "kind",
        "major",
        "name",
        "department_name",
        "limit_amount",
        "limit_unit",
        "active",
    )
    list_filter = ("kind", "major", "active")
    search_fields = ("code", "name", "hotline_categories")

    @admin.display(description=_("处置部门"), ordering="department")
    def department_name(self, obj: EventClass) -> str:
        return _department_name(obj.department)

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "department":
            return _department_field(_("处置部门"))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(GridCell)
class GridCellAdmin(AuditedAdmin):
    list_display = ("code", "name", "district_name", "lat", "lng", "active")
    list_filter = ("district", "active")
    search_fields = ("code", "name")

    @admin.display(description=_("区县"), ordering="district")
    def district_name(self, obj: GridCell) -> str:
        from shuzheng.core import codes

        return codes.region_name(obj.district) or obj.district


@admin.register(GridMember)
class GridMemberAdmin(AuditedAdmin):
    list_display = ("username", "name", "district", "active")
    list_filter = ("district", "active")
    search_fields = ("username", "name")
    filter_horizontal = ("cells",)


@admin.register(CityEvent)
class CityEventAdmin(AuditedAdmin):
    list_display = ("event_no", "event_class", "district", "status", "created_at")
    list_filter = ("status", "source")
    search_fields = ("event_no", "description")
    exclude = ("department", "reporter_department", "reporter", "checker")
    readonly_fields = [
        f.name
        for f in CityEvent._meta.fields
        if f.name not in ("department", "reporter_department", "reporter", "checker")
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


from shuzheng.governance import admin_plans  # noqa: E402,F401  (预案: their own admin file)
