"""免申即享: policies, batch runs, matches (one per subject and period) and payment
instructions of the demo payment backend."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Mode(models.TextChoices):
    OPT_OUT = "opt_out", _("默认发放，窗口期内可拒绝")
    CONFIRM = "confirm", _("窗口期内确认后发放")


class Period(models.TextChoices):
    ONCE = "once", _("每人（每企业）一次")
    YEAR = "year", _("每年一次")


class Policy(models.Model):
    code = models.SlugField(_("政策编码"), max_length=64, unique=True)
    name = models.CharField(_("政策名称"), max_length=200)
    summary = models.TextField(_("政策说明"), blank=True)
    subject_kind = models.CharField(_("对象"), max_length=16)  # person | enterprise
    department_code = models.CharField(_("兑现部门"), max_length=32)
    rule_set_code = models.CharField(_("资格规则集"), max_length=64)
    item_code = models.CharField(_("对应事项"), max_length=24, blank=True)
    benefit = models.CharField(_("待遇名称"), max_length=64)
    amount_unit = models.CharField(_("金额单位"), max_length=16, blank=True)
    mode = models.CharField(
        _("确认方式"), max_length=16, choices=Mode.choices, default=Mode.OPT_OUT
    )
    window_days = models.PositiveSmallIntegerField(_("确认/拒绝窗口（工作日）"), default=5)
    period = models.CharField(
        _("享受周期"), max_length=8, choices=Period.choices, default=Period.ONCE
    )
    active = models.BooleanField(_("启用"), default=True)
    legal_basis = models.TextField(_("政策依据"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["subject_kind", "code"]
        verbose_name = _("免申即享政策")
        verbose_name_plural = _("免申即享政策")

    def __str__(self) -> str:
        return self.name


class BatchRun(models.Model):
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="runs")
    as_of = models.DateField(_("比对日期"))
    rule_version = models.PositiveIntegerField(_("规则版本"))
    started_by = models.CharField(_("发起人"), max_length=128)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    evaluated = models.PositiveIntegerField(_("比对对象数"), default=0)
    eligible = models.PositiveIntegerField(_("符合条件"), default=0)
    new_matches = models.PositiveIntegerField(_("新增匹配"), default=0)
    granted = models.PositiveIntegerField(_("本次发放"), default=0)
    seconds = models.FloatField(_("比对耗时（秒）"), default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("批量比对")
        verbose_name_plural = _("批量比对")

    def __str__(self) -> str:
        return f"{self.policy.code} #{self.pk}"


class MatchStatus(models.TextChoices):
    NOTIFIED = "notified", _("已告知，等待确认")
    CONFIRMED = "confirmed", _("已确认")
    DECLINED = "declined", _("已拒绝")
    GRANTED = "granted", _("已发放")
    EXPIRED = "expired", _("逾期未确认")
    # re-checked when granted: the subject already receives the benefit by another path (an
    # application approved by 秒批), or no longer qualifies — nothing is granted, ``note`` says why
    HELD = "held", _("已享受，不重复发放")
    INELIGIBLE = "ineligible", _("复核不符合，未发放")


class Match(models.Model):
    """A subject the batch found eligible: notified, then granted (or declined/expired). The
    unique key (policy, subject, period) is what makes re-running a batch harmless; the rules'
    entitlement register (``reference`` ``proactive:<id>``) is what keeps the subject from
    receiving the benefit twice by this and another path."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="matches")
    batch = models.ForeignKey(BatchRun, on_delete=models.PROTECT, related_name="matches")
    subject_kind = models.CharField(_("对象类型"), max_length=16)
    subject_id = models.CharField(_("证件号码"), max_length=18, db_index=True)
    subject_name = models.CharField(_("名称"), max_length=128)
    period_key = models.CharField(_("周期"), max_length=8)
    status = models.CharField(_("状态"), max_length=16, choices=MatchStatus.choices, db_index=True)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2, null=True)
    decision_id = models.CharField(_("规则决定编号"), max_length=32)
    explanation = models.JSONField(_("说明"), default=list)
    window_ends_on = models.DateField(_("窗口截止"))
    matched_at = models.DateTimeField(_("匹配时间"), auto_now_add=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    granted_at = models.DateTimeField(_("发放时间"), null=True, blank=True)
    case_no = models.CharField(_("办件编号"), max_length=24, blank=True)
    payment_reference = models.CharField(_("支付指令"), max_length=64, blank=True)
    grant_decision_id = models.CharField(_("发放时复核决定编号"), max_length=32, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "subject_kind", "subject_id", "period_key"],
                name="proactive_match_once_per_period",
            )
        ]
        verbose_name = _("政策匹配")
        verbose_name_plural = _("政策匹配")

    def __str__(self) -> str:
        return f"{self.policy.code} {self.subject_id}"

    @property
    def reference(self) -> str:
        """The match's name in the rules' entitlement register."""
        return f"proactive:{self.pk}"


class PaymentInstruction(models.Model):
    """What the demo payment backend records instead of paying (one per reference)."""

    reference = models.CharField(_("指令编号"), max_length=64, unique=True)
    backend = models.CharField(_("支付通道"), max_length=32)
    payee_kind = models.CharField(_("收款方类型"), max_length=16)
    payee_id = models.CharField(_("收款方证件号码"), max_length=18)
    payee_name = models.CharField(_("收款方"), max_length=128)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, default="instructed")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("支付指令")
        verbose_name_plural = _("支付指令")

    def __str__(self) -> str:
        return self.reference
