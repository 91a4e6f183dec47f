"""督查督办 tables: a work plan's task register, targets, progress reports and 督办通知."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    """A work plan (工作要点) imported as a register of tasks."""

    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("发文字号"), max_length=64, blank=True)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    year = models.PositiveIntegerField(_("年度"))
    created_by = models.CharField(_("导入人"), max_length=150)
    created_at = models.DateTimeField(_("导入时间"))

    class Meta:
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    OPEN = "open", _("推进中")
    REPORTED = "reported", _("待审核")
    DONE = "done", _("已完成")


class Task(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveIntegerField(_("顺序"))
    path = models.JSONField(_("编号"), default=list)
    title = models.CharField(_("任务"), max_length=200)
    text = models.TextField(_("原文"), blank=True)
    lead_departments = models.JSONField(_("牵头单位"), default=list)  # department codes
    lead_text = models.CharField(_("牵头单位（原文）"), max_length=300, blank=True)
    due_date = models.DateField(_("完成时限"))
    deadline_stated = models.BooleanField(_("原文写明时限"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ("plan_id", "order")
        verbose_name = _("督办任务")
        verbose_name_plural = _("督办任务")

    def __str__(self) -> str:
        return self.title


class Target(models.Model):
    """A quantitative target of a task: the number the plan states and the latest figure."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    text = models.CharField(_("指标"), max_length=200)
    value = models.FloatField(_("目标值"))
    unit = models.CharField(_("单位"), max_length=16)
    current = models.FloatField(_("当前值"), null=True, blank=True)

    class Meta:
        ordering = ("task_id", "id")

    def __str__(self) -> str:
        return self.text


class Report(models.Model):
    """A department's progress report on a task: a figure against each target, evidence."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    department = models.CharField(_("报送单位"), max_length=32)
    note = models.TextField(_("进展情况"))
    figures = models.JSONField(_("指标数值"), default=list)  # [{"target": id, "value"}]
    evidence = models.JSONField(_("佐证材料"), default=list)  # [{"name", "sha256", "size"}]
    reported_by = models.CharField(_("报送人"), max_length=150)
    reported_at = models.DateTimeField(_("报送时间"))
    review = models.CharField(_("审核结果"), max_length=16, blank=True)  # accepted / returned
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    class Meta:
        ordering = ("task_id", "-reported_at", "-id")

    def __str__(self) -> str:
        return f"{self.task_id}: {self.reported_at:%Y-%m-%d}"


class Urge(models.Model):
    """督办通知: issued to a lead department with a reply deadline (working days)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="urges")
    department = models.CharField(_("督办单位"), max_length=32)
    doc_number = models.CharField(_("文号"), max_length=64)
    body = models.TextField(_("督办事项"))
    issued_by = models.CharField(_("签发人"), max_length=150)
    issued_at = models.DateTimeField(_("签发时间"))
    reply_due = models.DateField(_("回复时限"))
    reply = models.TextField(_("回复"), blank=True)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)

    class Meta:
        ordering = ("-issued_at", "-id")

    def __str__(self) -> str:
        return self.doc_number


class Reminder(models.Model):
    """催办: the scheduled reminder a task near or past its due date gets, at most once per
    period (ISO week) — the unique key makes a second or concurrent run remind nobody twice."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    period = models.CharField(_("催办周期"), max_length=8)  # 2022-W27
    overdue = models.BooleanField(_("已逾期"))
    departments = models.JSONField(_("催办单位"), default=list)
    sent_at = models.DateTimeField(_("催办时间"))

    class Meta:
        ordering = ("task_id", "-sent_at")
        constraints = [
            models.UniqueConstraint(fields=("task", "period"), name="supervision_remind_once")
        ]
        verbose_name = _("催办记录")
        verbose_name_plural = _("催办记录")

    def __str__(self) -> str:
        return f"{self.task_id}: {self.period}"
