"""``shuzheng seed_documents``: the five seed 公文 in the library (demo.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.documents.demo import seed_documents


class Command(BaseCommand):
    help = "演示数据：五份种子公文登记入公文库（主动公开，市政数局）。可重复运行。"

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_documents")
        self.stdout.write(f"新登记公文 {seed_documents()} 份。")
