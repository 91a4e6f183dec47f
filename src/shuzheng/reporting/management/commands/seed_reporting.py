"""``shuzheng seed_reporting``: the 填表报数 demo (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.core.demo_guard import require_demo_mode


class Command(BaseCommand):
    help = "填表报数演示数据：端州区村/社区、字段字典、10张报表、登记数据与历史填报。"

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_reporting")
        from shuzheng.reporting.demo import seed_reporting

        counts = seed_reporting()
        self.stdout.write("填表报数演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()))
