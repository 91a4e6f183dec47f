from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.licenses.demo import seed_licenses


class Command(BaseCommand):
    help = "Load the licence types and issue the demo licences (idempotent; run after seed_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_licenses")
        r = seed_licenses()
        self.stdout.write(
            f"证照类型 {r['types']} 种；本次签发演示证照 {r['issued']} 张；共 {r['licenses']} 张。"
        )
