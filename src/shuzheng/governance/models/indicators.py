"""城市运行体征指标: what an indicator is, its readings (time series) and its latest state."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

CITY = "441200"
"""The district code of a city-wide reading (肇庆市 as a whole)."""


class Function(models.TextChoices):
    """The government's five functions (seed 002): 经济调节、市场监管、社会管理、公共服务、
    生态环境保护."""

    ECONOMY = "economy", _("经济调节")
    MARKET = "market", _("市场监管")
    SOCIAL = "social", _("社会管理")
    PUBLIC = "public", _("公共服务")
    ECOLOGY = "ecology", _("生态环境保护")


class Source(models.TextChoices):
    PUSH = "push", _("接口推送")
    COMPUTED = "computed", _("平台计算")


class Frequency(models.TextChoices):
    REALTIME = "realtime", _("实时")
    HOURLY = "hourly", _("每小时")
    DAILY = "daily", _("每日")
    MONTHLY = "monthly", _("每月")


class Direction(models.TextChoices):
    ABOVE = "above", _("高于阈值预警")
    BELOW = "below", _("低于阈值预警")


class Level(models.TextChoices):
    NORMAL = "normal", _("正常")
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警")


class Indicator(models.Model):
    """One indicator, defined by administrators (Django admin, audited)."""

    code = models.SlugField(_("指标编码"), max_length=64, unique=True)
    name = models.CharField(_("指标名称"), max_length=64)
    unit = models.CharField(_("计量单位"), max_length=16, blank=True)
    department = models.CharField(
        _("责任部门编码"), max_length=32, help_text=_("如 441200-SWUJ（市水务局）")
    )
    function = models.CharField(_("政府职能"), max_length=16, choices=Function.choices)
    source = models.CharField(_("数据来源"), max_length=16, choices=Source.choices)
    frequency = models.CharField(_("更新频率"), max_length=16, choices=Frequency.choices)
    computation = models.CharField(
        _("计算方法"),
        max_length=64,
        blank=True,
        help_text=_("平台计算的指标：计算方法的键，如 cases.on_time_rate"),
    )
    formula = models.CharField(_("口径说明"), max_length=256, blank=True)
    direction = models.CharField(
        _("预警方向"), max_length=8, choices=Direction.choices, default=Direction.ABOVE
    )
    yellow = models.FloatField(_("黄色预警阈值"), null=True, blank=True)
    red = models.FloatField(_("红色预警阈值"), null=True, blank=True)
    per_district = models.BooleanField(
        _("分区县上报"), default=False, help_text=_("是：每条读数须注明区县；否：全市一个值")
    )
    region = models.CharField(
        _("所属区县"),
        max_length=12,
        blank=True,
        help_text=_("只属于一个区县的指标填其区划代码（如 441204 高要区），全市指标留空"),
    )
    precision = models.PositiveSmallIntegerField(_("显示小数位"), default=1)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("启用"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["function", "code"]
        verbose_name = _("城市体征指标")
        verbose_name_plural = _("城市体征指标")

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


class Reading(models.Model):
    """One value of an indicator in a district at a moment. The unique key (indicator, district,
    at) is also the series index; the same reading sent twice is stored once."""

    id = models.BigAutoField(primary_key=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="readings"
    )
    district = models.CharField(_("区县"), max_length=12, default=CITY)
    at = models.DateTimeField(_("时间"))
    value = models.FloatField(_("数值"))
    source = models.CharField(_("来源"), max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "district", "at"], name="governance_reading_key"
            )
        ]
        verbose_name = _("指标读数")
        verbose_name_plural = _("指标读数")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.district} {self.at:%Y-%m-%d %H:%M} {self.value:g}"


class IndicatorState(models.Model):
    """The latest reading of an indicator in a district and its level: what the tiles show and
    what a crossing is measured against (one row per indicator and district)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="states"
    )
    district = models.CharField(_("区县"), max_length=12, default=CITY)
    at = models.DateTimeField(_("时间"))
    value = models.FloatField(_("数值"))
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "district"], name="governance_state_key")
        ]
        verbose_name = _("指标最新状态")
        verbose_name_plural = _("指标最新状态")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.district} {self.get_level_display()}"
