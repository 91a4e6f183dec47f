from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from shuzheng.core.calendar import health as calendar_health

STATUS_NAMES = {
    "official": "正式（已录入国务院办公厅通知）",
    "provisional": "暂定（未录入调休通知）",
    "estimated": "无数据（按周一至周五计算）",
}


class Command(BaseCommand):
    help = (
        "The working-day calendar's years (this year and the next two) and the warnings "
        "administrators see: a year without holidays, and from October 1 next year's 调休 "
        "notice not entered. --check exits 1 while there is a warning (for cron or monitoring)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="exit with status 1 while there is a warning"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        health = calendar_health(timezone.localdate())
        years = health["years"]
        assert isinstance(years, dict)
        for year, status in years.items():
            self.stdout.write(f"{year} 年：{STATUS_NAMES.get(status, status)}")
        warnings = health["warnings"]
        assert isinstance(warnings, list)
        for w in warnings:
            self.stdout.write(f"警告：{w['message']}请在平台管理“录入调休通知”中录入。")
        if not warnings:
            self.stdout.write("工作日历无需处理。")
        if warnings and options["check"]:
            raise SystemExit(1)
