"""The service catalog: versioned items (事项) and bundles (一件事).

Each row is one *version*. A published version is immutable: later edits create a new version,
and a case keeps the version it was filed under. The full element set lives in ``spec`` (the
validated exchange format, docs/catalog-format.md); the columns beside it are copies for
filtering and listing.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("审核中")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已废止")


class ImmutableError(RuntimeError):
    pass


class _Versioned(models.Model):
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    name = models.CharField(_("名称"), max_length=200)
    themes = models.JSONField(_("主题"), default=list)
    applicant_types = models.JSONField(_("服务对象"), default=list)
    spec = models.JSONField(_("要素"))
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.CharField(_("创建人"), max_length=128)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.CharField(_("发布人"), max_length=128, blank=True)
    # the stamp of the per-process item view cache (selectors.item_detail)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # set by the lifecycle services only, to let them change status and effective dates
    _allow_lifecycle_save: bool = False

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not getattr(self, "_allow_lifecycle_save", False):
            stored = (
                type(self)
                ._default_manager.filter(pk=self.pk)
                .values_list("status", flat=True)
                .first()
            )
            if stored in (Status.PUBLISHED, Status.RETIRED):
                raise ImmutableError("a published version is immutable; create a new version")
        super().save(*args, **kwargs)


class ServiceItem(_Versioned):
    code = models.CharField(_("实施编码"), max_length=24, db_index=True)
    basic_code = models.CharField(_("基本编码"), max_length=10, db_index=True)
    item_type = models.CharField(_("事项类型"), max_length=2)
    department_code = models.CharField(_("实施部门"), max_length=32, db_index=True)
    region_code = models.CharField(_("行政区划"), max_length=6)
    exercise_level = models.PositiveSmallIntegerField(_("行使层级"))
    handling_type = models.CharField(_("办件类型"), max_length=16)
    statutory_days = models.PositiveSmallIntegerField(_("法定办结时限(工作日)"))
    promised_days = models.PositiveSmallIntegerField(_("承诺办结时限(工作日)"))
    online_depth = models.PositiveSmallIntegerField(_("网办深度"))
    instant_approval = models.BooleanField(_("可秒批"), default=False)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_item_version")
        ]
        indexes = [models.Index(fields=["status", "code"])]
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Bundle(_Versioned):
    code = models.CharField(_("一件事编码"), max_length=16, db_index=True)
    lead_department_code = models.CharField(_("牵头部门"), max_length=32)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_bundle_version")
        ]
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"
