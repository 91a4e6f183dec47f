from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.exchange.demo import seed_exchange


class Command(BaseCommand):
    help = "Load the data-exchange demo (idempotent): catalog, registries, consumers, consents."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = seed_exchange()
        self.stdout.write(
            "数据共享演示数据已就绪（新建）：" + "，".join(f"{k}={v}" for k, v in counts.items())
        )
