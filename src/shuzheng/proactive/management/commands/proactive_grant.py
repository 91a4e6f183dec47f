from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shuzheng.proactive import services


class Command(BaseCommand):
    help = "Grant confirmed matches and opt-out matches past their window (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        granted, expired = services.grants_due(actor="system:proactive_grant", as_of=as_of)
        self.stdout.write(f"发放 {granted} 个，逾期未确认 {expired} 个。")
