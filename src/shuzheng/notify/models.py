"""In-app notifications (站内消息); SMS goes through the pluggable backend in core.sms."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient_kind = models.CharField(_("接收方类型"), max_length=16)  # person | enterprise | user
    recipient_id = models.CharField(_("接收方"), max_length=128, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # NOTIFY_SMS = "deferred": the SMS of this message is still to be sent (dispatch_sms)
    sms_pending = models.BooleanField(_("短信待发"), default=False)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["id"], condition=models.Q(sms_pending=True), name="notify_sms_pending"
            )
        ]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")

    def __str__(self) -> str:
        return self.title
