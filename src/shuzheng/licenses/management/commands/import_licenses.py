from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuzheng.core.errors import ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.licenses.services import license_import_csv


class Command(BaseCommand):
    help = "Import existing licences (存量证照) from a CSV file as the platform (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file")

    def handle(self, *args: Any, **options: Any) -> None:
        system = Principal(
            kind="staff",
            username="system:import_licenses",
            name="存量证照导入",
            is_superuser=True,
            staff_roles=(("platform_admin", "*"),),
        )
        try:
            issued = license_import_csv(
                principal=system, content=Path(options["csv_file"]).read_bytes()
            )
        except ValidationFailed as e:
            raise CommandError(
                e.message + "\n" + "\n".join(f"{x.field}: {x.message}" for x in e.errors)
            ) from None
        self.stdout.write(f"已导入 {len(issued)} 张证照。")
