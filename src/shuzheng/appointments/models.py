"""预约办理: service halls (政务服务中心) with their windows and the items each handles, the
bookable time slots of a window, and the bookings citizens make.

Slots are not planned ahead: a slot's row is made the first time someone books it (its
capacity copied from the window), and its ``booked`` count moves only by a conditional
``UPDATE`` (``booked < capacity``), with a check constraint behind it, so two people can never
both take the last place whatever the database.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Hall(models.Model):
    """A 政务服务中心 or 分中心: where people go, when it is open, how it is booked."""

    code = models.SlugField(_("大厅编码"), max_length=32, unique=True)
    name = models.CharField(_("大厅名称"), max_length=100)
    region_code = models.CharField(_("行政区划"), max_length=12)
    department_code = models.CharField(_("管理部门"), max_length=32)
    address = models.CharField(_("地址"), max_length=200)
    phone = models.CharField(_("咨询电话"), max_length=40)
    # opening hours on working days (core.calendar): a morning and an afternoon session
    am_start = models.TimeField(_("上午开始"), default=dt.time(9, 0))
    am_end = models.TimeField(_("上午结束"), default=dt.time(12, 0))
    pm_start = models.TimeField(_("下午开始"), default=dt.time(13, 30))
    pm_end = models.TimeField(_("下午结束"), default=dt.time(17, 30))
    slot_minutes = models.PositiveSmallIntegerField(_("每个时段（分钟）"), default=30)
    book_days = models.PositiveSmallIntegerField(_("可预约工作日数"), default=7)
    cancel_minutes = models.PositiveSmallIntegerField(_("取消截止（开始前分钟）"), default=60)
    active = models.BooleanField(_("开放预约"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("政务服务大厅")
        verbose_name_plural = _("政务服务大厅")

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """A numbered window (窗口) of a hall, staffed by one department."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows")
    number = models.CharField(_("窗口号"), max_length=8)
    name = models.CharField(_("窗口名称"), max_length=100)
    department_code = models.CharField(_("进驻部门"), max_length=32, db_index=True)
    capacity = models.PositiveSmallIntegerField(_("每时段可预约人数"), default=2)

    class Meta:
        ordering = ["hall_id", "number"]
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="appointments_window_number"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1), name="appointments_window_capacity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class HallItem(models.Model):
    """A service item a hall handles, and at which window."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="items")
    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="items")
    item_code = models.CharField(_("事项编码"), max_length=24, db_index=True)
    item_name = models.CharField(_("事项名称"), max_length=200)

    class Meta:
        ordering = ["hall_id", "item_code"]
        verbose_name = _("可预约事项")
        verbose_name_plural = _("可预约事项")
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "item_code"], name="appointments_hallitem_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.item_name


class Slot(models.Model):
    """A time slot of a window on a day, made when it is first booked."""

    window = models.ForeignKey(Window, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField(_("日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("可预约人数"))
    booked = models.PositiveSmallIntegerField(_("已预约人数"), default=0)

    class Meta:
        ordering = ["date", "start"]
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        constraints = [
            models.UniqueConstraint(
                fields=["window", "date", "start"], name="appointments_slot_unique"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="appointments_slot_not_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}"


class Booking(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", _("已预约")
        CANCELLED = "cancelled", _("已取消")
        ARRIVED = "arrived", _("已到")
        NO_SHOW = "no_show", _("爽约")

    no = models.CharField(_("预约号"), max_length=20, unique=True)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="bookings")
    window = models.ForeignKey(Window, on_delete=models.PROTECT, related_name="bookings")
    date = models.DateField(_("日期"))
    item_code = models.CharField(_("事项编码"), max_length=24)
    item_name = models.CharField(_("事项名称"), max_length=200)
    id_number = models.CharField(_("预约人身份号码"), max_length=18, db_index=True)
    name = models.CharField(_("预约人"), max_length=50)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    booked_by = models.CharField(_("预约账号"), max_length=128)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.BOOKED
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    changed_by = models.CharField(_("变更人"), max_length=128, blank=True)

    class Meta:
        ordering = ["date", "slot__start", "id"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        constraints = [
            # one active booking per person, item and day
            models.UniqueConstraint(
                fields=["id_number", "item_code", "date"],
                condition=Q(status__in=["booked", "arrived"]),
                name="appointments_one_active_per_day",
            ),
        ]
        indexes = [models.Index(fields=["hall", "date"], name="appointments_hall_day")]

    def __str__(self) -> str:
        return self.no
