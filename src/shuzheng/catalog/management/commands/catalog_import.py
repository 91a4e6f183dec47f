from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shuzheng.catalog import services


class Command(BaseCommand):
    help = (
        "Import a catalog file (JSON or .xlsx) as drafts; --check validates; --publish publishes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--check", action="store_true", help="validate only, change nothing")
        parser.add_argument("--publish", action="store_true", help="publish what was imported")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            result = services.catalog_import_file(
                actor="system:catalog_import",
                path=path,
                check_only=options["check"],
                publish=options["publish"],
            )
        except services.ImportRejected as exc:
            for e in exc.row_errors:
                self.stderr.write(e.as_text())
            raise CommandError(
                f"导入被拒绝：共 {len(exc.row_errors)} 处错误，未导入任何内容。"
            ) from None
        verb = "校验通过" if options["check"] else "已导入"
        self.stdout.write(f"{verb}：事项 {result.items} 项，一件事 {result.bundles} 项。")
