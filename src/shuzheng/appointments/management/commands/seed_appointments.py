"""``shuzheng seed_appointments``: the demo service halls, their windows and items."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.appointments.demo import seed_appointments
from shuzheng.core.demo_guard import require_demo_mode


class Command(BaseCommand):
    help = "Create the demo service halls (肇庆市政务服务中心, 端州区政务服务中心) (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        require_demo_mode("seed_appointments")
        created = seed_appointments()
        if created:
            names = "、".join(h.name for h in created)
            self.stdout.write(f"演示政务服务大厅已创建：{names}。")
        else:
            self.stdout.write("演示政务服务大厅已存在，未重复创建。")
