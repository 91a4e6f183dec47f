"""Gunicorn hooks used by ``shuzheng serve``."""

from __future__ import annotations

import threading
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Build the catalog search index in the background as each worker starts, so the first
    citizen's search does not pay for loading the Chinese dictionary (about a second)."""

    def warm() -> None:
        from django.db import close_old_connections

        from shuzheng.catalog import facade as catalog

        try:
            catalog.warm_up()
        finally:
            close_old_connections()

    threading.Thread(target=warm, name="catalog-warm-up", daemon=True).start()
