"""``shuzheng login_unlock --ip 203.0.113.7 | --username NAME | --client-id ID``: lift the
login throttling of a client IP, a login name (with its account's own lock) or a client id
before the lock runs out (audited as identity.login_unlocked)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuzheng.identity import services


class Command(BaseCommand):
    help = "Lift the login throttling of a client IP, a login name or a client id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ip", default="", help="client IP (an IPv6 one: its /64)")
        parser.add_argument("--username", default="", help="login name")
        parser.add_argument("--client-id", default="", help="API client id")

    def handle(self, *args: Any, **options: Any) -> None:
        ip, username, client_id = options["ip"], options["username"], options["client_id"]
        if not (ip or username or client_id):
            raise CommandError("name --ip, --username or --client-id")
        count = services.login_unlock(
            actor="system:login_unlock", ip=ip, username=username, client_id=client_id
        )
        self.stdout.write(f"unlocked ({count} counters and account locks cleared)")
