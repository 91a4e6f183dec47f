"""``shuzheng seed_hotline``: demo 12345 tickets over the last months (hotline/demo.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.hotline.demo import seed_hotline


class Command(BaseCommand):
    help = "演示数据：近几个月的 12345 工单（含停水弱信号）和 Open311 演示密钥。可重复运行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=6, help="生成最近几个月的工单")

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_hotline")
        counts = seed_hotline(months=options["months"])
        self.stdout.write(
            f"12345 工单：共 {counts['tickets']} 件，本次新增 {counts['created']} 件。"
        )
