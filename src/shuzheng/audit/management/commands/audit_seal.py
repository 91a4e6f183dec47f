from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.audit.facade import seal


class Command(BaseCommand):
    help = "Chain audit records written in deferred mode (AUDIT_CHAIN=deferred); `serve` does this."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"已入链 {seal()} 条审计记录。")
