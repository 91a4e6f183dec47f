"""Administrators set the 差评 rectification deadline here (every change audited)."""

from __future__ import annotations

from django.contrib import admin

from shuzheng.audit.facade import AuditedAdmin
from shuzheng.ratings.models import RatingSettings


@admin.register(RatingSettings)
class RatingSettingsAdmin(AuditedAdmin):
    list_display = ("__str__", "rectification_days", "updated_at")
