"""Rule sets (versioned JDM documents with test cases), the decisions made with them and the
benefits subjects receive (entitlements).

A published ``RuleVersion`` never changes (only its ``effective_to`` is set once, when the next
version takes over); a ``Decision`` never changes at all and keeps the version, the facts, the
conditions and the explanation it was made with — so editing a rule later cannot alter a past
decision. An ``Entitlement`` is "this subject receives this benefit for this period": every
path that grants a benefit (秒批 applications, 免申即享 grants) writes one, and a partial unique
constraint lets only one be live per benefit, subject and period.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    PERSON = "person", _("个人")
    ENTERPRISE = "enterprise", _("企业")


class Period(models.TextChoices):
    """How often a subject may receive the rule set's benefit."""

    ONCE = "once", _("每人（每企业）一次")
    YEAR = "year", _("每年一次")
    # received again and again (失业保险金: each spell of unemployment); the entitlement
    # register does not record it, so it never blocks a later application
    REPEAT = "repeat", _("可多次享受（不登记）")


class RuleSet(models.Model):
    code = models.SlugField(_("规则集编码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    subject_kind = models.CharField(_("适用对象"), max_length=16, choices=SubjectKind.choices)
    item_code = models.CharField(_("秒批事项实施编码"), max_length=24, blank=True, db_index=True)
    department_code = models.CharField(_("主管部门"), max_length=32, blank=True)
    benefit = models.CharField(_("批准后享受的待遇"), max_length=64, blank=True)
    amount_unit = models.CharField(_("金额单位"), max_length=16, blank=True)
    period = models.CharField(
        _("享受周期"), max_length=8, choices=Period.choices, default=Period.ONCE
    )
    description = models.TextField(_("说明"), blank=True)
    legal_basis = models.TextField(_("政策依据"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("规则集")
        verbose_name_plural = _("规则集")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class RuleVersion(models.Model):
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=16, choices=VersionStatus.choices)
    document = models.JSONField(_("决策图（GoRules JDM）"))
    tests = models.JSONField(_("测试用例"), default=list, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    note = models.TextField(_("修改说明"), blank=True)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_by = models.CharField(_("起草人"), max_length=128)
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    published_by = models.CharField(_("发布人"), max_length=128, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["rule_set", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "version"], name="rules_version_unique")
        ]
        verbose_name = _("规则版本")
        verbose_name_plural = _("规则版本")

    def __str__(self) -> str:
        return f"{self.rule_set.code} v{self.version}"

    FROZEN = ("version", "document", "tests", "checksum", "effective_from", "status")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            old = RuleVersion.objects.filter(pk=self.pk).first()
            if old is not None and old.status == VersionStatus.PUBLISHED:
                changed = [f for f in self.FROZEN if getattr(old, f) != getattr(self, f)]
                if changed or (
                    old.effective_to is not None and old.effective_to != self.effective_to
                ):
                    raise ValueError("已发布的规则版本不能修改，请起草新版本。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.status == VersionStatus.PUBLISHED:
            raise ValueError("已发布的规则版本不能删除。")
        return super().delete(*args, **kwargs)


class Decision(models.Model):
    """One evaluation of a rule set for one subject, frozen with everything it used."""

    decision_id = models.CharField(_("决定编号"), max_length=32, unique=True)
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    rule_set_code = models.CharField(_("规则集"), max_length=64, db_index=True)
    rule_set_name = models.CharField(_("规则集名称"), max_length=200)
    version = models.PositiveIntegerField(_("规则版本"))
    department_code = models.CharField(_("主管部门"), max_length=32, blank=True)
    item_code = models.CharField(_("事项"), max_length=24, blank=True)
    context = models.CharField(_("场景"), max_length=16)  # instant | batch
    subject_kind = models.CharField(_("对象类型"), max_length=16)
    subject_id = models.CharField(_("对象证件号码"), max_length=18, db_index=True)
    as_of = models.DateField(_("判断日期"))
    outcome = models.CharField(_("结论"), max_length=8)  # approve | deny | review
    reason = models.TextField(_("理由"), blank=True)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2, null=True)
    benefit = models.CharField(_("待遇"), max_length=64, blank=True)
    facts = models.JSONField(_("所用事实"), default=dict)
    conditions = models.JSONField(_("条件判断"), default=list)
    explanation = models.JSONField(_("说明"), default=list)
    matched_row = models.SmallIntegerField(_("命中行"))
    engine = models.CharField(_("引擎"), max_length=32)
    decided_by = models.CharField(_("触发者"), max_length=128)
    decided_at = models.DateTimeField(_("判断时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["subject_kind", "subject_id", "outcome"])]
        verbose_name = _("规则决定")
        verbose_name_plural = _("规则决定")

    def __str__(self) -> str:
        return self.decision_id

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            raise ValueError("规则决定一经作出不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("规则决定不能删除。")


class EntitlementStatus(models.TextChoices):
    OFFERED = "offered", _("已告知，待发放")
    HELD = "held", _("享受中")
    ENDED = "ended", _("已终止")


LIVE = (EntitlementStatus.OFFERED, EntitlementStatus.HELD)


class EntitlementSource(models.TextChoices):
    INSTANT = "instant", _("申请（秒批）")
    PROACTIVE = "proactive", _("免申即享")


class Entitlement(models.Model):
    """A subject receives (``held``) or has been told it will receive (``offered``, a 免申即享
    notice) a benefit for a period. One person, one benefit: at most one live row per benefit,
    subject and period — the constraint, not a check, decides when two paths race."""

    benefit = models.CharField(_("待遇"), max_length=64)
    subject_kind = models.CharField(_("对象类型"), max_length=16)
    subject_id = models.CharField(_("对象证件号码"), max_length=18)
    period_key = models.CharField(_("周期"), max_length=8)  # "once" or the year
    status = models.CharField(_("状态"), max_length=8, choices=EntitlementStatus.choices)
    source = models.CharField(_("来源"), max_length=16, choices=EntitlementSource.choices)
    # who holds it: a case number (秒批), "proactive:<match id>", or "decision:<id>"
    reference = models.CharField(_("来源记录"), max_length=64, db_index=True)
    case_no = models.CharField(_("办件编号"), max_length=24, blank=True)
    rule_set_code = models.CharField(_("规则集"), max_length=64)
    decision_id = models.CharField(_("规则决定编号"), max_length=32)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2, null=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    granted_at = models.DateTimeField(_("开始享受时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["benefit", "subject_kind", "subject_id", "period_key"],
                condition=models.Q(status__in=["offered", "held"]),
                name="rules_entitlement_one_live",
            )
        ]
        indexes = [models.Index(fields=["subject_kind", "subject_id", "status"])]
        verbose_name = _("待遇享受登记")
        verbose_name_plural = _("待遇享受登记")

    def __str__(self) -> str:
        return f"{self.benefit} {self.subject_id} {self.period_key}"
