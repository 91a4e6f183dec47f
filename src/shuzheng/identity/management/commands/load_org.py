"""``shuzheng load_org``: load regions, departments and staff from CSV or Excel files.

Formats: docs/deploy/data-files.md. All files are checked whole first; any error and nothing
is written (identity/orgload.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuzheng.identity.orgload import OrgLoadError, load_org


class Command(BaseCommand):
    help = (
        "从 CSV 或 Excel（.xlsx）文件导入行政区划、部门和工作人员；先整体校验，"
        "有任何错误则一条也不写入；按编码（用户名）更新，可重复导入。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--regions", type=Path, help="区划文件（.csv 或 .xlsx）")
        parser.add_argument("--departments", type=Path, help="部门文件（.csv 或 .xlsx）")
        parser.add_argument("--staff", type=Path, help="工作人员文件（.csv 或 .xlsx）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_org(
                regions=options["regions"],
                departments=options["departments"],
                staff=options["staff"],
            )
        except OrgLoadError as exc:
            raise CommandError(
                f"发现 {len(exc.lines)} 处错误，未写入任何数据：\n" + "\n".join(exc.lines)
            ) from None
        self.stdout.write("导入完成：" + result.summary())
