"""预案 (response plans): what a plan is (who is notified, which steps, each owned by a
department) and its runs — a plan started for an alert or a major event, with the checklist
copied from the plan and each step checked off by its department."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzheng.governance.models.alerts import Alert
from shuzheng.governance.models.indicators import Indicator


class PlanKind(models.TextChoices):
    FLOOD = "flood", _("防汛")
    FOREST_FIRE = "forest_fire", _("森林防火")
    EMERGENCY = "emergency", _("应急")
    ECOLOGY = "ecology", _("生态环境")
    PUBLIC = "public", _("公共服务保障")


LEVELS = [
    (1, _("Ⅰ级（特别重大）")),
    (2, _("Ⅱ级（重大）")),
    (3, _("Ⅲ级（较大）")),
    (4, _("Ⅳ级（一般）")),
]


class Plan(models.Model):
    """One response plan, defined by administrators (Django admin, audited)."""

    code = models.SlugField(_("预案编码"), max_length=64, unique=True)
    name = models.CharField(_("预案名称"), max_length=100)
    kind = models.CharField(_("预案类别"), max_length=16, choices=PlanKind.choices)
    level = models.PositiveSmallIntegerField(
        _("响应级别"),
        choices=LEVELS,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("关联指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
        help_text=_("该指标预警时建议启动本预案"),
    )
    description = models.TextField(_("预案说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["kind", "level", "code"]
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_level_display()}）"


class PlanDepartment(models.Model):
    """A department the plan notifies when started (inbox, and an SMS to its duty phone)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("预案"), on_delete=models.CASCADE, related_name="departments"
    )
    department = models.CharField(_("部门编码"), max_length=32)
    duty_phone = models.CharField(_("值班手机"), max_length=11, blank=True)
    duty = models.CharField(_("职责"), max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "department"], name="governance_plan_dept")
        ]
        verbose_name = _("通知部门")
        verbose_name_plural = _("通知部门")

    def __str__(self) -> str:
        return self.department


class PlanStep(models.Model):
    """One step of the plan's checklist, owned by a department."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("预案"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("处置步骤"), max_length=200)
    department = models.CharField(_("责任部门编码"), max_length=32)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("处置步骤")
        verbose_name_plural = _("处置步骤")

    def __str__(self) -> str:
        return self.title


class RunStatus(models.TextChoices):
    ACTIVE = "active", _("响应中")
    CLOSED = "closed", _("已终止响应")


class PlanRun(models.Model):
    """A plan started for an alert or a major event (预案启动)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("预案"), on_delete=models.PROTECT, related_name="runs"
    )
    level = models.PositiveSmallIntegerField(_("响应级别"), choices=LEVELS)
    alert = models.ForeignKey(
        Alert,
        verbose_name=_("触发预警"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_runs",
    )
    event_no = models.CharField(_("触发事件编号"), max_length=32, blank=True, db_index=True)
    reason = models.CharField(_("启动原因"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=8, choices=RunStatus.choices, default=RunStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("启动时间"))
    started_by = models.CharField(_("启动人"), max_length=150)
    closed_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    closed_by = models.CharField(_("终止人"), max_length=150, blank=True)
    close_note = models.CharField(_("终止说明"), max_length=500, blank=True)
    departments = models.JSONField(_("已通知部门"), default=list)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-started_at"], name="governance_run_status")]
        verbose_name = _("预案启动记录")
        verbose_name_plural = _("预案启动记录")

    def __str__(self) -> str:
        return f"{self.plan.name} {self.started_at:%Y-%m-%d %H:%M}"


class RunStep(models.Model):
    """A step of a started plan: checked off by a person of its department."""

    run = models.ForeignKey(
        PlanRun, verbose_name=_("预案启动"), on_delete=models.CASCADE, related_name="steps"
    )
    order = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("处置步骤"), max_length=200)
    department = models.CharField(_("责任部门编码"), max_length=32)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.CharField(_("完成人"), max_length=150, blank=True)
    note = models.CharField(_("完成情况"), max_length=500, blank=True)

    class Meta:
        ordering = ["run", "order", "id"]
        verbose_name = _("预案处置步骤")
        verbose_name_plural = _("预案处置步骤")

    def __str__(self) -> str:
        return self.title
