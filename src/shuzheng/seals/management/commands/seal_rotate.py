from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shuzheng.seals import crypto, services


class Command(BaseCommand):
    help = "Rotate a department's seal key (the old key is kept for verification)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("department_code")
        parser.add_argument("--algorithm", default=crypto.SM2_SM3, choices=crypto.SUITES)

    def handle(self, *args: Any, **options: Any) -> None:
        seal = services.seal_rotate(
            department_code=options["department_code"],
            algorithm=options["algorithm"],
            actor="system:seal_rotate",
        )
        self.stdout.write(f"已轮换：{seal.name} {seal.algorithm} 新密钥 {seal.key_id}")
