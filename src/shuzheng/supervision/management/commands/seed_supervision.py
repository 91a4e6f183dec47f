"""``shuzheng seed_supervision``: the Zhaoqing 2022 work plan as a 督办 register (demo.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.supervision.demo import seed_supervision


class Command(BaseCommand):
    help = (
        "演示数据：肇庆市数字政府改革建设2022年工作要点的督办台账、进展报告和督办通知。可重复运行。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_supervision")
        c = seed_supervision()
        self.stdout.write(
            f"督办任务 {c['tasks']} 项，进展报告 {c['reports']} 份，督办通知 {c['urges']} 份。"
        )
