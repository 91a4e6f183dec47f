from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shuzheng.audit.facade import verify


class Command(BaseCommand):
    help = "Verify the audit hash chain; exits non-zero naming the first broken record."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        if not result.ok:
            raise CommandError(
                f"审计链校验失败：第一条损坏记录 seq={result.first_broken_seq} "
                f"id={result.first_broken_id}：{result.reason}（已检查 {result.checked} 条）"
            )
        self.stdout.write(f"审计链完整：已校验 {result.checked} 条记录。 OK")
        if result.pending:
            self.stdout.write(f"另有 {result.pending} 条记录在校验期间写入，尚待入链。")
