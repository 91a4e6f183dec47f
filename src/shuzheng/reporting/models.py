"""Tables this module owns; other modules never import them (they use facade.py).

Reporting units are the region tree of identity (市 → 区县 → 镇街) extended one level down
with the 村/社区 that identity does not hold. A report definition carries its fields as a
JSON-Schema-like list; every field is bound to an entry of the shared field dictionary.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """A reporting unit: a region of identity's tree (city, county, town) or a village below
    a town (统计用区划代码, 12 digits)."""

    class Level(models.TextChoices):
        VILLAGE = "village", _("村/社区")
        TOWN = "town", _("镇街")
        COUNTY = "county", _("区县")
        CITY = "city", _("市")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("报送单位")
        verbose_name_plural = _("报送单位")

    def __str__(self) -> str:
        return self.name


class UnitMember(models.Model):
    """Who fills a unit's reports (村/社区 cadre) or reviews its children's (镇街)."""

    class Role(models.TextChoices):
        FILLER = "filler", _("填报人")
        REVIEWER = "reviewer", _("审核人")

    username = models.CharField(_("账号"), max_length=150)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "unit", "role"], name="uniq_unit_member")
        ]

    def __str__(self) -> str:
        return str(f"{self.username} @ {self.unit_id}")


class DictEntry(models.Model):
    """An entry of the shared field dictionary (一数一源): what a figure means, its unit, the
    period it describes, the department that owns it and where its value comes from."""

    class PeriodKind(models.TextChoices):
        STOCK = "stock", _("时点数（沿用上期）")
        FLOW = "flow", _("期间数（每期新填）")

    key = models.CharField(_("编码"), max_length=64, unique=True)
    meaning = models.CharField(_("含义"), max_length=128)
    measure = models.CharField(_("计量单位"), max_length=16, blank=True)
    period_kind = models.CharField(_("期别"), max_length=8, choices=PeriodKind.choices)
    owner_department = models.CharField(_("责任部门"), max_length=32)
    # the registry a value is read from ("人口", "低保/特困", "残疾人", "高龄", "法人"), or "" when
    # only a person can know it
    source = models.CharField(_("数据来源"), max_length=32, blank=True)
    # the data exchange's per-village item the value is read from (e.g. "village.over80"), or ""
    item = models.CharField(_("共享数据项"), max_length=64, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return str(self.meaning)


class ReportDefinition(models.Model):
    class Frequency(models.TextChoices):
        ONCE = "once", _("一次性")
        MONTHLY = "monthly", _("月报")
        QUARTERLY = "quarterly", _("季报")
        YEARLY = "yearly", _("年报")

    class Status(models.TextChoices):
        DRAFT = "draft", _("设计中")
        FLAGGED = "flagged", _("疑似重复，待审核")
        IN_FORCE = "in_force", _("已准入")
        REFUSED = "refused", _("未准入")

    code = models.CharField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=128)
    owner_department = models.CharField(_("制发部门"), max_length=32)
    frequency = models.CharField(_("报送频次"), max_length=16, choices=Frequency.choices)
    deadline_day = models.PositiveSmallIntegerField(_("截止日（次月几日）"), default=10)
    levels = models.JSONField(_("报送层级"), default=list)  # ["village", "town", "county"]
    # {"fields": [...], "tables": [...], "checks": [...]} (see schema.py)
    spec = models.JSONField(_("表单"), default=dict)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default="draft")
    overlaps = models.JSONField(_("与在用报表重复的字段"), default=list)
    created_by = models.CharField(_("设计人"), max_length=160)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ReportTask(models.Model):
    """One unit's report for one period."""

    definition = models.ForeignKey(ReportDefinition, on_delete=models.PROTECT, related_name="tasks")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="tasks")
    period = models.CharField(_("报告期"), max_length=16)  # 2026-11, 2026Q4, 2026, once
    state = models.CharField(_("状态"), max_length=16, default="issued")
    deadline = models.DateField(_("截止日期"))
    return_reason = models.CharField(_("退回理由"), max_length=500, blank=True)
    typed = models.PositiveIntegerField(_("手工录入数"), default=0)
    total = models.PositiveIntegerField(_("数据项总数"), default=0)
    submitted_by = models.CharField(_("提交人"), max_length=160, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # 催报: when the unit was reminded before the deadline (once per task, never twice)
    reminded_at = models.DateTimeField(_("催报时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "unit", "period"], name="uniq_report_task"
            )
        ]
        indexes = [models.Index(fields=["unit", "period"]), models.Index(fields=["state"])]

    def __str__(self) -> str:
        return str(f"{self.definition_id}/{self.unit_id}/{self.period}")


class FieldValue(models.Model):
    """One value of a task: a scalar field (``name``) or a table cell (``table.row.column``)."""

    task = models.ForeignKey(ReportTask, on_delete=models.CASCADE, related_name="values")
    name = models.CharField(_("字段"), max_length=96)
    entry = models.CharField(_("数据项"), max_length=64, blank=True, db_index=True)
    value = models.JSONField(_("数值"), null=True)
    # the value as a number when it is one: sums are worked out by the database (roll-up)
    number = models.FloatField(_("数值（数字）"), null=True)
    # prefill:<resource> | previous | reused:<report> | computed | rollup | typed
    source = models.CharField(_("来源"), max_length=160)
    original = models.JSONField(_("预填原值"), null=True)  # what was prefilled, when corrected
    typed_by = models.CharField(_("录入人"), max_length=160, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "name"], name="uniq_field_value")]

    def __str__(self) -> str:
        return str(self.name)


class QualityReport(models.Model):
    """A cadre's correction of a prefilled value, sent back to the source department."""

    task = models.ForeignKey(ReportTask, on_delete=models.CASCADE, related_name="quality_reports")
    field = models.CharField(_("字段"), max_length=96)
    entry = models.CharField(_("数据项"), max_length=64)
    department = models.CharField(_("来源部门"), max_length=32)
    prefilled = models.JSONField(_("预填值"), null=True)
    corrected = models.JSONField(_("更正值"), null=True)
    reported_by = models.CharField(_("报告人"), max_length=160)
    # the data exchange's 数据纠错 it was filed as (the source department's task), if any
    issue = models.PositiveIntegerField(_("数据纠错编号"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    def __str__(self) -> str:
        return str(self.field)
