"""The WSGI application ``shuzheng serve`` runs (granian): Django's, plus a per-worker warm-up.

Each granian worker process imports this module once; the catalog and 知识库 search indexes are
then built in the background, so the first citizen's search (or the first 12345 call) does not
pay for loading the Chinese dictionary (about a second).
"""

from __future__ import annotations

import threading

from shuzheng.wsgi import application

__all__ = ["application"]


def _warm() -> None:
    from django.db import close_old_connections

    from shuzheng.catalog import facade as catalog
    from shuzheng.knowledge import facade as knowledge

    try:
        catalog.warm_up()
        knowledge.warm_up()  # the 12345 知识库 index the operator console searches as one types
    finally:
        close_old_connections()


threading.Thread(target=_warm, name="catalog-warm-up", daemon=True).start()
