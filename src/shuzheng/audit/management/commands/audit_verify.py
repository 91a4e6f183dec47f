from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shuzheng.audit.facade import verify


class Command(BaseCommand):
    help = (
        "Verify the audit hash chain and its anchors; exits non-zero naming the first broken "
        "record (or the anchor it no longer matches)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        if not result.ok:
            where = f"seq={result.first_broken_seq} id={result.first_broken_id}"
            if result.anchor_file:
                where = f"锚点 {result.anchor_file} seq={result.first_broken_seq}"
            raise CommandError(
                f"审计链校验失败：第一条损坏记录 {where}：{result.reason}"
                f"（已检查 {result.checked} 条记录、{result.anchors} 个锚点）"
            )
        self.stdout.write(f"审计链完整：已校验 {result.checked} 条记录。 OK")
        if result.anchoring:
            newest = f"，最新锚定第 {result.anchored_seq} 条" if result.anchored_seq else ""
            self.stdout.write(f"锚点：已校验 {result.anchors} 个{newest}。")
        else:
            self.stdout.write("锚点：未启用（SHUZHENG_AUDIT_ANCHOR_DIR=off），只校验了链。")
        if result.note:
            self.stdout.write(f"提示：{result.note}")
        if result.pending:
            self.stdout.write(f"另有 {result.pending} 条记录在校验期间写入，尚待入链。")
