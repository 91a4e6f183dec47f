"""预警: raised when a reading crosses a threshold, once per crossing."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzheng.governance.models.indicators import CITY, Indicator, Level, Reading


class AlertStatus(models.TextChoices):
    OPEN = "open", _("未处理")
    CONFIRMED = "confirmed", _("已确认")
    CLEARED = "cleared", _("已解除")


class Alert(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="alerts"
    )
    district = models.CharField(_("区县"), max_length=12, default=CITY)
    level = models.CharField(
        _("预警级别"), max_length=8, choices=[c for c in Level.choices if c[0] != Level.NORMAL]
    )
    reading = models.ForeignKey(
        Reading, verbose_name=_("触发读数"), null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("读数时间"))
    value = models.FloatField(_("触发值"))
    threshold = models.FloatField(_("阈值"))
    department = models.CharField(_("责任部门编码"), max_length=32)
    status = models.CharField(
        _("状态"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    raised_at = models.DateTimeField(_("预警时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.CharField(_("确认人"), max_length=150, blank=True)
    cleared_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    cleared_by = models.CharField(_("解除人"), max_length=150, blank=True)
    note = models.CharField(_("处理说明"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-raised_at"], name="governance_alert_status"),
            models.Index(fields=["indicator", "district", "status"], name="governance_alert_key"),
        ]
        verbose_name = _("指标预警")
        verbose_name_plural = _("指标预警")

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.get_level_display()}"
