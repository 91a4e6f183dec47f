"""办件库: cases (applications being handled), their timeline, pauses and ratings.

Records follow GB/T 39046's 申请 (表5), 受理 (表6), 办理 (表7) and 办结 (表8) data sets: the
columns below carry their elements; ``CaseEvent`` rows are the 办理环节 records.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待受理")
    CORRECTION = "correction", _("补正中")
    IN_PROGRESS = "in_progress", _("办理中")
    SUSPENDED = "suspended", _("特别程序")
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    REFUSED = "refused", _("不予受理")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class WarningLevel(models.TextChoices):
    NONE = "none", _("正常")
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌预警")
    OVERDUE = "overdue", _("已超期")


class Case(models.Model):
    case_no = models.CharField(_("办件编号"), max_length=24, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("一件事主件"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    kind = models.CharField(_("类型"), max_length=8, default="item")  # item | bundle
    item_code = models.CharField(_("事项实施编码"), max_length=24, blank=True)
    item_version = models.PositiveIntegerField(_("事项版本"), null=True, blank=True)
    bundle_code = models.CharField(_("一件事编码"), max_length=16, blank=True)
    item_name = models.CharField(_("事项名称"), max_length=200)
    # no index of its own: the (department_code, status, due_date) index leads with it
    department_code = models.CharField(_("受理部门"), max_length=32)
    handling_type = models.CharField(_("办件类型"), max_length=16)
    promised_days = models.PositiveSmallIntegerField(_("承诺办结时限(工作日)"))
    steps = models.JSONField(_("办理环节"), default=list)
    step_index = models.PositiveSmallIntegerField(_("当前环节"), default=0)
    # 申请
    applicant_kind = models.CharField(_("申请人类型"), max_length=16)  # person | enterprise
    # no index of its own: the (applicant_id, -id) index leads with it
    applicant_id = models.CharField(_("申请人证件号码"), max_length=18)
    applicant_name = models.CharField(_("申请人名称"), max_length=128)
    submitted_by = models.CharField(_("经办账号"), max_length=128)
    # 帮办代办 (issue 17): filed by someone the applicant authorised (identity's 代办授权): the
    # agent's 公民身份号码 and name, and the mandate; the agent sees the case while it is valid
    agent_id = models.CharField(_("代办人证件号码"), max_length=18, blank=True, default="")
    agent_name = models.CharField(_("代办人"), max_length=64, blank=True)
    agent_mandate = models.PositiveIntegerField(_("代办授权"), null=True, blank=True)
    channel = models.CharField(_("申报渠道"), max_length=16)  # online | window | api | proactive
    form = models.JSONField(_("申请表"), default=dict)
    materials = models.JSONField(_("材料"), default=list)
    status = models.CharField(_("状态"), max_length=16, choices=CaseStatus.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    # 受理
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    accepted_by = models.CharField(_("受理人员"), max_length=128, blank=True)
    paused_days = models.PositiveSmallIntegerField(_("暂停工作日数"), default=0)
    extended_days = models.PositiveSmallIntegerField(_("延期工作日数"), default=0)
    due_date = models.DateField(_("承诺办结日期"), null=True, blank=True, db_index=True)
    # counted across a year whose holidays are provisional or unknown (its 调休 notice not
    # entered): the date may still move; recomputed when the notice is entered
    due_date_provisional = models.BooleanField(_("按暂定日历计算"), default=False)
    warning = models.CharField(
        _("预警"),
        max_length=8,
        choices=WarningLevel.choices,
        default=WarningLevel.NONE,
    )
    assignee = models.CharField(_("承办人"), max_length=128, blank=True)
    correction_items = models.JSONField(_("补正材料清单"), default=list, blank=True)
    # 办结
    decision = models.CharField(_("办理结果"), max_length=8, blank=True)  # approve | deny
    decision_reason = models.TextField(_("办理意见"), blank=True)
    delivery = models.CharField(
        _("送达方式"), max_length=16, blank=True
    )  # electronic | mail | window
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    result = models.JSONField(_("办理结果证照"), default=dict, blank=True)
    # 秒批: the rules' decision (outcome, rule set, version, explanation) when one was made
    rule_decision = models.JSONField(_("规则决定"), default=dict, blank=True)
    # the result licence could not be issued from the case alone and waits for a reviewer of
    # the department (the 待发证 queue); kept in step with ``result`` by ``save``
    license_pending = models.BooleanField(_("结果证照待签发"), default=False, editable=False)
    # 智能导办: the answers the applicant gave, the situations (情形) they chose and their
    # names — which materials were asked for ({} when the guide was not used)
    situation = models.JSONField(_("申请情形"), default=dict, blank=True)
    # 邮寄送达: the carrier and tracking number the clerk recorded when the result was posted
    mail_tracking = models.JSONField(_("邮寄信息"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["department_code", "status", "due_date"]),
            models.Index(fields=["applicant_id", "-id"]),
            # Single-column indexes declared here rather than with ``db_index``: on PostgreSQL
            # ``db_index`` on a CharField adds a varchar_pattern_ops twin for LIKE, which no
            # query of these columns uses (only case_no is searched by prefix), and every
            # index is maintained on each case insert and status change.
            models.Index(fields=["item_code"], name="case_item_code"),
            models.Index(fields=["submitted_by"], name="case_submitted_by"),
            models.Index(fields=["status"], name="case_status"),
            models.Index(fields=["warning"], name="case_warning"),
            models.Index(fields=["assignee"], name="case_assignee"),
            # 帮办代办: an agent's cases (a few among millions)
            models.Index(
                fields=["agent_id", "-id"],
                condition=~models.Q(agent_id=""),
                name="case_agent",
            ),
            # the 待发证 queue: a handful of cases among millions
            models.Index(
                fields=["department_code", "-id"],
                condition=models.Q(license_pending=True),
                name="case_license_pending",
            ),
        ]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")

    def __str__(self) -> str:
        return f"{self.case_no} {self.item_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.derive()
        fields = kwargs.get("update_fields")
        if fields is not None and "result" in fields and "license_pending" not in fields:
            kwargs["update_fields"] = [*fields, "license_pending"]
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """Columns kept from others (set on every save, and by ``services`` before a plain
        insert)."""
        self.license_pending = bool((self.result or {}).get("license_pending"))


class CaseEvent(models.Model):
    """One step of handling (办理环节): who did what, when, with what opinion."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.CharField(_("操作者"), max_length=128)
    action = models.CharField(_("动作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    note = models.TextField(_("意见"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.case.case_no} {self.action}"


class CasePause(models.Model):
    """A stopped clock: 补正 (correction) or 特别程序 (special procedure)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("类型"), max_length=16)  # correction | special
    reason = models.TextField(_("原因"), blank=True)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    working_days = models.PositiveSmallIntegerField(_("暂停工作日"), default=0)

    class Meta:
        ordering = ["id"]
        verbose_name = _("计时暂停")
        verbose_name_plural = _("计时暂停")

    def __str__(self) -> str:
        return f"{self.case.case_no} {self.kind} {self.started_on}"


class CaseSequence(models.Model):
    """Daily serials for case numbers, per region (one row locked per day)."""

    prefix = models.CharField(max_length=16, unique=True)  # region + date
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("办件编号序列")
        verbose_name_plural = _("办件编号序列")

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class DeadlineSettings(models.Model):
    """Warning thresholds an administrator sets (in working days before the due date)."""

    yellow_days = models.PositiveSmallIntegerField(_("黄牌预警：剩余工作日"), default=2)
    red_days = models.PositiveSmallIntegerField(_("红牌预警：剩余工作日"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("时限预警设置")
        verbose_name_plural = _("时限预警设置")

    def __str__(self) -> str:
        return f"黄{self.yellow_days}/红{self.red_days}"

    @classmethod
    def current(cls) -> DeadlineSettings:
        row = cls.objects.order_by("id").first()
        return row if row is not None else cls()
