"""``shuzheng seed_knowledge``: the demo 知识库 articles (after ``seed_catalog``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.knowledge.demo import seed_knowledge


class Command(BaseCommand):
    help = "Create the demo 12345 知识库 articles of 肇庆 (idempotent; run after seed_catalog)."

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_knowledge")
        created = seed_knowledge()
        if created:
            self.stdout.write(f"演示知识库条目已创建：{created} 条。")
        else:
            self.stdout.write("演示知识库条目已存在，未重复创建。")
