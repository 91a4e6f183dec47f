"""Administrators define 预案 here: the plan, the departments it notifies (with their duty
phones) and its checklist, each step owned by a department (chosen by name). The plan and every
change of its lists are audited in the admin's transaction; runs are read-only (they change
through the 预案 pages and API). Imported by ``admin.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shuzheng.audit import facade as audit
from shuzheng.audit.facade import AuditedAdmin
from shuzheng.governance.models import Plan, PlanDepartment, PlanRun, PlanStep
from shuzheng.identity import facade as identity


def _departments() -> list[tuple[str, str]]:
    return [("", "---------"), *sorted(identity.department_names().items())]


def _mobile(value: str) -> str:
    if value and not (len(value) == 11 and value.isdigit() and value.startswith("1")):
        raise ValidationError(_("值班手机应为 11 位手机号码"))
    return value


class PlanDepartmentForm(forms.ModelForm):
    department = forms.ChoiceField(label=_("通知部门"), choices=_departments)

    class Meta:
        model = PlanDepartment
        fields = ("department", "duty_phone", "duty")

    def clean_duty_phone(self) -> str:
        return _mobile(self.cleaned_data.get("duty_phone", ""))


class PlanStepForm(forms.ModelForm):
    department = forms.ChoiceField(label=_("责任部门"), choices=_departments)

    class Meta:
        model = PlanStep
        fields = ("order", "title", "department")


class PlanDepartmentInline(admin.TabularInline):
    model = PlanDepartment
    form = PlanDepartmentForm
    extra = 1


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    form = PlanStepForm
    extra = 1


def _lists(plan: Plan) -> dict[str, Any]:
    return {
        "departments": [
            [d.department, d.duty_phone, d.duty] for d in PlanDepartment.objects.filter(plan=plan)
        ],
        "steps": [[s.order, s.title, s.department] for s in PlanStep.objects.filter(plan=plan)],
    }


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "level", "indicator", "active")
    list_filter = ("kind", "level", "active")
    search_fields = ("code", "name")
    inlines = (PlanDepartmentInline, PlanStepInline)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The notified departments and the checklist: one audit record of both lists."""
        plan = form.instance
        before = _lists(plan)
        super().save_related(request, form, formsets, change)
        after = _lists(plan)
        if after != before:
            audit.record(
                actor=f"user:{request.user.get_username()}",
                action="admin.change",
                object_type="governance.plan_lists",
                object_id=str(plan.pk),
                before=before,
                after=after,
            )


@admin.register(PlanRun)
class PlanRunAdmin(AuditedAdmin):
    list_display = ("plan", "level", "status", "started_at", "started_by")
    list_filter = ("status",)
    readonly_fields = [f.name for f in PlanRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
