"""Administrators keep the service halls, their windows and the items each handles here
(every change audited; each kind on its own page, since inline forms are not audited)."""

from __future__ import annotations

from django.contrib import admin

from shuzheng.appointments.models import Hall, HallItem, Window
from shuzheng.audit.facade import AuditedAdmin


@admin.register(Hall)
class HallAdmin(AuditedAdmin):
    list_display = ("name", "address", "phone", "active")


@admin.register(Window)
class WindowAdmin(AuditedAdmin):
    list_display = ("hall", "number", "name", "capacity")
    list_filter = ("hall",)


@admin.register(HallItem)
class HallItemAdmin(AuditedAdmin):
    list_display = ("hall", "item_name", "window")
    list_filter = ("hall",)
