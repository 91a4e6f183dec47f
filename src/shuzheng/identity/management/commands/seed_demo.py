from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.identity.demo import ACCOUNTS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo data set (idempotent): regions, departments, people, staff, clients."

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_demo")
        counts = seed_demo()
        self.stdout.write("演示数据已就绪：" + "，".join(f"{k}={v}" for k, v in counts.items()))
        self.stdout.write(
            f"演示账号（密码均为 {DEMO_PASSWORD}）：" + "、".join(a.username for a in ACCOUNTS)
        )
