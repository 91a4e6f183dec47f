"""Throttling of logins, client credentials, registrations and login SMS (issue 16 item 6).

The counters are rows of ``AuthThrottle`` in the database, not entries of Django's cache: the
platform configures no shared cache (``CACHES`` is Django's default, a ``LocMemCache`` in each
process), and granian runs several worker processes (``SHUZHENG_WEB_WORKERS``), so a cache
counter would multiply every limit by the number of workers and be forgotten at each restart.
The database is already the state every process shares (exchange's per-minute ``RateWindow``
does the same). A login attempt costs two short write transactions more; the password hash it
guards costs a hundred times that.

An attempt is counted *before* the secret is checked (``reserve``), each key's row locked, so
requests in flight at the same time cannot together pass the limit; a success gives its count
back (``succeed``); a failure that brings a key to its limit locks the key (``fail``). Keys
are a client IP (an IPv6 client by its /64), a login name (known or not: an unknown name is
throttled exactly like a real one, so the answers do not tell them apart), a client id, an
account (SMS) and, for registration, the IP again.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from shuzheng.core.errors import RateLimited
from shuzheng.identity.models import AuthThrottle

KEY_MAX = AuthThrottle._meta.get_field("key").max_length or 150
# Rows untouched for a day (and not locked) are deleted when a new key is first counted.
PURGE_AFTER = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    scope: str
    limit: int  # attempts (failures, registrations) counted within the window
    window: int  # seconds
    lock: int  # seconds a key that reached its limit by failures is refused


@dataclass(frozen=True)
class Slot:
    rule: Rule
    key: str


def ip_slot(ip: str) -> Slot:
    """Failed logins (passwords and client secrets) from one client IP, across names."""
    minutes = settings.LOGIN_IP_LOCKOUT_MINUTES
    return Slot(Rule("ip", settings.LOGIN_IP_MAX_FAILURES, minutes * 60, minutes * 60), ip)


def account_slot(username: str) -> Slot:
    """Failed logins of one login name, from any IP (the account lockout)."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    rule = Rule("account", settings.LOGIN_MAX_FAILURES, minutes * 60, minutes * 60)
    return Slot(rule, (username or "")[:KEY_MAX])


def client_slot(client_id: str) -> Slot:
    """Failed client-credential logins of one client id: a client secret locks like a password."""
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    rule = Rule("client", settings.LOGIN_MAX_FAILURES, minutes * 60, minutes * 60)
    return Slot(rule, (client_id or "")[:KEY_MAX])


def register_slot(ip: str) -> Slot:
    """Registrations (accepted or not) from one client IP in an hour."""
    return Slot(Rule("register", settings.REGISTER_MAX_PER_HOUR, 3600, 3600), ip)


def wait_text(seconds: int) -> str:
    """Seconds as Chinese text: 45 秒, or whole minutes rounded up (15 分钟)."""
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"


def limited(message: str, seconds: int) -> RateLimited:
    """A 429 whose body and ``Retry-After`` header say how many seconds to wait."""
    seconds = max(1, seconds)
    exc = RateLimited(message.format(wait=wait_text(seconds)))
    exc.extra["retry_after"] = seconds
    return exc


