from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shuzheng.rules import engine, jdm, selectors, testing


class Command(BaseCommand):
    help = (
        "Run rule-set test cases (zen-engine, Python and polars must agree). Default: the "
        "version in force of every rule set; --draft: drafts; --file: a JDM document on disk "
        "(with --kind and --tests) — the console and CI entry point."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", help="rule-set codes (default: all)")
        parser.add_argument("--draft", action="store_true", help="test drafts where they exist")
        parser.add_argument("--file", help="a JDM document (JSON) to validate and test")
        parser.add_argument("--tests", help="test cases (JSON array) for --file")
        parser.add_argument("--kind", default="person", help="person | enterprise, for --file")

    def handle(self, *args: Any, **options: Any) -> None:
        failures = 0
        if options["file"]:
            document = json.loads(Path(options["file"]).read_text("utf-8"))
            cases = (
                json.loads(Path(options["tests"]).read_text("utf-8")) if options["tests"] else []
            )
            try:
                program = jdm.compile_document(
                    document, subject_kind=options["kind"], allow_form=True
                )
            except jdm.DocumentInvalid as exc:
                for p in exc.problems:
                    self.stderr.write(p.chinese())
                raise CommandError("规则文档有误。") from None
            failures += self._report(options["file"], testing.run_cases(program, document, cases))
        else:
            today = timezone.localdate()
            for rs in selectors.rule_sets():
                if options["codes"] and rs.code not in options["codes"]:
                    continue
                v = (
                    selectors.draft(rs) if options["draft"] else None
                ) or selectors.version_in_force(rs, today)
                if v is None:
                    self.stdout.write(f"{rs.code}: 没有生效版本，跳过")
                    continue
                program = engine.program_for(
                    v.document, v.checksum, rs.subject_kind, bool(rs.item_code)
                )
                results = testing.run_cases(program, v.document, list(v.tests or []))
                failures += self._report(f"{rs.code} v{v.version}", results)
        if failures:
            raise CommandError(f"{failures} 个测试用例未通过。")

    def _report(self, label: str, results: list[testing.CaseResult]) -> int:
        bad = [r for r in results if not r.passed]
        self.stdout.write(f"{label}: {len(results) - len(bad)} passed, {len(bad)} failed")
        for r in bad:
            self.stdout.write(f"  未通过 {r.name}: {'；'.join(r.problems)}")
        return len(bad)
