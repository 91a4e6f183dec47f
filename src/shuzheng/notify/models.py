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


class SmsDelivery(models.Model):
    """One text handed to a real SMS gateway (``sms_gateways.py``: 阿里云, 腾讯云) and what became
    of it: accepted by the gateway (``sent``, with the gateway's id), refused or unreachable
    after the retries (``failed``), then the handset's delivery report pushed back to
    ``/sms/report/…`` (``delivered`` / ``undelivered``). A notice that failed on a transient
    error (the gateway down, throttling) is tried again later, a few rounds with doubling waits
    (``resend_after``, ``resends``); a login code is not (it is stale by then). The demo outbox
    keeps its own table."""

    class Status(models.TextChoices):
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已提交")
        FAILED = "failed", _("发送失败")
        DELIVERED = "delivered", _("已送达")
        UNDELIVERED = "undelivered", _("未送达")

    provider = models.CharField(_("短信服务商"), max_length=16)
    phone = models.CharField(_("手机号码"), max_length=20)
    kind = models.CharField(_("短信类型"), max_length=16)  # code | notice
    template_id = models.CharField(_("模板"), max_length=64)
    text = models.TextField(_("内容"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    provider_id = models.CharField(_("服务商回执编号"), max_length=64, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("回执时间"), null=True, blank=True)
    report_code = models.CharField(_("回执状态码"), max_length=64, blank=True)
    # a notice that failed on a transient error is tried again from this moment
    # (``sms_gateways.resend_due``); None when it is not to be tried again
    resend_after = models.DateTimeField(_("计划重发时间"), null=True, blank=True)
    resends = models.PositiveSmallIntegerField(_("重发次数"), default=0)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # the few rows waiting to be tried again, among months of deliveries
            models.Index(
                fields=["resend_after"],
                condition=models.Q(resend_after__isnull=False),
                name="sms_resend_due",
            )
        ]
        verbose_name = _("短信发送记录")
        verbose_name_plural = _("短信发送记录")

    def __str__(self) -> str:
        return f"{self.provider} {self.phone} {self.status}"
