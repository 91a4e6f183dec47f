"""``shuzheng verify_restore``: after any restore — ``shuzheng restore``, ``pg_restore`` of a dump,
or a base backup with WAL replayed to a point in time (docs/deploy/backup.md) — re-verify the
audit chain and every anchor in the anchor directory (an anchor fixes the hash of the record at
its seq: a rewritten or missing record fails), print the head, and, given the backup's
``manifest.json`` or the sequence number expected, check that the restored chain reaches it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuzheng.audit import facade as audit
from shuzheng.console.backup import RestoreResult, check_restored


class Command(BaseCommand):
    help = (
        "Verify a restored platform: the audit hash chain, its anchors and (with --backup or "
        "--head) that the chain reaches the head recorded before the loss. Exits non-zero "
        "naming the problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backup", type=Path, help="a `shuzheng backup` directory: its manifest's head"
        )
        parser.add_argument(
            "--head", help="SEQ: the record the chain must reach (from monitoring or a log)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        v = audit.verify()
        if not v.ok:
            where = f"锚点 {v.anchor_file} " if v.anchor_file else ""
            raise CommandError(
                f"审计链校验失败：{where}第 {v.first_broken_seq} 条记录：{v.reason}"
                f"（已检查 {v.checked} 条记录、{v.anchors} 个锚点）"
            )
        seq, digest = audit.head()
        self.stdout.write(f"审计链完整：已校验 {v.checked} 条记录。 OK")
        self.stdout.write(f"链头：第 {seq} 条，{digest}")
        if v.anchoring:
            newest = f"，最新锚定第 {v.anchored_seq} 条" if v.anchored_seq else "，没有锚点"
            self.stdout.write(f"锚点：已校验 {v.anchors} 个{newest}。")
        else:
            self.stdout.write("锚点：未启用（SHUZHENG_AUDIT_ANCHOR_DIR=off），只校验了链。")
        if options["backup"] is not None:
            manifest = self._manifest(options["backup"])
            problem = check_restored(RestoreResult(manifest, v, 0, 0))
            if problem:
                raise CommandError(problem)
            self.stdout.write(f"备份清单的链头（第 {manifest['audit_head']['seq']} 条）在链中。")
        if options["head"]:
            self._reaches(options["head"], seq, v.checked)

    def _manifest(self, backup: Path) -> dict[str, Any]:
        try:
            manifest: dict[str, Any] = json.loads(
                (backup / "manifest.json").read_text(encoding="utf-8")
            )
        except (OSError, ValueError) as exc:
            raise CommandError(f"{backup} 的 manifest.json 无法读取：{exc}") from None
        return manifest

    def _reaches(self, want: str, seq: int, checked: int) -> None:
        if not want.isdigit():
            raise CommandError("--head 应为记录序号（例如最近一个锚点的 seq）")
        if int(want) > seq:
            raise CommandError(
                f"恢复后的审计链只到第 {seq} 条，应至少到第 {want} 条：之后的记录丢失了"
            )
        self.stdout.write(f"预期的链头（第 {want} 条）在链中（共 {checked} 条）。")
