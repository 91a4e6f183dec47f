"""Gunicorn config for the *baseline* run of bench/exchange only: the platform's own hooks, plus
the data API's audit write replaced by a no-op in each worker. Never used outside the bench."""

from __future__ import annotations

from typing import Any

from shuzheng.console.gunicorn_conf import post_worker_init as _platform_post_worker_init


class _NoAudit:
    @staticmethod
    def record(**kwargs: Any) -> None:
        return None


def post_worker_init(worker: Any) -> None:
    _platform_post_worker_init(worker)
    from shuzheng.exchange import services

    services.audit = _NoAudit  # type: ignore[assignment]
