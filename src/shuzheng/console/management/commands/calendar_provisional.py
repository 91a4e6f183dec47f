from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuzheng.console.services import MAX_YEAR, MIN_YEAR, calendar_provisional_load


class Command(BaseCommand):
    help = (
        "Load provisional holidays (statutory festivals from the holidays package, no 调休) for "
        "YEAR..[LAST] where the calendar has no data yet; a year that has data is left alone. "
        "Migration core/0006 loads 2027-2030; use this for later years. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="first year")
        parser.add_argument("last", type=int, nargs="?", help="last year (default: YEAR)")

    def handle(self, *args: Any, **options: Any) -> None:
        first, last = options["year"], options["last"] or options["year"]
        if not (MIN_YEAR <= first <= last <= MAX_YEAR) or last - first > 20:
            raise CommandError(f"年份应在 {MIN_YEAR} 到 {MAX_YEAR} 之间，一次不超过 20 年。")
        added = calendar_provisional_load(
            actor="system:calendar_provisional", years=range(first, last + 1)
        )
        self.stdout.write(f"已载入暂定节假日 {added} 天（{first}–{last} 年中尚无数据的年份）。")
