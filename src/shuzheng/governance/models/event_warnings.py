"""Time-limit warnings sent for an event (处置时限预警): one row per event, level and time limit,
so the scheduled job tells the department and the center once per level, never twice. A new
time limit (a re-dispatch after 退回) may warn again."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzheng.governance.models.events import CityEvent


class WarningLevel(models.TextChoices):
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警")


class EventWarning(models.Model):
    event = models.ForeignKey(
        CityEvent, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="warnings"
    )
    level = models.CharField(_("预警等级"), max_length=8, choices=WarningLevel.choices)
    due_at = models.DateTimeField(_("处置时限"))
    sent_at = models.DateTimeField(_("提醒时间"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "level", "due_at"], name="governance_event_warning_once"
            )
        ]
        verbose_name = _("事件时限预警")
        verbose_name_plural = _("事件时限预警")

    def __str__(self) -> str:
        return f"{self.event_id} {self.level}"
