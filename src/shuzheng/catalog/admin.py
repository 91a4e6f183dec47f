"""Administrator pages for the catalog: review queue, lifecycle actions, draft editing, import."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from shuzheng.catalog import services
from shuzheng.catalog.models import Bundle, ServiceItem, Status
from shuzheng.catalog.spec import ITEM_TYPES
from shuzheng.core.errors import DomainError
from shuzheng.identity import facade as identity


def _actor(request: HttpRequest) -> str:
    return f"user:{request.user.get_username()}"


class SpecForm(forms.ModelForm):
    spec_json = forms.CharField(
        label="要素（JSON，见 docs/catalog-format.md）", widget=forms.Textarea(attrs={"rows": 30})
    )

    class Meta:
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.fields["spec_json"].initial = json.dumps(
                self.instance.spec, ensure_ascii=False, indent=2
            )

    def clean_spec_json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["spec_json"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"JSON 格式错误：第{exc.lineno}行第{exc.colno}列") from None
        if not isinstance(value, dict):
            raise forms.ValidationError("应为一个对象")
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label="导入文件（.json 或 .xlsx）")
    publish = forms.BooleanField(label="导入后直接发布", required=False)
    check_only = forms.BooleanField(label="只校验，不导入", required=False)


class _CatalogAdmin(admin.ModelAdmin):
    kind = "item"
    form = SpecForm
    readonly_fields = (
        "code",
        "version",
        "status",
        "effective_from",
        "effective_to",
        "published_at",
        "published_by",
        "review_note",
    )
    actions = ["submit", "publish", "reject", "retire", "new_draft"]
    change_list_template = "admin/catalog/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new items arrive by import (one validated format for everything)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # versions are kept: retire instead

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.readonly_fields, "spec_json"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        kwargs["fields"] = []
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and obj.status != Status.DRAFT:
            form.base_fields["spec_json"].disabled = True
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if obj.status != Status.DRAFT:
            return
        try:
            services.catalog_update_draft(
                actor=_actor(request),
                kind=self.kind,
                code=obj.code,
                version=obj.version,
                spec=form.cleaned_data["spec_json"],
            )
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            for e in exc.errors[:20]:
                self.message_user(request, e.message, level=messages.ERROR)

    def _run(self, request: HttpRequest, queryset: QuerySet[Any], action: str) -> None:
        done = 0
        for obj in queryset:
            try:
                services.catalog_transition(
                    actor=_actor(request),
                    kind=self.kind,
                    code=obj.code,
                    version=obj.version,
                    action=action,
                )
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{obj}：{exc.message}", level=messages.ERROR)
        if done:
            self.message_user(request, f"已处理 {done} 项。", level=messages.SUCCESS)

    @admin.action(description="提交审核")
    def submit(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._run(request, queryset, "submit")

    @admin.action(description="审核通过并发布")
    def publish(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._run(request, queryset, "publish")

    @admin.action(description="退回修改")
    def reject(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._run(request, queryset, "reject")

    @admin.action(description="废止")
    def retire(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._run(request, queryset, "retire")

    @admin.action(description="复制为新草稿版本")
    def new_draft(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            try:
                services.catalog_new_draft_from(
                    actor=_actor(request), kind=self.kind, code=obj.code, spec=obj.spec
                )
            except DomainError as exc:
                self.message_user(request, f"{obj}：{exc.message}", level=messages.ERROR)

    def get_urls(self) -> list[Any]:
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{info[0]}_{info[1]}_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".json"
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / f"upload{suffix}"
                target.write_bytes(upload.read())
                try:
                    result = services.catalog_import_file(
                        actor=_actor(request),
                        path=target,
                        check_only=form.cleaned_data["check_only"],
                        publish=form.cleaned_data["publish"],
                    )
                except services.ImportRejected as exc:
                    errors = [e.as_text() for e in exc.row_errors]
                else:
                    verb = "校验通过" if form.cleaned_data["check_only"] else "已导入"
                    self.message_user(
                        request,
                        f"{verb}：事项 {result.items} 项，一件事 {result.bundles} 项。",
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:catalog_serviceitem_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "title": "导入事项目录",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/import.html", context)


HANDLING_TYPES = {"instant": _("即办件"), "promised": _("承诺件")}


def _department_name(code: str) -> str:
    return identity.department_names().get(code, code)


class _LabelledFilter(admin.SimpleListFilter):
    """A filter on a coded column that lists the codes' Chinese names (市民政局, 行政许可)."""

    field = ""

    def label(self, value: str) -> str:
        raise NotImplementedError

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        values = model_admin.model.objects.values_list(self.field, flat=True).distinct()
        return sorted(((v, str(self.label(v))) for v in values), key=lambda p: p[0])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(**{self.field: value}) if value else queryset


class DepartmentFilter(_LabelledFilter):
    title = _("实施部门")
    parameter_name = field = "department_code"

    def label(self, value: str) -> str:
        return _department_name(value)


class ItemTypeFilter(_LabelledFilter):
    title = _("事项类型")
    parameter_name = field = "item_type"

    def label(self, value: str) -> str:
        return ITEM_TYPES.get(value, value)


class HandlingTypeFilter(_LabelledFilter):
    title = _("办件类型")
    parameter_name = field = "handling_type"

    def label(self, value: str) -> str:
        return str(HANDLING_TYPES.get(value, value))


@admin.register(ServiceItem)
class ServiceItemAdmin(_CatalogAdmin):
    kind = "item"
    list_display = (
        "name",
        "code",
        "version",
        "status",
        "department",
        "promised_days",
        "effective_from",
    )
    list_filter = ("status", ItemTypeFilter, DepartmentFilter, HandlingTypeFilter)

    @admin.display(description=_("实施部门"), ordering="department_code")
    def department(self, obj: ServiceItem) -> str:
        return _department_name(obj.department_code)

    search_fields = ("name", "code", "basic_code")


@admin.register(Bundle)
class BundleAdmin(_CatalogAdmin):
    kind = "bundle"
    list_display = ("name", "code", "version", "status", "lead_department", "effective_from")

    @admin.display(description=_("牵头部门"), ordering="lead_department_code")
    def lead_department(self, obj: Bundle) -> str:
        return _department_name(obj.lead_department_code)

    list_filter = ("status",)
    search_fields = ("name", "code")
