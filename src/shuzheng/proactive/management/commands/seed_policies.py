from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.core.demo_guard import require_demo_mode
from shuzheng.proactive.services import policies_seed
from shuzheng.rules.facade import rule_sets


class Command(BaseCommand):
    help = "Create the demo 免申即享 policies (and rule sets) that are missing (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_policies")
        from django.core.management import call_command

        if not rule_sets():
            call_command("seed_rules", stdout=self.stdout)
        created = policies_seed()
        self.stdout.write("新建政策：" + ("、".join(created) if created else "无（均已存在）"))
