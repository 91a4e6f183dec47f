from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shuzheng.audit.facade import AnchorError, anchor


class Command(BaseCommand):
    help = (
        "Anchor the audit chain head now: a file signed with the platform's SM2 key in "
        "SHUZHENG_AUDIT_ANCHOR_DIR (never rewritten); `serve` does this periodically."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            ref = anchor()
        except AnchorError as exc:
            raise CommandError(f"审计锚定失败：{exc}") from None
        if ref is None:
            self.stdout.write("审计链为空，无需锚定。")
            return
        what = "已锚定" if ref.created else "链头未变，最新锚点仍是"
        stamp = "，含时间戳" if ref.timestamped else ""
        self.stdout.write(
            f"{what}：第 {ref.seq} 条记录，摘要 {ref.hash}，{ref.path}（密钥 {ref.key_id}{stamp}）"
        )
        if ref.timestamp_error:
            raise CommandError(f"锚点已写入，但未取得时间戳：{ref.timestamp_error}")
