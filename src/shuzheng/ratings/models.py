"""好差评 (GB/T 39734/39735): ratings of a case, and the rectification of every 差评.

"评价、反馈、整改、监督" as a closed loop: 差评 (levels 4 and 5) → a rectification task for the
department with a deadline in working days → the department's reply → 回访 of a real-name rater
→ closed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASIC = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


class Rating(models.Model):
    case_no = models.CharField(_("办件编号"), max_length=24, unique=True)
    item_code = models.CharField(_("事项"), max_length=24)
    item_name = models.CharField(_("事项名称"), max_length=200)
    department_code = models.CharField(_("部门"), max_length=32, db_index=True)
    staff = models.CharField(_("办理人员"), max_length=128, blank=True)
    channel = models.CharField(_("渠道"), max_length=16)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    comment = models.TextField(_("评价内容"), blank=True)
    rater = models.CharField(_("评价人"), max_length=128)
    real_name = models.BooleanField(_("实名评价"), default=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")

    def __str__(self) -> str:
        return f"{self.case_no} {self.get_level_display()}"

    @property
    def is_bad(self) -> bool:
        return self.level >= Level.DISSATISFIED


class Rectification(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        REPLIED = "replied", _("已整改待回访")
        CLOSED = "closed", _("已办结")

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="rectification")
    department_code = models.CharField(_("整改部门"), max_length=32, db_index=True)
    due_date = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(_("整改情况"), blank=True)
    replied_by = models.CharField(_("答复人"), max_length=128, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    callback_note = models.TextField(_("回访记录"), blank=True)
    callback_satisfied = models.BooleanField(_("回访满意"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")

    def __str__(self) -> str:
        return f"整改 {self.rating.case_no}"


class RatingSettings(models.Model):
    rectification_days = models.PositiveSmallIntegerField(_("差评整改期限（工作日）"), default=5)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("好差评设置")
        verbose_name_plural = _("好差评设置")

    def __str__(self) -> str:
        return f"整改期限 {self.rectification_days} 个工作日"

    @classmethod
    def current(cls) -> RatingSettings:
        return cls.objects.order_by("id").first() or cls()
