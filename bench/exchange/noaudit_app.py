"""The *baseline* application of bench/exchange only: the platform exactly as ``shuzheng serve``
runs it (``shuzheng.console.web``), with the data API's audit write replaced by a no-op in each
worker. Started as ``shuzheng serve --app bench.exchange.noaudit_app:application``; never used
outside the bench."""

from __future__ import annotations

from typing import Any

from shuzheng.console.web import application
from shuzheng.exchange.services import data_api as services

__all__ = ["application"]


class _NoAudit:
    """What the data API calls of ``audit.facade``, minus the audit record."""

    @staticmethod
    def record(**kwargs: Any) -> None:
        return None


services.audit = _NoAudit  # type: ignore[assignment]
