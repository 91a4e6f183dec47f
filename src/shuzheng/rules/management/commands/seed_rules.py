from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.rules.services import rule_sets_seed


class Command(BaseCommand):
    help = "Create the demo rule sets that are missing (idempotent, audited)."

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_rules")
        created = rule_sets_seed()
        self.stdout.write("新建规则集：" + ("、".join(created) if created else "无（均已存在）"))
