from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuzheng.console.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump -Fc, or SQLite's backup API), the uploaded files and the "
        "audit anchors into a new directory under DEST (docs/howto/backup.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", type=Path, help="directory that receives the backup")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(dest=options["dest"])
        except (BackupError, OSError) as exc:
            raise CommandError(f"备份失败：{exc}") from None
        m = result.manifest
        anchor = m["anchor"]
        self.stdout.write(f"备份完成：{result.path}")
        self.stdout.write(
            f"数据库 {m['database']['vendor']}（{m['database']['file']}），"
            f"文件 {m['counts']['media_files']} 个，锚点 {m['counts']['anchors']} 个；"
            f"审计链头第 {m['audit_head']['seq']} 条"
            + (f"，已锚定第 {anchor['seq']} 条（{anchor['file']}）" if anchor else "")
        )
        if m.get("files_store"):
            self.stdout.write(
                f"文件在对象存储（桶 {m['files_store']['bucket']}）中，未复制进备份："
                "请确认桶已开启版本控制并复制到另一地点（docs/deploy/backup.md）。"
            )
        if m["anchor_error"]:
            raise CommandError(f"备份已写入，但锚定失败：{m['anchor_error']}")
