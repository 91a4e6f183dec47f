from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.catalog.demo import seed_catalog
from shuzheng.core.demo_guard import require_demo_mode


class Command(BaseCommand):
    help = "Import and publish the demo service catalog (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_catalog")
        result = seed_catalog()
        if result is None:
            self.stdout.write("演示事项目录已存在，未重复导入。")
        else:
            self.stdout.write(
                f"演示事项目录已发布：事项 {result.items} 项，一件事 {result.bundles} 项。"
            )
