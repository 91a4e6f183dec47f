"""电子印章 (GB/T 38540 terms): one active seal per department and signature suite; retired
seals stay so that what they signed still verifies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shuzheng.seals.crypto import SUITES


class Seal(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("在用")
        RETIRED = "retired", _("已轮换（仅验证）")
        REVOKED = "revoked", _("已吊销（密钥泄露）")

    class Kind(models.IntegerChoices):
        ORGANISATION = 1, _("单位印章")
        PERSONAL = 2, _("个人印章")

    # 电子印章标识 esID: department code + algorithm + key id
    seal_id = models.CharField(_("电子印章标识"), max_length=80, unique=True)
    department_code = models.CharField(_("部门编码"), max_length=32, db_index=True)
    department_name = models.CharField(_("部门名称"), max_length=128)
    department_uscc = models.CharField(_("部门统一社会信用代码"), max_length=18)
    name = models.CharField(_("印章名称"), max_length=128)
    purpose = models.CharField(_("用途"), max_length=32, default="电子证照专用章")
    kind = models.PositiveSmallIntegerField(_("印章类型"), choices=Kind.choices, default=1)
    algorithm = models.CharField(
        _("签名算法"), max_length=24, choices=[(s, s) for s in SUITES], default=SUITES[0]
    )
    key_id = models.CharField(_("密钥标识"), max_length=16, unique=True)
    public_key_der = models.BinaryField(_("公钥（SubjectPublicKeyInfo DER）"))
    private_key_enc = models.TextField(_("私钥（主密钥加密）"))
    certificate_der = models.BinaryField(_("自签名证书 DER"), blank=True, default=b"")
    image_svg = models.TextField(_("印章图像 SVG"))
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    valid_from = models.DateTimeField(_("启用时间"))
    valid_until = models.DateTimeField(_("有效期至"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    created_by = models.CharField(_("制章人"), max_length=128)
    created_at = models.DateTimeField(_("制作时间"), auto_now_add=True)

    class Meta:
        ordering = ["department_code", "algorithm", "-valid_from"]
        verbose_name = _("电子印章")
        verbose_name_plural = _("电子印章")
        constraints = [
            models.UniqueConstraint(
                fields=["department_code", "algorithm"],
                condition=models.Q(status="active"),
                name="seals_one_active_per_department_and_algorithm",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.algorithm} {self.key_id}）"
