from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.exchange.demo import seed_exchange


class Command(BaseCommand):
    help = "Load the data-exchange demo (idempotent): catalog, registries, consumers, consents."

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_exchange")
        counts = seed_exchange()
        self.stdout.write(
            "数据共享演示数据已就绪（新建）：" + "，".join(f"{k}={v}" for k, v in counts.items())
        )
