"""电子证照: types (证照目录), licences with their signature and sealed PDF, status history,
presentations (亮证) and the 用证记录 of every use and verification."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolderKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")


class LicenseType(models.Model):
    """证照类型 (GB/T 36902 目录信息). ``code`` = 定义机构信用代码(18) + 顺序号(3)."""

    code = models.CharField(_("证照类型代码"), max_length=21, unique=True)
    name = models.CharField(_("证照类型名称"), max_length=64, unique=True)
    definer_department = models.CharField(_("证照定义机构"), max_length=32)
    definer_uscc = models.CharField(_("定义机构信用代码"), max_length=18)
    issuer_department = models.CharField(_("默认颁发部门"), max_length=32)
    holder_kinds = models.JSONField(_("持证主体类型"), default=list)
    fields = models.JSONField(_("数据项"), default=list)
    validity = models.JSONField(_("有效期规则"), default=dict)
    replaces = models.JSONField(_("可替代的申请材料"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")

    def __str__(self) -> str:
        return self.name

    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def labels(self) -> dict[str, str]:
        return {f["name"]: f["label"] for f in self.fields}


class LicenseStatus(models.TextChoices):
    VALID = "valid", _("有效")
    SUSPENDED = "suspended", _("中止")
    REVOKED = "revoked", _("已注销/吊销")
    EXPIRED = "expired", _("已过期")


class License(models.Model):
    license_id = models.CharField(_("电子证照标识"), max_length=100, unique=True)
    license_type = models.ForeignKey(
        LicenseType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="+"
    )
    license_no = models.CharField(_("证照编号"), max_length=64, blank=True)
    serial = models.CharField(_("流水号"), max_length=40)
    version = models.PositiveSmallIntegerField(_("版本号"), default=1)
    holder_kind = models.CharField(_("持证主体类型"), max_length=16, choices=HolderKind.choices)
    holder_id = models.CharField(_("持证主体代码"), max_length=18, db_index=True)
    holder_name = models.CharField(_("持证主体"), max_length=128)
    department_code = models.CharField(_("颁发部门"), max_length=32, db_index=True)
    department_name = models.CharField(_("颁发部门名称"), max_length=128)
    department_uscc = models.CharField(_("颁发机构代码"), max_length=18)
    data = models.JSONField(_("照面信息"), default=dict)
    issued_on = models.DateField(_("颁发日期"))
    valid_from = models.DateField(_("有效期起始"))
    valid_until = models.DateField(_("有效期截止"), null=True, blank=True)  # null: 长期
    status = models.CharField(
        _("状态"), max_length=16, choices=LicenseStatus.choices, default=LicenseStatus.VALID
    )
    revocation_kind = models.CharField(
        _("注销/吊销"),
        max_length=16,
        blank=True,
        choices=[("cancel", _("注销")), ("revoke", _("吊销"))],
    )
    source = models.CharField(
        _("来源"),
        max_length=16,
        choices=[("case", _("办件结果")), ("import", _("存量导入")), ("seed", _("演示数据"))],
    )
    case_no = models.CharField(_("关联办件"), max_length=32, blank=True)
    item_code = models.CharField(_("关联事项编码"), max_length=50, blank=True)
    sign_algorithm = models.CharField(_("签名算法"), max_length=24)
    sign_key_id = models.CharField(_("签名密钥"), max_length=16)
    signed_payload = models.BinaryField(_("签名原文"))
    signature = models.BinaryField(_("签名值"))
    # The signed PDF's bytes: in file storage under ``pdf_path`` (services/pdffiles.py); ``pdf``
    # holds them only for licences issued before storage held them (empty since).
    pdf = models.BinaryField(_("版式文件 PDF"))
    pdf_path = models.CharField(_("版式文件存储位置"), max_length=200, blank=True, default="")
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, db_index=True)
    pdf_key_id = models.CharField(_("PDF 签章密钥"), max_length=16)
    issued_by = models.CharField(_("颁发人"), max_length=128)
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        indexes = [models.Index(fields=["holder_kind", "holder_id", "license_type"])]

    def __str__(self) -> str:
        return f"{self.license_type.name} {self.license_id}"


class LicenseSerial(models.Model):
    """The last 流水号 per licence type, issuing department and year."""

    type_code = models.CharField(max_length=21)
    department_code = models.CharField(max_length=32)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["type_code", "department_code", "year"], name="licenses_serial_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type_code}/{self.department_code}/{self.year}: {self.last}"


class LicenseEvent(models.Model):
    """Status history: issue, suspend, resume, cancel (注销), revoke (吊销), expire."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=16)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    actor = models.CharField(_("操作人"), max_length=128)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("证照状态记录")
        verbose_name_plural = _("证照状态记录")

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


class Presentation(models.Model):
    """亮证: a short-lived signed token disclosing the fields the holder chose."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="presentations")
    nonce = models.CharField(max_length=32, unique=True)
    fields = models.JSONField(default=list)
    token = models.TextField()
    created_by = models.CharField(max_length=128)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("亮证记录")
        verbose_name_plural = _("亮证记录")

    def __str__(self) -> str:
        return f"亮证 {self.nonce}"


class LicenseUse(models.Model):
    """用证记录: every use (免证办, with the case number) and every verification."""

    class Kind(models.TextChoices):
        USE = "use", _("用证")
        VERIFY = "verify", _("核验")
        PRESENT = "present", _("亮证")

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="uses")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    actor = models.CharField(_("使用方"), max_length=128)
    actor_name = models.CharField(_("使用方名称"), max_length=128, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    case_no = models.CharField(_("办件编号"), max_length=32, blank=True)
    presentation = models.ForeignKey(
        Presentation, null=True, blank=True, on_delete=models.SET_NULL, related_name="uses"
    )
    result = models.CharField(_("结果"), max_length=32, blank=True)
    fields = models.JSONField(_("出示字段"), default=list, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("用证记录")
        verbose_name_plural = _("用证记录")

    def __str__(self) -> str:
        return f"{self.kind} {self.actor} {self.at:%Y-%m-%d %H:%M}"


class LicenseReminder(models.Model):
    """到期提醒: one per licence, threshold (90 or 30 days before its end) and end date, however
    often the daily task runs; a licence whose end date moves is reminded again."""

    license = models.ForeignKey(License, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(_("提前天数"))
    valid_until = models.DateField(_("有效期截止"))
    sent_at = models.DateTimeField(_("提醒时间"))

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("证照到期提醒")
        verbose_name_plural = _("证照到期提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["license", "days_before", "valid_until"], name="licenses_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.license_id} {self.days_before}"
