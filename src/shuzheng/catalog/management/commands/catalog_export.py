from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.catalog import selectors
from shuzheng.catalog.excel import write_workbook


class Command(BaseCommand):
    help = "Export the catalog in force today (JSON or .xlsx, by the file's suffix)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        doc = selectors.export_document()
        if path.suffix.lower() == ".xlsx":
            write_workbook(doc, path)
        else:
            path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(
            f"已导出：事项 {len(doc['items'])} 项，一件事 {len(doc['bundles'])} 项 → {path}"
        )
