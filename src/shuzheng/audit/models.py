"""The append-only, hash-chained audit log (存证)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditRecord(models.Model):
    """One audited state change. ``hash`` = H(prev_hash || canonical bytes of this record).

    With ``AUDIT_CHAIN = "deferred"`` a record is written without ``seq``/``prev_hash``/``hash``
    and chained moments later by ``services.audit_seal`` (see the module README)."""

    seq = models.BigIntegerField(_("序号"), unique=True, null=True, blank=True)
    at = models.DateTimeField(_("时间"))
    actor = models.CharField(_("操作者"), max_length=128)
    action = models.CharField(_("动作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象标识"), max_length=128)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    request_id = models.CharField(_("请求号"), max_length=64, blank=True)
    algorithm = models.CharField(_("摘要算法"), max_length=16)
    prev_hash = models.CharField(_("前一记录摘要"), max_length=64, blank=True, default="")
    hash = models.CharField(_("本记录摘要"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # exact matches only (``selectors.entries``): a plain index, without the
            # varchar_pattern_ops twin PostgreSQL adds for ``db_index`` on a CharField
            models.Index(fields=["action"], name="audit_action"),
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"
            ),
        ]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit records are append-only")


class AuditHead(models.Model):
    """A single row locked while appending, so concurrent writers chain in order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"head #{self.last_seq}"
