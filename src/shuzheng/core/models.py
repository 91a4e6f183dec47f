"""Core tables: the administrator-editable working-day calendar, the demo SMS outbox, the
versions of the per-process caches (``core.cache``) and the task workers' heartbeats."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """An exception to the Monday–Friday rule: a statutory holiday or a 调休 make-up workday.

    Days not in this table are working days when they fall on Monday–Friday.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日/休息日")
        WORKDAY = "workday", _("调休上班日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=64, blank=True)
    source = models.CharField(_("来源"), max_length=64, default="admin")
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日/调休")
        verbose_name_plural = _("节假日/调休")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays are known. Years not listed fall back to Monday–Friday (估算).

    ``official``: the State Council's notice (国务院办公厅关于节假日安排的通知) with its 调休 is
    entered. ``provisional``: the statutory holidays from a maintained source (the ``holidays``
    package), without 调休, until an administrator enters the notice."""

    class Status(models.TextChoices):
        OFFICIAL = "official", _("正式（已录入国务院办公厅通知）")
        PROVISIONAL = "provisional", _("暂定（未录入调休通知）")

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.OFFICIAL
    )
    source = models.CharField(_("来源"), max_length=128)
    notice = models.CharField(_("国务院办公厅通知"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return f"{self.year}（{self.get_status_display()}）"


class OutboxMessage(models.Model):
    """A message the demo backends 'sent': SMS and e-mail land here instead of a gateway."""

    channel = models.CharField(_("渠道"), max_length=16, default="sms")
    recipient = models.CharField(_("接收方"), max_length=128)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("演示发件箱")
        verbose_name_plural = _("演示发件箱")

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}"


class CacheVersion(models.Model):
    """The version of a named per-process cache (``core.cache``): a new random number each time
    a service writes the tables behind it, in the same transaction as the write."""

    name = models.CharField(_("缓存名称"), max_length=64, primary_key=True)
    version = models.BigIntegerField(_("版本"))

    class Meta:
        verbose_name = _("缓存版本")
        verbose_name_plural = _("缓存版本")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class TaskWorker(models.Model):
    """A task worker process (``shuzheng worker``; ``serve`` runs one): its heartbeat, and what
    became of the tasks it was running when it was lost. Which task a worker runs is not kept
    here: django-tasks-db's ``DBTaskResult.worker_ids`` names the workers that claimed a task."""

    class State(models.TextChoices):
        RUNNING = "running", _("运行中")
        STOPPED = "stopped", _("已停止")
        LOST = "lost", _("已丢失")

    worker_id = models.CharField(_("进程标识"), max_length=64, primary_key=True)
    hostname = models.CharField(_("主机"), max_length=255)
    pid = models.PositiveIntegerField(_("进程号"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices)
    started_at = models.DateTimeField(_("启动时间"))
    beat_at = models.DateTimeField(_("最近心跳"))
    stopped_at = models.DateTimeField(_("停止时间"), null=True, blank=True)
    reason = models.CharField(_("停止原因"), max_length=200, blank=True)
    tasks_requeued = models.PositiveIntegerField(_("重新排队的任务"), default=0)
    tasks_failed = models.PositiveIntegerField(_("标记失败的任务"), default=0)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("任务执行进程")
        verbose_name_plural = _("任务执行进程")

    def __str__(self) -> str:
        return f"{self.worker_id} {self.get_state_display()}"


# submissions made with an Idempotency-Key (the model lives with its logic)
from shuzheng.core.idempotency import IdempotentRequest  # noqa: E402, F401
