from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shuzheng.proactive import selectors, services


class Command(BaseCommand):
    help = (
        "Run 免申即享 batches: evaluate a policy over every subject, notify the newly eligible, "
        "grant matches whose window has passed. Safe to repeat: nothing is notified or granted "
        "twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", help="policy codes (default: every active policy)")
        parser.add_argument("--as-of", help="comparison date YYYY-MM-DD (default: today)")
        parser.add_argument("--no-grant", action="store_true", help="only match and notify")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        codes = options["codes"] or [p.code for p in selectors.policies()]
        for code in codes:
            s = services.policy_run(
                code=code,
                actor="system:proactive_run",
                as_of=as_of,
                grant_due=not options["no_grant"],
            )
            self.stdout.write(
                f"{s.policy}（规则 v{s.rule_version}，{s.as_of}）：比对 {s.evaluated}，"
                f"批准 {s.outcomes.get('approve', 0)} / 不予 {s.outcomes.get('deny', 0)} / "
                f"人工 {s.outcomes.get('review', 0)}；新告知 {s.new_matches}，"
                f"已告知过 {s.already_matched}，本次发放 {s.granted}，逾期 {s.expired}；"
                f"批量计算 {s.seconds * 1000:.1f} ms"
            )
