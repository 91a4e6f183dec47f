"""Tables of the 12345 hotline (issue 18); other modules never import them (they use facade.py).

- ``Category``: the 诉求分类 tree (3 levels, codes 2+2+2 digits in the spirit of GB/T 39666 /
  DB44/T 2479), seeded from ``data/categories.json``, editable by the center.
- ``Ticket``: one 工单 with the GB/T 39046 表10 fields; its status moves only through
  ``transitions.TICKET`` (``services.ticket_act``).
- ``TicketEvent``: the timeline (one row per action or system event).
- ``Callback``: 回访 records (满意/基本满意/不满意/未接通).
- ``TimeLimit``: 签收 and 办理 limits per 诉求类型 × urgency, in hours or working days.
- ``HotlineSettings``: the center's other knobs (重办 maximum, 争议 after n 退单, 合并 window,
  warning thresholds).
- ``TicketSequence``: the day's serial of ticket numbers.
- ``Open311Key``: Open311 ``api_key`` values issued to API clients (stored as SHA-256).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketType(models.TextChoices):
    """诉求类型 (国办发〔2020〕53号 + 表扬)."""

    CONSULT = "consult", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGEST = "suggest", _("建议")
    PRAISE = "praise", _("表扬")


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    MOBILE = "mobile", _("移动端")
    OPEN311 = "open311", _("Open311 应用")
    API = "api", _("接口")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class TicketStatus(models.TextChoices):
    REGISTERED = "registered", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    HANDLING = "handling", _("办理中")
    RETURNED = "returned", _("已退单待重派")
    DISPUTED = "disputed", _("争议待裁定")
    ANSWERED = "answered", _("已答复待回访")
    UNSATISFIED = "unsatisfied", _("不满意待处理")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")
    UNREACHABLE = "unreachable", _("未接通")


class ClosedHow(models.TextChoices):
    DIRECT = "direct", _("直接办结")
    CALLBACK = "callback", _("回访办结")
    SUPERVISOR = "supervisor", _("班长办结")
    MASTER = "master", _("随主工单办结")


class Category(models.Model):
    code = models.CharField(_("分类编码"), max_length=6, unique=True)
    name = models.CharField(_("分类名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("层级"))
    # the departments that usually handle it (short names of identity departments), a hint
    departments = models.JSONField(_("常见承办部门"), default=list, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = _("诉求分类")
        verbose_name_plural = _("诉求分类")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Ticket(models.Model):
    ticket_no = models.CharField(_("工单编号"), max_length=24, unique=True)
    channel = models.CharField(_("诉求来源"), max_length=16, choices=Channel.choices)
    ticket_type = models.CharField(_("诉求类型"), max_length=16, choices=TicketType.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("诉求分类"), null=True, blank=True, on_delete=models.PROTECT
    )
    title = models.CharField(_("诉求标题"), max_length=100)
    content = models.TextField(_("诉求内容"))
    respondent = models.CharField(_("被投诉单位/人"), max_length=128, blank=True)
    address = models.CharField(_("事发地址"), max_length=200, blank=True)
    # GB/T 2260; indexed first in hotline_region_created and hotline_merge_region
    region_code = models.CharField(_("区县"), max_length=6)
    town_code = models.CharField(_("镇街"), max_length=9, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    attachments = models.JSONField(_("附件"), default=list, blank=True)
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    confidential = models.BooleanField(_("保密"), default=False)
    caller_phone = models.CharField(_("来电号码"), max_length=20, blank=True, db_index=True)
    caller_name = models.CharField(_("诉求人"), max_length=64, blank=True)
    reporter_id_number = models.CharField(
        _("诉求人证件号码"), max_length=18, blank=True, db_index=True
    )
    linked_case_no = models.CharField(_("关联办件编号"), max_length=24, blank=True)
    master = models.ForeignKey(
        "self",
        verbose_name=_("主工单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked",
    )
    lead_department = models.CharField(_("主办单位"), max_length=32, blank=True, db_index=True)
    assisting_departments = models.JSONField(_("协办单位"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=TicketStatus.choices)
    created_at = models.DateTimeField(_("受理时间"), db_index=True)
    created_by = models.CharField(_("受理人"), max_length=128)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("承诺时限"), null=True, blank=True, db_index=True)
    limit_amount = models.PositiveSmallIntegerField(_("办理时限"), default=0)
    limit_unit = models.CharField(_("时限单位"), max_length=16, blank=True)
    extended = models.PositiveSmallIntegerField(_("延期时长"), default=0)
    extension_request = models.JSONField(_("延期申请"), default=dict, blank=True)
    warning = models.CharField(_("预警"), max_length=8, default="none")
    escalated = models.BooleanField(_("超时未签收已升级"), default=False)
    answer = models.TextField(_("答复内容"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.CharField(_("答复单位"), max_length=32, blank=True)
    knowledge_ref = models.CharField(_("知识库条目"), max_length=64, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_how = models.CharField(
        _("办结方式"), max_length=16, choices=ClosedHow.choices, blank=True
    )
    close_reason = models.CharField(_("办结说明"), max_length=500, blank=True)
    return_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    supervise_count = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    signed_in_time = models.BooleanField(_("按时签收"), null=True, blank=True)
    answered_in_time = models.BooleanField(_("按时办结"), null=True, blank=True)
    # 重复来电: the phone called about the same category within 30 days before (set at intake)
    repeat_call = models.BooleanField(_("重复来电"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "lead_department"], name="hotline_status_dept"),
            models.Index(fields=["region_code", "created_at"], name="hotline_region_created"),
            # 合并 candidates on every intake: the same 镇街 and category in the last days
            models.Index(fields=["town_code", "category", "created_at"], name="hotline_merge_scan"),
            # … and the same 区县 for a ticket whose 镇街 is not known (else the whole 区县's days
            # were read to find its category: 9,000 rows for a city-level place in the bench)
            models.Index(
                fields=["region_code", "category", "created_at"], name="hotline_merge_region"
            ),
            # the analysis side's GROUP BYs (热点, 弱信号, trend) read a period from the index alone
            models.Index(
                fields=["created_at", "category", "region_code", "town_code", "ticket_type"],
                name="hotline_created_cover",
            ),
        ]
        verbose_name = _("工单")
        verbose_name_plural = _("工单")

    def __str__(self) -> str:
        return self.ticket_no


class TicketEvent(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    actor = models.CharField(_("操作者"), max_length=128)
    action = models.CharField(_("动作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, blank=True)
    department = models.CharField(_("部门"), max_length=32, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("工单流转记录")
        verbose_name_plural = _("工单流转记录")

    def __str__(self) -> str:
        return str(self.action)


class Callback(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks")
    at = models.DateTimeField(_("回访时间"))
    actor = models.CharField(_("回访人"), max_length=128)
    satisfaction = models.CharField(_("评价"), max_length=16, choices=Satisfaction.choices)
    department = models.CharField(_("承办单位"), max_length=32, blank=True)
    note = models.CharField(_("回访记录"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")

    def __str__(self) -> str:
        return str(self.satisfaction)


class TimeLimit(models.Model):
    """签收 and 办理 limits of one 诉求类型 × urgency; defaults in migration 0002 (README)."""

    ticket_type = models.CharField(_("诉求类型"), max_length=16, choices=TicketType.choices)
    urgency = models.CharField(_("紧急程度"), max_length=16, choices=Urgency.choices)
    sign_minutes = models.PositiveSmallIntegerField(_("签收时限(分钟)"))
    amount = models.PositiveSmallIntegerField(_("办理时限"))
    unit = models.CharField(
        _("时限单位"),
        max_length=16,
        choices=[("hours", _("小时")), ("working_days", _("工作日"))],
    )
    source = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket_type", "urgency"], name="uniq_hotline_limit")
        ]
        verbose_name = _("工单时限")
        verbose_name_plural = _("工单时限")

    def __str__(self) -> str:
        return str(f"{self.ticket_type} {self.urgency}")


class HotlineSettings(models.Model):
    """One row (pk 1): the center's settings."""

    max_reopen = models.PositiveSmallIntegerField(_("不满意重办次数上限"), default=2)
    dispute_after_returns = models.PositiveSmallIntegerField(_("退单几次后转争议裁定"), default=2)
    merge_window_days = models.PositiveSmallIntegerField(_("合并提示的天数"), default=7)
    yellow_percent = models.PositiveSmallIntegerField(_("黄牌：剩余时限百分比"), default=30)
    red_percent = models.PositiveSmallIntegerField(_("红牌：剩余时限百分比"), default=10)

    class Meta:
        verbose_name = _("热线设置")
        verbose_name_plural = _("热线设置")

    def __str__(self) -> str:
        return "12345"


