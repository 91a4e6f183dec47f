"""Virus scanners that see every upload before it is stored (a small registry, as
``core/sms.py``; docs/style.md habit 6).

The ``UPLOAD_SCANNER`` setting (environment ``SHUZHENG_UPLOAD_SCANNER``) chooses one:

``""`` (the default)
    No scanning.
``clamd:/run/clamav/clamd.ctl`` or ``clamd:127.0.0.1:3310``
    ClamAV's daemon over its unix socket (an absolute path) or TCP (``host:port``), with its
    ``INSTREAM`` command: the bytes go in chunks, each after its length as a 4-byte big-endian
    number, a zero length ends them, and clamd answers ``stream: OK`` or
    ``stream: <signature> FOUND`` (anything else is an error). clamd's ``StreamMaxLength``
    must be at least ``files.services.MAX_BYTES`` (clamd's default, 25 MB, is).
``package.module.function``
    Any callable ``(data: bytes) -> files.contracts.ScanResult``, for another engine or a
    scanning service.

``UPLOAD_SCAN_TIMEOUT`` (``SHUZHENG_UPLOAD_SCAN_TIMEOUT``, seconds, default 30) bounds a
clamd connection. A configured scanner that cannot answer — unreachable, timed out, an error
reply, a setting that names nothing — raises: the upload is refused (fail closed), never
stored unscanned. ``manage.py check`` reports a setting that names no scanner.
"""

from __future__ import annotations

import functools
import socket
from collections.abc import Callable

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

from shuzheng.files.contracts import ScanResult

Scanner = Callable[[bytes], ScanResult]
_KINDS: dict[str, Callable[[str], Scanner]] = {}


class ScannerError(Exception):
    """The configured scanner could not give an answer."""


def register(kind: str) -> Callable[[Callable[[str], Scanner]], Callable[[str], Scanner]]:
    """Register a scanner kind: ``UPLOAD_SCANNER = "<kind>:<argument>"`` calls the decorated
    factory with the argument and scans with the scanner it returns."""

    def deco(factory: Callable[[str], Scanner]) -> Callable[[str], Scanner]:
        _KINDS[kind] = factory
        return factory

    return deco


def configured(spec: str | None = None) -> Scanner | None:
    """The scanner the setting names (None when scanning is off); ``ScannerError`` when it
    names nothing usable."""
    spec = (settings.UPLOAD_SCANNER if spec is None else spec).strip()
    if not spec:
        return None
    kind, _sep, argument = spec.partition(":")
    if kind in _KINDS:
        if not argument:
            raise ScannerError(f"UPLOAD_SCANNER {spec!r}: {kind} needs an address")
        return _KINDS[kind](argument)
    try:
        found = import_string(spec)
    except ImportError as exc:
        raise ScannerError(f"UPLOAD_SCANNER {spec!r} names no scanner: {exc}") from exc
    if not callable(found):
        raise ScannerError(f"UPLOAD_SCANNER {spec!r} is not callable")
    return found


def scan(data: bytes) -> ScanResult | None:
    """What the configured scanner says about ``data`` (None when scanning is off).
    ``ScannerError`` when it cannot say."""
    scanner = configured()
    if scanner is None:
        return None
    try:
        result = scanner(data)
    except ScannerError:
        raise
    except Exception as exc:  # a scanner that fails is a scanner that cannot answer
        raise ScannerError(f"upload scanner failed: {exc!r}") from exc
    if not isinstance(result, ScanResult):
        raise ScannerError(f"upload scanner returned {result!r}, not a ScanResult")
    return result


# --- ClamAV ---------------------------------------------------------------------------------

CLAMD_CHUNK = 64 * 1024
_MAX_REPLY = 4096


@register("clamd")
def clamd(address: str) -> Scanner:
    return functools.partial(
        clamd_scan, address=address, timeout=float(settings.UPLOAD_SCAN_TIMEOUT)
    )


def clamd_scan(data: bytes, *, address: str, timeout: float) -> ScanResult:
    """Scan ``data`` with clamd's ``INSTREAM`` at ``address`` (a unix socket path or
    ``host:port``)."""
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CLAMD_CHUNK):
                chunk = data[start : start + CLAMD_CHUNK]
                sock.sendall(len(chunk).to_bytes(4, "big") + chunk)
            sock.sendall(b"\0\0\0\0")
            reply = _read_reply(sock)
    except OSError as exc:  # refused, missing socket, timeout, reset
        raise ScannerError(f"clamd at {address}: {exc!r}") from exc
    text = reply.decode("utf-8", "replace").strip("\0\r\n ")
    verdict = text.removeprefix("stream:").strip()
    if verdict == "OK":
        return ScanResult(clean=True)
    if verdict.endswith(" FOUND"):
        return ScanResult(clean=False, signature=verdict.removesuffix(" FOUND").strip())
    raise ScannerError(f"clamd at {address} answered {text!r}")


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError:
            sock.close()
            raise
        return sock
    host, _sep, port = address.removeprefix("tcp://").rpartition(":")
    if not host or not port.isdigit():
        raise ScannerError(f"clamd address {address!r} is neither a socket path nor host:port")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def _read_reply(sock: socket.socket) -> bytes:
    """clamd's answer to a ``z``-prefixed command, which ends with a NUL byte."""
    reply = b""
    while b"\0" not in reply and len(reply) < _MAX_REPLY:
        part = sock.recv(_MAX_REPLY)
        if not part:
            break
        reply += part
    return reply


# --- deployment check -----------------------------------------------------------------------


@checks.register(checks.Tags.security)
def check_scanner_setting(**_kwargs: object) -> list[checks.CheckMessage]:
    try:
        configured()
    except ScannerError as exc:
        return [checks.Error(str(exc), id="files.E001")]
    return []
