"""Administrators set the deadline warning thresholds here (every change audited)."""

from __future__ import annotations

from django.contrib import admin

from shuzheng.audit.facade import AuditedAdmin
from shuzheng.cases.models import DeadlineSettings


@admin.register(DeadlineSettings)
class DeadlineSettingsAdmin(AuditedAdmin):
    list_display = ("__str__", "yellow_days", "red_days", "updated_at")