class TicketSequence(models.Model):
    day = models.CharField(max_length=8, unique=True)  # YYYYMMDD
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.day)


class Open311Key(models.Model):
    """An Open311 ``api_key`` issued to an API client (identity ``ApiClient.client_id``)."""

    client_id = models.CharField(_("接入系统"), max_length=64)
    key_sha256 = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 接入密钥")
        verbose_name_plural = _("Open311 接入密钥")

    def __str__(self) -> str:
        return str(self.client_id)


class DayCount(models.Model):
    """Tickets of one closed day per category and place (a 镇街 or 区县 code, so a ticket counts
    twice) — what 弱信号 reads instead of counting a month of tickets again on every request.
    Derived data, rebuilt by ``daycounts.refresh`` (a scheduled job); a ticket's day, category and
    place never change after intake, so a closed day's counts never do either."""

    day = models.DateField()
    category_id = models.IntegerField()
    place = models.CharField(max_length=9)
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "category_id", "place"], name="hotline_daycount_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category_id} {self.place}: {self.n}"


class CountedDay(models.Model):
    """A day whose ``DayCount`` rows are complete, with its volume: the sum of its rows (the
    weekday factors of 弱信号 read it)."""

    day = models.DateField(unique=True)
    volume = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.day}: {self.volume}"
