from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shuzheng.audit.facade import AuditedAdmin
from shuzheng.core import cache
from shuzheng.identity.models import (
    ApiClient,
    AuthThrottle,
    Department,
    Enterprise,
    EnterpriseAgent,
    Person,
    Region,
    StaffRole,
    User,
)
from shuzheng.identity.selectors import DEPARTMENTS_CACHE


class _DepartmentsAdmin(AuditedAdmin):
    """Changes departments' cached data (names, regions): a new version of their cache in the
    admin's transaction, so every process reloads it on its next read."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        cache.bump(DEPARTMENTS_CACHE)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        cache.bump(DEPARTMENTS_CACHE)


@admin.register(Region)
class RegionAdmin(_DepartmentsAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(_DepartmentsAdmin):
    list_display = ("code", "name", "level", "region", "uscc", "is_demo")
    list_filter = ("level", "is_demo")
    search_fields = ("code", "name", "uscc")


@admin.register(User)
class UserAdmin(AuditedAdmin):
    list_display = ("username", "display_name", "kind", "is_active", "locked_until", "is_demo")
    list_filter = ("kind", "is_active", "is_demo")
    search_fields = ("username", "display_name")
    exclude = ("password", "user_permissions")
    readonly_fields = ("last_login", "date_joined", "failed_logins")


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ("name", "masked_id", "hukou_region", "real_name_level", "is_demo")
    list_filter = ("real_name_level", "is_demo")
    search_fields = ("name", "id_number")

    @admin.display(description="公民身份号码")
    def masked_id(self, obj: Person) -> str:
        return obj.id_number[:6] + "********" + obj.id_number[-4:]


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    list_display = ("name", "uscc", "legal_representative", "region", "industry", "is_demo")
    search_fields = ("name", "uscc")


@admin.register(EnterpriseAgent)
class EnterpriseAgentAdmin(AuditedAdmin):
    list_display = ("enterprise", "person", "scope", "valid_from", "valid_until", "revoked_at")


@admin.register(StaffRole)
class StaffRoleAdmin(AuditedAdmin):
    list_display = ("user", "department", "role")
    list_filter = ("role",)


@admin.register(ApiClient)
class ApiClientAdmin(AuditedAdmin):
    list_display = ("client_id", "name", "kind", "department", "is_active", "is_demo")
    exclude = ("secret_hash",)


@admin.register(AuthThrottle)
class AuthThrottleAdmin(AuditedAdmin):
    """Login, registration and SMS counters: read-only; deleting a row lifts its lock (an
    account's own lock: ``shuzheng login_unlock --username``)."""

    list_display = ("scope", "key", "count", "window_start", "last_at", "locked_until")
    list_filter = ("scope",)
    search_fields = ("key",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
