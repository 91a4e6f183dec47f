"""公文 library tables: a document with its GB/T 9704 elements, and what it cites."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Openness(models.TextChoices):
    PUBLIC = "主动公开", _("主动公开")
    ON_REQUEST = "依申请公开", _("依申请公开")
    CLOSED = "不予公开", _("不予公开")


class Document(models.Model):
    title = models.CharField(_("标题"), max_length=300)
    doc_number = models.CharField(_("发文字号"), max_length=64, blank=True)
    number_key = models.CharField(max_length=64, blank=True, db_index=True)
    title_key = models.CharField(max_length=300, db_index=True)
    issuer = models.CharField(_("发文机关"), max_length=100, blank=True)
    date = models.DateField(_("成文日期"), null=True, blank=True)
    recipients = models.TextField(_("主送机关"), blank=True)
    kind = models.CharField(_("文种"), max_length=8, blank=True)
    topic = models.CharField(_("主题"), max_length=16, blank=True)
    urgency = models.CharField(_("紧急程度"), max_length=8, blank=True)
    signer = models.CharField(_("签发人"), max_length=32, blank=True)
    attachments = models.JSONField(_("附件"), default=list)
    cc = models.TextField(_("抄送机关"), blank=True)
    printed_by = models.CharField(_("印发机关"), max_length=100, blank=True)
    printed_on = models.DateField(_("印发日期"), null=True, blank=True)
    headings = models.JSONField(_("正文层次"), default=list)
    body = models.TextField(_("正文"))
    search_text = models.TextField()  # NFKC, lower, simplified: title, 文号, 机关, 正文
    openness = models.CharField(_("公开属性"), max_length=8, choices=Openness.choices)
    department = models.CharField(_("所属部门"), max_length=32)
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.CharField(_("登记人"), max_length=150)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ("-date", "-id")
        verbose_name = _("公文")
        verbose_name_plural = _("公文")

    def __str__(self) -> str:
        return self.title


class Citation(models.Model):
    """A 文号 or 《标题》 a document names; relations are these keys joined to other documents'
    ``number_key``/``title_key`` (both ways, whichever was imported first)."""

    NUMBER, TITLE, ISSUES = "number", "title", "issues"
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="citations")
    kind = models.CharField(max_length=8)
    key = models.CharField(max_length=300, db_index=True)
    text = models.CharField(max_length=300)

    def __str__(self) -> str:
        return self.text
