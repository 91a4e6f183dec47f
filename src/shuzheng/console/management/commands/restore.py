from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuzheng.console.backup import BackupError, backup_restore, check_restored


class Command(BaseCommand):
    help = (
        "Restore a backup made by `shuzheng backup` into the configured NEW, empty database, "
        "MEDIA_ROOT and anchor directory, then verify the audit chain and its anchors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="the backup directory (with manifest.json)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(source=options["source"])
        except (BackupError, OSError) as exc:
            raise CommandError(f"恢复失败：{exc}") from None
        v = result.verify
        self.stdout.write(
            f"已恢复：数据库、文件 {result.files} 个、锚点 {result.anchors} 个"
            f"（备份时间 {result.manifest['created_at']}）。"
        )
        problem = check_restored(result)
        if problem:
            raise CommandError(f"恢复后的校验失败：{problem}")
        self.stdout.write(f"审计链完整：已校验 {v.checked} 条记录。 OK")
        if v.anchoring:
            self.stdout.write(f"锚点：已校验 {v.anchors} 个，最新锚定第 {v.anchored_seq} 条。")
        if v.note:
            self.stdout.write(f"提示：{v.note}")
