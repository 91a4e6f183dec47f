"""Django's PostgreSQL backend, with a health check that costs no round trip.

Persistent connections (``CONN_MAX_AGE``) are health-checked at the start of each request
(``CONN_HEALTH_CHECKS``): Django's check sends ``SELECT 1`` and waits for the answer, one
round trip per request (what that cost: bench/exchange/README.md). Here an idle connection is
checked without a query: a server that closes a connection (restart, ``pg_terminate_backend``,
crash, idle timeout) sends a FATAL message and closes the socket, so an idle connection whose
socket has anything to read is suspect and gets Django's ``SELECT 1`` (which reads what is
there, and fails if the server has gone: the connection is closed and the request opens a new
one); a silent socket is taken as healthy. A peer that vanishes without closing its end is not
seen by either check before a query times out.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq

__all__ = ["DatabaseWrapper"]


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        enabled = getattr(self, "health_check_enabled", False)  # set by connect()
        done = getattr(self, "health_check_done", False)
        if self.pool or self.connection is None or not enabled or done:
            return
        if not self._quiet_and_open() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def _quiet_and_open(self) -> bool:
        """Open, idle, and nothing from the server waiting on the socket."""
        conn = self.connection
        if conn.closed or conn.pgconn.status != pq.ConnStatus.OK:
            return False
        if conn.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()
            poller.register(conn.pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
            return not poller.poll(0)
        except (OSError, ValueError, psycopg.Error):  # no socket: the connection is lost
            return False
