"""事件/部件问题 (digital city management, GB/T 30428): classes, 单元网格 grid cells, 网格员 and
the events themselves with their timeline (the closed loop of ``transitions_events``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    COMPONENT = "component", _("部件")
    EVENT = "event", _("事件")


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("小时")
    WORKING_DAYS = "working_days", _("工作日")


class EventClass(models.Model):
    """A 部件 or 事件 class (GB/T 30428.2 部件 大类/小类, GB/T 30428.3 事件 大类/小类): its
    code, the department that handles it and the time limit of 处置. Administrators edit these
    (Django admin, audited)."""

    code = models.CharField(_("分类编码"), max_length=16, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=EventKind.choices)
    major = models.CharField(_("大类"), max_length=32)
    name = models.CharField(_("小类名称"), max_length=64)
    department = models.CharField(
        _("处置部门编码"), max_length=32, help_text=_("如 441200-CGJ（市城市管理和综合执法局）")
    )
    limit_amount = models.PositiveIntegerField(_("处置时限"), default=3)
    limit_unit = models.CharField(
        _("时限单位"), max_length=16, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    hotline_categories = models.CharField(
        _("对应12345诉求分类关键词"),
        max_length=200,
        blank=True,
        help_text=_("12345工单的分类名称含这些词（逗号分隔）时可一键转为本类事件，如 占道经营"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("事件部件分类")
        verbose_name_plural = _("事件部件分类")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GridCell(models.Model):
    """A 单元网格 (GB/T 30428.1): its code (区县 6 + 镇街 3 + 网格 3 digits), 区县 and 镇街,
    and its centre (a place picked without a map falls back to it)."""

    code = models.CharField(_("网格编码"), max_length=16, unique=True)
    name = models.CharField(_("网格名称"), max_length=64)
    district = models.CharField(_("区县"), max_length=12)
    town_code = models.CharField(_("镇街"), max_length=12)
    lat = models.DecimalField(_("中心纬度"), max_digits=9, decimal_places=6)
    lng = models.DecimalField(_("中心经度"), max_digits=9, decimal_places=6)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("单元网格")
        verbose_name_plural = _("单元网格")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class GridMember(models.Model):
    """A 网格员 (information collector): a staff account and the grid cells they patrol."""

    username = models.CharField(_("账号"), max_length=150, unique=True)
    name = models.CharField(_("姓名"), max_length=64)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    district = models.CharField(_("区县"), max_length=12)
    cells = models.ManyToManyField(GridCell, verbose_name=_("负责网格"), blank=True)
    active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("网格员")
        verbose_name_plural = _("网格员")

    def __str__(self) -> str:
        return self.name


class EventStatus(models.TextChoices):
    REPORTED = "reported", _("待立案")
    REJECTED = "rejected", _("不予立案")
    FILED = "filed", _("待派遣")
    DISPATCHED = "dispatched", _("处置中")
    CHECKING = "checking", _("待核查")
    CHECKED = "checked", _("待结案")
    CLOSED = "closed", _("已结案")


class EventSource(models.TextChoices):
    PATROL = "patrol", _("网格员巡查")
    HOTLINE = "hotline", _("12345热线")
    SENSOR = "sensor", _("感知设备")
    SYSTEM = "system", _("其他系统")
    DEPARTMENT = "department", _("部门上报")


class CityEvent(models.Model):
    """One 事件/部件问题 from any source, moved through the closed loop."""

    event_no = models.CharField(_("事件编号"), max_length=32, unique=True)
    event_class = models.ForeignKey(
        EventClass, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="events"
    )
    source = models.CharField(_("来源"), max_length=16, choices=EventSource.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=EventStatus.choices, default=EventStatus.REPORTED
    )
    level = models.PositiveSmallIntegerField(
        _("重大事件等级"), default=0, help_text=_("0 一般；1–4 重大事件（1 级最高）")
    )
    description = models.TextField(_("问题描述"))
    address = models.CharField(_("地点"), max_length=200, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    district = models.CharField(_("区县"), max_length=12)
    town_code = models.CharField(_("镇街"), max_length=12, blank=True)
    grid = models.ForeignKey(
        GridCell, verbose_name=_("单元网格"), null=True, blank=True, on_delete=models.SET_NULL
    )
    reporter = models.CharField(_("上报人"), max_length=160)
    reporter_name = models.CharField(_("上报人姓名"), max_length=64, blank=True)
    reporter_department = models.CharField(_("上报部门"), max_length=32, blank=True)
    department = models.CharField(_("处置部门"), max_length=32, blank=True)
    checker = models.CharField(_("核查网格员"), max_length=160, blank=True)
    photos = models.JSONField(_("照片"), default=list, blank=True)
    hotline_ticket_no = models.CharField(_("12345工单编号"), max_length=32, blank=True)
    external_ref = models.CharField(_("来源系统编号"), max_length=64, blank=True)
    outcome = models.TextField(_("处置结果"), blank=True)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("催办次数"), default=0)
    supervise_count = models.PositiveSmallIntegerField(_("督办次数"), default=0)
    rating = models.CharField(_("评价"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("上报时间"))
    filed_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    due_at = models.DateTimeField(_("处置时限"), null=True, blank=True)
    handled_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "district"], name="governance_event_open"),
            models.Index(fields=["department", "status"], name="governance_event_dept"),
            models.Index(fields=["reporter", "-created_at"], name="governance_event_reporter"),
            models.Index(fields=["checker", "status"], name="governance_event_checker"),
            models.Index(fields=["-created_at"], name="governance_event_created"),
            # the dashboard's "filed / closed since" counts (events_summary)
            models.Index(fields=["filed_at"], name="governance_event_filed"),
            models.Index(fields=["closed_at"], name="governance_event_closed"),
        ]
        verbose_name = _("城市管理事件")
        verbose_name_plural = _("城市管理事件")

    def __str__(self) -> str:
        return self.event_no


class EventStep(models.Model):
    """One step of an event's timeline (the action, who, when, the words and photos)."""

    event = models.ForeignKey(
        CityEvent, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("操作"), max_length=24)
    from_status = models.CharField(_("原状态"), max_length=12, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12)
    actor = models.CharField(_("操作人"), max_length=160)
    actor_name = models.CharField(_("操作人姓名"), max_length=64, blank=True)
    note = models.TextField(_("说明"), blank=True)
    photos = models.JSONField(_("照片"), default=list, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("事件处理记录")
        verbose_name_plural = _("事件处理记录")

    def __str__(self) -> str:
        return f"{self.event_id} {self.action}"
