"""The SMS sent through a real gateway, on the admin console (read only): what was sent, and
what the provider's delivery report said (docs/deploy/README.md, "SMS")."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shuzheng.notify.models import SmsDelivery

PROVIDERS = {"aliyun": _("阿里云短信"), "tencent": _("腾讯云短信")}
KINDS = {"code": _("验证码"), "notice": _("通知")}


@admin.register(SmsDelivery)
class SmsDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "provider_name", "phone", "kind_name", "status", "attempts")
    list_filter = ("status", "provider")
    search_fields = ("phone", "provider_id")
    date_hierarchy = "created_at"
    exclude = ("provider", "kind")
    readonly_fields = ("provider_name", "kind_name")

    @admin.display(description=_("短信服务商"))
    def provider_name(self, obj: SmsDelivery) -> str:
        return str(PROVIDERS.get(obj.provider, obj.provider))

    @admin.display(description=_("短信类型"))
    def kind_name(self, obj: SmsDelivery) -> str:
        return str(KINDS.get(obj.kind, obj.kind))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