def _seconds(delta: dt.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _rows(slots: list[Slot], now: dt.datetime) -> list[tuple[Slot, AuthThrottle]]:
    """Each slot's row, locked (in one order, so two requests never wait on each other)."""
    found = []
    for slot in sorted(slots, key=lambda s: (s.rule.scope, s.key)):
        row, created = AuthThrottle.objects.select_for_update().get_or_create(
            scope=slot.rule.scope,
            key=slot.key,
            defaults={"window_start": now, "last_at": now},
        )
        if created:
            AuthThrottle.objects.filter(last_at__lt=now - PURGE_AFTER).filter(
                Q(locked_until__isnull=True) | Q(locked_until__lt=now)
            ).delete()
        found.append((slot, row))
    return found


def _refusal(slot: Slot, row: AuthThrottle, now: dt.datetime) -> int:
    """Seconds this key must wait before another attempt (0: it may try now)."""
    if row.locked_until is not None and row.locked_until > now:
        return _seconds(row.locked_until - now)
    window_end = row.window_start + dt.timedelta(seconds=slot.rule.window)
    if window_end > now and row.count >= slot.rule.limit:
        return _seconds(window_end - now)
    return 0


def _fresh(slot: Slot, row: AuthThrottle, now: dt.datetime) -> None:
    """Start a new window when the last one ended (or a lock expired)."""
    window_end = row.window_start + dt.timedelta(seconds=slot.rule.window)
    if window_end <= now or row.locked_until is not None:
        row.count = 0
        row.window_start = now
        row.locked_until = None


def reserve(slots: list[Slot], *, now: dt.datetime, message: str) -> None:
    """Count one attempt against every slot, or raise ``RateLimited`` (``message`` with
    ``{wait}``, and ``retry_after``) counting nothing when a slot is locked or full."""
    with transaction.atomic():
        rows = _rows(slots, now)
        wait = max(_refusal(slot, row, now) for slot, row in rows)
        if wait:
            raise limited(message, wait)
        for slot, row in rows:
            _fresh(slot, row, now)
            row.count += 1
            row.last_at = now
            row.save(update_fields=["count", "window_start", "last_at", "locked_until"])


def succeed(slots: list[Slot], *, now: dt.datetime) -> None:
    """The reserved attempt succeeded: the account or client forgets its failures, the IP gets
    its count back. In the caller's transaction."""
    for slot, row in _rows(slots, now):
        if slot.rule.scope == "ip":
            row.count = max(0, row.count - 1)
        else:
            row.count = 0
            row.locked_until = None
        row.save(update_fields=["count", "locked_until"])


def fail(slot: Slot, *, now: dt.datetime) -> dt.datetime | None:
    """The reserved attempt failed: when the key has reached its limit it is locked (the time
    it is locked until is returned; None otherwise). In the caller's transaction."""
    ((_, row),) = _rows([slot], now)
    if row.count < slot.rule.limit:
        return None
    row.locked_until = now + dt.timedelta(seconds=slot.rule.lock)
    row.count = 0
    row.window_start = now
    row.save(update_fields=["count", "window_start", "locked_until"])
    return row.locked_until


def sms_allow(
    account: str,
    *,
    now: dt.datetime,
    cooldown: int | None = None,
    per_hour: int | None = None,
) -> None:
    """Count one SMS to this account, or raise ``RateLimited`` saying when the next may be sent:
    one per ``cooldown`` seconds and at most ``per_hour`` an hour (by default
    ``SMS_COOLDOWN_SECONDS`` and ``SMS_MAX_PER_HOUR``). In the caller's transaction, so an SMS
    that is not sent (rolled back) is not counted."""
    cooldown = settings.SMS_COOLDOWN_SECONDS if cooldown is None else cooldown
    rule = Rule("sms", settings.SMS_MAX_PER_HOUR if per_hour is None else per_hour, 3600, 0)
    slot = Slot(rule, account[:KEY_MAX])
    ((_, row),) = _rows([slot], now)
    if row.count:
        ready = row.last_at + dt.timedelta(seconds=cooldown)
        if ready > now:
            raise limited("验证码已发送，请 {wait}后再重新获取。", _seconds(ready - now))
    window_end = row.window_start + dt.timedelta(seconds=rule.window)
    if window_end > now and row.count >= rule.limit:
        raise limited("短信验证码发送次数过多，请 {wait}后再试。", _seconds(window_end - now))
    _fresh(slot, row, now)
    row.count += 1
    row.last_at = now
    row.save(update_fields=["count", "window_start", "last_at", "locked_until"])


def clear(scope: str, key: str) -> int:
    """Forget a key's counts and lock (an administrator unlocking it); the number of rows."""
    deleted, _ = AuthThrottle.objects.filter(scope=scope, key=key[:KEY_MAX]).delete()
    return deleted


# --- the client's address ------------------------------------------------------------------------


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


@cache
def _trusted(value: str) -> Networks:
    return tuple(
        ipaddress.ip_network(p.strip(), strict=False) for p in value.split(",") if p.strip()
    )


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_proxy(value: str, proxies: Networks) -> bool:
    address = _address(value)
    return address is not None and any(address in net for net in proxies)


def client_ip(request: HttpRequest) -> str:
    """The throttling key of the caller's address: ``REMOTE_ADDR``, or, when that is one of
    ``SHUZHENG_TRUSTED_PROXIES``, the nearest address in ``X-Forwarded-For`` that is not a
    trusted proxy. An IPv6 address counts by its /64 (one subscriber's prefix)."""
    addr = str(request.META.get("REMOTE_ADDR") or "")
    proxies = _trusted(settings.TRUSTED_PROXIES)
    if proxies and _is_proxy(addr, proxies):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        outside = [h for h in hops if not _is_proxy(h, proxies)]
        if outside:
            addr = outside[-1]
        elif hops:
            addr = hops[0]
    return ip_key(addr)


def ip_key(addr: str) -> str:
    """How an address is counted: an IPv4 address as itself, an IPv6 one by its /64."""
    address = _address(addr)
    if address is None:
        return addr[:64] or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def sms_wait(account: str, *, now: dt.datetime) -> int:
    """Seconds before another SMS may be sent to this account (0: now), as ``sms_allow``
    counts them: the page that offers 重发验证码 says how long in words (``wait_text``)."""
    row = AuthThrottle.objects.filter(scope="sms", key=account[:KEY_MAX]).first()
    if row is None or not row.count:
        return 0
    ready = row.last_at + dt.timedelta(seconds=settings.SMS_COOLDOWN_SECONDS)
    return _seconds(ready - now) if ready > now else 0
