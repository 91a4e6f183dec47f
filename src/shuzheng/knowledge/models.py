"""知识库 (GB/T 44191): articles a department owns — a title, the ways callers ask (常见问法), the
short answer an operator reads out, the catalog items it concerns, tags and a category — with a
review lifecycle (草稿 → 待审核 → 已发布 → 已下架, ``transitions.py``), validity dates and a
version counter; and the uses operators make of them (一次性解答).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Lengths the services check (and name in their Chinese errors).
TITLE_MAX = 80
QUESTION_MAX = 100
QUESTIONS_MAX = 20
ANSWER_MAX = 1000
TAG_MAX = 20
TAGS_MAX = 10
ITEMS_MAX = 10
REASON_MAX = 500


class Article(models.Model):
    """One 知识条目. ``version`` counts saved edits of its content (1 when created)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("待审核")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已下架")

    class Category(models.TextChoices):
        SOCIAL_SECURITY = "social_security", _("社会保障")
        HOUSING = "housing", _("住房与公积金")
        HOUSEHOLD = "household", _("户籍与证件")
        CIVIL_AFFAIRS = "civil_affairs", _("民政与养老")
        HEALTH = "health", _("医疗卫生")
        EDUCATION = "education", _("教育")
        TRANSPORT = "transport", _("交通出行")
        UTILITIES = "utilities", _("水电气")
        CITY = "city", _("城市管理与环境")
        PROPERTY = "property", _("不动产")
        BUSINESS = "business", _("企业与市场")
        TAX = "tax", _("税务")
        OTHER = "other", _("其他")

    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    questions = models.JSONField(_("常见问法"), default=list, blank=True)
    answer = models.TextField(_("答复口径"))
    department_code = models.CharField(_("所属部门"), max_length=32, db_index=True)
    # [{"code", "name"}] of catalog items, names copied when the article is saved
    items = models.JSONField(_("关联事项"), default=list, blank=True)
    category = models.CharField(
        _("分类"), max_length=32, choices=Category.choices, default=Category.OTHER
    )
    tags = models.JSONField(_("标签"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    review_note = models.CharField(_("审核意见"), max_length=REASON_MAX, blank=True)
    created_by = models.CharField(_("创建人"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_by = models.CharField(_("最后修改人"), max_length=150, blank=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.CharField(_("发布人"), max_length=150, blank=True)
    uses = models.PositiveIntegerField(_("使用次数"), default=0)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        indexes = [models.Index(fields=["department_code", "status"], name="knowledge_dept_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def item_codes(self) -> list[str]:
        return [str(i["code"]) for i in self.items]


class ArticleUse(models.Model):
    """An operator answered a ticket from an article (直接办结 by the 知识库): one row per
    article and ticket, so the count of uses is the count of tickets answered."""

    article = models.ForeignKey(
        Article, verbose_name=_("知识条目"), on_delete=models.CASCADE, related_name="use_rows"
    )
    ticket_no = models.CharField(_("工单编号"), max_length=32)
    used_by = models.CharField(_("使用人"), max_length=150)
    used_at = models.DateTimeField(_("使用时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("知识条目使用记录")
        verbose_name_plural = _("知识条目使用记录")
        constraints = [
            models.UniqueConstraint(fields=["article", "ticket_no"], name="knowledge_use_once")
        ]

    def __str__(self) -> str:
        return f"{self.ticket_no} ← {self.article_id}"
