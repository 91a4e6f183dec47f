"""``shuzheng seed_city``: demo 城市运行体征指标 for 肇庆 with 90 days of history (demo.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.governance.demo import seed_city


class Command(BaseCommand):
    help = (
        "演示数据：肇庆城市运行体征指标及最近 90 天读数和预警。"
        "可重复运行（已有读数时只更新指标定义）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=90, help="生成最近多少天的读数")

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_city")
        c = seed_city(days=options["days"])
        self.stdout.write(
            f"城市体征指标 {c['indicators']} 项，"
            f"新增读数 {c['readings']} 条、预警 {c['alerts']} 条。"
        )
        from shuzheng.governance.demo_events import seed_events

        self.stdout.write(
            f"城市管理事件：新增 {seed_events()} 件（网格员 demo-grid、demo-grid2）。"
        )
