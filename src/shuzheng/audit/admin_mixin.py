"""A ModelAdmin base that audits every add/change/delete in the admin's own transaction."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.forms.models import model_to_dict
from django.http import HttpRequest

from shuzheng.audit.services import audit_append


def _snap(obj: Model) -> dict[str, Any]:
    data = model_to_dict(obj)
    data.pop("password", None)
    data.pop("secret_hash", None)
    return {
        k: (str(v) if not isinstance(v, int | str | bool | type(None)) else v)
        for k, v in data.items()
    }


class AuditedAdmin(admin.ModelAdmin):
    """Writes one audit record per add/change/delete, inside the admin's transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = _snap(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit_append(
            actor=f"user:{request.user.get_username()}",
            action=f"admin.{'change' if change else 'add'}",
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            before=before,
            after=_snap(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = _snap(obj)
        pk = obj.pk
        super().delete_model(request, obj)
        audit_append(
            actor=f"user:{request.user.get_username()}",
            action="admin.delete",
            object_type=obj._meta.label_lower,
            object_id=str(pk),
            before=before,
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # Django's bulk "delete selected" action runs outside a transaction: make it one
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)
