from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.licenses.services import license_types_load


class Command(BaseCommand):
    help = "Create or update the licence types of licenses/data/license_types.json (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        r = license_types_load(actor="system:load_license_types")
        self.stdout.write(f"证照类型：新增 {r['created']}，更新 {r['updated']}，共 {r['total']}。")
