"""The *baseline* application of bench/exchange only: the platform exactly as ``shuzheng serve``
runs it (``shuzheng.console.web``), with the data API's audit write replaced by a no-op in each
worker. Started as ``shuzheng serve --app bench.exchange.noaudit_app:application``; never used
outside the bench."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Model

from shuzheng.console.web import application
from shuzheng.core import rawsql
from shuzheng.exchange import services

__all__ = ["application"]


class _NoAudit:
    """What the data API calls of ``audit.facade``, minus the audit record."""

    @staticmethod
    def record(**kwargs: Any) -> None:
        return None

    @staticmethod
    def one_statement() -> bool:  # as the real one: PostgreSQL writes the call log alone
        return connection.vendor == "postgresql"

    @staticmethod
    def insert_audited(model: type[Model], values: dict[str, Any], **kwargs: Any) -> int:
        return rawsql.insert(model, values)  # the call-log row only


services.audit = _NoAudit  # type: ignore[assignment]
