from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.seals import services


class Command(BaseCommand):
    help = "Re-encrypt all seal private keys under the first secret of SHUZHENG_SEAL_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        n = services.seal_rewrap(actor="system:seal_rewrap")
        self.stdout.write(f"已用新主密钥重新加密 {n} 个印章私钥。")
