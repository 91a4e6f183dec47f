from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.cases.services import cases_refresh_warnings


class Command(BaseCommand):
    help = "Recompute deadline warnings (黄牌/红牌/超期) of open cases now."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = cases_refresh_warnings()
        self.stdout.write("时限预警已更新：" + "，".join(f"{k}={v}" for k, v in counts.items()))
